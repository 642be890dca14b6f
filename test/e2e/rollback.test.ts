/**
 * `rollback --backup FILE` end to end: dry run sends no config command; a multiple-context device is changed
 * per context (`--context all`) and put back from its backup.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { startTestLab } from '../helpers/lab.js';
import { configCommandsSince, filesUnder, resultOf, runOn, tempDir } from './apply-helpers.js';

const lab = await startTestLab(
  [
    { name: 'multi', dialect: 'asa9', contextMode: 'multiple', contexts: ['admin', 'ctx1'], reloadDelaySec: 0.3 },
    { name: 'single', dialect: 'asa8', reloadDelaySec: 0.3 },
  ],
  { smtp: false },
);

describe('multiple-context apply and rollback', () => {
  const dev = lab.device('multi');
  const cwd = tempDir();
  const active = (ctx: string) => findSmtpInspection(dev.runningConfig(ctx)).active;

  it('apply --context all changes every context and saves each', async () => {
    expect(active('admin')).toBe(true);
    expect(active('ctx1')).toBe(true);
    const logBefore = dev.commandLog().length;
    const run = await runOn('apply', dev.info, cwd, ['--yes', '--json', '--reload', 'never', '--safety-reload', '5']);
    const result = resultOf(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(result.plan?.contexts.map((c) => c.context)).toEqual(['admin', 'ctx1']);
    // The safety reload is scheduled and cancelled from the system execution space.
    const log = dev.commandLog().slice(logBefore);
    const at = (re: RegExp) => log.findIndex((c) => re.test(c));
    expect(at(/^changeto system$/)).toBeLessThan(at(/^reload in 5$/));
    expect(at(/^reload cancel$/)).toBeGreaterThan(log.findLastIndex((c) => /^wr(ite)? mem/.test(c)));
    expect(active('admin')).toBe(false);
    expect(active('ctx1')).toBe(false);
    expect(findSmtpInspection(dev.startupConfig('admin')).active).toBe(false);
    expect(findSmtpInspection(dev.startupConfig('ctx1')).active).toBe(false);
    expect(result.backup?.files.map((f) => `${f.context}/${f.kind}`)).toEqual([
      'admin/running',
      'admin/startup',
      'ctx1/running',
      'ctx1/startup',
    ]);
  }, 60_000);

  it('rollback --dry-run shows the restore and sends no config command', async () => {
    const backup = filesUnder(cwd).find((f) => f.endsWith('-backup.json')) as string;
    const logBefore = dev.commandLog().length;
    const run = await runOn('rollback', dev.info, cwd, ['--backup', backup, '--dry-run']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/inspect esmtp/);
    expect(configCommandsSince(dev, logBefore)).toEqual([]);
    expect(active('admin')).toBe(false);
  }, 60_000);

  it('rollback --latest picks the newest backup of the target; --change-id lands in the result', async () => {
    const logBefore = dev.commandLog().length;
    const run = await runOn('rollback', dev.info, cwd, ['--latest', '--dry-run', '--json', '--change-id', 'CHG-42']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const result = resultOf(run);
    expect(result.provenance).toMatchObject({ changeId: 'CHG-42', tool: 'asa-mailguard' });
    expect(result.device.serial).toBe(dev.emulator.opts.serial);
    expect(run.stdout).toMatch(/restoring from \S+-backup\.json/);
    expect(configCommandsSince(dev, logBefore)).toEqual([]);
    const both = await runOn('rollback', dev.info, cwd, ['--latest', '--backup', 'x.cfg', '--dry-run']);
    expect(both.code).toBe(2);
  }, 60_000);

  it('rollback --context ctx1 restores only that context', async () => {
    const backup = filesUnder(cwd).find((f) => f.endsWith('-backup.json')) as string;
    const run = await runOn('rollback', dev.info, cwd, ['--backup', backup, '--context', 'ctx1', '--yes', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(active('ctx1')).toBe(true);
    expect(findSmtpInspection(dev.startupConfig('ctx1')).active).toBe(true);
    expect(active('admin')).toBe(false);
  }, 60_000);
});

describe('a rollback that fails is itself undone', () => {
  it('write memory hangs during `rollback`: the restored inspect line is removed again (exit 4)', async () => {
    const dev = lab.device('single');
    const cwd = tempDir();
    const first = await runOn('apply', dev.info, cwd, ['--yes', '--reload', 'never']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const disabledRunning = dev.runningConfig();
    const disabledStartup = dev.startupConfig();
    expect(findSmtpInspection(disabledRunning).active).toBe(false);
    const backup = filesUnder(cwd).find((f) => f.endsWith('-backup.json')) as string;
    dev.setFaults({ hangAt: [/^wr(ite)? mem/] });
    const run = await runOn('rollback', dev.info, cwd, ['--backup', backup, '--yes', '--json', '--save-timeout', '2s']);
    dev.setFaults({});
    const result = resultOf(run);
    expect(run.code, run.stdout + run.stderr).toBe(4);
    expect(result.outcome).toBe('rolled-back');
    // Back to the state before the restore: no active inspection in running, startup never written.
    expect(findSmtpInspection(dev.runningConfig()).active).toBe(false);
    expect(dev.startupConfig()).toBe(disabledStartup);
    expect(result.commands.filter((c) => c.step === 'rollback').map((c) => c.command)).toContain('no inspect esmtp');

    // A backup of this device is refused on another device (hostname check), before any config command.
    const other = lab.device('multi');
    const logBefore = other.commandLog().length;
    const wrong = await runOn('rollback', other.info, cwd, ['--backup', backup, '--yes', '--json']);
    expect(wrong.code).toBe(2);
    expect(resultOf(wrong).error?.message).toMatch(/backup was taken on/);
    expect(configCommandsSince(other, logBefore)).toEqual([]);
  }, 60_000);

  it('a backup path that is not a backup: exit 2, nothing contacted, no change record left behind', async () => {
    const dir = tempDir();
    const single = lab.device('single');
    const logBefore = single.commandLog().length;
    const run = await runOn('rollback', single.info, dir, ['--backup', join(dir, 'missing.cfg'), '--yes', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(resultOf(run).error?.code).toBe('BAD_INPUT');
    expect(single.commandLog().length).toBe(logBefore);
    expect(filesUnder(dir).filter((f) => !f.endsWith('/known_hosts'))).toEqual([]);
  }, 30_000);
});
