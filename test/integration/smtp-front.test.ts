/**
 * The Mailguard SMTP front over real TCP on 127.0.0.1: a raw net client talks through the front to a real
 * smtp-server backend. Expected shapes follow shared/reference/smtp-inspection.md §2 (T-A, T-C) and §8.
 */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MailguardEvent,
  type MailguardFront,
  type SmtpBackend,
  startDeviceSmtp,
  startMailguardFront,
  startSmtpBackend,
} from '../../src/lab/smtp/index.js';
import type { SmtpInspectionPolicy } from '../../src/lab/types.js';

/** A raw SMTP client that reads whole replies (final `NNN ` line) and notices when the peer closes. */
class RawClient {
  private buf = '';
  private closedFlag = false;
  private waiter: (() => void) | null = null;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.buf += c.toString('latin1');
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private until<T>(take: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`timeout waiting for ${what}; have ${JSON.stringify(this.buf)}`));
      }, timeoutMs);
      const check = () => {
        const v = take();
        if (v !== undefined) {
          clearTimeout(timer);
          this.waiter = null;
          resolve(v);
        } else if (this.closedFlag) {
          clearTimeout(timer);
          this.waiter = null;
          reject(new Error(`closed while waiting for ${what}; have ${JSON.stringify(this.buf)}`));
        }
      };
      this.waiter = check;
      check();
    });
  }

  /** One reply, as its raw lines (with CRLF). */
  reply(): Promise<string[]> {
    return this.until(() => {
      const lines: string[] = [];
      let rest = this.buf;
      for (;;) {
        const lf = rest.indexOf('\n');
        if (lf < 0) return undefined;
        const line = rest.slice(0, lf + 1);
        rest = rest.slice(lf + 1);
        lines.push(line);
        if (line[3] !== '-') {
          this.buf = rest;
          return lines;
        }
      }
    }, 'a reply');
  }

  async command(line: string): Promise<string[]> {
    this.socket.write(line);
    return this.reply();
  }

  /** Resolves with whatever was received once the peer closed the connection. */
  closed(): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connection still open')), 5000);
      const check = () => {
        if (this.closedFlag) {
          clearTimeout(timer);
          resolve(this.buf);
        }
      };
      this.waiter = check;
      check();
    });
  }

  end(): void {
    this.socket.destroy();
  }
}

/** Everything the backend sends until it answers `QUIT`, for a byte-identical comparison. */
async function session(port: number, commands: string[]): Promise<string> {
  const c = await RawClient.connect(port);
  let out = (await c.reply()).join('');
  for (const cmd of commands) out += (await c.command(cmd)).join('');
  c.end();
  return out;
}

const policyOf = (family: SmtpInspectionPolicy['family'], extra: Partial<SmtpInspectionPolicy> = {}) =>
  ({ active: true, family, maskBanner: true, allowTls: false, ports: [25], ...extra }) satisfies SmtpInspectionPolicy;

describe('Mailguard front before a Postfix-like backend', () => {
  let backend: SmtpBackend;
  let front: MailguardFront;
  let policy: SmtpInspectionPolicy = policyOf('asa-esmtp');
  const events: MailguardEvent[] = [];
  let greeting = '';

  let segmentWaiter: ((bytes: number) => void) | null = null;
  const sendAndWaitSegment = (c: RawClient, text: string) =>
    new Promise<void>((resolve) => {
      segmentWaiter = (bytes) => {
        if (bytes !== text.length) throw new Error(`segment of ${bytes} bytes, expected ${text.length}`);
        segmentWaiter = null;
        resolve();
      };
      c.socket.write(text);
    });

  beforeAll(async () => {
    backend = await startSmtpBackend({ flavor: 'postfix', hostname: 'mail.example.com' });
    front = await startMailguardFront({
      backend: backend.endpoint,
      policy: () => policy,
      onEvent: (e) => {
        if (e.type === 'client-segment') segmentWaiter?.(e.bytes);
        else events.push(e);
      },
    });
    const c = await RawClient.connect(backend.endpoint.port);
    greeting = (await c.reply()).join('');
    c.end();
  });
  afterAll(async () => {
    await front?.close();
    await backend?.close();
  });

  it('the backend greets like Postfix and advertises STARTTLS', async () => {
    expect(greeting).toBe('220 mail.example.com ESMTP Postfix\r\n');
    const c = await RawClient.connect(backend.endpoint.port);
    await c.reply();
    const ehlo = await c.command('EHLO client.example\r\n');
    expect(ehlo[0]).toBe('250-mail.example.com\r\n');
    expect(ehlo).toContain('250-STARTTLS\r\n');
    expect(await c.command('goodmorning\r\n')).toEqual(['500 5.5.2 Error: command not recognized\r\n']);
    c.end();
  });

  it('asa-esmtp: banner masked to the same length, STARTTLS -> 250-XXXXXXXA, unknown verb X-ed', async () => {
    policy = policyOf('asa-esmtp');
    const c = await RawClient.connect(front.endpoint.port);
    const [g] = await c.reply();
    expect(g).toBe(`220 ${'*'.repeat(greeting.length - 6)}\r\n`);
    expect(g?.length).toBe(greeting.length);
    const ehlo = await c.command('EHLO client.example\r\n');
    expect(ehlo[0]).toBe('250-mail.example.com\r\n'); // first line passes (T-C)
    expect(ehlo).toContain('250-XXXXXXXA\r\n'); // T-C
    expect(ehlo).not.toContain('250-STARTTLS\r\n');
    expect(ehlo).toContain('250-PIPELINING\r\n');
    expect(ehlo).toContain('250-AUTH LOGIN PLAIN\r\n');
    // The server sees `XXXXXXXXXXX` and answers its own error.
    expect(await c.command('goodmorning\r\n')).toEqual(['500 5.5.2 Error: command not recognized\r\n']);
    expect(await c.command('STARTTLS\r\n')).toEqual(['500 5.5.2 Error: command not recognized\r\n']);
    expect(await c.command('QUIT\r\n')).toEqual(['221 2.0.0 Bye\r\n']);
    c.end();
  });

  it('asa-esmtp: a command split over TCP segments is rewritten whole', async () => {
    policy = policyOf('asa-esmtp');
    const c = await RawClient.connect(front.endpoint.port);
    await c.reply();
    c.socket.setNoDelay(true);
    // Each first part must reach the front as its own segment before the rest is sent (no sleep: the front's event).
    await sendAndWaitSegment(c, 'EH');
    const ehlo = await c.command('LO split.example\r\n');
    expect(ehlo).toContain('250-XXXXXXXA\r\n');
    await sendAndWaitSegment(c, 'good');
    const reply = await c.command('morning\r\n');
    expect(reply).toEqual(['500 5.5.2 Error: command not recognized\r\n']);
    c.end();
  });

  it('asa-esmtp allow-tls: STARTTLS is advertised and answered 220 by the server', async () => {
    policy = policyOf('asa-esmtp', { allowTls: true });
    const c = await RawClient.connect(front.endpoint.port);
    await c.reply();
    const ehlo = await c.command('EHLO client.example\r\n');
    expect(ehlo).toContain('250-STARTTLS\r\n');
    const r = await c.command('STARTTLS\r\n');
    expect(r[0]).toMatch(/^220 /);
    c.end();
  });

  it('asa-esmtp allow-tls: after the 220 the front stops inspecting and a real TLS session runs', async () => {
    policy = policyOf('asa-esmtp', { allowTls: true });
    const c = await RawClient.connect(front.endpoint.port);
    await c.reply();
    await c.command('EHLO client.example\r\n');
    expect((await c.command('STARTTLS\r\n'))[0]).toMatch(/^220 /);
    c.socket.removeAllListeners('data');
    // Self-signed lab certificate: verification is not what this test is about.
    const secure = tls.connect({ socket: c.socket, rejectUnauthorized: false, servername: 'localhost' });
    await once(secure, 'secureConnect');
    secure.write('EHLO client.example\r\n');
    let text = '';
    for await (const chunk of secure) {
      text += (chunk as Buffer).toString('latin1');
      if (/^250 /m.test(text)) break;
    }
    // Inside TLS nothing is masked any more, and smtp-server no longer offers STARTTLS.
    expect(text).not.toMatch(/X{7}[A-Z]/);
    expect(text).toMatch(/^250-mail\.example\.com\r\n/);
    secure.destroy();
  });

  it('asa-esmtp no mask-banner: the greeting passes, EHLO is still masked', async () => {
    policy = policyOf('asa-esmtp', { maskBanner: false });
    const c = await RawClient.connect(front.endpoint.port);
    expect((await c.reply()).join('')).toBe(greeting);
    expect(await c.command('EHLO x.example\r\n')).toContain('250-XXXXXXXA\r\n');
    c.end();
  });

  it('pix-mailguard: banner keeps 2/0 only, EHLO refused by the server itself, HELO works (T-A)', async () => {
    policy = policyOf('pix-mailguard');
    const c = await RawClient.connect(front.endpoint.port);
    const [g] = await c.reply();
    expect(g).toBe(`220 ${'*'.repeat(greeting.length - 6)}\r\n`); // `mail.example.com ESMTP Postfix` has no 2/0
    // T-A: EHLO and AUTH get the server's unknown-command reply; no 250- extension list ever passes.
    expect(await c.command('EHLO client.example\r\n')).toEqual(['500 5.5.2 Error: command not recognized\r\n']);
    expect(await c.command('auth plain\r\n')).toEqual(['500 5.5.2 Error: command not recognized\r\n']);
    expect(await c.command('HELO client.example\r\n')).toEqual(['250 mail.example.com\r\n']);
    c.end();
  });

  it('pix-4: banner all `*`, refused verbs answered `250 OK` by the firewall, in order', async () => {
    policy = policyOf('pix-4');
    const c = await RawClient.connect(front.endpoint.port);
    const [g] = await c.reply();
    expect(g).toBe(`220 ${'*'.repeat(greeting.length - 6)}\r\n`);
    // Pipelined: the local OK must come after the server's reply to HELO.
    c.socket.write('HELO client.example\r\nEHLO client.example\r\nNOOP\r\n');
    expect(await c.reply()).toEqual(['250 mail.example.com\r\n']);
    expect(await c.reply()).toEqual(['250 OK\r\n']);
    expect(await c.reply()).toEqual(['250 2.0.0 OK\r\n']);
    c.end();
  });

  it('inspection off (`no inspect esmtp`): a new connection is byte-identical to the backend', async () => {
    const cmds = ['EHLO client.example\r\n', 'goodmorning\r\n', 'HELP\r\n', 'QUIT\r\n'];
    const direct = await session(backend.endpoint.port, cmds);
    policy = { ...policyOf('asa-esmtp'), active: false };
    expect(await session(front.endpoint.port, cmds)).toBe(direct);
    // Inspection on, but not for the front's port (e.g. only `fixup protocol smtp 2525`): clean too.
    policy = policyOf('pix-mailguard', { ports: [2525] });
    expect(await session(front.endpoint.port, cmds)).toBe(direct);
    expect(events.filter((e) => e.type === 'connection').at(-1)).toEqual({ type: 'connection', inspected: false });
  });

  it('the policy is read at each new connection: an open session keeps its mode', async () => {
    policy = policyOf('asa-esmtp');
    const c = await RawClient.connect(front.endpoint.port);
    expect((await c.reply())[0]).toMatch(/^220 \*+\r\n$/);
    policy = { ...policy, active: false };
    expect(await c.command('EHLO x.example\r\n')).toContain('250-XXXXXXXA\r\n');
    const fresh = await RawClient.connect(front.endpoint.port);
    expect((await fresh.reply()).join('')).toBe(greeting);
    c.end();
    fresh.end();
  });

  for (const family of ['asa-esmtp', 'pix-mailguard', 'pix-4'] as const) {
    it(`${family}: a full mail transaction passes through the front and reaches the backend`, async () => {
      policy = policyOf(family);
      const before = backend.messages.length;
      const c = await RawClient.connect(front.endpoint.port);
      await c.reply();
      expect((await c.command('HELO client.example\r\n'))[0]).toMatch(/^250 /);
      expect((await c.command('MAIL FROM:<a@client.example>\r\n'))[0]).toMatch(/^250 /);
      expect((await c.command('RCPT TO:<postmaster@example.com>\r\n'))[0]).toMatch(/^250 /);
      expect((await c.command('DATA\r\n'))[0]).toMatch(/^354 /);
      // Body lines that look like commands must pass untouched (no X-ing inside DATA).
      const body = `Subject: ${family}\r\nFrom: a@client.example\r\n\r\nEHLO is not a command here\r\nSTARTTLS\r\n..dot-stuffed\r\n`;
      c.socket.write(`${body}.\r\n`);
      expect((await c.reply())[0]).toMatch(/^250 /);
      expect(await c.command('QUIT\r\n')).toEqual(['221 2.0.0 Bye\r\n']);
      c.end();
      const msgs = await backend.waitForMessages(before + 1);
      const m = msgs[before];
      expect(m?.from).toBe('a@client.example');
      expect(m?.to).toEqual(['postmaster@example.com']);
      expect(m?.data.toString('latin1')).toBe(body.replace('..dot', '.dot'));
    });
  }

  it('asa-esmtp: AUTH LOGIN answers after 334 pass unmasked; `|` in RCPT reaches the server as a space', async () => {
    policy = policyOf('asa-esmtp');
    const c = await RawClient.connect(front.endpoint.port);
    await c.reply();
    await c.command('EHLO client.example\r\n');
    expect((await c.command('AUTH LOGIN\r\n'))[0]).toMatch(/^334 /);
    // Base64 answers are not commands: X-ing them would change the user name the server decodes.
    expect((await c.command(`${Buffer.from('labuser').toString('base64')}\r\n`))[0]).toMatch(/^334 /);
    expect((await c.command(`${Buffer.from('not-a-secret').toString('base64')}\r\n`))[0]).toMatch(/^235 /);
    expect(backend.logins.at(-1)).toBe('labuser');
    await c.command('MAIL FROM:<a@client.example>\r\n');
    // smtp-server refuses a space inside an address: the reply proves the `|` was turned into one in transit.
    const direct = await RawClient.connect(backend.endpoint.port);
    await direct.reply();
    await direct.command('EHLO client.example\r\n');
    await direct.command('MAIL FROM:<a@client.example>\r\n');
    const withSpace = await direct.command('RCPT TO:<b c@example.com>\r\n');
    const withPipe = await direct.command('RCPT TO:<b|c@example.com>\r\n');
    direct.end();
    expect(withSpace).not.toEqual(withPipe);
    expect(await c.command('RCPT TO:<b|c@example.com>\r\n')).toEqual(withSpace);
    expect(events.at(-1)).toEqual({ type: 'special-character', verb: 'RCPT' });
    c.end();
  });

  it('asa-esmtp: a command line over 512 bytes drops the connection with no reply', async () => {
    policy = policyOf('asa-esmtp');
    const c = await RawClient.connect(front.endpoint.port);
    await c.reply();
    // 512 bytes with CRLF still passes.
    const ok = `NOOP ${'a'.repeat(505)}\r\n`;
    expect(ok.length).toBe(512);
    expect((await c.command(ok))[0]).toMatch(/^250 /);
    c.socket.write(`NOOP ${'a'.repeat(506)}\r\n`);
    expect(await c.closed()).toBe('');
    expect(events.at(-1)).toEqual({ type: 'drop', reason: 'command-line-length' });
  });

  it('asa-esmtp: a long line without CRLF is dropped as soon as it passes 512 bytes', async () => {
    policy = policyOf('asa-esmtp');
    const c = await RawClient.connect(front.endpoint.port);
    await c.reply();
    c.socket.write('X'.repeat(600));
    expect(await c.closed()).toBe('');
  });

  it('asa-esmtp: a sender address over 320 bytes drops the connection', async () => {
    policy = policyOf('asa-esmtp');
    const c = await RawClient.connect(front.endpoint.port);
    await c.reply();
    await c.command('HELO client.example\r\n');
    c.socket.write(`MAIL FROM:<${'s'.repeat(309)}@example.com>\r\n`);
    expect(await c.closed()).toBe('');
    expect(events.at(-1)).toEqual({ type: 'drop', reason: 'sender-address-length' });
  });

  it('asa-esmtp: a header line over 998 bytes drops the connection; a body line over 998 passes', async () => {
    policy = policyOf('asa-esmtp');
    const start = async () => {
      const c = await RawClient.connect(front.endpoint.port);
      await c.reply();
      await c.command('HELO client.example\r\n');
      await c.command('MAIL FROM:<a@client.example>\r\n');
      await c.command('RCPT TO:<b@example.com>\r\n');
      expect((await c.command('DATA\r\n'))[0]).toMatch(/^354 /);
      return c;
    };
    const before = backend.messages.length;
    const ok = await start();
    const longBody = `Subject: long body\r\n\r\n${'b'.repeat(1200)}\r\n`;
    ok.socket.write(`${longBody}.\r\n`);
    expect((await ok.reply())[0]).toMatch(/^250 /);
    ok.end();
    expect((await backend.waitForMessages(before + 1))[before]?.data.toString('latin1')).toBe(longBody);

    const bad = await start();
    bad.socket.write(`Subject: ${'h'.repeat(990)}\r\n\r\nbody\r\n.\r\n`);
    expect(await bad.closed()).toBe('');
    expect(events.at(-1)).toEqual({ type: 'drop', reason: 'header-line-length' });
  });

  it('asa-esmtp: the 101st RCPT of a transaction drops the connection', async () => {
    policy = policyOf('asa-esmtp');
    const c = await RawClient.connect(front.endpoint.port);
    await c.reply();
    await c.command('HELO client.example\r\n');
    await c.command('MAIL FROM:<a@client.example>\r\n');
    for (let i = 0; i < 100; i++) {
      expect((await c.command(`RCPT TO:<r${i}@example.com>\r\n`))[0]).toMatch(/^250 /);
    }
    c.socket.write('RCPT TO:<r100@example.com>\r\n');
    expect(await c.closed()).toBe('');
    expect(events.at(-1)).toEqual({ type: 'drop', reason: 'rcpt-count' });
  });
});

describe('Mailguard front before an Exchange-like backend', () => {
  let backend: SmtpBackend;
  let front: MailguardFront;

  beforeAll(async () => {
    backend = await startSmtpBackend({ flavor: 'exchange', hostname: 'mail1.fabrikam.com' });
    front = await startMailguardFront({ backend: backend.endpoint, policy: () => policyOf('asa-esmtp') });
  });
  afterAll(async () => {
    await front?.close();
    await backend?.close();
  });

  it('greets like Exchange; through ASA the banner is masked and SMTPUTF8/STARTTLS become A/B', async () => {
    const d = await RawClient.connect(backend.endpoint.port);
    const [g] = await d.reply();
    expect(g).toMatch(/^220 mail1\.fabrikam\.com Microsoft ESMTP MAIL Service ready at .+ \+0000\r\n$/);
    const direct = await d.command('EHLO client.example\r\n');
    expect(direct[0]).toBe('250-mail1.fabrikam.com Hello [127.0.0.1]\r\n');
    d.end();

    const c = await RawClient.connect(front.endpoint.port);
    const [mg] = await c.reply();
    expect(mg?.length).toBe(g?.length);
    expect(mg).toMatch(/^220 \*+\r\n$/);
    const ehlo = await c.command('EHLO client.example\r\n');
    expect(ehlo[0]).toBe(direct[0]);
    expect(ehlo).toContain('250-XXXXXXXA\r\n'); // SMTPUTF8 (8 bytes)
    expect(ehlo).toContain('250-XXXXXXXB\r\n'); // STARTTLS
    expect(ehlo).toContain('250-AUTH NTLM LOGIN\r\n');
    expect(ehlo.at(-1)).toBe('250 SIZE 37748736\r\n');
    c.end();
  });
});

describe('startDeviceSmtp', () => {
  it('starts backend and front together; passTraffic=false (device reloading) resets new connections', async () => {
    let up = true;
    const smtp = await startDeviceSmtp({
      flavor: 'postfix',
      policy: () => policyOf('pix-mailguard'),
      passTraffic: () => up,
    });
    try {
      const c = await RawClient.connect(smtp.front.endpoint.port);
      expect(await c.reply()).toEqual([`220 ${'*'.repeat('mail.example.com ESMTP Postfix'.length)}\r\n`]);
      c.end();
      up = false;
      // The reset may arrive before or after the client saw its connect: either way no byte, then close.
      const received = await new Promise<string>((resolve) => {
        let data = '';
        const s = net.connect({ host: '127.0.0.1', port: smtp.front.endpoint.port });
        s.on('data', (d: Buffer) => {
          data += d.toString('latin1');
        });
        s.on('error', () => {});
        s.on('close', () => resolve(data));
      });
      expect(received).toBe('');
      // A port already taken gives a typed error naming the cause.
      await expect(
        startMailguardFront({
          backend: smtp.backend.endpoint,
          policy: () => policyOf('asa-esmtp'),
          port: smtp.front.endpoint.port,
        }),
      ).rejects.toMatchObject({ code: 'INTERNAL', hint: expect.stringContaining('free port') });
      await expect(startSmtpBackend({ flavor: 'exchange', port: smtp.backend.endpoint.port })).rejects.toMatchObject({
        code: 'INTERNAL',
      });
    } finally {
      await smtp.close();
    }
  });
});
