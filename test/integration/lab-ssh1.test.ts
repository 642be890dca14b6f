/**
 * The tool's SSH-1 transport against the lab's pix6 over real TCP: login as `pix` with the telnet password, the
 * host key policies on OpenSSH's SSH-1 known_hosts form, DES as well as 3DES, the five-session limit, and
 * `--transport ssh` meeting an SSH-1-only server.
 */
import { writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMailguardError, type MailguardError } from '../../src/errors.js';
import { openSession } from '../../src/session/index.js';
import type { CliSession } from '../../src/session/types.js';
import { openTransport } from '../../src/transport/index.js';
import { Ssh1PacketWriter } from '../../src/transport/ssh1/packet.js';
import { MSG } from '../../src/transport/ssh1/wire.js';
import { labFixture } from '../helpers/lab.js';

const fx = labFixture(
  {
    smtp: false,
    devices: [
      { name: 'pix', dialect: 'pix6', password: 'pixpass', enableSecret: 'en' },
      { name: 'pix-des', dialect: 'pix6', password: 'pixpass', enableSecret: 'en', ssh1Ciphers: [2] },
    ],
  },
  'lab-ssh1-',
);

async function failure(p: Promise<unknown>): Promise<MailguardError> {
  const e = await p.then(
    () => new Error('expected a failure'),
    (err: unknown) => err,
  );
  if (!isMailguardError(e)) throw e;
  return e;
}

/** The first line the server sends. */
function identification(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    let text = '';
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (text.includes('\n')) {
        s.destroy();
        resolve(text);
      }
    });
    s.on('error', reject);
    s.connect(port, '127.0.0.1');
  });
}

describe('pix6 over SSH-1', () => {
  it('identifies as SSH-1.5-Cisco-1.25 and the lab names its SSH-1 key', async () => {
    const d = fx.lab.device('pix').info;
    expect(await identification(d.ssh.port)).toBe('SSH-1.5-Cisco-1.25\n');
    expect(d.sshTransport).toBe('ssh1');
    expect(d.username).toBe('pix');
    expect(d.knownHostsLine).toMatch(/^\[127\.0\.0\.1\]:\d+ 1024 65537 \d{300,}$/);
    expect(d.hostKeySha256).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it.each(['pix', 'pix-des'])('%s: logs in as pix, enables and reads show version', async (name) => {
    const logs: string[] = [];
    const s = await openSession(fx.opts(name, { onLog: (l) => logs.push(l) }));
    try {
      expect(s.prompt).toBe(`${fx.lab.device(name).info.hostname}#`);
      expect(await s.send('show version')).toContain('Cisco PIX Firewall Version 6.3(5)');
    } finally {
      await s.close();
    }
    expect(logs.join('\n')).toMatch(/SSH protocol 1 .* known weaknesses/);
    expect(logs.join('\n')).toContain(name === 'pix' ? '3des)' : 'des)');
  });

  it('a wrong password is AUTH_FAILED (exit 3)', async () => {
    const e = await failure(openSession(fx.opts('pix', { password: 'nope' })));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.exitCode).toBe(3);
  });

  it('an unknown key is refused under strict, recorded under accept-new, and a changed key is refused', async () => {
    const file = join(fx.dir, 'kh-policies');
    const e = await failure(openSession(fx.opts('pix', { knownHostsFile: file })));
    expect(e.code).toBe('HOST_KEY_UNKNOWN');
    expect(e.message).toContain(fx.lab.device('pix').info.hostKeySha256);
    expect(e.message).toMatch(/MD5:([0-9a-f]{2}:){15}[0-9a-f]{2}/);
    const s = await openSession(fx.opts('pix', { knownHostsFile: file, hostKeyPolicy: 'accept-new' }));
    await s.close();
    const d = fx.lab.device('pix').info;
    const other = fx.lab.device('pix-des').info;
    // another SSH-1 key under pix's name: the line as OpenSSH wrote it, with a different modulus
    const otherKey = other.knownHostsLine?.split(' ').slice(1).join(' ');
    const modulus = BigInt(otherKey?.split(' ')[2] ?? '0') + 2n;
    writeFileSync(file, `[127.0.0.1]:${d.ssh.port} 1024 65537 ${modulus}\n`);
    const changed = await failure(openSession(fx.opts('pix', { knownHostsFile: file })));
    expect(changed.code).toBe('HOST_KEY_CHANGED');
    expect(changed.exitCode).toBe(3);
  });

  it('--transport ssh says the device speaks SSH-1 only and names --transport ssh1 (SSH1_ONLY, exit 3)', async () => {
    const d = fx.lab.device('pix').info;
    const e = await failure(openSession(fx.opts('pix', { transport: 'ssh' })));
    expect(e.code).toBe('SSH1_ONLY');
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('"SSH-1.5-Cisco-1.25"');
    expect(e.hint).toContain('--transport ssh1');
    expect(e.details).toMatchObject({ port: d.ssh.port });
  });

  it('takes five sessions at most', async () => {
    const open: CliSession[] = [];
    try {
      for (let i = 0; i < 5; i++) open.push(await openSession(fx.opts('pix')));
      const e = await failure(openTransport({ ...fx.opts('pix'), connectTimeoutMs: 4000 }).then((t) => t.close()));
      expect(e.code).toBe('CONNECT_FAILED');
      expect(e.hint).toMatch(/session limit/);
    } finally {
      await Promise.all(open.map((s) => s.close()));
    }
  });
});

/** A one-connection TCP server that says `script` and records what the client sent. */
async function scriptedServer(
  script: (s: Socket) => void,
): Promise<{ port: number; received: () => Buffer; closed: Promise<void>; close: () => void }> {
  const chunks: Buffer[] = [];
  let onClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    onClosed = resolve;
  });
  const server = createServer((s) => {
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => onClosed());
    s.on('error', () => {});
    script(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, received: () => Buffer.concat(chunks), closed, close: () => server.close() };
}

describe('a broken SSH-1 server', () => {
  const open = (port: number, connectTimeoutMs = 4000) =>
    failure(
      openTransport({
        transport: 'ssh1',
        host: '127.0.0.1',
        port,
        username: 'pix',
        password: 'secret',
        hostKeyPolicy: 'off',
        connectTimeoutMs,
      }),
    );

  it('a packet with a bad CRC: PROTOCOL_ERROR, exit 3, nothing sent after the identification', async () => {
    const srv = await scriptedServer((s) => {
      s.write('SSH-1.5-Cisco-1.25\n');
      const pkt = new Ssh1PacketWriter().encode(MSG.SMSG_PUBLIC_KEY, Buffer.alloc(40, 1));
      pkt[pkt.length - 1] = (pkt[pkt.length - 1] as number) ^ 0xff;
      s.write(pkt);
    });
    try {
      const e = await open(srv.port);
      expect(e.code).toBe('PROTOCOL_ERROR');
      expect(e.exitCode).toBe(3);
      expect(e.message).toMatch(/CRC/);
      await srv.closed; // the client hung up: everything it sent has arrived
      expect(srv.received().toString('latin1')).toBe('SSH-1.5-asa_mailguard\n');
    } finally {
      srv.close();
    }
  });

  it('a length past 256 KB: PROTOCOL_ERROR at once', async () => {
    const srv = await scriptedServer((s) =>
      s.write(Buffer.concat([Buffer.from('SSH-1.5-x\n'), Buffer.from([0, 0x10, 0, 1])])),
    );
    try {
      const e = await open(srv.port);
      expect(e.code).toBe('PROTOCOL_ERROR');
      expect(e.message).toMatch(/packet length 1048577/);
    } finally {
      srv.close();
    }
  });

  it('a server that goes silent after its identification: CONNECT_TIMEOUT within the connect timeout', async () => {
    const srv = await scriptedServer((s) => s.write('SSH-1.5-Cisco-1.25\n'));
    const t0 = Date.now();
    try {
      const e = await open(srv.port, 800);
      expect(e.code).toBe('CONNECT_TIMEOUT');
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      srv.close();
    }
  });
});
