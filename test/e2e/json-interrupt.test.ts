/**
 * `--json` carries the interruption (issue 13): SIGTERM during `apply --json` and `run --json`, as real processes
 * against the lab. The stream has a `{"type":"interrupted",...}` line as soon as the signal came, and the final
 * result (apply) or report (run) line an `interrupted` object saying what the device holds, where the record is and
 * whether a safety reload is pending. Every stdout line must parse as JSON.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChangeResult } from '../../src/change/types.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { ensureBuiltCli } from '../helpers/built-cli.js';
import { FLEET_RUN, smallFleet, startFleetLab } from '../helpers/fleet-lab.js';
import { startTestLab } from '../helpers/lab.js';
import { CLI, connArgs, credsEnv, tempDir } from './apply-helpers.js';

ensureBuiltCli();

type Line = Record<string, unknown> & { type: string };

/** Spawn the CLI; resolve `when` once a stdout line matches; `done` with the exit code and every stdout line parsed. */
function start(args: string[], cwd: string, env: Record<string, string>, when: RegExp) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
  }) as ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; lines: Line[]; why: string }>((resolve) =>
    child.on('close', (code) => {
      const why = `${stdout.slice(-2000)}\n${stderr}`;
      // Every line of the stream is JSON (JSON.parse throws otherwise, with the line in the message).
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => {
          try {
            return JSON.parse(l) as Line;
          } catch {
            throw new Error(`not a JSON line: ${l}\n${why}`);
          }
        });
      resolve({ code, lines, why });
    }),
  );
  const reached = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (when.test(stdout)) resolve();
    });
    void done.then(() => reject(new Error(`ended before ${when}:\n${stdout}\n${stderr}`)));
  });
  return { child, reached, done };
}

const active = (config: string) => findSmtpInspection(config).active;

describe('--json says the interruption', () => {
  it('apply: SIGTERM during the apply step gives an interrupted event and an interrupted object in the result (a refused reload cancel: pending)', async () => {
    const lab = await startTestLab([{ name: 'fw', dialect: 'asa9', reloadDelaySec: 0.5 }], { smtp: false });
    const dev = lab.device('fw');
    // `reload cancel` is refused: the safety reload stays pending, and the result must say when it fires.
    dev.setFaults({ latencyMs: 80, authzFail: [/^reload cancel/] });
    const cwd = tempDir('mg-jsonint-');
    const sent = new Promise<void>((resolve) => dev.on('command', (l) => l.startsWith('no inspect') && resolve()));
    const p = start(
      ['apply', ...connArgs(dev.info, cwd), '--yes', '--json', '--reload', 'never', '--safety-reload', '5'],
      cwd,
      credsEnv(dev.info),
      /"type":"step:start","step":"apply"/,
    );
    await p.reached;
    await sent; // a config command reached the device: the rollback has work to do
    p.child.kill('SIGTERM');
    const { code, lines, why } = await p.done;
    expect(code, why).toBe(143);
    const events = lines.filter((l) => l.type === 'interrupted');
    expect(events, why).toHaveLength(1);
    expect(events[0]).toMatchObject({ signal: 'SIGTERM', cause: 'TERMINATED', exitCode: 143 });
    expect(events[0]?.message).toMatch(/SIGTERM/);
    // The event comes before the rollback's steps: said at once, not at the end.
    const at = lines.indexOf(events[0] as Line);
    const rollbackStart = lines.findIndex((l) => l.type === 'step:start' && l.step === 'rollback');
    expect(rollbackStart, why).toBeGreaterThan(at);
    const result = lines.at(-1) as Line & ChangeResult & { interrupted: Record<string, unknown> };
    expect(result.type).toBe('result');
    expect(result.interrupted, why).toMatchObject({
      signal: 'SIGTERM',
      cause: 'TERMINATED',
      exitCode: 143,
      outcome: 'rolled-back',
      deviceState: { running: 'original', startup: 'original' },
      pendingReload: { at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), minutes: 5 },
    });
    // What it says is what the device holds and what the record says.
    expect({ running: active(dev.runningConfig()), startup: active(dev.startupConfig()) }).toEqual({
      running: true,
      startup: true,
    });
    expect(dev.emulator.scheduledReload).not.toBeNull();
    dev.emulator.cancelScheduledReload();
    const record = JSON.parse(readFileSync(result.interrupted.record as string, 'utf8')) as ChangeResult;
    expect(record.finalState).toMatchObject({
      running: 'original',
      startup: 'original',
      pendingReload: result.interrupted.pendingReload,
    });
    expect(record.error?.code).toBe('TERMINATED');
  }, 60_000);

  it('run: SIGTERM during a device’s apply gives the event and an interrupted object per device in the report line', async () => {
    const fleet = await startFleetLab([], (doc) => doc.set('canary', 0), smallFleet([['j1', 'asa9']]));
    fleet.lab.device('j1').setFaults({ latencyMs: 80 });
    const p = start(
      [...FLEET_RUN, '--report-dir', 'reports', '--json'],
      fleet.dir,
      fleet.env,
      /"type":"step:start","step":"apply"/,
    );
    await p.reached;
    p.child.kill('SIGTERM');
    const { code, lines, why } = await p.done;
    expect(code, why).toBe(143);
    const event = lines.find((l) => l.type === 'interrupted');
    expect(event, why).toMatchObject({ signal: 'SIGTERM', cause: 'TERMINATED', exitCode: 143 });
    const report = lines.findLast((l) => l.type === 'report') as Line & {
      interrupted: { signal: string; devices: Array<{ name: string; result: string; record: string | null }> };
    };
    expect(report?.interrupted, why).toMatchObject({ signal: 'SIGTERM', cause: 'TERMINATED', exitCode: 143 });
    const j1 = report.interrupted.devices.find((d) => d.name === 'j1');
    expect(j1?.result, why).not.toBe('done');
    expect(j1?.record).toMatch(/-change\.(md|json)$/);
    // The state it gives is the record's, and the lab's.
    expect(j1, why).toMatchObject({ deviceState: { running: 'original', startup: 'original' }, pendingReload: null });
    expect(active(fleet.lab.device('j1').runningConfig())).toBe(true);
    expect(active(fleet.lab.device('j1').startupConfig())).toBe(true);
  }, 60_000);
});
