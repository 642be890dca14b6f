/**
 * Telnet transport with option negotiation (RFC 854 NVT, RFC 857 ECHO, RFC 858 SUPPRESS-GO-AHEAD).
 * Hand-written: telnet-client brings its own prompt/expect logic (that is our session layer's job) and
 * telnet-stream only splits IAC sequences, leaving the negotiation policy to us anyway; this is ~150 lines.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { MailguardError, secondsWords, systemErrorWords } from '../errors.js';
import type { LogFn, Transport } from './types.js';

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;
export const OPT_ECHO = 1;
export const OPT_SGA = 3;
export const OPT_TTYPE = 24;
/** NAWS (RFC 1073): only the lab's telnet server names it (it asks a client's window size). */
export const OPT_NAWS = 31;
const TTYPE_IS = 0;
const TTYPE_SEND = 1;
/** What we say we are when asked (RFC 1091): the SSH transport's pty asks for vt100 too. */
export const TERMINAL_TYPE = 'VT100';

type ParseState = 'data' | 'iac' | 'verb' | 'sb' | 'sb-iac';

/**
 * Pure telnet codec: feed received bytes, get application data and the negotiation replies to send.
 * Policy: the server may ECHO and SUPPRESS-GO-AHEAD (we answer DO); we ourselves agree to SGA and, as the
 * common clients do, to TERMINAL-TYPE (RFC 1091: WILL TTYPE, then SB TTYPE IS VT100 when the server sends SEND;
 * an ASA asks DO TTYPE right before `Username: `). Everything else is refused. Replies are sent only when they change the option's state (RFC 854 loop rule).
 */
export class TelnetCodec {
  private state: ParseState = 'data';
  private verb = 0;
  private sb: number[] = [];
  /** Options the server performs (it said WILL and we agreed). */
  private readonly remoteOn = new Set<number>();
  /** Options we perform (it said DO and we agreed). */
  private readonly localOn = new Set<number>();

  receive(chunk: Buffer): { data: Buffer; replies: Buffer } {
    const data: number[] = [];
    const replies: number[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'data':
          if (b === IAC) this.state = 'iac';
          else data.push(b);
          break;
        case 'iac':
          if (b === IAC) {
            data.push(IAC);
            this.state = 'data';
          } else if (b === WILL || b === WONT || b === DO || b === DONT) {
            this.verb = b;
            this.state = 'verb';
          } else if (b === SB) {
            this.sb = [];
            this.state = 'sb';
          } else {
            this.state = 'data'; // NOP, GA, DM, BRK, AYT...: no data, nothing to answer
          }
          break;
        case 'verb':
          replies.push(...this.negotiate(this.verb, b));
          this.state = 'data';
          break;
        case 'sb':
          if (b === IAC) this.state = 'sb-iac';
          else this.sb.push(b);
          break;
        case 'sb-iac':
          if (b === SE) {
            replies.push(...this.subnegotiate(this.sb));
            this.sb = [];
            this.state = 'data';
          } else {
            if (b === IAC) this.sb.push(IAC);
            this.state = 'sb';
          }
          break;
      }
    }
    return { data: Buffer.from(data), replies: Buffer.from(replies) };
  }

  /** `SB TTYPE SEND` -> `SB TTYPE IS VT100`; any other sub-negotiation is for an option we refused: ignored. */
  private subnegotiate(sb: number[]): number[] {
    if (sb[0] === OPT_TTYPE && sb[1] === TTYPE_SEND && this.localOn.has(OPT_TTYPE)) {
      return [IAC, SB, OPT_TTYPE, TTYPE_IS, ...Buffer.from(TERMINAL_TYPE, 'latin1'), IAC, SE];
    }
    return [];
  }

  private negotiate(verb: number, opt: number): number[] {
    switch (verb) {
      case WILL: {
        const ok = opt === OPT_ECHO || opt === OPT_SGA;
        if (ok) {
          if (this.remoteOn.has(opt)) return [];
          this.remoteOn.add(opt);
          return [IAC, DO, opt];
        }
        return [IAC, DONT, opt];
      }
      case WONT:
        if (!this.remoteOn.has(opt)) return [];
        this.remoteOn.delete(opt);
        return [IAC, DONT, opt];
      case DO: {
        if (opt === OPT_SGA || opt === OPT_TTYPE) {
          if (this.localOn.has(opt)) return [];
          this.localOn.add(opt);
          return [IAC, WILL, opt];
        }
        return [IAC, WONT, opt]; // includes DO ECHO: the device echoes, we must not
      }
      case DONT:
        if (!this.localOn.has(opt)) return [];
        this.localOn.delete(opt);
        return [IAC, WONT, opt];
      default:
        return [];
    }
  }

  /** Double any 0xFF data byte (RFC 854). */
  static escape(data: Buffer): Buffer {
    if (!data.includes(IAC)) return data;
    const out: number[] = [];
    for (const b of data) {
      out.push(b);
      if (b === IAC) out.push(IAC);
    }
    return Buffer.from(out);
  }
}

export interface TelnetTransportOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  log?: LogFn;
}

class TelnetTransport extends EventEmitter implements Transport {
  readonly kind = 'telnet' as const;
  /** NVT end of line (RFC 854). */
  readonly eol = '\r\n';
  readonly hostKeyFingerprint = null;
  closed = false;
  private readonly codec = new TelnetCodec();
  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      const { data, replies } = this.codec.receive(chunk);
      if (replies.length > 0 && !socket.destroyed) socket.write(replies);
      if (data.length > 0) this.emit('data', data);
    });
    socket.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.emit('close', 'connection closed');
    });
    socket.on('error', () => {
      /* 'close' follows */
    });
  }
  write(data: string | Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(TelnetCodec.escape(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
  }
  close(): void {
    if (!this.socket.destroyed) this.socket.end();
    this.socket.destroySoon?.();
  }
}

export function openTelnet(opts: TelnetTransportOptions): Promise<Transport> {
  opts.log?.(
    `warning: telnet to ${opts.host}:${opts.port} sends the password and enable secret in clear text; prefer SSH`,
  );
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const where = `${opts.host}:${opts.port}`;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new MailguardError(
          'CONNECT_TIMEOUT',
          `No telnet connection to ${where} within ${secondsWords(opts.connectTimeoutMs)}`,
          {
            hint: 'Check reachability and filtering of the management address, or raise --connect-timeout.',
            details: { host: opts.host, port: opts.port },
          },
        ),
      );
    }, opts.connectTimeoutMs);
    socket.once('error', (err: Error & { code?: string }) => {
      clearTimeout(timer);
      socket.destroy();
      const refused = err.code === 'ECONNREFUSED';
      reject(
        new MailguardError(
          'CONNECT_FAILED',
          refused ? `Connection refused by ${where}` : `Telnet to ${where} failed: ${systemErrorWords(err)}`,
          {
            hint: refused
              ? 'Check the port and that telnet is allowed for your address on the device (`telnet <your-ip> <mask> <interface>`).'
              : 'Check the address and port.',
            details: { host: opts.host, port: opts.port, errno: err.code },
          },
        ),
      );
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(new TelnetTransport(socket));
    });
    socket.connect(opts.port, opts.host);
  });
}
