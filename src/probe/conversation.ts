/**
 * One SMTP conversation with one address, recorded line by line.
 *
 * Hand-written on node:net instead of an SMTP client library: the probe must control every byte and its timing (one
 * write per command, nothing sent before the final greeting line since postscreen drops early talkers, never MAIL,
 * RCPT or DATA) and must keep exactly what came back, masked or malformed replies included, which libraries reject.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { secondsWords, systemErrorWords } from '../errors.js';
import type { ConversationOptions, ProbeEventKind, ProbePhase, SmtpTranscript, TranscriptEntry } from './types.js';

export const DEFAULT_GREETING_TIMEOUT_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_EHLO_NAME = 'mailguard-probe.invalid';
export const DEFAULT_UNKNOWN_VERB = 'GOODMORNING';
/** A reply line longer than this is cut (RFC 5321 allows 512); keeps a hostile server from filling memory. */
const MAX_LINE = 2048;
/** Total bytes accepted from one server. */
const MAX_BYTES = 64 * 1024;
/** How long to wait for the server's FIN after our QUIT before destroying the socket (never awaited). */
const CLOSE_GRACE_MS = 2000;

type Stream = net.Socket | tls.TLSSocket;
type Reply =
  | { ok: true; lines: string[]; code: number | null }
  | { ok: false; lines: string[]; failed: ProbeEventKind };

/** A continuation line is `NNN-...`; anything else (including malformed lines) ends the reply. */
export function isFinalReplyLine(line: string): boolean {
  return !/^\d{3}-/.test(line);
}

export function replyCode(line: string): number | null {
  const m = /^(\d{3})(?:[ -]|$)/.exec(line) ?? /^(\d{3})/.exec(line);
  return m ? Number(m[1]) : null;
}

/** Reads server lines into the transcript as they arrive and hands complete replies to one waiter at a time. */
class Wire {
  readonly entries: TranscriptEntry[] = [];
  phase: ProbePhase = 'connect';
  private readonly t0 = performance.now();
  private buf = '';
  private bytes = 0;
  private readonly pending: string[] = [];
  private ended: ProbeEventKind | null = null;
  private closing = false;
  private waiter: (() => void) | null = null;
  private stream: Stream | null = null;

  now(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }

  /** `errno`: the system error's code (ECONNREFUSED...), kept for --json while `text` says it in words. */
  event(event: ProbeEventKind, text: string, errno?: string): void {
    this.entries.push({ t: this.now(), dir: '*', event, text, phase: this.phase, ...(errno ? { errno } : {}) });
  }

  attach(stream: Stream): void {
    this.stream = stream;
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
  }

  detach(stream: Stream): void {
    stream.off('data', this.onData);
    stream.off('end', this.onEnd);
    stream.off('error', this.onError);
    stream.off('close', this.onClose);
    this.stream = null;
  }

  get isEnded(): boolean {
    return this.ended !== null;
  }

  /** One command, one write, CRLF-terminated: the ASA X's commands that arrive in pieces. */
  send(command: string): void {
    this.entries.push({ t: this.now(), dir: 'C', text: command });
    this.stream?.write(`${command}\r\n`);
  }

  /** Waits for a whole reply (up to its final line) or for the end of the connection, at most `timeoutMs`. */
  readReply(timeoutMs: number, phase: ProbePhase): Promise<Reply> {
    this.phase = phase;
    const lines: string[] = [];
    return new Promise((resolve) => {
      const finish = (r: Reply) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.event(
          'timeout',
          `no ${phase === 'greeting' ? 'complete greeting' : 'reply'} within ${secondsWords(timeoutMs)}`,
        );
        finish({ ok: false, lines, failed: 'timeout' });
      }, timeoutMs);
      const check = () => {
        while (this.pending.length > 0) {
          const line = this.pending.shift() as string;
          lines.push(line);
          if (isFinalReplyLine(line)) return finish({ ok: true, lines, code: replyCode(line) });
        }
        if (this.ended) finish({ ok: false, lines, failed: this.ended });
      };
      this.waiter = check;
      check();
    });
  }

  /**
   * After a QUIT reply, ends our side politely (destroyed later if the server never closes); otherwise (timeout,
   * refusal, tarpit) destroys at once so nothing waits on a server that stopped talking. Never awaited.
   */
  close(graceful: boolean): void {
    this.closing = true;
    const stream = this.stream;
    if (!stream) return;
    // Keep an error listener: a late RST after we are done must not crash the process.
    stream.on('error', () => {});
    if (!graceful) {
      stream.destroy();
      return;
    }
    stream.end();
    setTimeout(() => stream.destroy(), CLOSE_GRACE_MS).unref();
  }

  private pushLine(text: string, eol: 'CRLF' | 'LF' | 'none'): void {
    this.entries.push({ t: this.now(), dir: 'S', text, eol });
    this.pending.push(text);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closing) return;
    this.bytes += chunk.length;
    // latin1 keeps one char per byte, so masked lengths and odd bytes survive exactly.
    this.buf += chunk.toString('latin1');
    for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
      const raw = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      if (raw.endsWith('\r')) this.pushLine(raw.slice(0, -1), 'CRLF');
      else this.pushLine(raw, 'LF');
    }
    if (this.buf.length > MAX_LINE) {
      this.pushLine(this.buf.slice(0, MAX_LINE), 'none');
      this.buf = '';
    }
    if (this.bytes > MAX_BYTES) {
      this.event('limit', `more than ${MAX_BYTES} bytes from the server; stopped reading`);
      this.ended = 'limit';
      this.stream?.destroy();
    }
    this.waiter?.();
  };

  private readonly onEnd = (): void => {
    if (this.closing || this.ended) return;
    if (this.buf.length > 0) {
      this.pushLine(this.buf, 'none');
      this.buf = '';
    }
    this.ended = 'closed';
    this.event('closed', 'the server closed the connection');
    this.waiter?.();
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    if (this.closing || this.ended) return;
    const kind: ProbeEventKind = this.phase === 'tls' ? 'tls-failed' : err.code === 'ECONNRESET' ? 'reset' : 'error';
    this.ended = kind;
    this.event(kind, kind === 'reset' ? 'connection reset by peer' : failureWords(err), err.code);
    this.waiter?.();
  };

  private readonly onClose = (): void => {
    if (this.closing || this.ended) return;
    this.ended = 'closed';
    this.event('closed', 'the connection closed');
    this.waiter?.();
  };
}

/** A socket or TLS failure in words: OpenSSL's reason (`wrong version number`), else the errno's meaning. */
function failureWords(err: NodeJS.ErrnoException & { reason?: unknown }): string {
  if (typeof err.reason === 'string' && err.reason !== '') return `TLS handshake failed: ${err.reason}`;
  return systemErrorWords(err);
}

function connect(wire: Wire, address: string, port: number, timeoutMs: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      wire.event('connect-failed', `no TCP connection within ${secondsWords(timeoutMs)}`);
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      socket.off('error', onError);
      wire.event('connected', `connected to ${address} port ${port}`);
      resolve(socket);
    });
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      wire.event('connect-failed', failureWords(err), err.code);
      resolve(null);
    };
    socket.once('error', onError);
  });
}

function upgradeToTls(wire: Wire, socket: net.Socket, host: string | undefined, timeoutMs: number): Promise<boolean> {
  wire.detach(socket);
  wire.phase = 'tls';
  // rejectUnauthorized false: the probe only reports whether TLS negotiates, it sends nothing secret over it.
  const secure = tls.connect({
    socket,
    rejectUnauthorized: false,
    servername: host && !net.isIP(host) ? host : undefined,
  });
  wire.attach(secure);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      wire.event('tls-failed', `no TLS handshake within ${secondsWords(timeoutMs)}`);
      done(false);
    }, timeoutMs);
    // The wire records the failure itself (as tls-failed); here we only stop waiting.
    const fail = () => done(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      secure.off('error', fail);
      secure.off('close', fail);
      resolve(ok);
    };
    secure.once('error', fail);
    secure.once('close', fail);
    secure.once('secureConnect', () => {
      const cipher = secure.getCipher();
      wire.event('tls', `TLS negotiated: ${secure.getProtocol() ?? 'unknown protocol'} ${cipher?.name ?? ''}`.trim());
      done(true);
    });
  });
}

/**
 * Talks to one address: greeting, EHLO, one unknown verb, HELO if EHLO was refused, NOOP, [STARTTLS], QUIT. Never
 * throws for network trouble: every failure is an event in the transcript, for `classify` to judge.
 */
export async function runConversation(
  target: { address: string; port: number; host?: string },
  options: ConversationOptions = {},
): Promise<SmtpTranscript> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const greetingTimeoutMs = options.greetingTimeoutMs ?? DEFAULT_GREETING_TIMEOUT_MS;
  const name = options.ehloName ?? DEFAULT_EHLO_NAME;
  const verb = options.unknownVerb ?? DEFAULT_UNKNOWN_VERB;
  const startedAt = new Date().toISOString();
  const wire = new Wire();
  const transcript = (): SmtpTranscript => ({
    address: target.address,
    port: target.port,
    ...(target.host ? { host: target.host } : {}),
    startedAt,
    entries: wire.entries,
  });

  const socket = await connect(wire, target.address, target.port, timeoutMs);
  if (!socket) return transcript();
  wire.attach(socket);
  let quitAnswered = false;
  try {
    const greeting = await wire.readReply(greetingTimeoutMs, 'greeting');
    if (!greeting.ok) return transcript();
    const command = async (line: string): Promise<Reply | null> => {
      // The server may have closed right after its reply: then there is no one left to talk to.
      if (wire.isEnded) return null;
      wire.send(line);
      const reply = await wire.readReply(timeoutMs, 'reply');
      if (line === 'QUIT' && reply.ok) quitAnswered = true;
      // 421 means the server is closing the channel: stop there.
      return reply.ok && reply.code !== 421 ? reply : null;
    };
    if (greeting.code === null || greeting.code >= 400) {
      // 421/554 at connect: say goodbye politely and stop; nothing more can be learned.
      if (!wire.isEnded && greeting.code !== 421) await command('QUIT');
      return transcript();
    }
    const ehlo = await command(`EHLO ${name}`);
    if (!ehlo) return transcript();
    if (!(await command(verb))) return transcript();
    if (ehlo.ok && ehlo.code !== null && ehlo.code >= 500) {
      if (!(await command(`HELO ${name}`))) return transcript();
    }
    if (!(await command('NOOP'))) return transcript();
    if (options.starttls) {
      const st = await command('STARTTLS');
      if (!st) return transcript();
      if (st.ok && st.code === 220) {
        if (!(await upgradeToTls(wire, socket, target.host, timeoutMs))) return transcript();
      }
    }
    await command('QUIT');
    return transcript();
  } finally {
    wire.close(quitAnswered);
  }
}
