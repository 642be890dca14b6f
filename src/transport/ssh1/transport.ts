/** `--transport ssh1`: the SSH-1.5 client protocol object on a TCP socket, as a Transport. */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { MailguardError, secondsWords, systemErrorWords } from '../../errors.js';
import { decideHostKey, defaultKnownHostsFile } from '../known-hosts.js';
import type { HostKeyPolicy, LogFn, Transport } from '../types.js';
import { Ssh1Client } from './client.js';
import { type Ssh1PublicKey, ssh1KnownHostsKey, ssh1Md5Fingerprint, ssh1Sha256Fingerprint } from './rsa.js';

export interface Ssh1TransportOptions {
  host: string;
  port: number;
  username: string;
  password?: string;
  knownHostsFile?: string;
  hostKeyPolicy?: HostKeyPolicy;
  connectTimeoutMs: number;
  log?: LogFn;
}

class Ssh1Transport extends EventEmitter implements Transport {
  readonly kind = 'ssh1' as const;
  /** A PIX reads a command line ended by CR over SSH-1 as over SSH-2's pty; `\n` works the same there. */
  readonly eol = '\n';
  closed = false;
  hostKeyFingerprint: string | null = null;
  constructor(
    private readonly socket: Socket,
    private readonly client: Ssh1Client,
  ) {
    super();
  }
  /** Called once by the socket/protocol glue when the session ends. */
  end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.emit('close', reason);
  }
  write(data: string | Buffer): void {
    if (this.closed) return;
    this.client.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  close(): void {
    if (this.closed) return;
    this.client.disconnect();
    this.socket.end();
    this.socket.destroySoon?.();
  }
}

export function presentedSsh1Key(k: Ssh1PublicKey) {
  return {
    type: 'rsa1',
    key: `${k.e.toString(10)} ${k.n.toString(10)}`,
    line: ssh1KnownHostsKey(k),
    fingerprint: ssh1Sha256Fingerprint(k),
    md5: ssh1Md5Fingerprint(k),
  };
}

/** Connect, check the host key, log in with the password, open a pty shell; all within connectTimeoutMs. */
export function openSsh1(opts: Ssh1TransportOptions): Promise<Transport> {
  const where = `${opts.host}:${opts.port}`;
  const details = { host: opts.host, port: opts.port, transport: 'ssh1' };
  opts.log?.(
    `warning: SSH protocol 1 to ${where} has known weaknesses (CRC-32 integrity, 3DES/DES, no forward secrecy); use it only where the device speaks nothing else (PIX 6.x)`,
  );
  const policy = opts.hostKeyPolicy ?? 'strict';
  const knownHostsFile = opts.knownHostsFile ?? defaultKnownHostsFile();
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let transport: Ssh1Transport | null = null;
    let settled = false;
    const fail = (err: MailguardError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => {
      client.disconnect('timeout');
      fail(
        new MailguardError(
          'CONNECT_TIMEOUT',
          `No SSH-1 session with ${where} within ${secondsWords(opts.connectTimeoutMs)}`,
          {
            hint: 'Check reachability and filtering of the management address (PIX: `ssh <your-ip> <mask> <interface>`), or raise --connect-timeout.',
            details,
          },
        ),
      );
    }, opts.connectTimeoutMs);
    let fingerprint = '';
    const client = new Ssh1Client(
      {
        username: opts.username,
        password: opts.password,
        where,
        details,
        cols: 511,
        verifyHostKey: (key) => {
          const presented = presentedSsh1Key(key);
          fingerprint = presented.fingerprint;
          decideHostKey({ host: opts.host, port: opts.port, presented, policy, knownHostsFile, log: opts.log });
        },
      },
      {
        send: (b) => {
          if (!socket.destroyed) socket.write(b);
        },
        ready: (info) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          opts.log?.(`SSH-1 session with ${where} (${info.serverVersion}, ${info.cipher})`);
          transport = new Ssh1Transport(socket, client);
          transport.hostKeyFingerprint = fingerprint;
          resolve(transport);
        },
        data: (b) => transport?.emit('data', b),
        close: (reason) => {
          if (transport) transport.end(reason);
          else
            fail(
              new MailguardError('CONNECT_FAILED', `${where} ended the SSH-1 session during setup (${reason})`, {
                details,
              }),
            );
        },
        error: (err) => {
          if (transport) {
            opts.log?.(`${err.code}: ${err.message}`);
            transport.end(err.message);
          } else fail(err);
        },
        debug: (line) => opts.log?.(line),
      },
    );
    socket.on('data', (chunk: Buffer) => client.receive(chunk));
    socket.on('close', () => {
      if (transport) transport.end('connection closed');
      else
        fail(
          new MailguardError('CONNECT_FAILED', `${where} closed the connection during SSH-1 setup`, {
            hint: 'The device may not allow SSH from your address, or has reached its session limit (5 on a PIX).',
            details,
          }),
        );
    });
    socket.on('error', (err: Error & { code?: string }) => {
      if (transport) return; // 'close' follows
      const refused = err.code === 'ECONNREFUSED';
      fail(
        new MailguardError(
          'CONNECT_FAILED',
          refused ? `Connection refused by ${where}` : `SSH-1 connection to ${where} failed: ${systemErrorWords(err)}`,
          {
            hint: refused
              ? 'Check the port and that SSH is enabled for your address on the device (`ssh <your-ip> <mask> <interface>`), or use --transport telnet --port 23.'
              : 'Check the address and port.',
            details: { ...details, errno: err.code },
          },
        ),
      );
    });
    socket.once('connect', () => socket.setNoDelay(true));
    socket.connect(opts.port, opts.host);
  });
}
