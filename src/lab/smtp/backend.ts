/**
 * The real SMTP server behind the Mailguard front: `smtp-server`, dressed as Postfix or Exchange
 * (shared/reference/smtp-inspection.md §5), accepting any sender and recipient on 127.0.0.1.
 *
 * What smtp-server lets us set: the greeting text, the EHLO first line, AUTH methods, SIZE, and hiding
 * PIPELINING/8BITMIME/SMTPUTF8/ENHANCEDSTATUSCODES/DSN/STARTTLS. What it cannot do, so differs from the real servers:
 * - EHLO order and set are smtp-server's: PIPELINING, 8BITMIME, [SMTPUTF8], ENHANCEDSTATUSCODES, DSN, AUTH ...,
 *   STARTTLS, SIZE n. No VRFY, ETRN, CHUNKING, BINARYMIME, AUTH=..., X-... keywords (VRFY and HELP still answer).
 * - Unknown verbs get `500 5.5.2 Error: command not recognized`: Postfix >= 3.7 exactly (§5.3); Exchange's real
 *   reply is `500 5.3.3 Unrecognized command`.
 * - Exchange's greeting date is the server's start time, not the connection's.
 * - MAIL/RCPT/DATA before HELO/EHLO get `503 5.5.1 Error: send HELO/EHLO first` (as Exchange refuses them too);
 *   Postfix's default (`smtpd_helo_required = no`) would accept them. Matters under pix-4, where the firewall's own
 *   `250 OK` to EHLO leaves the server without a greeting command.
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { MailguardError } from '../../errors.js';
import type { Endpoint } from '../types.js';
import { labCertificate } from './tls-cert.js';

export type SmtpBackendFlavor = 'postfix' | 'exchange';

export interface SmtpBackendOptions {
  flavor: SmtpBackendFlavor;
  /** Server name in the greeting and EHLO reply. Default `mail.example.com`. */
  hostname?: string;
  host?: string;
  port?: number;
  /** Offer STARTTLS with a self-signed certificate. Default true. */
  starttls?: boolean;
}

export interface ReceivedMessage {
  from: string;
  to: string[];
  /** The message as received (headers and body, dot-unstuffed), without the final `.` line. */
  data: Buffer;
}

export interface SmtpBackend {
  endpoint: Endpoint;
  flavor: SmtpBackendFlavor;
  hostname: string;
  /** Messages received so far, in order. */
  messages: ReceivedMessage[];
  /** User names of accepted AUTH exchanges, in order (passwords are never kept). */
  logins: string[];
  /** Resolves once at least `count` messages were received; rejects after `timeoutMs` (default 10 s). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

/** RFC 5322 date as Exchange prints it in its greeting: `Fri, 5 Aug 2016 16:24:41 +0000`. */
function exchangeDate(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** smtp-server options per flavor (§5: Postfix `220 <host> ESMTP Postfix`, Exchange `220 <host> Microsoft ESMTP MAIL Service ready at <date>`). */
function flavorOptions(flavor: SmtpBackendFlavor, hostname: string): SMTPServerOptions {
  if (flavor === 'postfix') {
    return {
      name: hostname,
      banner: 'Postfix',
      heloResponse: '%s',
      // Postfix before 3.0 (T-A, T-C era) had no SMTPUTF8; hiding it leaves STARTTLS as the first masked keyword.
      hideSMTPUTF8: true,
      authMethods: ['LOGIN', 'PLAIN'],
      size: 10240000,
    };
  }
  return {
    // smtp-server prints `<name> ESMTP <banner>`: "Microsoft" rides in the name so the greeting reads as Exchange's.
    name: `${hostname} Microsoft`,
    banner: `MAIL Service ready at ${exchangeDate(new Date())}`,
    // Literal (no %s, which would insert the name above). The lab only listens on, and is only reached from,
    // 127.0.0.1, and a connection through the front comes from 127.0.0.1 too.
    heloResponse: `${hostname} Hello [127.0.0.1]`,
    authMethods: ['NTLM', 'LOGIN'],
    size: 37748736,
  };
}

/** Starts a real SMTP server (smtp-server) on 127.0.0.1; port 0 = any free port. */
export async function startSmtpBackend(opts: SmtpBackendOptions): Promise<SmtpBackend> {
  const hostname = opts.hostname ?? 'mail.example.com';
  const host = opts.host ?? '127.0.0.1';
  const starttls = opts.starttls ?? true;
  const cert = starttls ? await labCertificate() : null;
  const messages: ReceivedMessage[] = [];
  const logins: string[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();

  const server = new SMTPServer({
    ...flavorOptions(opts.flavor, hostname),
    ...(cert ?? {}),
    hideSTARTTLS: !starttls,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    authOptional: true,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    // Lab server: any credentials are accepted (127.0.0.1 only).
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '');
      callback(null, { user: auth.username ?? 'lab' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks),
        });
        for (const w of waiters) w();
        callback(null, 'Ok: queued');
      });
    },
  });
  server.on('error', () => {
    // Client-side errors (resets by the front's drop-connection) are expected in the lab.
  });
  server.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  try {
    server.listen(opts.port ?? 0, host);
    await once(server.server, 'listening');
  } catch (cause) {
    throw new MailguardError('INTERNAL', `Lab SMTP server could not listen on ${host}:${opts.port ?? 0}.`, {
      hint: 'Choose another port, or 0 for any free port.',
      cause,
    });
  }
  const port = (server.server.address() as AddressInfo).port;

  return {
    endpoint: { host, port },
    flavor: opts.flavor,
    hostname,
    messages,
    logins,
    waitForMessages(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`lab SMTP server: ${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
