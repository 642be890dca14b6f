/**
 * The built CLI (`node dist/cli.js detect ...`) as a child process against the lab: --json contract, human output,
 * exit codes 0/2/3/4, credentials from the environment and from .env.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../../src/lab/index.js';
import { realConfigsDir } from '../fixtures/load.js';
import { builtCli as cli, ensureBuiltCli, repoRoot as root } from '../helpers/built-cli.js';
import { writeKnownHosts } from '../helpers/lab.js';

const capture = join(root, 'test', 'fixtures', 'asa-outputs', 'asa_show-running-config_1.txt');

let lab: Lab;
let dir: string;
let knownHosts: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [cli, ...args],
      // a clean environment (no ASA_* from the developer's shell), cwd without a .env unless the test writes one
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

function credsEnv(name: string): Record<string, string> {
  const d = lab.device(name).info;
  return { ASA_USERNAME: d.username, ASA_PASSWORD: d.password, ASA_ENABLE_SECRET: d.enableSecret };
}

beforeAll(async () => {
  ensureBuiltCli();
  lab = await startLab({
    smtp: false,
    devices: [
      { name: 'asa', dialect: 'asa9' },
      { name: 'pix', dialect: 'pix6' },
      { name: 'broken', dialect: 'asa8', faults: { errorAt: [/^show running-config$/] } },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'detect-e2e-'));
  knownHosts = writeKnownHosts(lab, dir);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('detect --json (contract)', () => {
  it('ASA over SSH, credentials from the environment: exit 0 and the documented shape', async () => {
    const d = lab.device('asa').info;
    const r = await run(['detect', `127.0.0.1:${d.ssh.port}`, '--json', '--known-hosts', knownHosts], credsEnv('asa'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.target).toBe(`127.0.0.1:${d.ssh.port}`);
    expect(j.platform).toMatchObject({
      family: 'asa',
      version: '9.12(4)67',
      contextMode: 'single',
      failover: { enabled: false, role: null },
    });
    expect(j.platform).toHaveProperty('model');
    expect(j.inspection.active).toBe(true);
    expect(j.inspection.findings).toHaveLength(1);
    const f = j.inspection.findings[0];
    for (const key of [
      'kind',
      'protocol',
      'ports',
      'policyMap',
      'class',
      'inspectMap',
      'binding',
      'active',
      'context',
      'lines',
    ]) {
      expect(f).toHaveProperty(key);
    }
    expect(f).toMatchObject({
      kind: 'inspect',
      protocol: 'esmtp',
      ports: [25],
      policyMap: 'global_policy',
      class: 'inspection_default',
      inspectMap: null,
      binding: 'global',
      active: true,
      context: null,
    });
    expect(f.lines).toContain('  inspect esmtp ');
  });

  it('PIX over telnet, password-only login, credentials from .env: a fixup finding', async () => {
    const d = lab.device('pix').info;
    writeFileSync(join(dir, '.env'), `ASA_PASSWORD=${d.password}\nASA_ENABLE_SECRET=${d.enableSecret}\n`);
    try {
      const r = await run(['detect', `127.0.0.1:${d.telnet.port}`, '--transport', 'telnet', '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/clear text/);
      const j = JSON.parse(r.stdout);
      expect(j.platform).toMatchObject({ family: 'pix', version: '6.3(5)' });
      expect(j.inspection.findings).toEqual([
        expect.objectContaining({
          kind: 'fixup',
          protocol: 'smtp',
          ports: [25],
          binding: 'global',
          active: true,
          lines: ['fixup protocol smtp 25'],
        }),
      ]);
    } finally {
      rmSync(join(dir, '.env'));
    }
  });

  it('offline --config on a real capture (asa_show-running-config_1.txt)', async () => {
    const r = await run(['detect', '--config', capture, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // The platform comes from the file's own lines (`ASA Version 9.12(4)67`, `hostname`, `: Hardware:`).
    expect(j.platform).toMatchObject({
      family: 'asa',
      version: '9.12(4)67',
      contextMode: 'single',
      failover: { enabled: false, role: null },
      dialect: 'asa9',
    });
    expect(j.warnings).toEqual([]);
    expect(j.inspection.active).toBe(true);
    expect(j.inspection.findings[0]).toMatchObject({ kind: 'inspect', protocol: 'esmtp', policyMap: 'global_policy' });
  });
});

const realDir = realConfigsDir();

describe.skipIf(realDir === null)('detect --config on a trimmed real export (shared/reference/real-configs)', () => {
  it('asa915-kolhe-tcs-context.cfg: platform from the text, OFF by the text, and a warning in JSON and in words', async () => {
    const file = join(realDir!, 'asa915-kolhe-tcs-context.cfg');
    const j = JSON.parse((await run(['detect', '--config', file, '--json'])).stdout);
    expect(j.platform).toMatchObject({ family: 'asa', version: '9.1(5)16', contextMode: 'multiple', dialect: 'asa9' });
    expect(j.inspection).toMatchObject({ active: false, findings: [] });
    expect(j.inspection.warnings).toEqual([
      expect.stringMatching(/binds policy-map global_policy, which this file does not define/),
    ]);
    expect(j.warnings).toEqual(j.inspection.warnings);
    const human = await run(['detect', '--config', file]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /SMTP inspection: OFF \(not configured, but the text leaves it open: see the warnings\)/,
    );
    expect(human.stdout).toMatch(/^warning: line 31: service-policy binds policy-map global_policy/m);
  });
});

describe('detect human output', () => {
  it('fits one screen: platform, findings and the proving lines', async () => {
    const d = lab.device('asa').info;
    const r = await run(['detect', `127.0.0.1:${d.ssh.port}`, '--known-hosts', knownHosts, '-q'], credsEnv('asa'));
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines[0]).toMatch(/ASA 9\.12\(4\)67 \(ASA5512\), single context mode, no failover/);
    expect(r.stdout).toMatch(/SMTP inspection: ON/);
    expect(r.stdout).toMatch(/\| {3}inspect esmtp/);
    expect(r.stdout).toMatch(/\| service-policy global_policy global/);
  });
});

describe('detect exit codes', () => {
  it('2: no target, bad target, bad flag value', async () => {
    expect((await run(['detect'])).code).toBe(2);
    const bad = await run(['detect', 'a@b@c', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.code).toBe('BAD_INPUT'); // a malformed value is BAD_INPUT wherever it is given (src/net/endpoint.ts)
    expect((await run(['detect', 'fw1', '--host-key-policy', 'sometimes'])).code).toBe(2);
    expect((await run(['detect', '--config', join(dir, 'missing.cfg')])).code).toBe(2);
  });

  it('3: wrong password, with a clear message and next step', async () => {
    const d = lab.device('asa').info;
    const r = await run(['detect', `127.0.0.1:${d.ssh.port}`, '--known-hosts', knownHosts], {
      ...credsEnv('asa'),
      ASA_PASSWORD: 'definitely-wrong',
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error \[AUTH_FAILED\]/);
    expect(r.stderr).toMatch(/next step:/);
    expect(r.stderr).not.toContain('definitely-wrong');
  });

  it('3: unknown host key shows the fingerprint and how to trust it', async () => {
    const d = lab.device('asa').info;
    const r = await run(
      ['detect', `127.0.0.1:${d.ssh.port}`, '--known-hosts', join(dir, 'empty_known_hosts'), '--json'],
      credsEnv('asa'),
    );
    expect(r.code).toBe(3);
    const e = JSON.parse(r.stdout).error;
    expect(e.code).toBe('HOST_KEY_UNKNOWN');
    expect(e.message).toContain(d.hostKeySha256);
    expect(e.hint).toMatch(/--host-key-policy accept-new|ssh-keyscan/);
  });

  it('3: wrong enable secret', async () => {
    const d = lab.device('asa').info;
    const r = await run(['detect', `127.0.0.1:${d.ssh.port}`, '--known-hosts', knownHosts, '--json'], {
      ...credsEnv('asa'),
      ASA_ENABLE_SECRET: 'nope-nope',
    });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error.code).toBe('ENABLE_FAILED');
  });

  it('3: an ASA 8.x offers only old SSH-2 algorithms: SSH_NO_COMMON_ALGORITHM names its offer and --legacy-algorithms', async () => {
    const d = lab.device('broken').info;
    const r = await run(['detect', `127.0.0.1:${d.ssh.port}`, '--known-hosts', knownHosts], credsEnv('broken'));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no matching key exchange method. Their offer: diffie-hellman-group1-sha1');
    expect(r.stderr).toContain('--legacy-algorithms');
    expect(r.stderr).toContain('SSH_NO_COMMON_ALGORITHM');
    expect(lab.device('broken').commandLog()).toEqual([]);
  });

  it('4: the device rejects show running-config', async () => {
    const d = lab.device('broken').info;
    const r = await run(
      // asa8 offers only the 8.x SSH-2 set (asa-cli.md §1.8)
      ['detect', `127.0.0.1:${d.ssh.port}`, '--known-hosts', knownHosts, '--json', '--legacy-algorithms'],
      credsEnv('broken'),
    );
    expect(r.code).toBe(4);
    const e = JSON.parse(r.stdout).error;
    expect(e.code).toBe('DEVICE_ERROR');
    expect(e.details.command).toBe('show running-config');
  });
});
