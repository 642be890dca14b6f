/**
 * The interruption matrix (issue 13 §7) as one table: each cause (SIGINT, SIGTERM, SIGHUP, a closed stdout) x each
 * step (connect, backup, apply, save, reload-wait, post-probe) x each target (`apply` on asa9 over SSH, `apply` on
 * pix6 over telnet, `run` on a small fleet), run as real processes (the built CLI) against one lab per target.
 *
 * No timing: the lab holds the step's device command (fault holdAt) or its SMTP probe (holdSmtp, armed when
 * `write memory` has run) while the cause is delivered; the hold is released once the process said it is stopping
 * (a closed stdout is not a stop: released at once). The step the process was in is checked from its JSON events.
 *
 * OUTCOMES is the table docs/reliability.md prints (checked by the tests: `matrixMarkdown()`).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChangeOutcome, ChangeResult } from '../../src/change/types.js';
import { fleetSummary } from '../../src/cli/render/fleet.js';
import type { Lab, LabDeviceHandle } from '../../src/lab/index.js';
import type { LabDeviceOptions } from '../../src/lab/types.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { DeviceResult, FleetReport } from '../../src/playbook/index.js';
import { ensureBuiltCli, repoRoot } from '../helpers/built-cli.js';
import { FLEET_RUN, fleetCreds, smallFleet, writeFleetFolder } from '../helpers/fleet-lab.js';
import { startTestLab } from '../helpers/lab.js';
import { CLI, connArgs, credsEnv, tempDir, toolFiles } from './apply-helpers.js';

export const CAUSES = ['SIGINT', 'SIGTERM', 'SIGHUP', 'EPIPE'] as const;
export const STEPS = ['connect', 'backup', 'apply', 'save', 'reload-wait', 'post-probe'] as const;
/**
 * The real reload wait: `reload` confirmed, the device went down and came back, and the tool waits for it to take
 * a login again (the first `enable` after the reload is held). `apply` on asa9 over SSH only.
 */
export const DEVICE_DOWN = 'reload-wait (device down)' as const;
export type Cause = (typeof CAUSES)[number];
export type MatrixStep = (typeof STEPS)[number] | typeof DEVICE_DOWN;
/** The steps of a target's cases (the table's columns). */
export const stepsFor = (target: Target): readonly MatrixStep[] =>
  target === 'asa9-ssh' ? [...STEPS, DEVICE_DOWN] : STEPS;
/** The engine's step (its JSON `step:start` event) a matrix step lies in. */
const engineStep = (step: MatrixStep): string => (step === DEVICE_DOWN ? 'reload-wait' : step);
export type Target = 'asa9-ssh' | 'pix6-telnet' | 'run';

/** What the device holds at the end (running and startup alike: never half). */
type DeviceEnd = 'original' | 'changed';
interface Outcome {
  exit: number;
  /** The change record's `outcome`. */
  outcome: ChangeOutcome;
  /** `run`'s report row for the disturbed device. */
  result: DeviceResult;
  device: DeviceEnd;
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** The asserted ending of each cause at each step: the same for every target. */
export function expected(cause: Cause, step: MatrixStep): Outcome {
  // A closed pipe is not a stop: output goes nowhere and the change carries on to its end.
  if (cause === 'EPIPE') return { exit: 0, outcome: 'done', result: 'done', device: 'changed' };
  const exit = SIGNAL_EXIT[cause];
  // Nothing sent yet: stopped, nothing to undo.
  if (step === 'connect' || step === 'backup')
    return { exit, outcome: 'cancelled', result: 'skipped', device: 'original' };
  // `reload` was confirmed (the command in flight finishes): the device comes back on its saved change.
  // Also when the device is down for it: what `write memory` saved comes back; no rollback is attempted.
  if (step === 'reload-wait' || step === DEVICE_DOWN)
    return { exit, outcome: 'interrupted', result: 'interrupted', device: 'changed' };
  return { exit, outcome: 'rolled-back', result: 'rolled-back', device: 'original' };
}

const HELD: Record<Exclude<MatrixStep, 'post-probe' | typeof DEVICE_DOWN>, { asa: RegExp; pix: RegExp }> = {
  connect: { asa: /^enable$/, pix: /^enable$/ },
  backup: { asa: /^show startup-config$/, pix: /^show configure$/ },
  apply: { asa: /^no inspect esmtp/, pix: /^no fixup protocol smtp/ },
  save: { asa: /^write memory$/, pix: /^write memory$/ },
  'reload-wait': { asa: /^reload$/, pix: /^reload$/ },
};

const LABEL: Record<Cause, string> = {
  SIGINT: 'SIGINT (Ctrl-C)',
  SIGTERM: 'SIGTERM',
  SIGHUP: 'SIGHUP',
  EPIPE: 'closed stdout (EPIPE)',
};

/** The table docs/reliability.md carries, generated from `expected` (the tests compare them). */
export function matrixMarkdown(): string {
  const steps = stepsFor('asa9-ssh');
  const cell = (o: Outcome, s: MatrixStep) =>
    o.outcome === 'done'
      ? 'carries on: `done`, changed and saved'
      : `\`${o.outcome}\`, ${o.device === 'original' ? 'as before' : 'changed and saved'}${
          s === DEVICE_DOWN ? '' : ` (run: \`${o.result}\`)`
        }`;
  const rows = CAUSES.map((c) => {
    const exits = new Set(steps.map((s) => expected(c, s).exit));
    return `| ${LABEL[c]} | ${steps.map((s) => cell(expected(c, s), s)).join(' | ')} | ${[...exits].join(', ')} |`;
  });
  const head = steps.map((s) => (s === DEVICE_DOWN ? `${s}, asa9 SSH only` : s));
  return [`| cause | ${head.join(' | ')} | exit |`, `|---|${steps.map(() => '---|').join('')}---|`, ...rows].join('\n');
}

export interface MatrixCase {
  cause: Cause;
  step: MatrixStep;
  /** The lab device disturbed (for `run`: the canary, first of two). */
  device: string;
  /** `run`: the second device, started only after the canary (so never, when the canary was stopped). */
  next?: string;
}

/** Every cause x step for one target, with its device names (one device, two for `run`, per case). */
export function casesFor(target: Target): MatrixCase[] {
  const out: MatrixCase[] = [];
  let n = 0;
  for (const cause of CAUSES)
    for (const step of stepsFor(target)) {
      n++;
      out.push(
        target === 'run'
          ? { cause, step, device: `r${n}-a`, next: `r${n}-b` }
          : { cause, step, device: `${target}-${n}` },
      );
    }
  return out;
}

/** The lab devices of a target's cases. */
export function labDevicesFor(target: Target): LabDeviceOptions[] {
  const cases = casesFor(target);
  if (target === 'run')
    return smallFleet(cases.flatMap((c) => [[c.device, 'asa9'] as [string, 'asa9'], [c.next as string, 'asa9']]));
  return cases.map((c) => ({
    name: c.device,
    dialect: target === 'asa9-ssh' ? ('asa9' as const) : ('pix6' as const),
    reloadDelaySec: 0.3,
  }));
}

const active = (config: string) => findSmtpInspection(config).active;

/** Hold the case's step on its device; resolves with what was held. */
function armHold(dev: LabDeviceHandle, step: MatrixStep, pix: boolean): Promise<string> {
  const held = new Promise<string>((resolve) => dev.on('held', resolve));
  if (step === 'post-probe') {
    // The next SMTP connection after `write memory` is the post-probe's (no reload-wait probe: --reload never).
    const onRun = (line: string) => {
      if (!/^wr(ite)? mem/.test(line)) return;
      dev.off('executed', onRun);
      dev.setFaults({ holdSmtp: true });
    };
    dev.on('executed', onRun);
  } else if (step === DEVICE_DOWN) {
    // Armed once `reload` is typed: the next `enable` is the first login after the device came back.
    const onReload = (line: string) => {
      if (line !== 'reload') return;
      dev.off('command', onReload);
      dev.setFaults({ holdAt: [/^enable$/] });
    };
    dev.on('command', onReload);
  } else dev.setFaults({ holdAt: [HELD[step][pix ? 'pix' : 'asa']] });
  return held;
}

interface Spawned {
  child: ChildProcessWithoutNullStreams;
  out: { stdout: string; stderr: string };
  done: Promise<number | null>;
  /** Resolves once `text` matches stdout (or stderr). */
  seen(re: RegExp, where?: 'stdout' | 'stderr'): Promise<void>;
}

function start(args: string[], cwd: string, env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, MAILGUARD_LOCK_DIR: join(cwd, 'locks'), ...env },
  }) as ChildProcessWithoutNullStreams;
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d;
    wake();
  });
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d;
    wake();
  });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  const seen = (re: RegExp, where: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!re.test(out[where])) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
      void done.then(() => reject(new Error(`exited before ${re} on ${where}:\n${out.stdout}\n${out.stderr}`)));
    });
  return { child, out, done, seen };
}

/** The step events of `device` (all for apply) up to the `interrupted` event or the end. */
function stepsBeforeStop(stdout: string, device?: string): string[] {
  const steps: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('{"type":"interrupted"')) break;
    const m = /^\{"type":"step:start","step":"([^"]+)"/.exec(line);
    if (m && (!device || line.includes(`"device":"${device}"`))) steps.push(m[1] as string);
  }
  return steps;
}

export interface CaseEnd {
  code: number | null;
  why: string;
  /** The last step the disturbed device started before the cause took effect. */
  stepAtStop: string | undefined;
  record: ChangeResult;
  device: { running: boolean; startup: boolean };
  scheduledReload: boolean;
  locks: string[];
  /** `run` only. */
  report?: FleetReport;
  /** `run` only: the report's Markdown, HTML and CSV forms as written. */
  reportForms?: { markdown: string; html: string; csv: string };
  next?: { running: boolean; startup: boolean };
}

/** Run one case to its end and gather what the assertions need. */
export async function runCase(lab: Lab, target: Target, c: MatrixCase): Promise<CaseEnd> {
  const dev = lab.device(c.device);
  const pix = dev.info.dialect === 'pix6';
  const reload = c.step === 'reload-wait' || c.step === DEVICE_DOWN ? 'after-save' : 'never';
  let cwd: string;
  let p: Spawned;
  if (target === 'run') {
    cwd = writeFleetFolder(
      lab,
      (doc) => {
        doc.setIn(['options', 'reload'], reload);
        doc.set('maxFailures', 2);
      },
      [c.device, c.next as string],
    );
    p = start([...FLEET_RUN, '--report-dir', 'reports', '--json'], cwd, { ASA_USERNAME: fleetCreds.username });
  } else {
    cwd = tempDir('mg-matrix-');
    const transport = pix ? 'telnet' : 'ssh';
    const i = dev.info;
    p = start(
      [
        'apply',
        ...connArgs(i, cwd, transport),
        '--smtp',
        `${i.smtp.host}:${i.smtp.port}`,
        '--yes',
        '--json',
        '--reload',
        reload,
        '--safety-reload',
        '5',
      ],
      cwd,
      credsEnv(i),
    );
  }
  const device = target === 'run' ? c.device : undefined;
  const stepEvent = new RegExp(
    `"type":"step:start","step":"${engineStep(c.step)}"[^\\n]*${device ? `"device":"${device}"` : ''}`,
  );
  await Promise.race([armHold(dev, c.step, pix), p.done.then(() => undefined)]);
  await p.seen(stepEvent);
  // The device went down for the reload (and is held at its first login back): the tool says it waits for it.
  if (c.step === DEVICE_DOWN) await p.seen(/reload confirmed at [^"]*: the device is going down/);
  if (c.cause === 'EPIPE') p.child.stdout.destroy();
  else {
    p.child.kill(c.cause);
    await p.seen(/received: stopping/, 'stderr');
  }
  dev.setFaults({});
  dev.release();
  const code = await p.done;
  const why = `${p.out.stdout.slice(-3000)}\n${p.out.stderr}`;
  if (!dev.isUp()) await dev.waitUp(30_000);
  const end: Omit<CaseEnd, 'record'> & { record?: ChangeResult } = {
    code,
    why,
    stepAtStop: stepsBeforeStop(p.out.stdout, device).at(-1),
    device: { running: active(dev.runningConfig()), startup: active(dev.startupConfig()) },
    scheduledReload: dev.emulator.scheduledReload !== null,
    locks: existsSync(join(cwd, 'locks')) ? readdirSync(join(cwd, 'locks')) : [],
  };
  let recordFile: string | undefined;
  if (target === 'run') {
    const dir = join(cwd, 'reports');
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.json')) : undefined;
    expect(file, `no fleet report\n${why}`).toBeTruthy();
    end.report = JSON.parse(readFileSync(join(dir, file as string), 'utf8')) as FleetReport;
    const form = (ext: string) => readFileSync(join(dir, (file as string).replace(/\.json$/, ext)), 'utf8');
    end.reportForms = { markdown: form('.md'), html: form('.html'), csv: form('.csv') };
    // The row names the record's Markdown form; the JSON form sits beside it.
    recordFile = end.report.devices.find((d) => d.name === c.device)?.reportPath?.replace(/\.md$/, '.json');
    const next = lab.device(c.next as string);
    end.next = { running: active(next.runningConfig()), startup: active(next.startupConfig()) };
    end.scheduledReload ||= next.emulator.scheduledReload !== null;
  } else {
    const records = toolFiles(cwd).filter((f) => f.endsWith('-change.json'));
    expect(records, `one change record\n${why}`).toHaveLength(1);
    recordFile = records[0];
  }
  expect(recordFile, `the change record of ${c.device}\n${why}`).toBeTruthy();
  end.record = JSON.parse(readFileSync(recordFile as string, 'utf8')) as ChangeResult;
  return end as CaseEnd;
}

/** Every assertion of a case: the table's exit code and outcome, the device as the record says, no lock, no reload. */
export function assertCase(target: Target, c: MatrixCase, end: CaseEnd): void {
  const want = expected(c.cause, c.step);
  const { why } = end;
  // The cause reached the process while the step held.
  expect(end.stepAtStop, why).toBe(engineStep(c.step));
  expect(end.code, why).toBe(want.exit);
  const state = want.device === 'original';
  expect(end.device, why).toEqual({ running: state, startup: state });
  expect(end.record.outcome, why).toBe(want.outcome);
  if (end.record.commands.length === 0) {
    // Stopped before anything was read into the record: it says no command was sent.
    expect(want.device).toBe('original');
    expect(end.record.finalState.notes.join(' '), why).toMatch(/sent no command to the device/);
  } else expect(end.record.finalState, why).toMatchObject({ running: want.device, startup: want.device });
  if (c.cause !== 'EPIPE') {
    expect(end.record.error?.code, why).toBe(
      { SIGINT: 'INTERRUPTED', SIGTERM: 'TERMINATED', SIGHUP: 'HANGUP' }[c.cause],
    );
  }
  if (c.step === DEVICE_DOWN && c.cause !== 'EPIPE') {
    // Seen going down and back (its first login after the reload was held): the record says the reload happened,
    // the state re-read after the return, no rollback tried, and no outside proof after the return.
    expect(end.record.reloaded, why).toBe(true);
    // Said at once: no rollback follows.
    expect(end.why, why).toMatch(/then leaving the device to come back from its reload on the saved change/);
    expect(end.record.finalState.runningSha256, why).toBeTruthy();
    expect(
      end.record.steps.find((s) => s.step === 'rollback'),
      why,
    ).toMatchObject({
      status: 'skipped',
      summary: expect.stringMatching(/comes back on the saved change/),
    });
    expect(end.record.verification, why).not.toBe('verified');
    expect(end.record.finalState.pendingReload, why).toBeUndefined();
  }
  expect(end.scheduledReload, `a safety reload left pending\n${why}`).toBe(false);
  expect(end.locks, why).toEqual([]);
  if (target === 'run') {
    const report = end.report as FleetReport;
    const row = report.devices.find((d) => d.name === c.device);
    expect(row?.result, why).toBe(want.result);
    assertRowForms(report, end, c.device, want.result, why);
    // The next device is started only after the canary: never after a stop; after a closed pipe it runs to its end.
    const carriedOn = want.outcome === 'done';
    expect(end.next, why).toEqual({ running: !carriedOn, startup: !carriedOn });
    expect(report.devices.find((d) => d.name === c.next)?.result, why).toBe(carriedOn ? 'done' : 'skipped');
    expect(report.exitCode, why).toBe(want.exit);
  }
}

/**
 * `run`'s table (what the process prints without --json), and the Markdown, HTML and CSV report rows, say what the
 * JSON row says; an interrupted device's note says what its change record says it holds (changed and saved).
 */
function assertRowForms(report: FleetReport, end: CaseEnd, device: string, result: DeviceResult, why: string): void {
  const row = report.devices.find((d) => d.name === device) as FleetReport['devices'][number];
  const forms = end.reportForms as NonNullable<CaseEnd['reportForms']>;
  const table = fleetSummary(report, null)
    .split('\n')
    .find((l) => l.startsWith(`${device} `));
  expect(table, why).toMatch(new RegExp(`  ${result}\\*? `));
  const md = forms.markdown.split('\n').find((l) => l.startsWith(`| ${device} |`));
  expect(md, why).toMatch(new RegExp(`\\| ${result}( \\(canary\\))?( \\(exit ${row.exitCode}\\))? \\|`));
  const csv = forms.csv.split(/\r?\n/).find((l) => l.startsWith(`${device},`));
  expect(csv, why).toContain(`,${result},${row.exitCode},`);
  expect(forms.html, why).toContain(`<span class="r-${result}">${result}`);
  expect(forms.html, why).toMatch(new RegExp(`class="bar r-${result}( canary)?" data-device="${device}"`));
  if (result === 'interrupted') {
    // Not a failure: the record's own words for what the device holds, in every form.
    expect(row.exitCode, why).toBe(end.code);
    const holds = `running ${end.record.finalState.running}, startup ${end.record.finalState.startup}, no rollback`;
    expect(end.record.finalState, why).toMatchObject({ running: 'changed', startup: 'changed' });
    for (const text of [row.message ?? '', table ?? '', md ?? '', csv ?? '']) expect(text, why).toContain(holds);
    expect(report.summary, why).toMatchObject({ interrupted: 1, failed: 0, failures: 0 });
    expect(forms.markdown, why).toMatch(/0 failed, 1 interrupted \(changed and saved\), /);
  }
}

/**
 * The matrix of one target as a test file: one lab (a device per case, two for `run`), every case concurrently
 * (vitest's maxConcurrency bounds how many processes run at once).
 */
export async function defineMatrix(target: Target, o: { checkDoc?: boolean } = {}): Promise<void> {
  ensureBuiltCli();
  const lab = await startTestLab(labDevicesFor(target), { smtp: true, randomCredentials: target !== 'run' });
  describe.concurrent(`interruption matrix: ${target}`, () => {
    it.each(casesFor(target).map((c) => [`${c.cause} at ${c.step}`, c] as const))(
      '%s ends as the table says',
      async (_name, c) => assertCase(target, c, await runCase(lab, target, c)),
      120_000,
    );
    if (o.checkDoc) {
      it('docs/reliability.md carries this table', () => {
        expect(readFileSync(join(repoRoot, 'docs', 'reliability.md'), 'utf8')).toContain(matrixMarkdown());
      });
    }
  });
}
