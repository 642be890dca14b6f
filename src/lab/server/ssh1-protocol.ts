/**
 * The server side of SSH-1.5 as a PIX 5.2-6.3 speaks it, as a protocol object that never touches a socket (the
 * client's counterpart, src/transport/ssh1/client.ts, sharing its packet codec, ciphers and RSA helpers):
 * host key + server key, 3DES/DES, password authentication, pty, shell (or one command).
 */
import { randomBytes } from 'node:crypto';
import { createSsh1Cipher } from '../../transport/ssh1/cipher.js';
import { type Ssh1Packet, Ssh1PacketReader, Ssh1PacketWriter } from '../../transport/ssh1/packet.js';
import { decryptSessionKey, type Ssh1PrivateKey, sessionId } from '../../transport/ssh1/rsa.js';
import { AUTH_PASSWORD, MSG, Reader, type Ssh1CipherType, Writer } from '../../transport/ssh1/wire.js';

export interface Ssh1ServerOptions {
  /** The whole identification line without the newline, e.g. `SSH-1.5-Cisco-1.25`. */
  version: string;
  hostKey: Ssh1PrivateKey;
  serverKey: Ssh1PrivateKey;
  ciphers: Ssh1CipherType[];
  checkPassword(user: string, password: string): boolean;
  /** Password tries before the server disconnects. [unverified] for PIX; OpenSSH's sshd allowed 6, PIX 3 on telnet. */
  maxAuthTries?: number;
}

export interface Ssh1ServerHandlers {
  send(bytes: Buffer): void;
  /** The client asked for a shell (command null) or one command (SSH_CMSG_EXEC_CMD). */
  shell(session: { user: string; command: string | null; term: string | null }): void;
  data(bytes: Buffer): void;
  /** The client will send no more input (SSH_CMSG_EOF); the shell ends when it has done what it got. */
  eof(): void;
  /** The client disconnected, or broke the protocol: close the socket. */
  end(reason: string): void;
}

type State = 'version' | 'session-key' | 'user' | 'auth' | 'prepare' | 'interactive' | 'exiting' | 'done';

export class Ssh1ServerProtocol {
  private state: State = 'version';
  private line = '';
  private readonly reader = new Ssh1PacketReader();
  private readonly writer = new Ssh1PacketWriter();
  private readonly cookie = randomBytes(8);
  private user = '';
  private term: string | null = null;
  private authFailures = 0;

  constructor(
    private readonly opts: Ssh1ServerOptions,
    private readonly on: Ssh1ServerHandlers,
  ) {}

  start(): void {
    this.on.send(Buffer.from(`${this.opts.version}\n`, 'latin1'));
  }

  receive(chunk: Buffer) {
    if (this.state === 'done') return;
    try {
      let rest = chunk;
      if (this.state === 'version') {
        const nl = chunk.indexOf(0x0a);
        if (nl < 0) {
          this.line += chunk.toString('latin1');
          if (this.line.length > 255) this.finish('no identification line');
          return;
        }
        const line = (this.line + chunk.subarray(0, nl).toString('latin1')).replace(/\r$/, '');
        rest = chunk.subarray(nl + 1);
        if (!/^SSH-1\.[5-9]-/.test(line)) {
          // What OpenSSH's SSH-1 server said to an SSH-2 client, in clear text before closing.
          this.on.send(Buffer.from('Protocol major versions differ.\n', 'latin1'));
          return this.finish(`client version ${line.slice(0, 60)}`);
        }
        this.sendPublicKey();
        this.state = 'session-key';
      }
      if (rest.length) this.reader.push(rest);
      for (let p = this.reader.next(); p && !this.ended(); p = this.reader.next()) this.handle(p);
    } catch (e) {
      // A broken packet (bad length, CRC, type, truncated field): nothing more is sent.
      this.finish(`protocol error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Shell output to the client. */
  write(data: Buffer): void {
    if (this.state !== 'interactive') return;
    this.send(MSG.SMSG_STDOUT_DATA, new Writer().string(data).done());
  }

  /** The shell ended: the exit status, then the client confirms and the connection closes. */
  exit(status = 0): void {
    if (this.state !== 'interactive') return;
    this.send(MSG.SMSG_EXITSTATUS, new Writer().uint32(status).done());
    this.state = 'exiting';
  }

  disconnect(reason: string) {
    if (this.state === 'done' || this.state === 'version') return this.finish(reason);
    this.send(MSG.DISCONNECT, new Writer().string(reason).done());
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.on.end(reason);
  }

  /** A method, not an inline test: handlers change the state under the loop that reads packets. */
  private ended(): boolean {
    return this.state === 'done';
  }

  private send(type: number, payload?: Buffer): void {
    this.on.send(this.writer.encode(type, payload));
  }

  private sendPublicKey(): void {
    const { hostKey, serverKey } = this.opts;
    const cipherMask = this.opts.ciphers.reduce((m, c) => m | (1 << c), 0);
    const w = new Writer()
      .raw(this.cookie)
      .uint32(serverKey.bits)
      .mpint(serverKey.e)
      .mpint(serverKey.n)
      .uint32(hostKey.bits)
      .mpint(hostKey.e)
      .mpint(hostKey.n)
      .uint32(0)
      .uint32(cipherMask)
      .uint32(1 << AUTH_PASSWORD);
    this.send(MSG.SMSG_PUBLIC_KEY, w.done());
  }

  private handle(p: Ssh1Packet) {
    if (p.type === MSG.IGNORE || p.type === MSG.DEBUG) return;
    if (p.type === MSG.DISCONNECT) return this.finish('client disconnected');
    switch (this.state) {
      case 'session-key':
        return this.onSessionKey(p);
      case 'user':
        this.expect(p, MSG.CMSG_USER);
        this.user = new Reader(p.payload).string().toString('latin1');
        this.state = 'auth';
        return this.send(MSG.SMSG_FAILURE); // authentication is always required
      case 'auth':
        if (p.type !== MSG.CMSG_AUTH_PASSWORD) return this.send(MSG.SMSG_FAILURE); // RSA, rhosts, TIS: not on a PIX
        if (this.opts.checkPassword(this.user, new Reader(p.payload).string().toString('latin1'))) {
          this.state = 'prepare';
          return this.send(MSG.SMSG_SUCCESS);
        }
        this.authFailures++;
        if (this.authFailures >= (this.opts.maxAuthTries ?? 3))
          return this.disconnect('Too many authentication failures');
        return this.send(MSG.SMSG_FAILURE);
      case 'prepare':
        return this.onPrepare(p);
      case 'interactive':
      case 'exiting':
        return this.onInteractive(p);
      default:
        throw new Error(`unexpected message ${p.type}`);
    }
  }

  private onSessionKey(p: Ssh1Packet) {
    this.expect(p, MSG.CMSG_SESSION_KEY);
    const r = new Reader(p.payload);
    const cipher = r.byte();
    const cookie = r.raw(8);
    const sealed = r.mpint();
    if (!cookie.equals(this.cookie)) throw new Error('anti-spoofing cookie differs');
    if (!this.opts.ciphers.includes(cipher as Ssh1CipherType)) throw new Error(`cipher ${cipher} not offered`);
    const { hostKey, serverKey } = this.opts;
    const key = decryptSessionKey(sealed, sessionId(hostKey, serverKey, this.cookie), hostKey, serverKey);
    this.writer.cipher = createSsh1Cipher(cipher as Ssh1CipherType, key, true);
    this.reader.cipher = createSsh1Cipher(cipher as Ssh1CipherType, key, false);
    this.state = 'user';
    this.send(MSG.SMSG_SUCCESS);
  }

  private onPrepare(p: Ssh1Packet) {
    switch (p.type) {
      case MSG.CMSG_REQUEST_PTY:
        this.term = new Reader(p.payload).string().toString('latin1');
        return this.send(MSG.SMSG_SUCCESS);
      case MSG.CMSG_WINDOW_SIZE:
        return;
      case MSG.CMSG_EXEC_SHELL:
        this.state = 'interactive';
        return this.on.shell({ user: this.user, command: null, term: this.term });
      case MSG.CMSG_EXEC_CMD:
        this.state = 'interactive';
        return this.on.shell({
          user: this.user,
          command: new Reader(p.payload).string().toString('latin1'),
          term: this.term,
        });
      default:
        // X11, agent and port forwarding, compression: a PIX offers none of them.
        return this.send(MSG.SMSG_FAILURE);
    }
  }

  private onInteractive(p: Ssh1Packet) {
    switch (p.type) {
      case MSG.CMSG_STDIN_DATA:
        if (this.state === 'interactive') this.on.data(Buffer.from(new Reader(p.payload).string()));
        return;
      case MSG.CMSG_WINDOW_SIZE:
        return;
      case MSG.CMSG_EOF:
        return this.state === 'interactive' ? this.on.eof() : undefined;
      case MSG.CMSG_EXIT_CONFIRMATION:
        return this.finish('exit confirmed');
      default:
        throw new Error(`unexpected message ${p.type}`);
    }
  }

  private expect(p: Ssh1Packet, type: number): void {
    if (p.type !== type) throw new Error(`expected message ${type}, got ${p.type}`);
  }
}
