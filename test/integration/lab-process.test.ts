/**
 * The `asa-mailguard lab` command as a process (built CLI, dist/cli.js): the --json contract, the readable table,
 * clean exit on SIGTERM leaving no listening port, --stdio, --failover-pairs; and startLab's speed in-process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/index.js';
import type { LabDeviceInfo } from '../../src/lab/types.js';
import { connArgs, credsEnv, resultOf, runCli, tempDir } from '../e2e/apply-helpers.js';
import { sshEnabled } from '../helpers/lab.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

function run(args: string[]): { child: ChildProcess; stdout: () => string; exited: Promise<number | null> } {
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` first');
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('latin1');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, exited };
}

function waitOutput(get: () => string, re: RegExp, child: ChildProcess, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timeout waiting for ${re}; got ${JSON.stringify(get())}`)),
      timeoutMs,
    );
    const check = () => {
      if (re.test(get())) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(get());
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited early; got ${JSON.stringify(get())}`));
    });
    check();
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.on('error', () => resolve(true));
  });
}

describe('asa-mailguard lab (process)', () => {
  it('--json prints exactly one document once ready; SIGTERM stops it cleanly and frees every port', async () => {
    const p = run(['lab', '--dialect', 'pix6,asa8', '--dialect', 'asa9', '--json', '--reload-delay', '0.2']);
    const text = await waitOutput(p.stdout, /\n/, p.child);
    const doc = JSON.parse(text) as { devices: Record<string, unknown>[] };
    expect(doc.devices.map((d) => d.dialect)).toEqual(['pix6', 'asa8', 'asa9']);
    for (const d of doc.devices) {
      for (const k of ['name', 'hostname', 'username', 'password', 'enableSecret', 'hostKeySha256'])
        expect(typeof d[k]).toBe('string');
      for (const k of ['ssh', 'telnet', 'smtp'])
        expect(d[k]).toMatchObject({ host: '127.0.0.1', port: expect.any(Number) });
      expect(d.hostKeySha256).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      // pix6 speaks SSH-1 only: OpenSSH's SSH-1 known_hosts form (`bits exponent modulus`)
      expect(d.knownHostsLine).toMatch(
        d.dialect === 'pix6' ? /^\[127\.0\.0\.1\]:\d+ 1024 65537 \d+$/ : /^\[127\.0\.0\.1\]:\d+ ssh-rsa AAAA/,
      );
      expect(d.sshTransport).toBe(d.dialect === 'pix6' ? 'ssh1' : 'ssh');
    }
    const asa = doc.devices[2] as unknown as Parameters<typeof sshEnabled>[0];
    const s = await sshEnabled(asa);
    expect(await s.cmd('show hostname')).toContain('ciscoasa');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toBe(text); // nothing after the one document
    for (const d of doc.devices) expect(await refused((d.ssh as { port: number }).port)).toBe(true);
  });

  it('without --json prints a table and how to log in with ssh and telnet; SIGINT stops it', async () => {
    const p = run([
      'lab',
      '--dialect',
      'pix6',
      '--no-smtp',
      '--username',
      'u1',
      '--password',
      'p1',
      '--enable-secret',
      'e1',
    ]);
    const text = await waitOutput(p.stdout, /Ctrl-C stops the lab/, p.child);
    expect(text).toMatch(/^NAME +DIALECT +HOSTNAME +SSH +TELNET +SMTP +USERNAME +PASSWORD +ENABLE SECRET\n/);
    expect(text).toMatch(/pix6-1 +pix6 +pix +\d+ +\d+ +- +u1 +p1 +e1/);
    expect(text).toMatch(/plink -1 -P \d+ u1@127\.0\.0\.1 .*--transport ssh1/);
    expect(text).toMatch(/telnet 127\.0\.0\.1 \d+/);
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);
  });

  it('rejects a bad --fault with exit code 2', async () => {
    const p = run(['lab', '--fault', 'nope']);
    expect(await p.exited).toBe(2);
  });

  it('--stdio speaks the CLI on stdin/stdout (login done by the front)', async () => {
    const p = run(['lab', '--stdio', '--dialect', 'asa9', '--enable-secret', 'sec', '--no-notice']);
    await waitOutput(p.stdout, /\rciscoasa> $/, p.child);
    p.child.stdin?.write('enable\nsec\n');
    await waitOutput(p.stdout, /\rciscoasa# $/, p.child);
    p.child.stdin?.write('show version | include ^Cisco\nexit\n');
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('Cisco Adaptive Security Appliance Software Version 9.12(4)67 \r\n');
    expect(p.stdout()).toMatch(/Logoff\r\n\r\n$/);
  });

  it('--stdio --telnet-login asks for the PIX password itself', async () => {
    const p = run(['lab', '--stdio', '--dialect', 'pix6', '--password', 'pw', '--telnet-login']);
    await waitOutput(p.stdout, /(?:Password|PIX passwd): $/, p.child);
    p.child.stdin?.write('pw\r\n');
    await waitOutput(p.stdout, /\rpix> $/, p.child);
    p.child.stdin?.end();
    expect(await p.exited).toBe(0);
  });
});

describe('--stdio --state (one process per sshd session)', () => {
  it('keeps the running config from one session to the next, and the startup config decides after reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-stdio-'));
    try {
      const args = ['lab', '--stdio', '--dialect', 'pix6', '--enable-secret', 'e', '--state', dir];
      const a = run(args);
      await waitOutput(a.stdout, /\rpix> $/, a.child);
      a.child.stdin?.write('enable\ne\nconfigure terminal\nno fixup protocol smtp 25\nexit\nexit\n');
      expect(await a.exited).toBe(0);
      const b = run(args);
      await waitOutput(b.stdout, /\rpix> $/, b.child);
      b.child.stdin?.write('enable\ne\nshow fixup\nreload noconfirm\n');
      expect(await b.exited).toBe(0);
      expect(b.stdout()).toContain('no fixup protocol smtp 25\r\n');
      const c = run(args);
      await waitOutput(c.stdout, /\rpix> $/, c.child);
      c.child.stdin?.write('enable\ne\nshow fixup\nexit\n');
      expect(await c.exited).toBe(0);
      expect(c.stdout()).toMatch(/\r\nfixup protocol smtp 25\r\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--failover-pairs (process)', () => {
  it('prints each unit of the pair with its role and peer, writes them into the inventory, and the tool still refuses the standby', async () => {
    const dir = tempDir('lab-failover-');
    const inv = join(dir, 'inventory.yaml');
    const p = run(['lab', '--json', '--failover-pairs', '1', '--no-notice', '--inventory-out', inv]);
    try {
      const doc = JSON.parse(await waitOutput(p.stdout, /\n/, p.child)) as { devices: LabDeviceInfo[] };
      expect(doc.devices.map((d) => [d.name, d.dialect, d.hostname, d.failover])).toEqual([
        ['asa9-1', 'asa9', 'ciscoasa', undefined],
        ['pair1-pri', 'asa9', 'pair1', { role: 'active', unit: 'primary', peer: 'pair1-sec' }],
        ['pair1-sec', 'asa9', 'pair1', { role: 'standby', unit: 'secondary', peer: 'pair1-pri' }],
      ]);
      expect(statSync(inv).mode & 0o777).toBe(0o600);
      expect(readFileSync(inv, 'utf8')).toMatch(/ {2}pair1-sec:\n(?: {4}.*\n)* {4}failoverPeer: pair1-pri\n/);
      const standby = doc.devices[2] as LabDeviceInfo;
      const s = await sshEnabled(standby);
      expect(s.buffer.endsWith('\rpair1/sec/stby# ')).toBe(true);
      s.end();
      // As with `--fault standby`: the change engine stops before any config command (test/e2e/apply-faults).
      const a = await runCli(
        ['apply', ...connArgs(standby, dir), '--smtp', `${standby.smtp.host}:${standby.smtp.port}`, '--yes', '--json'],
        { cwd: dir, env: credsEnv(standby) },
      );
      expect(a.code, a.stdout).toBe(4);
      expect(resultOf(a).error?.code).toBe('STANDBY_UNIT');
    } finally {
      p.child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await p.exited).toBe(0);
  }, 60_000);
});

describe('startLab speed', () => {
  it('one device per dialect (with SMTP) starts in under 2 s and stops cleanly', async () => {
    const t0 = Date.now();
    const lab = await startLab({ devices: [{ dialect: 'pix6' }, { dialect: 'asa8' }, { dialect: 'asa9' }] });
    const elapsed = Date.now() - t0;
    try {
      expect(elapsed).toBeLessThan(2000);
      expect(lab.devices).toHaveLength(3);
    } finally {
      await lab.stop();
    }
    for (const d of lab.devices) expect(await refused(d.telnet.port)).toBe(true);
  });
});
