/**
 * The change engine in-process against the lab: the event stream the CLI, the wizard and the fleet runner rely
 * on (every started step ends exactly once, steps in pipeline order), and the renderers fed by it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ChangeEngine } from '../../src/change/engine.js';
import { outcomeLabel, outcomeText } from '../../src/change/outcome.js';
import { STEP_NAMES, type StepName } from '../../src/change/types.js';
import { JsonLinesRenderer, PlainRenderer } from '../../src/cli/render/index.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { ConnectOptions } from '../../src/session/types.js';
import { startTestLab } from '../helpers/lab.js';

const lab = await startTestLab(
  [
    { name: 'a', dialect: 'asa9' },
    { name: 'b', dialect: 'asa8' },
    { name: 'c', dialect: 'asa9' },
    { name: 'd', dialect: 'asa8' },
    { name: 'e', dialect: 'asa9' },
    { name: 'f', dialect: 'asa9' },
    { name: 'g', dialect: 'asa9' },
  ],
  { smtp: true },
);
const info = lab.device('a').info;
const work = mkdtempSync(join(tmpdir(), 'mg-engine-'));
writeFileSync(join(work, 'known_hosts'), `${info.knownHostsLine}\n`);
const connect: ConnectOptions = {
  host: info.ssh.host,
  port: info.ssh.port,
  transport: 'ssh',
  username: info.username,
  password: info.password,
  enableSecret: info.enableSecret,
  knownHostsFile: join(work, 'known_hosts'),
};

function record(engine: ChangeEngine) {
  const events: Array<{ type: string; step: StepName | null }> = [];
  engine.on('step:start', (e) => events.push({ type: 'start', step: e.step }));
  engine.on('step:done', (e) => events.push({ type: e.skipped ? 'skip' : 'done', step: e.step }));
  engine.on('step:failed', (e) => events.push({ type: 'failed', step: e.step }));
  engine.on('log', (e) => events.push({ type: 'log', step: e.step }));
  return events;
}

function expectWellFormed(events: Array<{ type: string; step: StepName | null }>) {
  const steps = events.filter((e) => e.type !== 'log');
  for (let i = 0; i < steps.length; i += 2) {
    expect(steps[i]?.type).toBe('start');
    expect(steps[i + 1]?.step).toBe(steps[i]?.step);
    expect(['done', 'skip', 'failed']).toContain(steps[i + 1]?.type);
  }
  const order = steps.filter((e) => e.type === 'start').map((e) => STEP_NAMES.indexOf(e.step as StepName));
  expect([...order].sort((a, b) => a - b)).toEqual(order);
}

describe('change engine events', () => {
  it('dry run: preflight..plan then report, no config command, result carries the plan', async () => {
    const engine = new ChangeEngine({ connect, dryRun: true, backupDir: join(work, 'b') });
    const events = record(engine);
    const before = lab.device('a').runningConfig();
    const result = await engine.run();
    expect(result.outcome).toBe('dry-run');
    expect(result.exitCode).toBe(0);
    expect(result.plan?.contexts[0]?.commands).toContain('no inspect esmtp');
    expectWellFormed(events);
    expect(events.filter((e) => e.type === 'start').map((e) => e.step)).toEqual([
      'preflight',
      'pre-probe',
      'connect',
      'detect',
      'plan',
      'report',
    ]);
    expect(lab.device('a').runningConfig()).toBe(before);
  });

  it('a declined confirmation changes nothing (CONFIRMATION_REQUIRED, exit 2)', async () => {
    const before = lab.device('a').runningConfig();
    let asked = 0;
    const engine = new ChangeEngine({
      connect,
      backupDir: join(work, 'b'),
      confirm: async (plan) => {
        asked++;
        expect(plan.nothingToDo).toBe(false);
        return false;
      },
    });
    const result = await engine.run();
    expect(asked).toBe(1);
    expect(result.exitCode).toBe(2);
    expect(result.error?.code).toBe('CONFIRMATION_REQUIRED');
    expect(result.backup).toBeUndefined();
    expect(lab.device('a').runningConfig()).toBe(before);
  });

  it('full run renders as plain lines and JSON lines from the same events', async () => {
    const engine = new ChangeEngine({
      connect,
      smtp: [info.smtp],
      reload: 'never',
      backupDir: join(work, 'b'),
    });
    const events = record(engine);
    const plainOut = new PassThrough();
    const jsonOut = new PassThrough();
    let plain = '';
    let json = '';
    plainOut.on('data', (d: Buffer) => {
      plain += d.toString();
    });
    jsonOut.on('data', (d: Buffer) => {
      json += d.toString();
    });
    new PlainRenderer({ out: plainOut, label: 'fw-a' }).attach(engine);
    new JsonLinesRenderer({ out: jsonOut, label: 'fw-a' }).attach(engine);
    const result = await engine.run();
    expect(result.outcome).toBe('done');
    expect(result.verification).toBe('verified');
    expectWellFormed(events);
    expect(plain).toMatch(/^\[fw-a\] ok {2}save \(\d+\.\d s\): write memory: \[OK\]$/m);
    const lines = json
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; target: string; step: string });
    expect(lines.every((l) => l.target === 'fw-a')).toBe(true);
    expect(lines.filter((l) => l.type === 'step:done').map((l) => l.step)).toContain('post-probe');
  });

  it('--reload if-needed (the default) does not reload when the outside probe is clean after the save', async () => {
    const b = lab.device('b');
    const logs: string[] = [];
    const engine = new ChangeEngine({
      connect: {
        ...connect,
        port: b.info.ssh.port,
        password: b.info.password,
        enableSecret: b.info.enableSecret,
        legacyAlgorithms: true, // asa8
      },
      smtp: [b.info.smtp],
      backupDir: join(work, 'b'),
    });
    writeFileSync(join(work, 'known_hosts'), `${info.knownHostsLine}\n${b.info.knownHostsLine}\n`);
    engine.on('log', (e) => logs.push(e.message));
    const result = await engine.run();
    expect(result.exitCode, JSON.stringify(result.error)).toBe(0);
    expect(result.reloaded).toBe(false);
    expect(result.steps.find((s) => s.step === 'reload-wait')).toMatchObject({ status: 'skipped' });
    expect(logs.some((l) => /outside probe after save: clean/.test(l))).toBe(true);
    expect(b.commandLog().some((c) => /^reload/.test(c))).toBe(false);
  });

  it('an interrupt after the first config command rolls back (the rollback itself is not interrupted)', async () => {
    const c = lab.device('c');
    const before = c.runningConfig();
    const abort = new AbortController();
    const engine = new ChangeEngine({
      connect: { ...connect, port: c.info.ssh.port, password: c.info.password, enableSecret: c.info.enableSecret },
      reload: 'never',
      backupDir: join(work, 'b'),
      signal: abort.signal,
    });
    writeFileSync(
      join(work, 'known_hosts'),
      [info, lab.device('b').info, c.info].map((d) => d.knownHostsLine).join('\n'),
    );
    engine.on('step:done', (e) => {
      if (e.step === 'apply') abort.abort();
    });
    const result = await engine.run();
    expect(result.error?.code).toBe('INTERRUPTED');
    expect(result.outcome).toBe('rolled-back');
    // Rolled back after an interrupt: the interrupt's exit code (130), not a device error's 4.
    expect(result.exitCode).toBe(130);
    expect(result.steps.map((s) => `${s.step}:${s.status}`)).toContain('rollback:done');
    expect(findSmtpInspection(c.runningConfig()).active).toBe(true);
    expect(findSmtpInspection(before).active).toBe(true);
  });

  it('warns when the running config already had unsaved changes (the save will include them)', async () => {
    const d = lab.device('d');
    d.setRunningConfig(d.runningConfig().replace('domain-name lab', 'domain-name lab-unsaved'));
    const warnings: string[] = [];
    const engine = new ChangeEngine({
      connect: {
        ...connect,
        port: d.info.ssh.port,
        password: d.info.password,
        enableSecret: d.info.enableSecret,
        legacyAlgorithms: true, // asa8
      },
      reload: 'never',
      backupDir: join(work, 'b'),
    });
    writeFileSync(
      join(work, 'known_hosts'),
      [info, lab.device('b').info, lab.device('c').info, d.info].map((x) => x.knownHostsLine).join('\n'),
    );
    engine.on('log', (e) => {
      if (e.level === 'warn') warnings.push(e.message);
    });
    const result = await engine.run();
    expect(result.exitCode).toBe(0);
    expect(warnings.join('\n')).toMatch(/already differed from the startup config/);
    expect(result.finalState.notes.join('\n')).toMatch(/unsaved changes/);
  });

  it('someone else changes the running config after the backup: CONFIG_CHANGED, exit 4, no config command sent', async () => {
    const g = lab.device('g');
    const kh = join(work, 'known_hosts_g');
    writeFileSync(kh, `${g.info.knownHostsLine}\n`);
    // Another operator's change lands right after the backup read the startup config (the backup's last read).
    const other = () => g.setRunningConfig(g.runningConfig().replace('domain-name lab', 'domain-name lab-other'));
    const onExecuted = (line: string) => {
      if (line === 'show startup-config') {
        g.off('executed', onExecuted as never);
        other();
      }
    };
    g.on('executed', onExecuted);
    const from = g.commandLog().length;
    const result = await new ChangeEngine({
      connect: {
        ...connect,
        port: g.info.ssh.port,
        password: g.info.password,
        enableSecret: g.info.enableSecret,
        knownHostsFile: kh,
      },
      reload: 'never',
      backupDir: join(work, 'g'),
    }).run();
    expect(result.error?.code).toBe('CONFIG_CHANGED');
    expect(result.exitCode).toBe(4);
    // Nothing was sent, so nothing was rolled back: the record says refused, not "rolled back".
    expect(result.outcome).toBe('failed');
    expect(outcomeLabel(result)).toBe('refused');
    expect(outcomeText(result)).toMatch(/^REFUSED: the running config of .* changed after it was read for the plan/);
    expect(result.backup?.metadataPath).toBeTruthy(); // the backup was on disk first
    const sent = g.commandLog().slice(from);
    expect(sent).not.toContain('configure terminal');
    expect(sent).not.toContain('no inspect esmtp');
    expect(g.runningConfig()).toContain('domain-name lab-other');
    expect(findSmtpInspection(g.runningConfig()).active).toBe(true);
    expect(findSmtpInspection(g.startupConfig()).active).toBe(true);
  });

  it('rollback (restore) is verified only when the inspection is seen again where it was not seen before', async () => {
    const e = lab.device('e');
    const kh = join(work, 'known_hosts_e');
    writeFileSync(kh, `${e.info.knownHostsLine}\n`);
    const eConnect = {
      ...connect,
      port: e.info.ssh.port,
      password: e.info.password,
      enableSecret: e.info.enableSecret,
      knownHostsFile: kh,
    };
    const disable = async () => {
      const r = await new ChangeEngine({
        connect: eConnect,
        smtp: [e.info.smtp],
        reload: 'never',
        backupDir: join(work, 'e'),
      }).run();
      expect(r.verification, JSON.stringify(r.error)).toBe('verified');
      expect(findSmtpInspection(e.runningConfig()).active).toBe(false);
      return r.backup?.metadataPath as string;
    };
    const restore = async (backup: string, smtp: typeof e.info.smtp) => {
      const warnings: string[] = [];
      const engine = new ChangeEngine({
        connect: eConnect,
        mode: 'restore',
        restoreFrom: backup,
        smtp: [smtp],
        backupDir: join(work, 'e'),
      });
      engine.on('log', (l) => {
        if (l.level === 'warn') warnings.push(l.message);
      });
      const r = await engine.run();
      expect(r.exitCode, JSON.stringify(r.error)).toBe(0);
      expect(findSmtpInspection(e.runningConfig()).active).toBe(true);
      return { r, warnings };
    };

    // Probe target: another device's Mailguard front, inspected before and after whatever happens to `e`.
    const masked = await restore(await disable(), lab.device('f').info.smtp);
    expect([masked.r.preProbe?.verdict, masked.r.postProbe?.verdict]).toEqual(['inspected', 'inspected']);
    expect(masked.r.verification).toBe('inconclusive');
    expect(masked.warnings.join('\n')).toMatch(/already seen from outside before the restore/);

    // Its own front: clean before the restore, inspected after.
    const seen = await restore(await disable(), e.info.smtp);
    expect([seen.r.preProbe?.verdict, seen.r.postProbe?.verdict]).toEqual(['clean', 'inspected']);
    expect(seen.r.verification).toBe('verified');
  });
});
