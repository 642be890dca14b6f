/**
 * Telnet front of an emulated device. Hand-written (no maintained npm telnet server fits): RFC 854 NVT with the
 * options a Cisco box negotiates (WILL SGA and WILL ECHO first; an ASA asks DO TERMINAL-TYPE before `Username: `, see
 * cli/login.ts and asa-cli.md §1.8); others are refused.
 */
import { createServer, type Socket } from 'node:net';
import {
  DO,
  DONT,
  OPT_ECHO as ECHO,
  IAC,
  OPT_NAWS as NAWS,
  SB,
  SE,
  OPT_SGA as SGA,
  OPT_TTYPE as TTYPE,
  WILL,
  WONT,
} from '../../transport/telnet.js';
import type { DeviceEmulator } from '../device.js';
import type { Endpoint } from '../types.js';
import { listen } from './listen.js';
import type { RunningServer } from './ssh.js';

/** Strips telnet commands from client bytes and answers option requests. */
export class TelnetParser {
  private state: 'data' | 'iac' | 'opt' | 'sb' | 'sb-iac' = 'data';
  private verb = 0;
  private answered = new Set<string>();

  constructor(private readonly reply: (b: Buffer) => void) {}

  feed(chunk: Buffer): Buffer {
    const out: number[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'data':
          if (b === IAC) this.state = 'iac';
          else out.push(b);
          break;
        case 'iac':
          if (b === IAC) {
            out.push(IAC);
            this.state = 'data';
          } else if (b === WILL || b === WONT || b === DO || b === DONT) {
            this.verb = b;
            this.state = 'opt';
          } else if (b === SB) this.state = 'sb';
          else this.state = 'data';
          break;
        case 'opt':
          this.option(this.verb, b);
          this.state = 'data';
          break;
        case 'sb':
          if (b === IAC) this.state = 'sb-iac';
          break;
        case 'sb-iac':
          this.state = b === SE ? 'data' : 'sb';
          break;
      }
    }
    return Buffer.from(out);
  }

  private option(verb: number, opt: number): void {
    const key = `${verb}:${opt}`;
    if (this.answered.has(key)) return;
    this.answered.add(key);
    if (verb === DO && opt !== ECHO && opt !== SGA) this.reply(Buffer.from([IAC, WONT, opt]));
    // WILL TTYPE / WILL NAWS answer our DO: nothing more to say (their values are not used).
    else if (verb === WILL && opt !== TTYPE && opt !== NAWS)
      this.reply(Buffer.from([IAC, opt === SGA ? DO : DONT, opt]));
  }
}

export function escapeIac(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  if (!b.includes(IAC)) return b;
  const out: number[] = [];
  for (const x of b) {
    out.push(x);
    if (x === IAC) out.push(IAC);
  }
  return Buffer.from(out);
}

export async function startTelnetServer(device: DeviceEmulator, host: string, port = 0): Promise<RunningServer> {
  const server = createServer((socket: Socket) => {
    if (!device.isUp()) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.on('error', () => {});
    const parser = new TelnetParser((b) => socket.write(b));
    const conn = device.openConnection(
      { transport: 'telnet', login: device.opts.telnetLogin },
      {
        write: (s) => {
          if (!socket.destroyed) socket.write(escapeIac(s));
        },
        telnet: (b) => {
          if (!socket.destroyed) socket.write(b);
        },
        close: () => {
          socket.end();
          setTimeout(() => socket.destroy(), 200).unref();
        },
      },
    );
    socket.on('data', (d: Buffer) => {
      const data = parser.feed(d);
      if (data.length) conn.feed(data);
    });
    socket.on('close', () => {
      conn.endInput();
      conn.close();
    });
    conn.start();
  });
  const endpoint: Endpoint = await listen(server, host, port);
  return { endpoint, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
