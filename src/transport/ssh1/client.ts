/**
 * The SSH-1.5 client as a protocol object that never touches a socket (the shape of ssh2's Protocol): feed it the
 * bytes received, it calls `send` with the bytes to write and reports ready / data / close / error. Password
 * authentication, one pty, one interactive shell; what a PIX 6.x needs and no more.
 *
 * A fault (a packet that breaks the rules, a key too small, a refused password, a host key the policy refuses)
 * ends it with one MailguardError through `error`, and nothing is sent after that.
 */
import { MailguardError } from '../../errors.js';
import { cipherName, createSsh1Cipher } from './cipher.js';
import { type RandomFn, type Ssh1Packet, Ssh1PacketError, Ssh1PacketReader, Ssh1PacketWriter } from './packet.js';
import { encryptSessionKey, randomSessionKey, type Ssh1PublicKey, sessionId } from './rsa.js';
import {
  AUTH_PASSWORD,
  bitLength,
  CIPHER,
  MSG,
  Reader,
  type Ssh1CipherType,
  TruncatedPayload,
  Writer,
} from './wire.js';

/** Smallest RSA modulus accepted for the host or server key (OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE for SSH-1). */
export const MIN_KEY_BITS = 512;
/** PKCS#1 v1.5 needs 11 bytes of overhead: the outer key must be that much larger than the inner ciphertext. */
const PKCS1_OVERHEAD_BITS = 88;
export const CLIENT_VERSION = 'SSH-1.5-asa_mailguard';

export interface Ssh1ClientOptions {
  username: string;
  password?: string;
  /** `host:port`, for messages. */
  where: string;
  details?: Record<string, unknown>;
  /** Throws (a MailguardError) to refuse the key; called before anything secret is sent. */
  verifyHostKey: (key: Ssh1PublicKey) => void;
  /** Cipher preference, first wins when the server offers it. Default 3DES, then DES. */
  ciphers?: Ssh1CipherType[];
  term?: string;
  rows?: number;
  cols?: number;
  random?: RandomFn;
  sessionKey?: Buffer;
}

export interface Ssh1ClientHandlers {
  send(bytes: Buffer): void;
  ready(info: { serverVersion: string; cipher: string; hostKey: Ssh1PublicKey }): void;
  data(bytes: Buffer): void;
  /** The server ended the session in order (exit status, or a disconnect after the shell started). */
  close(reason: string): void;
  error(err: MailguardError): void;
  debug?(line: string): void;
}

type State = 'version' | 'public-key' | 'key-ack' | 'user' | 'password' | 'pty' | 'shell' | 'done';

export class Ssh1Client {
  private state: State = 'version';
  private lineBuf = '';
  private readonly reader = new Ssh1PacketReader();
  private readonly writer: Ssh1PacketWriter;
  serverVersion = '';
  private hostKey: Ssh1PublicKey | null = null;
  private cipher = '';

  constructor(
    private readonly opts: Ssh1ClientOptions,
    private readonly on: Ssh1ClientHandlers,
  ) {
    this.writer = new Ssh1PacketWriter(opts.random);
  }

  get finished(): boolean {
    return this.state === 'done';
  }

  receive(chunk: Buffer): void {
    if (this.state === 'done') return;
    try {
      let rest = chunk;
      if (this.state === 'version') {
        const consumed = this.readVersion(chunk);
        if (consumed < 0) return;
        rest = chunk.subarray(consumed);
      }
      if (rest.length > 0) this.reader.push(rest);
      for (let p = this.reader.next(); p && !this.ended(); p = this.reader.next()) this.handle(p);
    } catch (e) {
      this.fail(this.toError(e));
    }
  }

  /** Keystrokes / commands for the shell. */
  write(data: Buffer): void {
    if (this.state !== 'shell') return;
    this.send(MSG.CMSG_STDIN_DATA, new Writer().string(data).done());
  }

  /** End the session from our side: an SSH_MSG_DISCONNECT, then nothing more. */
  disconnect(reason = 'closed by user'): void {
    if (this.state === 'done') return;
    if (this.state !== 'version' && this.state !== 'public-key') {
      this.send(MSG.DISCONNECT, new Writer().string(reason).done());
    }
    this.state = 'done';
  }

  /** A method, not an inline test: handlers change the state under the loop that reads packets. */
  private ended(): boolean {
    return this.state === 'done';
  }

  private send(type: number, payload?: Buffer): void {
    this.on.send(this.writer.encode(type, payload));
  }

  /** Bytes of chunk used by the identification line, or -1 when the line is not complete yet. */
  private readVersion(chunk: Buffer): number {
    const text = chunk.toString('latin1');
    const nl = text.indexOf('\n');
    if (nl < 0) {
      this.lineBuf += text;
      if (this.lineBuf.length > 255) throw this.protocolError('the server sent no SSH identification line');
      return -1;
    }
    const line = (this.lineBuf + text.slice(0, nl)).replace(/\r$/, '');
    this.lineBuf = '';
    this.serverVersion = line;
    const m = /^SSH-(\d+)\.(\d+)-/.exec(line);
    if (!m) throw this.protocolError(`the server's identification "${line.slice(0, 80)}" is not SSH`);
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (major !== 1 || minor < 5) {
      throw new MailguardError(
        'CONNECT_FAILED',
        `${this.opts.where} says "${line}": it does not speak SSH protocol 1.5, which --transport ssh1 needs`,
        {
          hint:
            major === 2
              ? 'The device speaks SSH-2: use --transport ssh.'
              : 'Use --transport telnet for a server older than SSH 1.5.',
          details: { ...this.opts.details, serverVersion: line },
        },
      );
    }
    // SSH-1.99 (ASA 8.x default) also speaks 1.5; we answer 1.5 as PuTTY's `-1` does.
    this.on.send(Buffer.from(`${CLIENT_VERSION}\n`, 'latin1'));
    this.state = 'public-key';
    return Buffer.byteLength(text.slice(0, nl + 1), 'latin1');
  }

  private handle(p: Ssh1Packet) {
    if (p.type === MSG.IGNORE) return;
    if (p.type === MSG.DEBUG) {
      this.on.debug?.(`server debug: ${new Reader(p.payload).string().toString('latin1')}`);
      return;
    }
    if (p.type === MSG.DISCONNECT) {
      const reason = new Reader(p.payload).string().toString('latin1');
      if (this.state === 'shell') {
        this.state = 'done';
        this.on.close(`disconnected: ${reason}`);
        return;
      }
      throw new MailguardError('CONNECT_FAILED', `${this.opts.where} disconnected during SSH-1 setup: ${reason}`, {
        hint: 'The device may not allow SSH from your address, or has reached its session limit (5 on a PIX).',
        details: { ...this.opts.details, reason },
      });
    }
    switch (this.state) {
      case 'public-key':
        this.expect(p, MSG.SMSG_PUBLIC_KEY);
        return this.onPublicKey(p.payload);
      case 'key-ack':
        this.expect(p, MSG.SMSG_SUCCESS);
        this.state = 'user';
        return this.send(MSG.CMSG_USER, new Writer().string(this.opts.username).done());
      case 'user':
        this.expectOneOf(p, [MSG.SMSG_SUCCESS, MSG.SMSG_FAILURE]);
        if (p.type === MSG.SMSG_SUCCESS) return this.requestPty(); // no authentication needed
        if (this.opts.password === undefined) {
          throw new MailguardError('AUTH_FAILED', `${this.opts.where} asks for a password and none was given`, {
            hint: 'Give --password (or ASA_PASSWORD); a PIX without AAA takes user pix and its telnet password.',
            details: this.opts.details,
          });
        }
        this.state = 'password';
        return this.send(MSG.CMSG_AUTH_PASSWORD, new Writer().string(this.opts.password).done());
      case 'password':
        this.expectOneOf(p, [MSG.SMSG_SUCCESS, MSG.SMSG_FAILURE]);
        if (p.type === MSG.SMSG_FAILURE) {
          throw new MailguardError(
            'AUTH_FAILED',
            `SSH-1 login to ${this.opts.where} was refused (wrong username or password)`,
            {
              hint: 'A PIX without `aaa authentication ssh console` takes the username pix and its telnet password (`passwd`); with AAA, the AAA user. The tool tried once and will not retry (retries lock AAA accounts).',
              details: this.opts.details,
            },
          );
        }
        return this.requestPty();
      case 'pty':
        this.expectOneOf(p, [MSG.SMSG_SUCCESS, MSG.SMSG_FAILURE]);
        if (p.type === MSG.SMSG_FAILURE) {
          throw new MailguardError('CONNECT_FAILED', `${this.opts.where} refused a pseudo-terminal`, {
            hint: 'The device would not give the SSH-1 session a terminal; try --transport telnet.',
            details: this.opts.details,
          });
        }
        this.send(MSG.CMSG_EXEC_SHELL);
        this.state = 'shell';
        this.on.ready({
          serverVersion: this.serverVersion,
          cipher: this.cipher,
          hostKey: this.hostKey as Ssh1PublicKey,
        });
        return;
      case 'shell':
        return this.onShellPacket(p);
      default:
        throw this.unexpected(p.type);
    }
  }

  private onShellPacket(p: Ssh1Packet): void {
    switch (p.type) {
      case MSG.SMSG_STDOUT_DATA:
      case MSG.SMSG_STDERR_DATA:
        this.on.data(Buffer.from(new Reader(p.payload).string()));
        return;
      case MSG.SMSG_EXITSTATUS: {
        const status = new Reader(p.payload).uint32();
        this.send(MSG.CMSG_EXIT_CONFIRMATION);
        this.state = 'done';
        this.on.close(`exit status ${status}`);
        return;
      }
      case MSG.SMSG_SUCCESS:
      case MSG.SMSG_FAILURE:
        return; // answers to nothing we asked in the shell; harmless
      default:
        throw this.unexpected(p.type);
    }
  }

  private onPublicKey(payload: Buffer): void {
    const r = new Reader(payload);
    const cookie = r.raw(8);
    const serverKey: Ssh1PublicKey = { bits: r.uint32(), e: r.mpint(), n: r.mpint() };
    const hostKey: Ssh1PublicKey = { bits: r.uint32(), e: r.mpint(), n: r.mpint() };
    r.uint32(); // protocol flags: none of them matter to a pty shell
    const cipherMask = r.uint32();
    const authMask = r.uint32();
    for (const [what, k] of [
      ['host', hostKey],
      ['server', serverKey],
    ] as const) {
      const bits = bitLength(k.n);
      if (bits < MIN_KEY_BITS) {
        throw new MailguardError(
          'PROTOCOL_ERROR',
          `${this.opts.where} offers an SSH-1 ${what} key of ${bits} bits; at least ${MIN_KEY_BITS} are required`,
          {
            hint: 'Such a key can be factored: regenerate the device key (PIX: `ca generate rsa key 1024`, then `ca save all`).',
            details: { ...this.opts.details, keyBits: bits, key: what },
          },
        );
      }
    }
    const small = Math.min(bitLength(hostKey.n), bitLength(serverKey.n));
    const large = Math.max(bitLength(hostKey.n), bitLength(serverKey.n));
    if (large - small < PKCS1_OVERHEAD_BITS) {
      throw this.protocolError(
        `its host key (${bitLength(hostKey.n)} bits) and server key (${bitLength(serverKey.n)} bits) are too close in size to encrypt the session key`,
      );
    }
    const cipher = (this.opts.ciphers ?? [CIPHER.TRIPLE_DES, CIPHER.DES]).find((c) => cipherMask & (1 << c));
    if (cipher === undefined) {
      throw new MailguardError(
        'CONNECT_FAILED',
        `${this.opts.where} offers no SSH-1 cipher this tool speaks (mask 0x${cipherMask.toString(16)})`,
        {
          hint: 'The tool speaks 3DES and DES over SSH-1; enable one on the device, or use --transport telnet.',
          details: { ...this.opts.details, cipherMask },
        },
      );
    }
    if (!(authMask & (1 << AUTH_PASSWORD))) {
      throw new MailguardError('CONNECT_FAILED', `${this.opts.where} does not offer SSH-1 password authentication`, {
        hint: 'Allow password logins over SSH on the device, or use --transport telnet.',
        details: { ...this.opts.details, authMask },
      });
    }
    // Before anything secret goes out: the host key policy may refuse (HOST_KEY_UNKNOWN / HOST_KEY_CHANGED).
    this.opts.verifyHostKey(hostKey);
    this.hostKey = hostKey;
    const id = sessionId(hostKey, serverKey, cookie);
    const key = this.opts.sessionKey ?? randomSessionKey();
    const sealed = encryptSessionKey(key, id, hostKey, serverKey);
    this.send(MSG.CMSG_SESSION_KEY, new Writer().byte(cipher).raw(cookie).mpint(sealed).uint32(0).done());
    // Everything after SSH_CMSG_SESSION_KEY is encrypted, both ways.
    this.writer.cipher = createSsh1Cipher(cipher, key, true);
    this.reader.cipher = createSsh1Cipher(cipher, key, false);
    this.cipher = cipherName(cipher);
    this.state = 'key-ack';
  }

  private requestPty(): void {
    const w = new Writer()
      .string(this.opts.term ?? 'vt100')
      .uint32(this.opts.rows ?? 24)
      .uint32(this.opts.cols ?? 80)
      .uint32(0)
      .uint32(0)
      .byte(0); // TTY_OP_END: no modes
    this.send(MSG.CMSG_REQUEST_PTY, w.done());
    this.state = 'pty';
  }

  private expect(p: Ssh1Packet, type: number): void {
    if (p.type !== type) throw this.unexpected(p.type);
  }
  private expectOneOf(p: Ssh1Packet, types: number[]): void {
    if (!types.includes(p.type)) throw this.unexpected(p.type);
  }

  private unexpected(type: number): MailguardError {
    return this.protocolError(`message type ${type} is not expected while ${this.state.replace('-', ' ')}`);
  }

  private protocolError(what: string): MailguardError {
    return new MailguardError('PROTOCOL_ERROR', `SSH-1 protocol error from ${this.opts.where}: ${what}`, {
      hint: 'The device (or something between) broke the SSH-1 protocol; the connection was closed. Retry; if it repeats, capture it with --transcript and try --transport telnet.',
      details: { ...this.opts.details, state: this.state },
    });
  }

  private toError(e: unknown): MailguardError {
    if (e instanceof MailguardError) return e;
    if (e instanceof Ssh1PacketError) return this.protocolError(e.message);
    if (e instanceof TruncatedPayload) return this.protocolError(`a message is shorter than its fields (${e.message})`);
    return this.protocolError(e instanceof Error ? e.message : String(e));
  }

  private fail(err: MailguardError): void {
    this.state = 'done';
    this.on.error(err);
  }
}
