/**
 * Canary first across a pipeline: `run --phase canary` writes a small result file; `run --phase rest --after FILE`
 * starts only when that result is from the same playbook and inventory (sha256), passed, and the window it ran in
 * is still the one open now. This is how a pipeline orders its two stages.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivate } from '../change/backup.js';
import { MailguardError, systemErrorWords } from '../errors.js';
import type { FleetReport } from './fleet.js';
import { describeWindow, type WindowSpec, windowState } from './window.js';

export interface CanaryResult {
  tool: 'asa-mailguard';
  kind: 'canary-result';
  format: 1;
  passed: boolean;
  /** Keys the rest of the run (shared failure budget, merged report). */
  runId: string;
  playbook: string;
  playbookSha256: string;
  inventorySha256: string | null;
  changeId: string | null;
  mode: string;
  dryRun: boolean;
  /** The canary devices, in run order, with their result. */
  devices: Array<{ name: string; result: string; exitCode: number }>;
  startedAt: string;
  endedAt: string;
  window: string;
  /** End of the window occurrence the canary ran in (null: a window that never closes, or none). */
  windowClosesAt: string | null;
  /** The canary phase's fleet report (JSON), for the people reading a refusal. */
  report: string | null;
}

export const CANARY_FILE = 'canary-result.json';

export function canaryResult(
  r: FleetReport,
  o: { runId: string; window: WindowSpec; report: string | null },
): CanaryResult {
  const ran = r.devices.filter((d) => d.canary);
  return {
    tool: 'asa-mailguard',
    kind: 'canary-result',
    format: 1,
    passed: r.exitCode === 0 && r.stopped === null && ran.length > 0,
    runId: o.runId,
    playbook: r.playbook,
    playbookSha256: r.playbookSha256 ?? '',
    inventorySha256: r.inventorySha256,
    changeId: r.changeId,
    mode: r.mode,
    dryRun: r.dryRun,
    devices: r.devices.map((d) => ({ name: d.name, result: d.result, exitCode: d.exitCode })),
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    window: r.window,
    windowClosesAt: windowState(o.window, new Date(r.startedAt)).closesAt?.toISOString() ?? null,
    report: o.report,
  };
}

export async function writeCanaryResult(c: CanaryResult, dir: string): Promise<string> {
  const path = join(dir, CANARY_FILE);
  await writePrivate(path, `${JSON.stringify(c, null, 2)}\n`);
  return path;
}

export async function readCanaryResult(file: string): Promise<CanaryResult> {
  let data: Partial<CanaryResult>;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Partial<CanaryResult>;
  } catch (e) {
    const why = systemErrorWords(e);
    throw new MailguardError('CANARY_MISMATCH', `--after ${file}: cannot read the canary result (${why})`, {
      hint: 'Pass the canary-result.json the `run --phase canary` job wrote (keep it as a pipeline artifact).',
    });
  }
  if (data.kind !== 'canary-result' || typeof data.runId !== 'string' || !Array.isArray(data.devices)) {
    throw new MailguardError('CANARY_MISMATCH', `--after ${file} is not a canary result of asa-mailguard`, {
      hint: 'Pass the canary-result.json the `run --phase canary` job wrote.',
    });
  }
  return data as CanaryResult;
}

export interface CanaryCheck {
  playbookSha256: string;
  inventorySha256: string | null;
  changeId: string | null;
  dryRun: boolean;
  window: WindowSpec;
  now: Date;
}

/**
 * Throws unless the rest may run after this canary: CANARY_MISMATCH (another playbook, inventory or change),
 * CANARY_NOT_PASSED, CANARY_EXPIRED (its window has closed since; a dry-run canary does not license a change).
 */
export function checkCanary(c: CanaryResult, file: string, x: CanaryCheck): void {
  const mismatch: string[] = [];
  if (c.playbookSha256 !== x.playbookSha256) mismatch.push('the playbook differs (sha256)');
  if (c.inventorySha256 !== x.inventorySha256) mismatch.push('the inventory differs (sha256)');
  if (c.changeId !== x.changeId)
    mismatch.push(`the change id differs (${c.changeId ?? 'none'} vs ${x.changeId ?? 'none'})`);
  if (mismatch.length > 0) {
    throw new MailguardError(
      'CANARY_MISMATCH',
      `--after ${file} is the canary of another run: ${mismatch.join('; ')}`,
      {
        hint: 'Run the rest with the same playbook and inventory files the canary job used.',
        details: { canary: c.playbookSha256, playbook: x.playbookSha256 },
      },
    );
  }
  if (!c.passed) {
    const bad = c.devices.filter((d) => d.result !== 'done' && d.result !== 'nothing-to-do').map((d) => d.name);
    throw new MailguardError(
      'CANARY_NOT_PASSED',
      `the canary did not pass (${bad.join(', ') || 'no canary device ran'}): the rest of the fleet is not started`,
      {
        hint: `Read the canary's fleet report${c.report ? ` (${c.report})` : ''}, fix the cause, run the canary again.`,
      },
    );
  }
  if (c.dryRun && !x.dryRun) {
    throw new MailguardError('CANARY_NOT_PASSED', `--after ${file} is a dry-run canary: it changed nothing`, {
      hint: 'Run the canary phase without --dry-run before the rest, or run the rest with --dry-run too.',
    });
  }
  if (x.dryRun) return;
  const s = windowState(x.window, x.now);
  const closes = s.closesAt?.toISOString() ?? null;
  if (!s.inside || closes !== c.windowClosesAt) {
    throw new MailguardError(
      'CANARY_EXPIRED',
      `the canary ran at ${c.endedAt} in a change window (${describeWindow(x.window)}) that has closed since: it does not license this one`,
      { hint: 'Run the canary phase again inside the current window.' },
    );
  }
}
