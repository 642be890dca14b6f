/**
 * The built CLI (`node dist/cli.js probe ...`, built by `npm test` / `npx tsc -p tsconfig.build.json`) run as a child
 * process against servers this test runs on 127.0.0.1: JSON contract and exit codes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MailguardFront,
  type SmtpBackend,
  startMailguardFront,
  startSmtpBackend,
} from '../../src/lab/smtp/index.js';
import type { SmtpInspectionPolicy } from '../../src/lab/types.js';
import { type DnsServer, startDnsServer } from '../helpers/dns-server.js';
import { dialog, POSTFIX_CLEAN, type ScriptedServer, startScriptedSmtp } from '../helpers/scripted-smtp.js';
import { inspectingPolicy } from '../helpers/smtp-policy.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

/** Async on purpose: the servers live in this process and must keep answering while the CLI runs. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let backend: SmtpBackend;
let front: MailguardFront;
let clean: ScriptedServer;
let refusing: ScriptedServer;
let dns: DnsServer;
let policy: SmtpInspectionPolicy = inspectingPolicy();
const dir = mkdtempSync(join(tmpdir(), 'probe-e2e-'));

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npx tsc -p tsconfig.build.json` first');
  backend = await startSmtpBackend({ flavor: 'postfix' });
  front = await startMailguardFront({ backend: backend.endpoint, policy: () => policy });
  clean = await startScriptedSmtp(dialog(POSTFIX_CLEAN));
  refusing = await startScriptedSmtp(async (c) => {
    c.write('421 4.3.2 All server ports are busy\r\n');
    c.end();
  });
  dns = await startDnsServer({
    'lab.test': { MX: [{ preference: 10, exchange: 'mx.lab.test' }] },
    'mx.lab.test': { A: ['127.0.0.1'] },
  });
});
afterAll(async () => {
  await front?.close();
  await backend?.close();
  await clean?.close();
  await refusing?.close();
  await dns?.close();
});

const at = (s: { host: string; port: number }) => `${s.host}:${s.port}`;

describe('asa-mailguard probe (built CLI)', () => {
  it('clean server: exit 0 and the JSON contract', async () => {
    const r = await runCli(['probe', at(clean), '--json', '--timeout', '5']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe('clean');
    expect(Object.keys(out.probes[0])).toEqual(
      expect.arrayContaining([
        'address',
        'port',
        'verdict',
        'family',
        'confidence',
        'signals',
        'transcript',
        'timings',
      ]),
    );
    expect(out.probes[0].signals[0]).toEqual(
      expect.objectContaining({ id: expect.any(String), evidence: expect.any(Array) }),
    );
    expect(out.probes[0].transcript[1]).toEqual(
      expect.objectContaining({ dir: 'S', text: '220 mail.example.test ESMTP Postfix (Debian/GNU)' }),
    );
  });

  it('through the lab ASA front: exit 10, inspected asa-esmtp; human output starts with the verdict', async () => {
    const j = await runCli(['probe', at(front.endpoint), '--json']);
    expect(j.code, j.stderr).toBe(10);
    expect(JSON.parse(j.stdout).probes[0]).toMatchObject({ verdict: 'inspected', family: 'asa-esmtp' });
    const h = await runCli(['probe', at(front.endpoint)]);
    expect(h.code, h.stderr).toBe(10);
    expect(h.stdout.split('\n')[0]).toMatch(/^verdict: inspected/);
    expect(h.stdout).toMatch(/^ {6}250[- ]XXXXXXXA$/m);
  });

  it('--compare: inspected before, clean after the policy change -> change verified', async () => {
    policy = { ...policy, active: true };
    const before = await runCli(['probe', at(front.endpoint), '--json']);
    const file = join(dir, 'before.json');
    writeFileSync(file, before.stdout);
    policy = { ...policy, active: false };
    try {
      const after = await runCli(['probe', at(front.endpoint), '--json', '--compare', file]);
      expect(after.code, after.stderr).toBe(0);
      expect(JSON.parse(after.stdout)).toMatchObject({ verdict: 'clean', change: 'verified' });
    } finally {
      policy = { ...policy, active: true };
    }
  });

  it('--domain with --resolver and --port: MX on loopback', async () => {
    const r = await runCli([
      'probe',
      '--domain',
      'lab.test',
      '--resolver',
      dns.spec,
      '--port',
      String(clean.port),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      domain: 'lab.test',
      verdict: 'clean',
      probes: [{ address: '127.0.0.1', host: 'mx.lab.test', preference: 10 }],
    });
  });

  it('worst verdict over several addresses: clean + 421 -> inconclusive, exit 12', async () => {
    const r = await runCli(['probe', at(clean), at(refusing), '--json']);
    expect(r.code, r.stderr).toBe(12);
    expect(JSON.parse(r.stdout).probes.map((p: { verdict: string }) => p.verdict)).toEqual(['clean', 'inconclusive']);
  });

  it('nothing listening: exit 13; the evidence says it in words, --json keeps the errno', async () => {
    const s = await startScriptedSmtp(async () => {});
    const port = s.port;
    await s.close();
    const r = await runCli(['probe', `127.0.0.1:${port}`, '--json']);
    expect(r.code, r.stderr).toBe(13);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe('unreachable');
    expect(out.probes[0].transcript[0]).toMatchObject({ event: 'connect-failed', errno: 'ECONNREFUSED' });
    const h = await runCli(['probe', `127.0.0.1:${port}`]);
    expect(h.code, h.stderr).toBe(13);
    expect(h.stdout).toContain('(connection refused (nothing listens there), while connecting)');
    expect(h.stdout + h.stderr).not.toMatch(/\bE[A-Z]{4,}\b/);
  });

  it('tarpit with --greeting-timeout 0.3: exit 13, nothing sent to the server', async () => {
    const tarpit = await startScriptedSmtp(async (c) => {
      await new Promise<void>((r) => c.socket.once('close', () => r()));
    });
    try {
      const r = await runCli(['probe', at(tarpit), '--greeting-timeout', '0.3', '--json']);
      expect(r.code, r.stderr).toBe(13);
      const p = JSON.parse(r.stdout).probes[0];
      expect(p.transcript.at(-1)).toMatchObject({ event: 'timeout', phase: 'greeting' });
      expect(tarpit.conns[0]?.received()).toBe('');
    } finally {
      await tarpit.close();
    }
  });

  it('usage and bad input: exit 2, nothing contacted', async () => {
    const conns = clean.conns.length;
    expect((await runCli(['probe'])).code).toBe(2);
    expect((await runCli(['probe', at(clean), '--domain', 'lab.test'])).code).toBe(2);
    expect((await runCli(['probe', at(clean), '--timeout', 'soon'])).code).toBe(2);
    const ehlo = await runCli(['probe', at(clean), '--ehlo-name', 'a b', '--json']);
    expect(ehlo.code, ehlo.stderr).toBe(2);
    expect(JSON.parse(ehlo.stdout).error).toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/^--ehlo-name: "a b" is not a host name; give /),
    });
    expect(clean.conns.length).toBe(conns);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"probes":"no"}');
    const r = await runCli(['probe', at(clean), '--compare', bad, '--json']);
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('BAD_INPUT');
  });
});
