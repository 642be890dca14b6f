/**
 * End to end (issue #5 "Done when"): the built CLI against the lab, one device per dialect: pix6 over telnet,
 * asa8 and asa9 over SSH. Dry run leaves the device untouched; apply with save and reload ends verified and the
 * change survives the reload; rollback --backup puts the inspection back.
 */
import { describe, expect, it } from 'vitest';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { startTestLab } from '../helpers/lab.js';
import { configCommandsSince, filesUnder, modeOf, read, resultOf, runOn, tempDir } from './apply-helpers.js';

const lab = await startTestLab(
  [
    { name: 'pix', dialect: 'pix6', reloadDelaySec: 0.5 },
    { name: 'asa8', dialect: 'asa8', reloadDelaySec: 0.5 },
    { name: 'asa9', dialect: 'asa9', reloadDelaySec: 0.5 },
  ],
  { smtp: true },
);

const cases = [
  { name: 'pix', transport: 'telnet' as const, command: 'no fixup protocol smtp 25' },
  { name: 'asa8', transport: 'ssh' as const, command: 'no inspect esmtp' },
  { name: 'asa9', transport: 'ssh' as const, command: 'no inspect esmtp' },
];

describe.each(cases)('apply on $name over $transport', ({ name, transport, command }) => {
  const dev = lab.device(name);
  const info = dev.info;
  const cwd = tempDir();
  const smtp = ['--smtp', `${info.smtp.host}:${info.smtp.port}`];
  const apply = (args: string[]) => runOn('apply', info, cwd, [...smtp, ...args], transport);

  it('dry run prints plan, inverse and diff and sends no config command', async () => {
    const before = dev.runningConfig();
    const startup = dev.startupConfig();
    const logBefore = dev.commandLog().length;
    const run = await apply(['--dry-run']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(command);
    expect(run.stdout).toMatch(/Inverse/);
    expect(run.stdout).toMatch(/^\s+-.*(inspect esmtp|fixup protocol smtp 25)/m);
    // `apply --dry-run > plan.txt` holds only the plan: the progress lines are on stderr.
    expect(run.stderr).toMatch(/^ok {2}detect/m);
    expect(run.stdout).not.toMatch(/^(-->|ok {2}|skip )/m);
    expect(dev.runningConfig()).toBe(before);
    expect(dev.startupConfig()).toBe(startup);
    expect(dev.commandLog().length).toBeGreaterThan(logBefore);
    expect(configCommandsSince(dev, logBefore)).toEqual([]);
  }, 60_000);

  it('refuses to change the device without --yes when not in a terminal (exit 2)', async () => {
    const before = dev.runningConfig();
    const run = await apply([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CONFIRMATION_REQUIRED/);
    expect(dev.runningConfig()).toBe(before);
  });

  it('applies, saves, reloads, and proves the change from outside', async () => {
    expect(findSmtpInspection(dev.runningConfig()).active).toBe(true);
    const run = await apply(['--yes', '--reload', 'after-save', '--json']);
    const result = resultOf(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(result.outcome).toBe('done');
    expect(result.verification).toBe('verified');
    expect(result.preProbe?.verdict).toBe('inspected');
    expect(result.postProbe?.verdict).toBe('clean');
    expect(result.reloaded).toBe(true);
    expect(result.finalState.running).toBe('changed');
    expect(result.finalState.startup).toBe('changed');
    // The change survived the reload: the device's running and startup configs have no active inspection.
    expect(dev.commandLog().some((c) => /^reload\s*$/.test(c))).toBe(true);
    expect(findSmtpInspection(dev.runningConfig()).active).toBe(false);
    expect(findSmtpInspection(dev.startupConfig()).active).toBe(false);
    // Backup and record on disk, private.
    const files = filesUnder(cwd).filter((f) => f.includes('/backups/'));
    const running = files.find((f) => f.endsWith('-running.cfg'));
    expect(running).toBeDefined();
    expect(findSmtpInspection(read(running as string)).active).toBe(true);
    expect(result.reportFiles?.markdown).toBeDefined();
    for (const f of files.filter((x) => !x.includes('/.local/state/'))) expect(modeOf(f), f).toBe(0o600);
    const md = read(result.reportFiles?.markdown as string);
    expect(md).toContain(command);
    expect(md).toMatch(/Before: \*\*inspected\*\*/);
    expect(md).toMatch(/After: \*\*clean\*\*/);
    // A second run has nothing to do.
    const again = await apply(['--yes', '--reload', 'never']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to do: already disabled/);
  }, 60_000);

  it('rollback --backup puts the recorded inspection back and saves', async () => {
    const backup = filesUnder(cwd)
      .filter((f) => f.endsWith('-running.cfg'))
      .sort()[0] as string;
    const run = await runOn('rollback', info, cwd, ['--backup', backup, '--yes', '--json'], transport);
    const result = resultOf(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(result.outcome).toBe('done');
    expect(findSmtpInspection(dev.runningConfig()).active).toBe(true);
    expect(findSmtpInspection(dev.startupConfig()).active).toBe(true);
  }, 60_000);
});
