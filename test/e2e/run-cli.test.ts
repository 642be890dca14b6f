/**
 * End to end, `asa-mailguard run` contracts other than the big fleet (run-fleet.test.ts): a failing canary stops
 * the run, the change window (exit 7 outside, too late, never again; --wait-for-window; dry runs any time),
 * malformed playbooks (exit 2 with file:line), --json lines, --shard, --list-hosts, inventory warnings, --help,
 * and `lab --inventory-out`. The built CLI runs as a child process against a small lab started here.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { windowGate } from '../../src/cli/commands/run-action.js';
import { labInventoryYaml } from '../../src/lab/inventory-out.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { FleetReport } from '../../src/playbook/index.js';
import { startTestLab, writeKnownHosts } from '../helpers/lab.js';
import { CLI, type CliRun, CONFIG_COMMAND, runCli, tempDir } from './apply-helpers.js';

const lab = await startTestLab(
  [
    { name: 'c-bad', dialect: 'asa9', faults: { errorAt: [/^no inspect esmtp/] } },
    { name: 'c-2', dialect: 'asa8' },
    { name: 'c-3', dialect: 'pix6' },
  ],
  { smtp: true },
);
const dir = tempDir('mg-run-cli-');
// As `lab --inventory-out` writes it: the lab's (random) passwords in plain text.
writeFileSync(join(dir, 'inv.yaml'), labInventoryYaml({ devices: lab.devices }));
writeKnownHosts(lab, dir);

function playbook(name: string, body: Record<string, unknown> | string): string {
  const file = join(dir, `${name}.yaml`);
  const base = { name, inventory: 'inv.yaml', targets: 'lab', options: { knownHosts: 'known_hosts', reload: 'never' } };
  writeFileSync(file, typeof body === 'string' ? body : stringify({ ...base, ...body }));
  return `${name}.yaml`;
}
/** Commands a lab device received since `from`, without session-closing ones. */
const newCommands = (name: string, from: number) =>
  lab
    .device(name)
    .commandLog()
    .slice(from)
    .filter((c) => !/^(exit|logout|quit)$/.test(c.trim()));
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const run = (args: string[], env: Record<string, string> = {}) =>
  runCli(['run', ...args], { cwd: dir, env, timeoutMs: 40_000 });
const lines = (r: CliRun) =>
  r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; device?: string } & Record<string, unknown>);
const reportOf = (r: CliRun): FleetReport => {
  const m = /Fleet report: \S+ \(and (\S+\.json)\)/.exec(r.stdout);
  if (!m) throw new Error(`no report line (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(m[1] as string, 'utf8'));
};

describe('asa-mailguard run', () => {
  it('a failing canary stops the run: the others are not started, exit 4; plain-text passwords are warned', async () => {
    const pb = playbook('canary', {
      mode: 'disable-smtp-inspection',
      canary: 1,
      concurrency: 2,
      maxFailures: 5,
      reportDir: 'reports-canary',
    });
    const logBefore = lab.device('c-2').commandLog().length;
    const r = await run([pb]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(4);
    expect(r.stderr).toMatch(/inv\.yaml:\d+:\d+: warning: password of hosts\.c-bad is given in plain text/);
    // Progress (the STOP line among it) is on stderr; stdout holds the summary.
    expect(r.stderr).toMatch(/^STOP \(canary-failed\): canary c-bad did not succeed/m);
    const rep = reportOf(r);
    expect(rep.stopped?.reason).toBe('canary-failed');
    expect(rep.devices.map((x) => [x.name, x.result, x.canary, x.skipReason])).toEqual([
      ['c-bad', 'rolled-back', true, null],
      ['c-2', 'skipped', false, 'canary-failed'],
      ['c-3', 'skipped', false, 'canary-failed'],
    ]);
    expect(rep.devices[1]?.startedAt).toBeNull();
    expect(findSmtpInspection(lab.device('c-bad').runningConfig()).active).toBe(true);
    // Nothing was sent to the devices after the canary.
    expect(newCommands('c-2', logBefore)).toEqual([]);
    expect(findSmtpInspection(lab.device('c-3').runningConfig()).active).toBe(true);
  }, 40_000);

  it('--json: one JSON object per line, fleet:start first, the report last', async () => {
    const pb = playbook('audit-json', { mode: 'audit', maxFailures: '100%', reportDir: 'reports-json' });
    const r = await run([pb, '--json']);
    // An audit exits as `probe` does: 10 when SMTP inspection is on anywhere.
    expect(r.code, r.stderr).toBe(10);
    const evs = lines(r);
    expect(evs.find((e) => e.type !== 'warning')).toMatchObject({
      type: 'fleet:start',
      mode: 'audit',
      devices: ['c-bad', 'c-2', 'c-3'],
    });
    // The inventory warnings are JSON lines too (stdout carries nothing else).
    expect(evs.some((e) => e.type === 'warning' && /plain text/.test(String(e.message)))).toBe(true);
    for (const n of ['c-bad', 'c-2', 'c-3']) {
      expect(evs.some((e) => e.type === 'device:start' && e.device === n)).toBe(true);
      expect(evs.some((e) => e.type === 'step:done' && e.device === n && e.step === 'detect')).toBe(true);
      expect(evs.find((e) => e.type === 'device:end' && e.device === n)).toMatchObject({ result: 'done' });
    }
    const last = evs.at(-1) as unknown as FleetReport & { type: string; files: { json: string; markdown: string } };
    expect(last.type).toBe('report');
    expect(last.exitCode).toBe(10);
    expect(last.devices.map((x) => x.before)).toEqual(['inspected', 'inspected', 'inspected']);
    expect(last.devices.map((x) => x.audit?.device)).toEqual([true, true, true]);
    expect(last.audit).toMatchObject({ deviceInspected: 3, probeInspected: 3, inspected: 3, mismatches: 0 });
    expect(statSync(last.files.json).mode & 0o777).toBe(0o600);
    // An audit changes nothing.
    expect(findSmtpInspection(lab.device('c-2').runningConfig()).active).toBe(true);
  }, 40_000);

  it('outside the window: exit 7 saying when it opens (or that it never will), nothing contacted', async () => {
    const logBefore = lab.devices.map((x) => lab.device(x.name).commandLog().length);
    const past = playbook('past', {
      mode: 'disable-smtp-inspection',
      window: { start: iso(-3 * 3600_000), end: iso(-3600_000) },
      reportDir: 'reports-past',
    });
    const start = iso(3 * 3600_000);
    const future = playbook('future', {
      mode: 'disable-smtp-inspection',
      window: { start, end: iso(5 * 3600_000) },
      reportDir: 'reports-future',
    });
    // Inside, but a device (reload timeout included: 5 + 15 min) would cross the end in 10 minutes.
    const late = playbook('late', {
      mode: 'disable-smtp-inspection',
      window: { start: iso(-60_000), end: iso(10 * 60_000) },
      options: { knownHosts: 'known_hosts', reload: 'if-needed' },
      reportDir: 'reports-late',
    });
    const [r1, r2, j, r3] = await Promise.all([run([past]), run([future]), run([future, '--json']), run([late])]);

    expect(r1.code, r1.stderr).toBe(7);
    expect(r1.stderr).toMatch(/error \[OUTSIDE_WINDOW\]: outside the change window \(.+\): it does not open again/);
    expect(r1.stderr).toMatch(/next step: Update the window in the playbook/);

    expect(r2.code).toBe(7);
    expect(r2.stderr).toContain(`it opens at ${start}`);
    expect(r2.stderr).toMatch(/\(in (2h 59m|3h 0m)\)/);
    expect(r2.stderr).toMatch(/--wait-for-window/);
    expect(j.code).toBe(7);
    expect(JSON.parse(j.stdout.trim().split('\n').at(-1) as string)).toMatchObject({
      error: { code: 'OUTSIDE_WINDOW', details: { opensAt: start } },
    });

    expect(r3.code).toBe(7);
    expect(r3.stderr).toMatch(/too late in the change window .*closes at .* a device may take 20m 0s/);

    // A previous test's session may still log its closing `exit` now: anything else would be a contact.
    const sent = lab.devices.map((x, i) => newCommands(x.name, logBefore[i] as number));
    expect(sent).toEqual([[], [], []]);
    for (const d of ['reports-past', 'reports-future', 'reports-late']) expect(existsSync(join(dir, d))).toBe(false);
  }, 40_000);

  it('a dry run may run outside the window (the plan is reviewed in advance); nothing is changed', async () => {
    const start = iso(3 * 3600_000);
    const pb = playbook('dry', {
      mode: 'disable-smtp-inspection',
      window: { start, end: iso(5 * 3600_000) },
      reportDir: 'reports-dry',
    });
    const logBefore = lab.device('c-2').commandLog().length;
    const r = await run([pb, '--dry-run', '--limit', 'c-2']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toContain(`dry run: not enforced (opens at ${start})`);
    const rep = reportOf(r);
    expect(rep.dryRun).toBe(true);
    expect(rep.devices).toHaveLength(1);
    expect(rep.devices[0]).toMatchObject({ name: 'c-2', result: 'done' });
    const sent = lab.device('c-2').commandLog().slice(logBefore);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((c) => CONFIG_COMMAND.test(c))).toEqual([]);
    expect(findSmtpInspection(lab.device('c-2').runningConfig()).active).toBe(true);
  }, 40_000);

  it('--wait-for-window waits with a countdown, then starts inside the window', async () => {
    // Far enough ahead that the CLI is still waiting when it has started on a busy machine.
    const start = iso(10_000);
    // A change (an audit runs any time): c-bad's injected fault rolls it back, so no device is left changed.
    const pb = playbook('wait', {
      mode: 'disable-smtp-inspection',
      window: { start, end: iso(2 * 3600_000) },
      reportDir: 'reports-wait',
    });
    const r = await run([pb, '--wait-for-window', '--limit', 'c-bad']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(`waiting for the change window \\(.+\\): opens at ${start.replace(/\./g, '\\.')}, in \\d+s`),
    );
    const rep = reportOf(r);
    expect(Date.parse(rep.devices[0]?.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(start));
  }, 40_000);

  it('malformed playbooks and flags: exit 2 naming file:line:column', async () => {
    const typo = playbook('typo', 'name: t\ninventory: inv.yaml\ntargets: lab\nmode: audit\nconcurency: 4\n');
    const bad = playbook('badyaml', 'name: t\ntargets: [lab\nmode: audit\n');
    const env = playbook('noenv', { mode: 'audit', credentials: { all: { passwordEnv: 'MG_TEST_NOT_SET' } } });
    const audit = playbook('audit-flags', { mode: 'audit' });
    // Independent runs, in parallel to keep the suite short.
    const [r1, r2, r3, ok, j, r4, r5, r6] = await Promise.all([
      run([typo]),
      run([bad]),
      run([env]),
      // The same variable from the environment: valid (--list-hosts connects to nothing).
      run([env, '--list-hosts'], { MG_TEST_NOT_SET: 'x' }),
      run([typo, '--json']),
      run([audit, '--shard', '3/2']),
      run([audit, '--limit', 'nosuch']),
      run([join(dir, 'missing.yaml')]),
    ]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/error \[PLAYBOOK_INVALID\]: invalid playbook: typo\.yaml:5:1: .*concurency/);
    expect(r1.stderr).toMatch(/next step: /);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/badyaml\.yaml:\d+:\d+/);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/noenv\.yaml:\d+:\d+: .*MG_TEST_NOT_SET is not set/);
    expect(ok.code, ok.stderr).toBe(0);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout.trim())).toMatchObject({ error: { code: 'PLAYBOOK_INVALID' } });
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/--shard: "3\/2" is not a shard/);
    expect(r5.code).toBe(2);
    expect(r5.stderr).toMatch(/--limit "nosuch"/);
    expect(r6.code).toBe(2);
    expect(r6.stderr).toMatch(/cannot read playbook .*missing\.yaml: no such file or folder/);
  }, 40_000);

  it('--shard i/n splits the targets stably, keeping failover pairs together', async () => {
    // A 20-host inventory never contacted (--list-hosts); fw-07/fw-08 are a failover pair.
    const hosts: Record<string, unknown> = {};
    for (let i = 1; i <= 20; i++) {
      const n = `fw-${String(i).padStart(2, '0')}`;
      hosts[n] = {
        host: '127.0.0.1',
        port: 1,
        ...(i === 7 ? { failoverPeer: 'fw-08' } : {}),
        ...(i === 8 ? { failoverPeer: 'fw-07' } : {}),
      };
    }
    writeFileSync(join(dir, 'big.yaml'), stringify({ vars: { username: 'u', passwordEnv: 'BIG_PW' }, hosts }));
    const pb = playbook('shard', { inventory: 'big.yaml', targets: 'all', mode: 'audit' });
    const list = async (s: string) => {
      const r = await run([pb, '--list-hosts', '--json', '--shard', s], { BIG_PW: 'x' });
      expect(r.code, r.stderr).toBe(0);
      return (lines(r).find((e) => e.type === 'hosts') as unknown as { hosts: Array<{ name: string }> }).hosts.map(
        (h) => h.name,
      );
    };
    const shards = await Promise.all([list('1/3'), list('2/3'), list('3/3')]);
    const all = shards.flat();
    expect(all.sort()).toEqual(Object.keys(hosts).sort());
    expect(new Set(all).size).toBe(20);
    expect(shards.filter((s) => s.length > 0).length).toBeGreaterThan(1);
    const withPair = shards.find((s) => s.includes('fw-07'));
    expect(withPair).toContain('fw-08');
    // Stable: the same split on every run.
    expect(await list('2/3')).toEqual(shards[1]);
  }, 40_000);

  it('--shard runs only its share and says so in the report', async () => {
    const pb = playbook('shard-run', { mode: 'audit', maxFailures: '100%', reportDir: 'reports-shard' });
    const r = await run([pb, '--list-hosts', '--json', '--shard', '1/2']);
    const mine = (lines(r).find((e) => e.type === 'hosts') as unknown as { hosts: Array<{ name: string }> }).hosts.map(
      (h) => h.name,
    );
    const shard = mine.length > 0 ? '1/2' : '2/2';
    const r2 = await run([pb, '--shard', shard]);
    expect(r2.code, r2.stderr).toBe(10);
    const rep = reportOf(r2);
    expect(rep.shard).toEqual({ index: Number(shard[0]), total: 2 });
    const expected = mine.length > 0 ? mine : ['c-bad', 'c-2', 'c-3'];
    expect(rep.devices.map((x) => x.name)).toEqual(expected);
    expect(r2.stderr).toMatch(/in shard \d\/2 \(\d+ in other shards\)/);
  }, 40_000);

  it('--help explains the command with examples and exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const s of [
      '--wait-for-window',
      '--shard <i/n>',
      '--known-hosts',
      'Examples:',
      'Exit codes:',
      'lab --dialect',
    ])
      expect(r.stdout).toContain(s);
  });

  it('`lab --inventory-out FILE` writes an inventory (0600) that `run` reads', async () => {
    const inv = join(dir, 'lab-out.yaml');
    const child = spawn(
      process.execPath,
      [CLI, 'lab', '--dialect', 'asa9', '--devices', '2', '--json', '--reload-delay', '0.2', '--inventory-out', inv],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((res) => child.on('close', res));
    try {
      const doc = await new Promise<{ devices: Array<{ name: string; ssh: { port: number } }> }>((res, rej) => {
        let buf = '';
        const t = setTimeout(() => rej(new Error(`lab did not start: ${buf}`)), 20_000);
        child.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          if (buf.includes('\n')) {
            clearTimeout(t);
            res(JSON.parse(buf.split('\n')[0] as string));
          }
        });
      });
      expect(statSync(inv).mode & 0o777).toBe(0o600);
      const pb = playbook('lab-out-pb', { inventory: 'lab-out.yaml', mode: 'audit' });
      const r = await run([pb, '--list-hosts']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`asa9-1  ssh 127.0.0.1:${doc.devices[0]?.ssh.port}`);
      expect(r.stdout).toContain('asa9-2  ssh 127.0.0.1:');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 40_000);
});

// The gate `run` applies before starting (injected clock, no waiting): room for one device, or when to try again.
describe('windowGate', () => {
  const w = { kind: 'recurring', timezone: 'Europe/Berlin', days: ['sat'], fromMin: 22 * 60, toMin: 4 * 60 } as const;
  const need = 25 * 60_000;
  const gate = (iso: string) => windowGate({ ...w, days: [...w.days] }, new Date(iso), need);

  it('inside with room: ok until the window closes', () => {
    expect(gate('2026-11-28T21:30:00Z')).toEqual({ ok: true, closesAt: new Date('2026-11-29T03:00:00Z') });
  });

  it('inside but too late for one device: refused (exit 7), the next window named', () => {
    const g = gate('2026-11-29T02:40:00Z');
    expect(g.ok).toBe(false);
    if (g.ok) return;
    expect(g.opensAt).toEqual(new Date('2026-12-05T21:00:00Z'));
    expect(g.error.exitCode).toBe(7);
    expect(g.error.message).toMatch(/too late .* closes at 2026-11-29T03:00:00.000Z \(in 20m 0s\) .* 25m 0s/);
  });

  it('outside: refused with the next opening', () => {
    const g = gate('2026-11-28T12:00:00Z');
    expect(g.ok).toBe(false);
    if (!g.ok) expect(g.opensAt).toEqual(new Date('2026-11-28T21:00:00Z'));
  });
});
