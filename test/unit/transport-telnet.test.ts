import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  DO,
  DONT,
  IAC,
  OPT_ECHO,
  OPT_SGA,
  openTelnet,
  SB,
  SE,
  TelnetCodec,
  WILL,
  WONT,
} from '../../src/transport/telnet.js';

const NAWS = 31;
const TTYPE = 24;

describe('telnet option negotiation (RFC 854/857/858)', () => {
  it('agrees to the server echoing and suppressing go-ahead, and to say its terminal type; refuses the rest', () => {
    const c = new TelnetCodec();
    const r = c.receive(
      Buffer.from([IAC, WILL, OPT_ECHO, IAC, WILL, OPT_SGA, IAC, DO, TTYPE, IAC, DO, NAWS, IAC, WILL, 5]),
    );
    expect([...r.replies]).toEqual([
      IAC,
      DO,
      OPT_ECHO,
      IAC,
      DO,
      OPT_SGA,
      IAC,
      WILL,
      TTYPE,
      IAC,
      WONT,
      NAWS,
      IAC,
      DONT,
      5,
    ]);
    expect(r.data.length).toBe(0);
  });

  it('never echoes itself (DO ECHO -> WONT) but performs SGA when asked', () => {
    const c = new TelnetCodec();
    expect([...c.receive(Buffer.from([IAC, DO, OPT_ECHO])).replies]).toEqual([IAC, WONT, OPT_ECHO]);
    expect([...c.receive(Buffer.from([IAC, DO, OPT_SGA])).replies]).toEqual([IAC, WILL, OPT_SGA]);
  });

  it('answers only state changes, so two peers cannot loop', () => {
    const c = new TelnetCodec();
    c.receive(Buffer.from([IAC, WILL, OPT_ECHO]));
    expect(c.receive(Buffer.from([IAC, WILL, OPT_ECHO])).replies.length).toBe(0);
    expect([...c.receive(Buffer.from([IAC, WONT, OPT_ECHO])).replies]).toEqual([IAC, DONT, OPT_ECHO]);
    expect(c.receive(Buffer.from([IAC, WONT, OPT_ECHO])).replies.length).toBe(0);
    expect(c.receive(Buffer.from([IAC, DONT, NAWS])).replies.length).toBe(0);
    c.receive(Buffer.from([IAC, DO, OPT_SGA]));
    expect([...c.receive(Buffer.from([IAC, DONT, OPT_SGA])).replies]).toEqual([IAC, WONT, OPT_SGA]);
  });

  it('keeps data around commands, un-doubles IAC IAC, skips sub-negotiation, across chunk boundaries', () => {
    const c = new TelnetCodec();
    const a = c.receive(Buffer.from([0x41, IAC]));
    const b = c.receive(Buffer.from([IAC, 0x42, IAC, SB, NAWS, 0, 80, IAC]));
    const d = c.receive(Buffer.from([SE, 0x43, IAC, WILL]));
    const e = c.receive(Buffer.from([OPT_SGA, 0x44]));
    expect(Buffer.concat([a.data, b.data, d.data, e.data])).toEqual(Buffer.from([0x41, IAC, 0x42, 0x43, 0x44]));
    expect([...e.replies]).toEqual([IAC, DO, OPT_SGA]);
  });

  it('RFC 1091: DO TTYPE right before an ASA `Username: ` -> WILL TTYPE; SEND -> IS VT100; the prompt stays data', () => {
    const c = new TelnetCodec();
    // asa-cli.md §1.8: the ASA's greeting ends in IAC DO TERMINAL-TYPE + `Username: `
    const r = c.receive(Buffer.from('\xff\xfd\x18Username: ', 'latin1'));
    expect([...r.replies]).toEqual([IAC, WILL, TTYPE]);
    expect(r.data.toString('latin1')).toBe('Username: ');
    const send = c.receive(Buffer.from([IAC, SB, TTYPE, 1, IAC, SE]));
    expect([...send.replies]).toEqual([IAC, SB, TTYPE, 0, ...Buffer.from('VT100'), IAC, SE]);
    expect(c.receive(Buffer.from([IAC, DO, TTYPE])).replies.length).toBe(0);
    // SEND for an option we refused is ignored
    expect(new TelnetCodec().receive(Buffer.from([IAC, SB, TTYPE, 1, IAC, SE])).replies.length).toBe(0);
  });

  it('escapes 0xFF in what it sends', () => {
    expect([...TelnetCodec.escape(Buffer.from([1, IAC, 2]))]).toEqual([1, IAC, IAC, 2]);
  });
});

describe('telnet transport over TCP on 127.0.0.1', () => {
  it('answers negotiation on the wire, passes data, sends CR LF lines', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const accepted = once(server, 'connection');
    const logs: string[] = [];
    const t = await openTelnet({ host: '127.0.0.1', port, connectTimeoutMs: 2000, log: (l) => logs.push(l) });
    const [sock] = (await accepted) as [Socket];
    const received: Buffer[] = [];
    sock.on('data', (d: Buffer) => received.push(d));
    const gotData = once(t, 'data');
    sock.write(Buffer.from([IAC, WILL, OPT_ECHO, IAC, DO, NAWS, ...Buffer.from('Password: ')]));
    const [data] = (await gotData) as [Buffer];
    expect(data.toString()).toBe('Password: ');
    t.write(`cisco${t.eol}`);
    await new Promise<void>((resolve) => {
      const check = () => (Buffer.concat(received).includes('cisco\r\n') ? resolve() : sock.once('data', check));
      check();
    });
    expect([...Buffer.concat(received).subarray(0, 6)]).toEqual([IAC, DO, OPT_ECHO, IAC, WONT, NAWS]);
    expect(logs[0]).toMatch(/clear text/);
    const closed = once(t, 'close');
    sock.end();
    await closed;
    expect(t.closed).toBe(true);
    server.close();
  });

  it('a closed port fails fast with CONNECT_FAILED', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    server.close();
    await once(server, 'close');
    await expect(openTelnet({ host: '127.0.0.1', port, connectTimeoutMs: 2000 })).rejects.toMatchObject({
      code: 'CONNECT_FAILED',
    });
  });
});
