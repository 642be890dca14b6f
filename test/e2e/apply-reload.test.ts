/**
 * End to end, `apply --reload` (issue #5): the built CLI as a process against lab devices whose Mailguard front
 * follows the config they booted with (the needs-reload lab fault: an emulation choice so a change bites only after
 * a reload, as in the KB 320027 sequence). `if-needed` reloads exactly when the outside probe still shows the
 * inspection after the save, waits for the device, confirms the change persisted and ends verified; without the
 * fault it does not reload; `never` with the fault cannot verify, so the change is rolled back (exit 5).
 */
import { describe, expect, it } from 'vitest';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { type LabDeviceHandle, startTestLab } from '../helpers/lab.js';
import { type CliRun, configCommandsSince, read, resultOf, runOn, tempDir } from './apply-helpers.js';

const lab = await startTestLab(
  [
    { name: 'late', dialect: 'asa9', reloadDelaySec: 0.5, faults: { needsReload: true } },
    { name: 'late-pix', dialect: 'pix6', reloadDelaySec: 0.5, faults: { needsReload: true } },
    { name: 'prompt', dialect: 'asa9', reloadDelaySec: 0.5 },
    { name: 'never', dialect: 'asa9', reloadDelaySec: 0.5, faults: { needsReload: true } },
  ],
  { smtp: true },
);

/** Apply on a lab device with its own front as the probe target; counts the device's down/up cycles meanwhile. */
async function apply(name: string, reload: string, transport: 'ssh' | 'telnet' = 'ssh') {
  const dev = lab.device(name);
  const from = dev.commandLog().length;
  const cycles = { down: 0, up: 0 };
  const down = () => cycles.down++;
  const up = () => cycles.up++;
  dev.on('down', down);
  dev.on('up', up);
  const { host, port } = dev.info.smtp;
  const run = await runOn(
    'apply',
    dev.info,
    tempDir(),
    ['--smtp', `${host}:${port}`, '--reload', reload, '--yes', '--json'],
    transport,
  ).finally(() => {
    dev.off('down', down);
    dev.off('up', up);
  });
  return { dev, run, result: resultOf(run), sent: configCommandsSince(dev, from), cycles };
}

const reloads = (sent: string[]) => sent.filter((c) => /^reload\s*$/.test(c));
const logMessages = (run: CliRun) =>
  run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type":"log"'))
    .map((l) => (JSON.parse(l) as { message: string }).message);
const step = (r: ReturnType<typeof resultOf>, name: string) => r.steps.find((s) => s.step === name);
const inspected = (d: LabDeviceHandle) => ({
  running: findSmtpInspection(d.runningConfig()).active,
  startup: findSmtpInspection(d.startupConfig()).active,
});

describe('apply --reload if-needed', () => {
  it.each([
    { name: 'late', transport: 'ssh' as const },
    { name: 'late-pix', transport: 'telnet' as const },
  ])(
    '$name: still inspected after the save, so it reloads once, waits, confirms and ends verified',
    async ({ name, transport }) => {
      const { dev, run, result, sent, cycles } = await apply(name, 'if-needed', transport);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(result.outcome).toBe('done');
      expect(result.verification).toBe('verified');
      expect(result.preProbe?.verdict).toBe('inspected');
      expect(result.postProbe?.verdict).toBe('clean');
      // The reload came from the probe after the save, and only then.
      const messages = logMessages(run);
      expect(messages).toContain('the outside probe still shows the inspection: reloading');
      expect(messages.some((m) => /^outside probe after save: inspected/.test(m))).toBe(true);
      expect(reloads(sent)).toHaveLength(1);
      expect(sent.findIndex((c) => /^write mem/.test(c))).toBeLessThan(sent.indexOf('reload'));
      expect(result.reloaded).toBe(true);
      // It waited for the device: one down/up cycle, and the step says the change persisted.
      expect(cycles).toEqual({ down: 1, up: 1 });
      expect(step(result, 'reload-wait')).toMatchObject({
        status: 'done',
        summary: 'the device is back and the change persisted',
      });
      expect(result.finalState).toMatchObject({ running: 'changed', startup: 'changed' });
      expect(inspected(dev)).toEqual({ running: false, startup: false });
    },
    90_000,
  );

  it('without the fault the probe is clean after the save: no reload', async () => {
    const { dev, run, result, sent, cycles } = await apply('prompt', 'if-needed');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(result.outcome).toBe('done');
    expect(result.verification).toBe('verified');
    expect(result.reloaded).toBe(false);
    expect(reloads(sent)).toEqual([]);
    expect(sent.some((c) => /^write mem/.test(c))).toBe(true);
    expect(cycles).toEqual({ down: 0, up: 0 });
    expect(step(result, 'reload-wait')).toMatchObject({
      status: 'skipped',
      summary: 'if-needed: the outside probe says clean; no reload',
    });
    expect(inspected(dev)).toEqual({ running: false, startup: false });
  }, 60_000);
});

describe('apply --reload never on a device that needs a reload', () => {
  it('cannot verify from outside: rolled back, exit 5, the record says why', async () => {
    const { dev, run, result, sent, cycles } = await apply('never', 'never');
    expect(run.code, run.stdout + run.stderr).toBe(5);
    expect(result.outcome).toBe('rolled-back');
    expect(result.verification).toBe('not-verified');
    expect(result.error?.code).toBe('VERIFY_FAILED');
    expect(result.error?.message).toBe('The outside probe is not clean after the change (inspected).');
    // The next step names the missing reload, since --reload never was the reason it could not bite.
    expect(result.error?.hint).toMatch(/not reloaded \(--reload never\).*--reload if-needed/);
    expect(result.postProbe?.verdict).toBe('inspected');
    expect(result.reloaded).toBe(false);
    expect(reloads(sent)).toEqual([]);
    expect(cycles).toEqual({ down: 0, up: 0 });
    expect(step(result, 'reload-wait')).toMatchObject({ status: 'skipped', summary: 'not asked (--reload never)' });
    // The engine's rollback: the inverse command, then a save because the startup config held the change.
    expect(step(result, 'rollback')?.status).toBe('done');
    const rollback = result.commands.filter((c) => c.step === 'rollback').map((c) => c.command.trim());
    expect(rollback).toContain('inspect esmtp');
    expect(rollback).toContain('write memory');
    expect(result.finalState).toMatchObject({ running: 'original', startup: 'original' });
    expect(inspected(dev)).toEqual({ running: true, startup: true });
    const md = read(result.reportFiles?.markdown as string);
    expect(md).toContain('| Outcome | **rolled-back** (exit code 5): FAILED and rolled back |');
    expect(md).toContain('| Outside verification | not-verified |');
    expect(md).toContain('**Error VERIFY_FAILED:** The outside probe is not clean after the change (inspected).');
  }, 60_000);
});
