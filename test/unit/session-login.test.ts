/**
 * Login prompt learning at a chunk boundary the lab cannot produce on purpose: a banner line that looks like a
 * prompt ends a TCP chunk. A scripted byte stream stands in for the transport (device text shapes from
 * asa_login-banner_1.txt; the banner line itself is invented for the test).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AsaCliSession } from '../../src/session/session.js';
import { TelnetCodec } from '../../src/transport/telnet.js';
import type { Transport } from '../../src/transport/types.js';

class ScriptedTransport extends EventEmitter implements Transport {
  kind: 'ssh' | 'telnet' = 'ssh';
  eol = '\n';
  readonly hostKeyFingerprint = null;
  closed = false;
  readonly written: string[] = [];
  constructor(private readonly replies: Array<[RegExp, string[]]>) {
    super();
  }
  /** Emit chunks one event-loop turn apart, like separate TCP segments. */
  send(chunks: string[]): void {
    let p = Promise.resolve();
    for (const c of chunks) {
      p = p.then(
        () =>
          new Promise<void>((r) =>
            setImmediate(() => {
              this.emit('data', Buffer.from(c));
              r();
            }),
          ),
      );
    }
  }
  write(data: string | Buffer): void {
    const text = data.toString();
    this.written.push(text);
    const i = this.replies.findIndex(([re]) => re.test(text));
    if (i >= 0) {
      const [, chunks] = this.replies.splice(i, 1)[0] as [RegExp, string[]];
      this.send(chunks);
    }
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', 'closed');
  }
}

describe('prompt learning', () => {
  it('a banner line cut at a chunk end is not taken for the prompt, and no stray prompt is left behind', async () => {
    const t = new ScriptedTransport([
      // the rest of the banner arrives, then the answer to the empty line: two real prompts
      [
        /^\n$/,
        [
          "\r\nUser admin logged in to fw1\r\nType help or '?' for a list of available commands.\r\n\rfw1> ",
          '\r\n\rfw1> ',
        ],
      ],
      [/^enable\n$/, ['enable\r\nPassword: ']],
      [/^s3cret\n$/, ['*****\r\n\rfw1# ']],
      [/^terminal pager 0\n$/, ['terminal pager 0\r\n\rfw1# ']],
      [/^show hostname\n$/, ['show hostname\r\nfw1\r\n\rfw1# ']],
    ]);
    const logs: string[] = [];
    const s = new AsaCliSession(t, {
      host: 'scripted',
      transport: 'ssh',
      enableSecret: 's3cret',
      onLog: (l) => logs.push(l),
    });
    t.send(['*** Authorized use only ***\r\nfake-host# ']);
    await s.login();
    expect(s.prompt).toBe('fw1#');
    expect(logs.join('\n')).toContain('The banner line "fake-host#" looked like a prompt');
    expect(await s.send('show hostname')).toBe('fw1');
    expect(t.written).toEqual(['\n', 'enable\n', 's3cret\n', 'terminal pager 0\n', 'show hostname\n']);
    expect(s.transcript()).not.toContain('s3cret');
    await s.close();
  });
});

/**
 * The telnet greetings byte for byte (asa-cli.md §1.8, nmap service-probe captures), through the telnet codec as the
 * transport does: the session must find each login question, whatever the line ends and option bytes around it.
 */
describe('telnet greetings of real units', () => {
  /**
   * The device side after the password: banner, prompt, then enable and the pager. Shaped as the capture
   * asa_login-banner_1.txt (oxidized: `Type help or '?'…`, `\r` before each prompt, one `*` per enable-password
   * character, `terminal pager 0` answered by a prompt only); the PIX `pager 0` reply and the greetings' line ends
   * after the password are [unverified] (no capture of a PIX login past `PIX passwd: `).
   */
  const rest = (prompt: string, eol: string): Array<[RegExp, string[]]> => [
    [/^pw1\r\n$/, [`${eol}Type help or '?' for a list of available commands.${eol}\r${prompt}> `]],
    [/^\r\n$/, [`${eol}\r${prompt}> `]],
    [/^enable\r\n$/, ['enable\r\nPassword: ']],
    [/^en1\r\n$/, [`*****\r\n\r${prompt}# `]],
    [/^(terminal pager 0|no pager)\r\n$/, [`terminal pager 0\r\n\r${prompt}# `]],
    [/^pager 0\r\n$/, [`pager 0\r\n\r${prompt}# `]],
  ];

  async function loginWith(greeting: string, replies: Array<[RegExp, string[]]>, username?: string) {
    const codec = new TelnetCodec();
    const t = new ScriptedTransport(replies);
    t.kind = 'telnet';
    t.eol = '\r\n';
    const s = new AsaCliSession(t, {
      host: 'scripted',
      transport: 'telnet',
      username,
      password: 'pw1',
      enableSecret: 'en1',
      timeouts: { loginMs: 5000 },
    });
    const { data } = codec.receive(Buffer.from(greeting, 'latin1'));
    t.send([data.toString('latin1')]);
    await s.login();
    await s.close();
    return { s, written: t.written };
  }

  it('PIX without AAA: `PIX passwd: ` gets the password (no username asked)', async () => {
    const { s, written } = await loginWith(
      '\xff\xfb\x03\xff\xfb\x01\xff\xfb\x03\xff\xfb\x01\r\n\r\nPIX passwd: ',
      rest('pix', '\r\n'),
    );
    expect(written[0]).toBe('pw1\r\n');
    expect(s.prompt).toBe('pix#');
  });

  it('PIX 6.3 with AAA: CR CR LF line ends, `Username:` then `Password:`', async () => {
    const { s, written } = await loginWith(
      '\xff\xfb\x01\r\r\nUser Access Verification\r\r\n\r\r\nUsername: ',
      [[/^admin\r\n$/, ['admin\r\r\nPassword: ']], ...rest('pix', '\r\r\n')],
      'admin',
    );
    expect(written.slice(0, 2)).toEqual(['admin\r\n', 'pw1\r\n']);
    expect(s.prompt).toBe('pix#');
  });

  it.each([
    ['with', '\xff\xfd\x18'],
    ['without', ''],
  ])('ASA with AAA, %s IAC DO TERMINAL-TYPE right before `Username: `', async (_w, ttype) => {
    const { s, written } = await loginWith(
      `\xff\xfb\x03\xff\xfb\x01\xff\xfb\x03\xff\xfb\x01\r\n\r\nUser Access Verification\r\n\r\n${ttype}Username: `,
      [[/^admin\r\n$/, ['admin\r\nPassword: ']], ...rest('asa', '\r\n')],
      'admin',
    );
    expect(written.slice(0, 2)).toEqual(['admin\r\n', 'pw1\r\n']);
    expect(s.prompt).toBe('asa#');
  });
});
