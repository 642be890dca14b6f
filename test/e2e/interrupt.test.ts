/**
 * Interrupted changes beyond the matrix (issue 13 §7), as real processes (the built CLI) against the lab: a second
 * SIGINT during the rollback, SIGKILL during apply (the next run takes over the stale lock, `rollback --backup`
 * restores, a pending safety reload brings the device back to its startup config), and SIGTERM during a 3-device
 * `run`. Each cause at each step for apply (asa9 SSH, pix6 telnet) and run: interrupt-matrix*.test.ts.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StepName } from '../../src/change/types.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { FleetReport } from '../../src/playbook/index.js';
import { ensureBuiltCli } from '../helpers/built-cli.js';
import { FLEET_RUN, smallFleet, startFleetLab } from '../helpers/fleet-lab.js';
import { startTestLab } from '../helpers/lab.js';
import { CLI, connArgs, credsEnv, locksLeft, runOn, tempDir, toolFiles } from './apply-helpers.js';

ensureBuiltCli();

const lab = await startTestLab(
  [
    { name: 'killed', dialect: 'asa9' as const, reloadDelaySec: 0.5 },
    { name: 'twice', dialect: 'asa9' as const, reloadDelaySec: 0.5 },
  ],
  { smtp: true },
);
lab.device('twice').setFaults({ latencyMs: 80 });

/** Start `apply --json` and resolve when the given step starts; `done` resolves with exit code and stdout. */
function startApply(c: { name: string; dialect: string }, cwd: string, args: string[]) {
  const info = lab.device(c.name).info;
  const transport = c.dialect === 'pix6' ? 'telnet' : 'ssh';
  const child = spawn(
    process.execPath,
    [CLI, 'apply', ...connArgs(info, cwd, transport), '--smtp', `${info.smtp.host}:${info.smtp.port}`, ...args],
    { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...credsEnv(info) } },
  ) as ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ step: StepName; resolve: () => void }> = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    for (const w of [...waiters]) {
      if (stdout.includes(`{"type":"step:start","step":"${w.step}"`)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  const started = (step: StepName) =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ step, resolve });
      void done.then(() => reject(new Error(`exited before ${step} started:\n${stdout}\n${stderr}`)));
    });
  return { child, done, started };
}

const active = (config: string) => findSmtpInspection(config).active;
const records = (cwd: string) => toolFiles(cwd).filter((f) => f.endsWith('-change.json'));

describe('interrupted apply', () => {
  it('a second SIGINT during the rollback says what is left behind, then exits 130', async () => {
    const cwd = tempDir('mg-twice-');
    const dev = lab.device('twice');
    const sent = new Promise<void>((resolve) => dev.on('command', (l) => l.startsWith('no inspect') && resolve()));
    const p = startApply({ name: 'twice', dialect: 'asa9' }, cwd, ['--yes', '--json', '--reload', 'never']);
    await p.started('apply');
    await sent; // a config command reached the device: there is something to roll back
    // The rollback's first read hangs: the second signal surely comes before it undoes anything.
    dev.setFaults({ latencyMs: 80, hangAt: [/^show running-config$/] });
    p.child.kill('SIGINT');
    await p.started('rollback');
    p.child.kill('SIGINT');
    const r = await p.done;
    dev.setFaults({ latencyMs: 80 });
    const why = `${r.stdout.slice(-1500)}\n${r.stderr}`;
    expect(r.code, why).toBe(130);
    expect(r.stderr, why).toMatch(/received again: quitting now\./);
    // What is left: the config commands not yet undone, the backup to restore from, no record.
    expect(r.stderr, why).toMatch(
      /Config commands were sent and not rolled back: the running config may hold part of the change; the startup-config does not\./,
    );
    expect(r.stderr, why).not.toMatch(/safety reload/i);
    expect(r.stderr, why).toMatch(/No change record was written\./);
    const backup = /Backup: (\S+-backup\.json); restore with `rollback --backup`/.exec(r.stderr)?.[1];
    expect(backup, why).toBeTruthy();
    // ... and the device holds what the message says: the change in the running config, not in the startup-config;
    // no reload pending; no record; no lock (removed on exit).
    expect({ running: active(dev.runningConfig()), startup: active(dev.startupConfig()) }).toEqual({
      running: false,
      startup: true,
    });
    expect(dev.emulator.scheduledReload).toBeNull();
    expect(records(cwd)).toEqual([]);
    expect(locksLeft(cwd)).toEqual([]);
    // The way back it names works: `rollback --backup` restores the running config.
    const rb = await runOn('rollback', dev.info, cwd, ['--backup', backup as string, '--yes', '--json']);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect({ running: active(dev.runningConfig()), startup: active(dev.startupConfig()) }).toEqual({
      running: true,
      startup: true,
    });
  }, 60_000);

  it('SIGKILL during apply: the next run takes over the stale lock, rollback --backup restores, the safety reload returns to startup', async () => {
    const dev = lab.device('killed');
    const before = { running: dev.runningConfig(), startup: dev.startupConfig() };
    const cwd = tempDir('mg-kill-');
    dev.setFaults({ hangAt: [/^no inspect esmtp/] });
    const p = startApply({ name: 'killed', dialect: 'asa9' }, cwd, [
      '--yes',
      '--json',
      '--reload',
      'never',
      '--safety-reload',
      '1',
    ]);
    await p.started('apply');
    // The hang holds the apply open; the process dies without a chance to clean up.
    await new Promise<void>((resolve) => dev.on('command', (l) => l.startsWith('no inspect') && resolve()));
    p.child.kill('SIGKILL');
    await p.done;
    dev.setFaults({});
    // Both locks stay behind: the address lock and the device lock (hostname + serial).
    expect(locksLeft(cwd)).toHaveLength(2);
    expect(dev.emulator.scheduledReload).not.toBeNull();
    const backup = toolFiles(cwd).find((f) => f.endsWith('-backup.json')) as string;
    const rb = await runOn('rollback', dev.info, cwd, ['--backup', backup, '--yes', '--json']);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(rb.stdout).toMatch(/taking over the stale lock/);
    expect(locksLeft(cwd)).toEqual([]);
    // The safety reload (1 min) the killed run left behind still fires: the device comes back on its startup.
    dev.emulator.scheduleReload(0.01);
    await new Promise<void>((resolve) => dev.on('down', resolve));
    await dev.waitUp(30_000);
    expect(active(dev.runningConfig())).toBe(active(before.startup));
    expect(dev.startupConfig()).toBe(before.startup);
  }, 90_000);
});

// `run` as a process: a 3-device fleet (canary first, then the two others together), each step held open by latency.
const fleet = await startFleetLab(
  [],
  (doc) => doc.set('maxFailures', 3),
  smallFleet([
    ['f1', 'asa9'],
    ['f2', 'asa9'],
    ['f3', 'pix6'],
  ]),
);
for (const d of fleet.devices) fleet.lab.device(d.name as string).setFaults({ latencyMs: 80 });

describe('interrupted run (fleet)', () => {
  it('SIGTERM during a device’s apply: exit 143, each device original or saved, the report says which, no lock', async () => {
    const { dir, lab: flab } = fleet;
    const p = spawn(process.execPath, [CLI, ...FLEET_RUN, '--report-dir', 'reports', '--json'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...fleet.env },
    }) as ChildProcessWithoutNullStreams;
    let stdout = '';
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const done = new Promise<number | null>((resolve) => p.on('close', resolve));
    // The canary (f1) completes; the signal comes when a second device starts its apply step.
    await new Promise<void>((resolve, reject) => {
      p.stdout.on('data', (d: Buffer) => {
        stdout += d;
        if (/"type":"step:start","step":"apply"[^\n]*"device":"f[23]"/.test(stdout)) resolve();
      });
      void done.then(() => reject(new Error(`run ended before the apply step:\n${stdout}\n${stderr}`)));
    });
    p.kill('SIGTERM');
    const code = await done;
    const why = `${stdout.slice(-2000)}\n${stderr}`;
    expect(code, why).toBe(143);
    const jsonFile = readdirSync(join(dir, 'reports')).find((f) => f.endsWith('.json')) as string;
    expect(jsonFile, why).toBeTruthy();
    const report = JSON.parse(readFileSync(join(dir, 'reports', jsonFile), 'utf8')) as FleetReport;
    for (const d of fleet.devices) {
      const running = active(flab.device(d.name as string).runningConfig());
      const startup = active(flab.device(d.name as string).startupConfig());
      expect(running, `${d.name}: never half\n${why}`).toBe(startup);
      const row = report.devices.find((x) => x.name === d.name);
      expect(row, `${d.name} reported`).toBeTruthy();
      // The report says which: done means changed and saved; anything else means as before.
      expect(row?.result === 'done', `${d.name}: ${JSON.stringify(row)}`).toBe(!running);
    }
    expect(report.devices.find((x) => x.name === 'f1')?.result).toBe('done');
    // The device whose apply was under way was stopped, not carried to its end.
    expect(report.devices.some((x) => x.result !== 'done')).toBe(true);
    expect(locksLeft(dir)).toEqual([]);
  }, 90_000);
});
