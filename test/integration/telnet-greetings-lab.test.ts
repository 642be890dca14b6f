/**
 * The lab's telnet greetings byte for byte as asa-cli.md §1.8 gives them (nmap service-probe captures), and the
 * tool logging in over each: PIX without AAA (`PIX passwd: `), PIX 6.3 with AAA (CR CR LF), ASA with AAA with and
 * without IAC DO TERMINAL-TYPE right before `Username: `.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openSession } from '../../src/session/index.js';
import { labFixture } from '../helpers/lab.js';

const fx = labFixture(
  {
    devices: [
      { name: 'pix-po', dialect: 'pix6', telnetLogin: 'password-only' },
      { name: 'pix-aaa', dialect: 'pix6', telnetLogin: 'username-password' },
      { name: 'asa-tt', dialect: 'asa9', anonymousReportingQuestion: false },
      { name: 'asa-plain', dialect: 'asa9', anonymousReportingQuestion: false, telnetTerminalType: false },
    ],
    smtp: false,
  },
  'telnet-greet-',
);

/** Raw bytes until `until` appears (no answer to any option: the lab must not wait for one). */
async function firstBytes(port: number, until: string): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  let text = '';
  while (!text.endsWith(until)) {
    const [chunk] = (await once(sock, 'data')) as [Buffer];
    text += chunk.toString('latin1');
  }
  sock.destroy();
  return text;
}

const OFFERS = '\xff\xfb\x03\xff\xfb\x01\xff\xfb\x03\xff\xfb\x01';

describe('greetings on the wire', () => {
  it.each([
    ['pix-po', 'PIX passwd: ', `${OFFERS}\r\n\r\nPIX passwd: `],
    ['pix-aaa', 'Username: ', '\xff\xfb\x01\r\r\nUser Access Verification\r\r\n\r\r\nUsername: '],
    ['asa-tt', 'Username: ', `${OFFERS}\r\n\r\nUser Access Verification\r\n\r\n\xff\xfd\x18Username: `],
    ['asa-plain', 'Username: ', `${OFFERS}\r\n\r\nUser Access Verification\r\n\r\nUsername: `],
  ])('%s', async (name, until, bytes) => {
    expect(await firstBytes(fx.lab.device(name).info.telnet.port, until)).toBe(bytes);
  });
});

describe('the tool logs in over each', () => {
  it.each(['pix-po', 'pix-aaa', 'asa-tt', 'asa-plain'])('%s', async (name) => {
    const d = fx.lab.device(name).info;
    const s = await openSession({
      host: '127.0.0.1',
      port: d.telnet.port,
      transport: 'telnet',
      username: name === 'pix-po' ? undefined : d.username,
      password: d.password,
      enableSecret: d.enableSecret,
      timeouts: { connectMs: 4000, loginMs: 8000, commandMs: 8000 },
    });
    expect(s.mode).toBe('privileged');
    expect(await s.send('show hostname')).toBe(d.hostname);
    await s.close();
  });
});
