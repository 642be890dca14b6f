/**
 * Tiny scripted SMTP servers for probe tests: 127.0.0.1, port 0, one async script per connection. Written by hand
 * (not smtp-server) because the tests need broken behaviour: pauses inside a greeting, tarpits, resets, bare LF.
 */
import net from 'node:net';

export interface ScriptedConn {
  readonly socket: net.Socket;
  /** Everything the client sent so far (latin1), and each 'data' chunk separately. */
  received(): string;
  chunks(): string[];
  write(text: string): void;
  /** The next client line without its line ending; null when the client closed; throws after `timeoutMs`. */
  line(timeoutMs?: number): Promise<string | null>;
  end(): void;
  /** TCP RST. */
  reset(): void;
}

export interface ScriptedServer {
  host: '127.0.0.1';
  port: number;
  /** Per connection: the script's outcome (rejects if the script threw). */
  done: Promise<void>[];
  conns: ScriptedConn[];
  close(): Promise<void>;
}

export async function startScriptedSmtp(script: (c: ScriptedConn) => Promise<void>): Promise<ScriptedServer> {
  const done: Promise<void>[] = [];
  const conns: ScriptedConn[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const chunks: string[] = [];
    let buf = '';
    let closed = false;
    const lines: string[] = [];
    let wake: (() => void) | null = null;
    socket.on('data', (d: Buffer) => {
      const s = d.toString('latin1');
      chunks.push(s);
      buf += s;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
      wake?.();
    });
    socket.on('end', () => {
      closed = true;
      wake?.();
    });
    socket.on('close', () => {
      closed = true;
      wake?.();
    });
    const conn: ScriptedConn = {
      socket,
      received: () => chunks.join(''),
      chunks: () => [...chunks],
      write: (text) => {
        if (!socket.destroyed) socket.write(text);
      },
      line: (timeoutMs = 5000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            wake = null;
            reject(new Error(`scripted server: no client line within ${timeoutMs} ms`));
          }, timeoutMs);
          const check = () => {
            if (lines.length > 0 || closed) {
              clearTimeout(timer);
              wake = null;
              resolve(lines.length > 0 ? (lines.shift() as string) : null);
            }
          };
          wake = check;
          check();
        }),
      end: () => socket.end(),
      reset: () => socket.resetAndDestroy(),
    };
    conns.push(conn);
    done.push(script(conn));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    done,
    conns,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface DialogOptions {
  /** Each element is written as one chunk (a greeting may be several lines). */
  greeting: string;
  eol?: string;
  ehlo?: string[];
  unknown?: string | ((line: string) => string);
  helo?: string;
  noop?: string;
  starttls?: string;
  quit?: string;
}

/** Answers commands until QUIT (or the client leaves), replying by verb; `eol` is the line ending used. */
export async function replyLoop(c: ScriptedConn, o: Omit<DialogOptions, 'greeting'>): Promise<void> {
  const eol = o.eol ?? '\r\n';
  const lines = (l: string[]) => l.map((x) => `${x}${eol}`).join('');
  for (;;) {
    const line = await c.line();
    if (line === null) return;
    const verb = line.split(' ')[0]?.toUpperCase();
    if (verb === 'EHLO') c.write(lines(o.ehlo ?? ['502 5.5.2 Error: command not recognized']));
    else if (verb === 'HELO') c.write(lines([o.helo ?? '250 mail.example.test']));
    else if (verb === 'NOOP') c.write(lines([o.noop ?? '250 2.0.0 Ok']));
    else if (verb === 'STARTTLS') c.write(lines([o.starttls ?? '502 5.5.2 Error: command not recognized']));
    else if (verb === 'QUIT') {
      c.write(lines([o.quit ?? '221 2.0.0 Bye']));
      c.end();
      return;
    } else {
      const u = o.unknown ?? '502 5.5.2 Error: command not recognized';
      c.write(lines([typeof u === 'function' ? u(line) : u]));
    }
  }
}

/** A whole conversation: the greeting, then `replyLoop`. */
export function dialog(o: DialogOptions): (c: ScriptedConn) => Promise<void> {
  return async (c) => {
    c.write(o.greeting);
    await replyLoop(c, o);
  };
}

/** Postfix 3.x as seen without inspection (smtp-inspection.md §5; smtpd.c EHLO order [S22e]). */
export const POSTFIX_CLEAN: DialogOptions = {
  greeting: '220 mail.example.test ESMTP Postfix (Debian/GNU)\r\n',
  ehlo: [
    '250-mail.example.test',
    '250-PIPELINING',
    '250-SIZE 10240000',
    '250-VRFY',
    '250-ETRN',
    '250-STARTTLS',
    '250-ENHANCEDSTATUSCODES',
    '250-8BITMIME',
    '250-DSN',
    '250-SMTPUTF8',
    '250 CHUNKING',
  ],
  unknown: '500 5.5.2 Error: command not recognized',
};
