/**
 * The Mailguard SMTP front: a TCP proxy that sits before a real SMTP server and rewrites bytes in place as a
 * PIX/ASA does (shared/reference/smtp-inspection.md §8). Hand-written on node:net because no proxy library does
 * Cisco's length-keeping in-place rewriting with SMTP reply correlation.
 *
 * The policy is read once per new connection, so `no inspect esmtp` / `no fixup protocol smtp 25` on the emulated
 * device makes the next connection a plain byte-for-byte pipe. Inspected connections are line-buffered per
 * direction (a command split over TCP segments is rewritten whole); every rewritten line keeps its byte length.
 */
import net from 'node:net';
import { MailguardError } from '../../errors.js';
import type { Endpoint, SmtpInspectionPolicy } from '../types.js';
import {
  ASA_MAX_COMMAND_LINE,
  ASA_MAX_HEADER_LINE,
  ASA_MAX_RCPT,
  commandVerb,
  maskEhloReply,
  maskGreeting,
  PIX4_DEFAULT_OK_REPLY,
  rewriteClientLine,
} from './rewrite.js';

/** What the front did, for the emulated device's counters and syslog (108002/108003-like) and for tests. */
export type MailguardEvent =
  | { type: 'connection'; inspected: boolean }
  | { type: 'mask-banner' }
  | { type: 'mask-verb'; verb: string }
  | { type: 'mask-ehlo'; count: number }
  | { type: 'special-character'; verb: string }
  | { type: 'local-reply'; verb: string }
  | { type: 'drop'; reason: DropReason }
  /** A TCP segment from the client reached the inspector (lets tests prove a command arrived split). */
  | { type: 'client-segment'; bytes: number };

/** ASA `drop-connection` causes of the default esmtp map (§3, §8). */
export type DropReason = 'command-line-length' | 'sender-address-length' | 'rcpt-count' | 'header-line-length';

export interface MailguardFrontOptions {
  backend: Endpoint;
  /** Read at each new connection. */
  policy: () => SmtpInspectionPolicy;
  host?: string;
  port?: number;
  /** The port the front stands for on the emulated device; inspected only if `policy().ports` holds it. Default 25. */
  servicePort?: number;
  /** PIX 4.x local reply to refused verbs (exact bytes unknown, §1.1) [unverified]. Default `250 OK\r\n`. */
  pix4Reply?: string;
  /** False while the emulated device is down (reload): new connections are reset at once. Default: always up. */
  passTraffic?: () => boolean;
  onEvent?: (event: MailguardEvent) => void;
  /** A new connection waits for this (when given) before the server is reached: the lab's `hold-smtp` fault. */
  gate?: () => Promise<void> | undefined;
}

export interface MailguardFront {
  endpoint: Endpoint;
  close(): Promise<void>;
}

/** Whether a connection to `servicePort` is inspected under `policy`. */
export function inspectionApplies(policy: SmtpInspectionPolicy, servicePort: number): boolean {
  return policy.active && policy.ports.includes(servicePort);
}

type Pending = { kind: 'greeting' | 'ehlo' | 'data' | 'starttls' | 'other' } | { kind: 'local'; reply: string };

/** One inspected client<->server connection. */
class InspectedSession {
  private clientBuf = '';
  private serverBuf = '';
  /** Lines of the server reply being assembled (until its final `NNN ` line). */
  private replyLines: string[] = [];
  /** Replies the server (or the PIX 4.x itself) still owes the client, in order. */
  private readonly pending: Pending[] = [{ kind: 'greeting' }];
  /** After a 354 to DATA: message body, passed untouched until the `.` line. */
  private body: false | { state: 'lineStart' | 'mid' | 'dot' | 'dotCR'; inHeaders: boolean; lineLen: number } = false;
  /** After a 334 (AUTH challenge): the next client line is an answer, not a command. */
  private authContinuation = false;
  /** After STARTTLS got its 220 (allow-tls): opaque TLS, nothing inspected any more. */
  private opaque = false;
  private rcptCount = 0;
  private closed = false;

  constructor(
    private readonly client: net.Socket,
    private readonly server: net.Socket,
    private readonly policy: SmtpInspectionPolicy,
    private readonly opts: MailguardFrontOptions,
  ) {}

  private emit(event: MailguardEvent): void {
    this.opts.onEvent?.(event);
  }

  /** ASA drop-connection: no SMTP reply, the client sees a reset. */
  private drop(reason: DropReason): void {
    this.emit({ type: 'drop', reason });
    this.closed = true;
    this.client.resetAndDestroy();
    this.server.destroy();
  }

  fromClient(chunk: Buffer): void {
    if (this.closed) return;
    this.emit({ type: 'client-segment', bytes: chunk.length });
    if (this.opaque) {
      this.server.write(chunk);
      return;
    }
    this.processClient(chunk.toString('latin1'));
  }

  private processClient(input: string): void {
    let data = input;
    while (data.length > 0 && !this.closed) {
      if (this.body) {
        const end = this.scanBody(data);
        if (end < 0) {
          this.drop('header-line-length');
          return;
        }
        this.server.write(Buffer.from(data.slice(0, end), 'latin1'));
        data = data.slice(end);
        continue;
      }
      this.clientBuf += data;
      data = '';
      let lf = this.clientBuf.indexOf('\n');
      // Body and TLS modes start on a server reply, never inside this loop (replayClientBuffer handles what waits).
      while (lf >= 0 && !this.closed) {
        const line = this.clientBuf.slice(0, lf + 1);
        this.clientBuf = this.clientBuf.slice(lf + 1);
        this.clientLine(line);
        lf = this.clientBuf.indexOf('\n');
      }
      if (
        !this.closed &&
        this.policy.family === 'asa-esmtp' &&
        !this.authContinuation &&
        this.clientBuf.length > ASA_MAX_COMMAND_LINE
      ) {
        this.drop('command-line-length');
      }
    }
  }

  /**
   * Scans message bytes for the `.` line; returns how many bytes of `data` belong to the message, or -1 when a
   * header line passes 998 bytes under asa-esmtp (drop-connection). Nothing in the message is rewritten.
   */
  private scanBody(data: string): number {
    const body = this.body;
    if (!body) return 0;
    const limitHeaders = this.policy.family === 'asa-esmtp';
    for (let i = 0; i < data.length; i++) {
      const c = data[i];
      if (c === '\n') {
        if (body.state === 'dot' || body.state === 'dotCR') {
          this.body = false;
          this.pending.push({ kind: 'other' });
          this.rcptCount = 0;
          return i + 1;
        }
        if (body.lineLen === 0) body.inHeaders = false;
        body.state = 'lineStart';
        body.lineLen = 0;
        continue;
      }
      if (c !== '\r') body.lineLen++;
      if (limitHeaders && body.inHeaders && body.lineLen > ASA_MAX_HEADER_LINE) return -1;
      if (c === '.' && body.state === 'lineStart') body.state = 'dot';
      else if (c === '\r' && body.state === 'dot') body.state = 'dotCR';
      else body.state = 'mid';
    }
    return data.length;
  }

  private clientLine(line: string): void {
    if (this.authContinuation) {
      this.authContinuation = false;
      this.pending.push({ kind: 'other' });
      this.server.write(Buffer.from(line, 'latin1'));
      return;
    }
    const verb = commandVerb(line);
    const result = rewriteClientLine(line, this.policy, { pix4Reply: this.opts.pix4Reply ?? PIX4_DEFAULT_OK_REPLY });
    if (result.action === 'drop') {
      this.drop(result.reason);
      return;
    }
    if (result.action === 'reply') {
      this.emit({ type: 'local-reply', verb });
      this.pending.push({ kind: 'local', reply: result.reply });
      this.flushLocalReplies();
      return;
    }
    if (result.reason === 'verb-masked') this.emit({ type: 'mask-verb', verb });
    if (result.reason === 'special-character') this.emit({ type: 'special-character', verb });
    if (verb === 'RCPT' && this.policy.family === 'asa-esmtp' && ++this.rcptCount > ASA_MAX_RCPT) {
      this.drop('rcpt-count');
      return;
    }
    if (verb === 'MAIL' || verb === 'RSET' || verb === 'HELO' || verb === 'EHLO') this.rcptCount = 0;
    const kind = result.changed
      ? 'other'
      : verb === 'EHLO'
        ? 'ehlo'
        : verb === 'DATA'
          ? 'data'
          : verb === 'STARTTLS'
            ? 'starttls'
            : 'other';
    this.pending.push({ kind });
    this.server.write(Buffer.from(result.line, 'latin1'));
  }

  /** PIX 4.x answers refused verbs itself, but only in turn, after the replies the server still owes. */
  private flushLocalReplies(): void {
    let head = this.pending[0];
    while (head?.kind === 'local') {
      this.client.write(Buffer.from(head.reply, 'latin1'));
      this.pending.shift();
      head = this.pending[0];
    }
  }

  fromServer(chunk: Buffer): void {
    if (this.closed) return;
    if (this.opaque) {
      this.client.write(chunk);
      return;
    }
    this.serverBuf += chunk.toString('latin1');
    let lf = this.serverBuf.indexOf('\n');
    while (lf >= 0 && !this.opaque) {
      const line = this.serverBuf.slice(0, lf + 1);
      this.serverBuf = this.serverBuf.slice(lf + 1);
      this.replyLines.push(line);
      // A reply ends with a line whose 4th byte is not '-' (RFC 5321 §4.2.1).
      if (line[3] !== '-') this.serverReply(this.replyLines.splice(0));
      lf = this.serverBuf.indexOf('\n');
    }
    if (this.opaque && this.serverBuf.length > 0) {
      this.client.write(Buffer.from(this.serverBuf, 'latin1'));
      this.serverBuf = '';
    }
  }

  private serverReply(lines: string[]): void {
    const expected = this.pending.shift() ?? { kind: 'other' };
    const code = lines[lines.length - 1]?.slice(0, 3) ?? '';
    const family = this.policy.family;
    let out = lines;
    if (expected.kind === 'greeting') {
      out = lines.map((l) => maskGreeting(l, family, { maskBanner: this.policy.maskBanner }));
      if (out.some((l, i) => l !== lines[i])) this.emit({ type: 'mask-banner' });
    } else if (expected.kind === 'ehlo' && family === 'asa-esmtp' && code === '250') {
      out = maskEhloReply(lines, this.policy);
      const count = out.filter((l, i) => l !== lines[i]).length;
      if (count > 0) this.emit({ type: 'mask-ehlo', count });
    }
    if (code === '334') this.authContinuation = true;
    this.client.write(Buffer.from(out.join(''), 'latin1'));
    this.flushLocalReplies();
    if (expected.kind === 'data' && code === '354') {
      this.body = { state: 'lineStart', inHeaders: true, lineLen: 0 };
      this.replayClientBuffer();
    } else if (expected.kind === 'starttls' && code === '220') {
      // allow-tls: after the 220 the session is TLS, which the firewall cannot read (§8).
      this.opaque = true;
      this.replayClientBuffer();
    }
  }

  /** Bytes the client sent ahead of a mode change (body, TLS) are handled in the new mode. */
  private replayClientBuffer(): void {
    const buffered = this.clientBuf;
    this.clientBuf = '';
    if (buffered.length === 0) return;
    if (this.opaque) this.server.write(Buffer.from(buffered, 'latin1'));
    else this.processClient(buffered);
  }
}

function listen(server: net.Server, host: string, port: number): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new MailguardError('INTERNAL', `Mailguard SMTP front could not listen on ${host}:${port}.`, {
          hint: 'Choose another port, or 0 for any free port.',
          cause,
        }),
      ),
    );
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      const addr = server.address() as net.AddressInfo;
      resolve({ host, port: addr.port });
    });
  });
}

/** Starts the front on 127.0.0.1 (port 0 = any free port) in front of `backend`. */
export async function startMailguardFront(opts: MailguardFrontOptions): Promise<MailguardFront> {
  const host = opts.host ?? '127.0.0.1';
  const servicePort = opts.servicePort ?? 25;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  const server = net.createServer((client) => {
    track(client);
    client.setNoDelay(true);
    client.pause();
    // A held connection (lab fault hold-smtp) is accepted and waits; the device's state is read once it goes on.
    const gate = opts.gate?.();
    if (!gate) return accept(client);
    client.on('error', () => undefined);
    void gate.then(() => client.destroyed || accept(client));
  });

  const accept = (client: net.Socket) => {
    if (opts.passTraffic && !opts.passTraffic()) {
      client.resetAndDestroy();
      return;
    }
    let policy: SmtpInspectionPolicy;
    try {
      policy = opts.policy();
    } catch {
      client.resetAndDestroy();
      return;
    }
    const inspected = inspectionApplies(policy, servicePort);
    opts.onEvent?.({ type: 'connection', inspected });
    proxy(client, policy, inspected);
  };

  const proxy = (client: net.Socket, policy: SmtpInspectionPolicy, inspected: boolean) => {
    const upstream = net.connect({ host: opts.backend.host, port: opts.backend.port });
    track(upstream);
    upstream.setNoDelay(true);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.once('connect', () => {
      if (!inspected) {
        // Inspection off: a plain pipe, byte-identical to the server.
        client.pipe(upstream);
        upstream.pipe(client);
      } else {
        const session = new InspectedSession(client, upstream, policy, opts);
        client.on('data', (c: Buffer) => session.fromClient(c));
        upstream.on('data', (c: Buffer) => session.fromServer(c));
        client.on('end', () => upstream.end());
        upstream.on('end', () => client.end());
      }
      client.resume();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!client.destroyed) client.end();
    });
  };

  const endpoint = await listen(server, host, opts.port ?? 0);
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
