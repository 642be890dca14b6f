/**
 * End to end, faults (issue #5 "Done when"): each injected fault ends in its documented exit code, with the
 * device back in its original config (or the record saying exactly otherwise), a backup on disk and a record.
 * One asa9 device per fault so the cases stay independent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockName } from '../../src/change/lock.js';
import type { LabFaults } from '../../src/lab/types.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { type LabDeviceHandle, startTestLab } from '../helpers/lab.js';
import {
  configCommandsSince,
  connArgs,
  credsEnv,
  modeOf,
  read,
  resultOf,
  runCli,
  runOn,
  tempDir,
  toolFiles,
} from './apply-helpers.js';

const names = [
  'drop',
  'error',
  'hang',
  'noreturn',
  'masked',
  'masker',
  'keep',
  'standby',
  'locked',
  'nobackup',
  'safety',
] as const;
const lab = await startTestLab(
  names.map((name) => ({ name, dialect: 'asa9' as const, reloadDelaySec: 0.5 })),
  { smtp: true },
);

interface Snapshot {
  running: string;
  startup: string;
}
const snap = (d: LabDeviceHandle): Snapshot => ({ running: d.runningConfig(), startup: d.startupConfig() });
const activeLines = (config: string) =>
  findSmtpInspection(config)
    .findings.filter((f) => f.active)
    .map((f) => f.lines.map((l) => l.trim()).join('/'))
    .sort();

async function applyWith(name: (typeof names)[number], extra: string[], smtpOf: (typeof names)[number] = name) {
  const dev = lab.device(name);
  const cwd = tempDir();
  const smtp = lab.device(smtpOf).info.smtp;
  const run = await runOn('apply', dev.info, cwd, ['--smtp', `${smtp.host}:${smtp.port}`, '--yes', '--json', ...extra]);
  const result = resultOf(run);
  return { dev, cwd, run, result, files: toolFiles(cwd) };
}

/** Snapshot the device's configs, inject `faults`, then apply. */
async function applyWithFault(name: (typeof names)[number], faults: LabFaults, extra: string[]) {
  const before = snap(lab.device(name));
  lab.device(name).setFaults(faults);
  return { before, ...(await applyWith(name, extra)) };
}

function expectBackupAndRecord(files: string[], result: ReturnType<typeof resultOf>) {
  expect(files.some((f) => f.endsWith('-running.cfg'))).toBe(true);
  expect(files.some((f) => f.endsWith('-startup.cfg'))).toBe(true);
  expect(result.reportFiles?.json).toBeDefined();
  expect(files).toContain(result.reportFiles?.markdown);
  for (const f of files) expect(modeOf(f), f).toBe(0o600);
}

describe('apply with injected faults', () => {
  it('connection dropped during apply: rolled back, exit 4, configs original', async () => {
    const { dev, before, run, result, files } = await applyWithFault('drop', { dropAt: [/^no inspect esmtp/] }, [
      '--reload',
      'never',
    ]);
    expect(run.code, run.stdout).toBe(4);
    expect(result.outcome).toBe('rolled-back');
    expect(result.error?.code).toBe('CONNECTION_LOST');
    expect(snap(dev)).toEqual(before);
    expect(result.finalState).toMatchObject({ running: 'original', startup: 'original' });
    expectBackupAndRecord(files, result);
  }, 60_000);

  it('device error on the `no` command: rolled back, exit 4, configs original', async () => {
    const { dev, before, run, result, files } = await applyWithFault('error', { errorAt: [/^no inspect esmtp/] }, [
      '--reload',
      'never',
    ]);
    expect(run.code, run.stdout).toBe(4);
    expect(result.error?.code).toBe('DEVICE_ERROR');
    const failed = result.commands.find((c) => !c.ok);
    expect(failed?.command).toBe('no inspect esmtp');
    expect(failed?.response).toMatch(/ERROR: % Invalid input/);
    expect(snap(dev)).toEqual(before);
    expectBackupAndRecord(files, result);
  }, 60_000);

  it('write memory hangs (short --save-timeout): rolled back, exit 4, inspection back, startup untouched', async () => {
    const { dev, before, run, result, files } = await applyWithFault('hang', { hangAt: [/^wr(ite)? mem/] }, [
      '--reload',
      'never',
      '--save-timeout',
      '2s',
    ]);
    expect(run.code, run.stdout).toBe(4);
    expect(result.error?.code).toBe('COMMAND_TIMEOUT');
    expect(result.outcome).toBe('rolled-back');
    // The inverse was typed: the running config has the original inspection again, the startup was never written.
    expect(activeLines(dev.runningConfig())).toEqual(activeLines(before.running));
    expect(dev.startupConfig()).toBe(before.startup);
    expect(result.finalState).toMatchObject({ running: 'original', startup: 'original' });
    expect(result.commands.filter((c) => c.step === 'rollback').map((c) => c.command)).toContain('inspect esmtp');
    expectBackupAndRecord(files, result);
  }, 60_000);

  it('device does not come back after reload (short --reload-timeout): exit 6, the record says what is known', async () => {
    const dev = lab.device('noreturn');
    dev.setFaults({ noReturn: true });
    const { run, result, files } = await applyWith('noreturn', ['--reload', 'after-save', '--reload-timeout', '3s']);
    expect(run.code, run.stdout).toBe(6);
    expect(result.outcome).toBe('rollback-failed');
    expect(result.error?.code).toBe('RELOAD_TIMEOUT');
    // Not reachable at the end: the record gives the last state seen, and when, not "unknown".
    expect(result.finalState).toMatchObject({ running: 'changed', startup: 'changed' });
    expect(result.finalState.notes.join(' ')).toMatch(/Could not re-read the device at the end/);
    expect(result.finalState.notes.join(' ')).toMatch(/running-config: last seen disabled as planned at \d{4}-/);
    expect(result.reloaded).toBe(false);
    expectBackupAndRecord(files, result);
    const md = read(result.reportFiles?.markdown as string);
    expect(md).toMatch(/What a person must do now/);
    // What the device will hold when it is back: the saved startup-config, without the inspection.
    expect(findSmtpInspection(dev.startupConfig()).active).toBe(false);
  }, 60_000);

  it('post-probe still masked: rolled back, exit 5, configs hold the original inspection', async () => {
    // The probe target is another device's Mailguard front, which stays masked whatever this device does.
    const dev = lab.device('masked');
    const before = snap(dev);
    const { run, result, files } = await applyWith('masked', ['--reload', 'never'], 'masker');
    expect(run.code, run.stdout).toBe(5);
    expect(result.error?.code).toBe('VERIFY_FAILED');
    expect(result.verification).toBe('not-verified');
    expect(result.postProbe?.verdict).toBe('inspected');
    expect(activeLines(dev.runningConfig())).toEqual(activeLines(before.running));
    expect(activeLines(dev.startupConfig())).toEqual(activeLines(before.startup));
    expect(result.finalState).toMatchObject({ running: 'original', startup: 'original' });
    expectBackupAndRecord(files, result);
  }, 60_000);

  it('post-probe still masked with --no-rollback-on-verify-failure: change kept, exit 5, the record says so', async () => {
    const dev = lab.device('keep');
    const { run, result } = await applyWith('keep', ['--reload', 'never', '--no-rollback-on-verify-failure'], 'masker');
    expect(run.code, run.stdout).toBe(5);
    expect(result.outcome).toBe('kept-unverified');
    expect(result.verification).toBe('not-verified');
    expect(result.steps.find((s) => s.step === 'rollback')).toMatchObject({ status: 'skipped' });
    expect(findSmtpInspection(dev.runningConfig()).active).toBe(false);
    expect(findSmtpInspection(dev.startupConfig()).active).toBe(false);
    expect(result.finalState).toMatchObject({ running: 'changed', startup: 'changed' });
    // The record tells it apart from a rollback: the change is on the device.
    expect(read(result.reportFiles?.markdown as string)).toMatch(
      /\| Outcome \| \*\*kept-unverified\*\* \(exit code 5\): NOT VERIFIED from outside; the change was kept/,
    );
  }, 60_000);

  it('standby unit: refused before any config command (STANDBY_UNIT, exit 4), and the record says refused', async () => {
    const dev = lab.device('standby');
    dev.setFaults({ standby: true });
    const logBefore = dev.commandLog().length;
    const { run, result } = await applyWith('standby', ['--reload', 'never']);
    expect(run.code, run.stdout).toBe(4);
    // Exit 4 as the table says ("refused before any config command"); the code and message tell it from a rollback.
    expect(result.error?.code).toBe('STANDBY_UNIT');
    expect(result.error?.message).toMatch(/standby unit of a failover pair.*: nothing was changed/);
    expect(result.error?.hint).toMatch(/active unit/);
    expect(result.outcome).toBe('failed');
    expect(result.steps.find((s) => s.step === 'backup')).toBeUndefined();
    expect(result.finalState).toMatchObject({ running: 'original', startup: 'original' });
    expect(result.outcomeText).toMatch(/^REFUSED: .* standby unit of a failover pair, so the engine refused/);
    expect(read(result.reportFiles?.markdown as string)).toMatch(
      /\| Outcome \| \*\*refused\*\* \(exit code 4\): REFUSED/,
    );
    expect(configCommandsSince(dev, logBefore)).toEqual([]);
  }, 60_000);

  it('a device locked by another live run is refused (DEVICE_LOCKED, exit 8), whatever the spelling; no record', async () => {
    const dev = lab.device('locked');
    const cwd = tempDir();
    // The per-user lock folder (HOME is the temp dir in runOn): held by this (live) test process.
    const lockDir = join(cwd, '.local', 'state', 'asa-mailguard', 'locks');
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(
      join(lockDir, lockName(`addr 127.0.0.1:${dev.info.ssh.port}`)),
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        command: 'rollback 127.0.0.1',
        since: new Date().toISOString(),
      }),
    );
    const logBefore = dev.commandLog().length;
    // Typed as `localhost`: the lock is keyed by the resolved address, so it is the same device.
    const args = connArgs(dev.info, cwd).slice(1);
    const run = await runCli(['apply', 'localhost', ...args, '--yes', '--json', '--reload', 'never'], {
      cwd,
      env: credsEnv(dev.info),
    });
    expect(run.code, run.stdout).toBe(8);
    const result = resultOf(run);
    expect(result.error?.code).toBe('DEVICE_LOCKED');
    expect(result.error?.message).toMatch(new RegExp(`pid ${process.pid} .*rollback 127\\.0\\.0\\.1`));
    // Nothing was read: no record claiming what the device holds.
    expect(result.finalState).toMatchObject({ running: 'unknown', startup: 'unknown' });
    expect(result.reportFiles).toBeUndefined();
    expect(toolFiles(cwd)).toEqual([]);
    expect(dev.commandLog().length).toBe(logBefore);
  }, 60_000);

  it('a backup that cannot be written stops the change before any config command (BACKUP_FAILED, exit 4)', async () => {
    const dev = lab.device('nobackup');
    const cwd = tempDir();
    // The device's backup folder is taken by a file: the lock works, the backup cannot be written.
    mkdirSync(join(cwd, 'backups'), { recursive: true });
    writeFileSync(join(cwd, 'backups', `${dev.info.hostname}_${dev.emulator.opts.serial}`), 'not a folder');
    const before = snap(dev);
    const logBefore = dev.commandLog().length;
    const run = await runOn('apply', dev.info, cwd, ['--yes', '--json', '--reload', 'never']);
    const result = resultOf(run);
    expect(run.code, run.stdout).toBe(4);
    expect(result.error?.code).toBe('BACKUP_FAILED');
    expect(result.steps.find((s) => s.step === 'backup')).toMatchObject({ status: 'failed' });
    expect(configCommandsSince(dev, logBefore)).toEqual([]);
    expect(snap(dev)).toEqual(before);
    // The record still exists, one level up from the unusable device folder.
    expect(result.reportFiles?.markdown).toMatch(/backups\/[^/]+-change\.md$/);
  }, 60_000);

  it('--safety-reload schedules `reload in N` and cancels it once verified and saved', async () => {
    const dev = lab.device('safety');
    const logBefore = dev.commandLog().length;
    const { run, result } = await applyWith('safety', ['--reload', 'never', '--safety-reload', '5']);
    expect(run.code, run.stdout).toBe(0);
    expect(result.verification).toBe('verified');
    const log = dev.commandLog().slice(logBefore);
    const at = (re: RegExp) => log.findIndex((c) => re.test(c));
    expect(at(/^reload in 5$/)).toBeGreaterThanOrEqual(0);
    expect(at(/^reload in 5$/)).toBeLessThan(at(/^no inspect esmtp/));
    expect(at(/^reload cancel$/)).toBeGreaterThan(at(/^wr(ite)? mem/));
  }, 60_000);
});
