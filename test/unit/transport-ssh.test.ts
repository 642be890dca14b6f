/**
 * SSH transport against an ssh2 Server on 127.0.0.1 (real TCP): legacy algorithms only when asked, private key with
 * passphrase, ssh-agent (a real OpenSSH ssh-agent), and the auth order that tries one password at most.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailguardError } from '../../src/errors.js';
import { openSsh, type SshTransportOptions } from '../../src/transport/ssh.js';

let dir: string;
let hostKeyPem: string;
let clientPub: Buffer;

function hasTool(t: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface TestServer {
  port: number;
  methods: string[];
  close(): void;
}

async function startServer(algorithms?: ssh2.ServerConfig['algorithms']): Promise<TestServer> {
  const methods: string[] = [];
  const server = new ssh2.Server({ hostKeys: [hostKeyPem], algorithms }, (client) => {
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      methods.push(ctx.method);
      if (ctx.method === 'publickey' && ctx.key.data.equals(clientPub)) return ctx.accept();
      if (ctx.method === 'password' && ctx.password === 'right') return ctx.accept();
      ctx.reject(['publickey', 'password', 'keyboard-interactive']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (ok) => ok?.());
        session.on('shell', (ok) => {
          const stream = ok();
          stream.write('fw> ');
        });
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, methods, close: () => server.close() };
}

function base(port: number, over: Partial<SshTransportOptions> = {}): SshTransportOptions {
  return { host: '127.0.0.1', port, username: 'u', hostKeyPolicy: 'off', connectTimeoutMs: 4000, ...over };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ssh-t-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', join(dir, 'host')]);
  hostKeyPem = readFileSync(join(dir, 'host'), 'utf8');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pass phrase 1', '-f', join(dir, 'client')]);
  clientPub = Buffer.from(readFileSync(join(dir, 'client.pub'), 'utf8').split(' ')[1] as string, 'base64');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ssh transport', () => {
  it('an old-algorithm server: refused without --legacy-algorithms (with that hint), accepted with it', async () => {
    const srv = await startServer({
      kex: ['diffie-hellman-group14-sha1'],
      cipher: ['aes128-cbc'],
      hmac: ['hmac-sha1'],
      serverHostKey: ['ssh-rsa'],
    });
    try {
      const e = await openSsh(base(srv.port, { password: 'right' })).catch((x: unknown) => x);
      expect(e).toMatchObject({
        code: 'SSH_NO_COMMON_ALGORITHM',
        message: expect.stringContaining('no matching key exchange method. Their offer: diffie-hellman-group14-sha1'),
        hint: expect.stringContaining('--legacy-algorithms'),
        details: { category: 'kex', offered: { kex: ['diffie-hellman-group14-sha1'] }, legacyAlgorithms: false },
      });
      expect((e as MailguardError).exitCode).toBe(3);
      const t = await openSsh(base(srv.port, { password: 'right', legacyAlgorithms: true }));
      const [data] = (await once(t, 'data')) as [Buffer];
      expect(data.toString()).toBe('fw> ');
      t.close();
    } finally {
      srv.close();
    }
  });

  it('a cipher-only mismatch names the cipher offer; the legacy set reaches it', async () => {
    const srv = await startServer({ cipher: ['aes256-cbc', '3des-cbc'] });
    try {
      const e = await openSsh(base(srv.port, { password: 'right' })).catch((x: unknown) => x);
      expect(e).toMatchObject({
        code: 'SSH_NO_COMMON_ALGORITHM',
        message: expect.stringContaining('no matching cipher. Their offer: aes256-cbc,3des-cbc'),
        hint: expect.stringContaining('also offers aes256-cbc, 3des-cbc'),
        details: { category: 'cipher' },
      });
      const t = await openSsh(base(srv.port, { password: 'right', legacyAlgorithms: true }));
      t.close();
    } finally {
      srv.close();
    }
  });

  it('private key with passphrase; a missing passphrase is BAD_INPUT naming --passphrase', async () => {
    const srv = await startServer();
    try {
      const key = readFileSync(join(dir, 'client'));
      await expect(openSsh(base(srv.port, { privateKey: key }))).rejects.toMatchObject({
        code: 'BAD_INPUT',
        hint: expect.stringContaining('--passphrase'),
      });
      const t = await openSsh(base(srv.port, { privateKey: key, passphrase: 'pass phrase 1' }));
      expect(t.hostKeyFingerprint).toMatch(/^SHA256:/);
      t.close();
      expect(srv.methods).toEqual(['none', 'publickey', 'publickey']);
    } finally {
      srv.close();
    }
  });

  it('a wrong password is tried once (not again as keyboard-interactive): AUTH_FAILED', async () => {
    const srv = await startServer();
    try {
      await expect(openSsh(base(srv.port, { password: 'wrong' }))).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      expect(srv.methods).toEqual(['none', 'password']);
    } finally {
      srv.close();
    }
  });

  it.skipIf(!hasTool('ssh-agent') || !hasTool('ssh-add'))('ssh-agent (OpenSSH) signs for the key', async () => {
    const sock = join(dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((ok) => agent.stdout?.once('data', () => ok())); // prints SSH_AUTH_SOCK=... when ready
      const plain = join(dir, 'plainkey');
      writeFileSync(plain, readFileSync(join(dir, 'client')), { mode: 0o600 });
      execFileSync('ssh-keygen', ['-q', '-p', '-P', 'pass phrase 1', '-N', '', '-f', plain]);
      execFileSync('ssh-add', [plain], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const srv = await startServer();
      try {
        const t = await openSsh(base(srv.port, { agent: sock }));
        t.close();
        expect(srv.methods).toContain('publickey');
        expect(srv.methods).not.toContain('password');
      } finally {
        srv.close();
      }
    } finally {
      agent.kill();
    }
  });
});
