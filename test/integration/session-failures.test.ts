/**
 * Failure paths against the lab over real TCP: each ends in its typed error (and exit code) within its timeout,
 * and enable/login secrets are sent exactly once.
 */

import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMailguardError, type MailguardError } from '../../src/errors.js';
import { openSession, readDevice } from '../../src/session/index.js';
import { labFixture } from '../helpers/lab.js';

const fx = labFixture(
  {
    smtp: false,
    devices: [
      { name: 'asa', dialect: 'asa9' },
      { name: 'pix', dialect: 'pix6' },
      { name: 'authz', dialect: 'asa9', faults: { authzFail: [/^terminal pager/] } },
      { name: 'hang', dialect: 'asa9', faults: { hangAt: [/^show running-config$/] } },
      { name: 'drop', dialect: 'asa8', faults: { dropAt: [/^show running-config$/] } },
      { name: 'flood', dialect: 'asa9', faults: { floodAt: [/^show running-config$/] } },
      { name: 'mute', dialect: 'asa9', faults: { hangAt: [/^enable$/] } },
    ],
  },
  'session-fail-',
);
const { opts } = fx;

async function failure(p: Promise<unknown>): Promise<MailguardError> {
  try {
    await p;
  } catch (e) {
    if (isMailguardError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('login failures (exit code 3)', () => {
  it('wrong SSH password: AUTH_FAILED, one password attempt only', async () => {
    const e = await failure(openSession(opts('asa', { password: 'wrong-password' })));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.exitCode).toBe(3);
    expect(e.hint).toMatch(/never retr|will not retry/);
    expect(e.message).not.toContain('wrong-password');
  });

  it('wrong telnet password: AUTH_FAILED on the second Password: prompt, not retried', async () => {
    const d = fx.lab.device('pix').info;
    const e = await failure(openSession(opts('pix', { transport: 'telnet', port: d.telnet.port, password: 'nope' })));
    expect(e.code).toBe('AUTH_FAILED');
  });

  it('wrong enable secret: ENABLE_FAILED, `enable` sent exactly once', async () => {
    const before = fx.lab
      .device('asa')
      .commandLog()
      .filter((c) => c === 'enable').length;
    const e = await failure(openSession(opts('asa', { enableSecret: 'not-the-secret' })));
    expect(e.code).toBe('ENABLE_FAILED');
    expect(e.exitCode).toBe(3);
    expect(
      fx.lab
        .device('asa')
        .commandLog()
        .filter((c) => c === 'enable').length - before,
    ).toBe(1);
  });

  it('closed port: CONNECT_FAILED with a next step', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    server.close();
    await once(server, 'close');
    const e = await failure(openSession(opts('asa', { port })));
    expect(e.code).toBe('CONNECT_FAILED');
    expect(e.exitCode).toBe(3);
    expect(e.hint).toMatch(/port/);
  });

  it('a silent port (accepts TCP, never speaks SSH): CONNECT_TIMEOUT within the connect timeout', async () => {
    const server = createServer(() => {}).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const t0 = Date.now();
    const e = await failure(openSession(opts('asa', { port, timeouts: { connectMs: 800 } })));
    expect(e.code).toBe('CONNECT_TIMEOUT');
    // In the unit --connect-timeout takes (<sec>), not milliseconds.
    expect(e.message).toMatch(/within 0\.8 seconds$/);
    expect(Date.now() - t0).toBeLessThan(3000);
    server.close();
  });
});

describe('host keys', () => {
  it('changed host key: HOST_KEY_CHANGED showing the new SHA256 fingerprint, even with accept-new', async () => {
    const d = fx.lab.device('asa').info;
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    // ssh wire blob of an ed25519 key: string "ssh-ed25519" + string(32-byte key)
    const raw = other.subarray(other.length - 32);
    const blob = Buffer.concat([
      Buffer.from([0, 0, 0, 11]),
      Buffer.from('ssh-ed25519'),
      Buffer.from([0, 0, 0, 32]),
      raw,
    ]);
    const file = join(fx.dir, 'changed');
    writeFileSync(file, `[127.0.0.1]:${d.ssh.port} ssh-ed25519 ${blob.toString('base64')}\n`);
    for (const policy of ['strict', 'accept-new'] as const) {
      const e = await failure(openSession(opts('asa', { knownHostsFile: file, hostKeyPolicy: policy })));
      expect(e.code).toBe('HOST_KEY_CHANGED');
      expect(e.exitCode).toBe(3);
      expect(e.message).toContain(d.hostKeySha256);
      expect(e.hint).toContain('ssh-keygen -R');
    }
  });

  it("another unit's key at this address (a swapped port forward): HOST_KEY_CHANGED, as in the field", async () => {
    const asa = fx.lab.device('asa').info;
    const other = fx.lab.device('hang').info; // another asa9 unit: its own ssh-rsa key
    const file = join(fx.dir, 'swapped');
    writeFileSync(file, `[127.0.0.1]:${asa.ssh.port} ${(other.knownHostsLine ?? '').split(' ').slice(1).join(' ')}\n`);
    const e = await failure(openSession(opts('asa', { knownHostsFile: file })));
    expect(e.code).toBe('HOST_KEY_CHANGED');
    expect(e.message).toContain(asa.hostKeySha256);
  });

  it('unknown host key: strict refuses with the fingerprint; accept-new records it (0600) and then strict passes', async () => {
    const d = fx.lab.device('asa').info;
    const file = join(fx.dir, 'fresh_known_hosts');
    const e = await failure(openSession(opts('asa', { knownHostsFile: file })));
    expect(e.code).toBe('HOST_KEY_UNKNOWN');
    expect(e.message).toContain(d.hostKeySha256);
    expect(e.hint).toContain('--host-key-policy accept-new');
    const s = await openSession(opts('asa', { knownHostsFile: file, hostKeyPolicy: 'accept-new' }));
    await s.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`[127.0.0.1]:${d.ssh.port} ssh-rsa `);
    const again = await openSession(opts('asa', { knownHostsFile: file, hostKeyPolicy: 'strict' }));
    await again.close();
  });
});

describe('device faults', () => {
  it('command authorization refusing `terminal pager 0`: the pager is answered and the config is complete', async () => {
    const logs: string[] = [];
    const s = await openSession(opts('authz', { onLog: (l) => logs.push(l) }));
    try {
      expect(s.pagerDisabled).toBe(false);
      expect(logs.join('\n')).toMatch(/authorization refused "terminal pager 0"/);
      const r = await readDevice(s);
      const cfg = r.contexts[0]?.runningConfig ?? '';
      expect(cfg).not.toMatch(/More|^ {14}$/m);
      const expected = fx.lab.device('authz').runningConfig().replace(/\r/g, '').trimEnd();
      expect(cfg.trimEnd()).toBe(expected);
      expect(r.inspection.active).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('logged in, but the CLI never answers `enable`: LOGIN_TIMEOUT (exit 3) within the login timeout', async () => {
    const t0 = Date.now();
    const e = await failure(openSession(opts('mute', { timeouts: { loginMs: 800 } })));
    expect(e.code).toBe('LOGIN_TIMEOUT');
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/did not answer while entering privileged mode/);
    expect(e.hint).toMatch(/--login-timeout/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a device that stops answering: COMMAND_TIMEOUT (exit 4) within the command timeout, session closed', async () => {
    const s = await openSession(opts('hang', { timeouts: { commandMs: 700 } }));
    const t0 = Date.now();
    const e = await failure(s.send('show running-config'));
    const took = Date.now() - t0;
    expect(e.code).toBe('COMMAND_TIMEOUT');
    expect(e.message).toMatch(/within 0\.7 seconds$/);
    expect(e.exitCode).toBe(4);
    expect(took).toBeGreaterThanOrEqual(650);
    expect(took).toBeLessThan(3000);
    await s.close();
    expect(s.closed).toBe(true);
  });

  it('a device that streams without a prompt: OUTPUT_TOO_LARGE (exit 4) naming the limit, memory bounded', async () => {
    const limit = 2 * 1024 * 1024;
    const s = await openSession(opts('flood', { maxOutputChars: limit, timeouts: { commandMs: 60_000 } }));
    const rss0 = process.memoryUsage().rss;
    const t0 = Date.now();
    const e = await failure(s.send('show running-config'));
    expect(e.code).toBe('OUTPUT_TOO_LARGE');
    expect(e.exitCode).toBe(4);
    expect(e.message).toContain(String(limit));
    expect(e.details).toMatchObject({ limitChars: limit, command: 'show running-config' });
    expect(Date.now() - t0).toBeLessThan(60_000); // the bound ended it, not the command timeout
    // The session closed itself (nothing more is sent) and kept no more than the limit in memory.
    if (!s.closed) await once(s, 'close');
    expect(s.closed).toBe(true);
    expect(s.transcript().length).toBeLessThan(limit + 64 * 1024);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * 1024 * 1024);
    const sent = fx.lab.device('flood').commandLog();
    expect(sent.at(-1)).toBe('show running-config');
  });

  it('a dropped connection: CONNECTION_LOST naming the command', async () => {
    const s = await openSession(opts('drop'));
    const e = await failure(s.send('show running-config'));
    expect(e.code).toBe('CONNECTION_LOST');
    expect(e.message).toContain('show running-config');
    expect(s.closed).toBe(true);
  });

  it('a device error becomes DeviceCommandError with command and output; allowErrors returns it', async () => {
    const s = await openSession(opts('asa'));
    try {
      const e = await failure(s.send('show bogus-thing'));
      expect(e.code).toBe('DEVICE_ERROR');
      expect(e.details.command).toBe('show bogus-thing');
      expect(String(e.details.output)).toContain('Invalid input');
      const out = await s.send('show bogus-thing', { allowErrors: true });
      expect(out).toContain("ERROR: % Invalid input detected at '^' marker.");
      expect(await s.send('show hostname')).toBe(fx.lab.device('asa').info.hostname);
    } finally {
      await s.close();
    }
  });
});
