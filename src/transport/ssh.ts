/** SSH transport on ssh2's Client: auth methods, host-key policy, legacy algorithms, jump host, pty shell. */
import { EventEmitter } from 'node:events';
import { userInfo } from 'node:os';
import type { Duplex } from 'node:stream';
import type { Algorithms, AnyAuthMethod, AuthenticationType, Client, ClientChannel, ConnectConfig } from 'ssh2';
// ssh2's index also loads its SSH server, key generator and HTTP agents (node:http, node:https, node:tls), none of
// which a client needs: the client and the key parser alone start faster. ssh2 has no exports map, so these files
// are public paths (typed in ssh2-lib.d.ts); the lockfile pins the version they were checked against.
import SshClient from 'ssh2/lib/client.js';
import keyParser from 'ssh2/lib/protocol/keyParser.js';
import { isMailguardError, MailguardError, secondsWords, systemErrorWords } from '../errors.js';
import { parseEndpoint } from '../net/endpoint.js';
import { sha256Fingerprint } from './fingerprint.js';
import { decideHostKey, defaultKnownHostsFile } from './known-hosts.js';
import { failedCategory, LEGACY_ALGORITHMS, noCommonAlgorithmError, OfferCapture } from './ssh-algorithms.js';
import type { LogFn, SshAlgorithmLists, SshHop, Transport, TransportConnectOptions } from './types.js';

/** ssh2 silently skips a key it cannot parse (then reports a bare auth failure): check it first. */
function checkPrivateKey(key: string | Buffer, passphrase: string | undefined): void {
  const parsed = keyParser.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase|decrypt/i.test(parsed.message);
    throw new MailguardError('BAD_INPUT', `Cannot use the private key: ${parsed.message}`, {
      hint: encrypted
        ? 'Give the key passphrase with --passphrase or ASA_PASSPHRASE.'
        : 'Check the file given to --identity (an OpenSSH or PEM private key).',
    });
  }
}

export interface SshAuth {
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** ssh-agent socket path. */
  agent?: string;
}

/** The transport's own options (documented in types.ts) that ssh2 needs as they are. */
type SshHostKeyAndPath = Pick<
  TransportConnectOptions,
  'knownHostsFile' | 'hostKeyPolicy' | 'legacyAlgorithms' | 'jump' | 'jumpHops' | 'algorithms'
>;

export interface SshTransportOptions extends SshAuth, SshHostKeyAndPath {
  host: string;
  port: number;
  /** How errors name this hop (default: `device`). */
  role?: string;
  connectTimeoutMs: number;
  /** Restrict/prefer auth methods (tests, devices with odd AAA). Default: agent, publickey, password, keyboard-interactive. */
  authMethods?: Array<'agent' | 'publickey' | 'password' | 'keyboard-interactive'>;
  log?: LogFn;
}

/** Explicit lists (ssh_config) as ssh2 replacement lists, with the legacy ones appended when asked for too. */
export function algorithmsFor(
  lists: SshAlgorithmLists | undefined,
  legacy: boolean | undefined,
): Algorithms | undefined {
  if (!lists) return legacy ? LEGACY_ALGORITHMS : undefined;
  const out: Record<string, unknown> = {};
  const old = LEGACY_ALGORITHMS as unknown as Record<string, { append: string[] }>;
  for (const k of ['kex', 'serverHostKey', 'cipher', 'hmac'] as const) {
    const list = lists[k];
    if (list) out[k] = legacy ? [...list, ...(old[k]?.append ?? []).filter((a) => !list.includes(a))] : list;
    else if (legacy) out[k] = old[k];
  }
  return out as Algorithms;
}

/** The user OpenSSH logs in to a jump host as when none is given: the local user, never the device's. */
function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}

function buildAuthHandler(auth: SshAuth, allowed: SshTransportOptions['authMethods']) {
  const order = allowed ?? ['agent', 'publickey', 'password', 'keyboard-interactive'];
  const candidates: AnyAuthMethod[] = [];
  const username = auth.username;
  for (const kind of order) {
    if (kind === 'agent' && auth.agent) candidates.push({ type: 'agent', username, agent: auth.agent });
    if (kind === 'publickey' && auth.privateKey) {
      candidates.push({ type: 'publickey', username, key: auth.privateKey, passphrase: auth.passphrase });
    }
    if (kind === 'password' && auth.password !== undefined) {
      candidates.push({ type: 'password', username, password: auth.password });
    }
    if (kind === 'keyboard-interactive' && auth.password !== undefined) {
      const password = auth.password;
      candidates.push({
        type: 'keyboard-interactive',
        username,
        prompt: (_name, _instructions, _lang, prompts, finish) => {
          // Cisco AAA asks "Password:" (echo off); an echoed prompt asking for a user gets the username.
          finish(prompts.map((p) => (p.echo && /user|login/i.test(p.prompt) ? username : password)));
        },
      });
    }
  }
  let first = true;
  let usedPasswordLike = false;
  return (
    methodsLeft: AuthenticationType[] | null,
    _partial: boolean | null,
    next: (m: AnyAuthMethod | false) => void,
  ) => {
    if (first) {
      first = false;
      next({ type: 'none', username });
      return;
    }
    while (candidates.length > 0) {
      const c = candidates.shift() as AnyAuthMethod;
      // the server lists `publickey`; an agent signs with public keys too
      const wire = c.type === 'agent' ? 'publickey' : c.type;
      if (methodsLeft && !methodsLeft.includes(wire)) continue;
      // One password attempt only: trying the same password by password and then keyboard-interactive
      // would count twice against AAA lockout (prior-art §3 item 9).
      if (c.type === 'password' || c.type === 'keyboard-interactive') {
        if (usedPasswordLike) continue;
        usedPasswordLike = true;
      }
      next(c);
      return;
    }
    next(false);
  };
}

function mapSshError(
  err: Error & { level?: string; code?: string },
  host: string,
  port: number,
  role = 'device',
): MailguardError {
  if (isMailguardError(err)) return err;
  const where = role === 'device' ? `${host}:${port}` : `${role} ${host}:${port}`;
  const msg = err.message ?? String(err);
  if (err.level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
    if (role !== 'device') {
      return new MailguardError('AUTH_FAILED', `SSH login to ${where} was refused (wrong user or key)`, {
        hint: 'The jump host is offered your key (--identity, its IdentityFile) and ssh-agent, never the device password: check its User and that your key is in its authorized_keys.',
        details: { host, port, hop: role },
      });
    }
    return new MailguardError('AUTH_FAILED', `SSH login to ${where} was refused (wrong username, password or key)`, {
      hint: 'Check --username/--password (or ASA_USERNAME/ASA_PASSWORD) and that the device has `aaa authentication ssh console LOCAL` and the user; the tool tried once and will not retry (retries lock AAA accounts).',
      details: { host, port, hop: role },
    });
  }
  if (err.code === 'ECONNREFUSED') {
    return new MailguardError('CONNECT_FAILED', `Connection refused by ${where}`, {
      hint: 'Check the port and that SSH is enabled for your address on the device (`ssh <your-ip> <mask> <interface>`), or use --transport telnet --port 23 if the device only allows telnet.',
      details: { host, port, errno: err.code },
    });
  }
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    return new MailguardError('CONNECT_FAILED', `Cannot resolve ${host}`, {
      hint: 'Check the host name or use the IP address.',
      details: { host, port, errno: err.code },
    });
  }
  if (/timed out/i.test(msg) || err.code === 'ETIMEDOUT') {
    return new MailguardError('CONNECT_TIMEOUT', `No SSH handshake with ${where} within the connect timeout`, {
      hint: 'Check reachability and filtering of the management address, or raise --connect-timeout.',
      details: { host, port },
    });
  }
  if (/handshake failed/i.test(msg)) {
    return new MailguardError('CONNECT_FAILED', `SSH negotiation with ${where} failed: ${msg}`, {
      hint: 'Old PIX/ASA images offer only old key exchange and ciphers: retry with --legacy-algorithms.',
      details: { host, port },
    });
  }
  return new MailguardError('CONNECT_FAILED', `SSH connection to ${where} failed: ${systemErrorWords(err)}`, {
    hint: 'Check the address, port and that SSH is enabled on the device.',
    details: { host, port, errno: err.code },
  });
}

/**
 * The server's identification line, read alongside ssh2: ssh2 refuses `SSH-1.5-...` as "Invalid identification
 * string" without saying what it got. ssh2 keeps its socket as the private `_sock`, hence the guard.
 */
function tapIdentification(client: Client): () => string {
  let seen = '';
  const sock = (client as unknown as { _sock?: Duplex })._sock;
  if (!sock || typeof sock.on !== 'function') return () => '';
  const onData = (d: Buffer) => {
    seen += d.toString('latin1');
    if (seen.includes('\n') || seen.length > 1024) sock.off('data', onData);
  };
  sock.on('data', onData);
  return () => (/^SSH-[^\r\n]*/m.exec(seen)?.[0] ?? '').slice(0, 255);
}

/** `--transport ssh` met an SSH-1-only server (PIX 5.2-6.3 say `SSH-1.5-Cisco-1.25`); SSH-1.99 speaks SSH-2 too. */
export function ssh1OnlyError(ident: string, host: string, port: number): MailguardError | null {
  if (!/^SSH-1\.(?!99-)\d+-/.test(ident)) return null;
  return new MailguardError(
    'SSH1_ONLY',
    `${host}:${port} speaks SSH protocol 1 only ("${ident}"), which --transport ssh does not: PIX 5.2-6.3 have no SSH-2 server`,
    {
      hint: '--transport ssh1 reaches it (SSH-1 has known weaknesses: use it on a trusted management network only), or --transport telnet --port 23.',
      details: { host, port, serverIdentification: ident },
    },
  );
}

interface ConnectedClient {
  client: Client;
  fingerprint: string;
}

function connectClient(
  opts: SshTransportOptions & { sock?: Duplex },
  auth: SshAuth,
  timeoutMs: number,
): Promise<ConnectedClient> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    let fingerprint = '';
    let hostKeyError: MailguardError | null = null;
    let settled = false;
    const fail = (e: MailguardError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      client.destroy?.();
      reject(e);
    };
    const timer = setTimeout(() => {
      fail(
        new MailguardError(
          'CONNECT_TIMEOUT',
          `No SSH session with ${opts.host}:${opts.port} within ${secondsWords(opts.connectTimeoutMs)}`,
          {
            hint: 'Check reachability and filtering of the management address, or raise --connect-timeout.',
            details: { host: opts.host, port: opts.port },
          },
        ),
      );
    }, timeoutMs);
    const offers = new OfferCapture();
    const policy = opts.hostKeyPolicy ?? 'strict';
    const knownHostsFile = opts.knownHostsFile ?? defaultKnownHostsFile();
    const config: ConnectConfig = {
      host: opts.sock ? undefined : opts.host,
      port: opts.sock ? undefined : opts.port,
      sock: opts.sock,
      username: auth.username,
      readyTimeout: timeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      algorithms: algorithmsFor(opts.algorithms, opts.legacyAlgorithms),
      debug: offers.debug,
      hostVerifier: (key: Buffer) => {
        fingerprint = sha256Fingerprint(key);
        try {
          decideHostKey({ host: opts.host, port: opts.port, keyBlob: key, policy, knownHostsFile, log: opts.log });
          return true;
        } catch (e) {
          hostKeyError = e as MailguardError;
          return false;
        }
      },
      authHandler: buildAuthHandler(auth, opts.authMethods) as unknown as ConnectConfig['authHandler'],
    };
    client.on('handshake', () => offers.stop());
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ client, fingerprint });
    });
    client.on('error', (err: Error) => {
      const category = failedCategory(err.message ?? '');
      if (category) {
        const { host, port } = opts;
        const legacyAlgorithms = opts.legacyAlgorithms === true;
        fail(noCommonAlgorithmError({ host, port, category, offered: offers.offered, legacyAlgorithms }));
        return;
      }
      fail(
        hostKeyError ??
          ssh1OnlyError(serverIdent(), opts.host, opts.port) ??
          mapSshError(err, opts.host, opts.port, opts.role),
      );
    });
    client.on('close', () => {
      fail(
        hostKeyError ??
          new MailguardError('CONNECT_FAILED', `${opts.host}:${opts.port} closed the connection during SSH setup`, {
            hint: 'The device may not allow SSH from your address, or has reached its session limit (5 per context).',
            details: { host: opts.host, port: opts.port },
          }),
      );
    });
    client.connect(config);
    const serverIdent = tapIdentification(client);
    // TCP_NODELAY (as telnet and the probe set): with Nagle, small writes wait for delayed ACKs, ~40 ms each.
    client.setNoDelay(true);
  });
}

class SshTransport extends EventEmitter implements Transport {
  readonly kind = 'ssh' as const;
  readonly eol = '\n';
  closed = false;
  constructor(
    private readonly client: Client,
    private readonly channel: ClientChannel,
    readonly hostKeyFingerprint: string,
    private readonly jumpClients: Client[],
  ) {
    super();
    channel.on('data', (d: Buffer) => this.emit('data', d));
    channel.stderr.on('data', (d: Buffer) => this.emit('data', d));
    const onClose = (reason?: string) => {
      if (this.closed) return;
      this.closed = true;
      this.client.end();
      for (const c of this.jumpClients) c.end();
      this.emit('close', reason);
    };
    channel.on('close', () => onClose('channel closed'));
    client.on('close', () => onClose('connection closed'));
    client.on('error', (e: Error) => onClose(systemErrorWords(e)));
  }
  write(data: string | Buffer): void {
    if (!this.closed) this.channel.write(data);
  }
  close(): void {
    if (this.closed) return;
    try {
      this.channel.end();
    } catch {
      /* already gone */
    }
    this.client.end();
    for (const c of this.jumpClients) c.end();
  }
}

/** `--jump [user@]host[:port]`: the local user by default (OpenSSH -J), the key and agent but no password. */
function hopFromSpec(spec: string, auth: SshAuth): SshHop {
  const j = parseEndpoint(spec, { user: true, defaultPort: 22, what: 'jump host' });
  return {
    host: j.host,
    port: j.port,
    username: j.username ?? localUser(),
    privateKey: auth.privateKey,
    passphrase: auth.passphrase,
    agent: auth.agent,
  };
}

/** A direct-tcpip channel through `client` to the next hop or the device. */
function forward(client: Client, role: string, host: string, port: number): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      if (err) {
        reject(
          new MailguardError('CONNECT_FAILED', `The ${role} could not reach ${host}:${port}: ${err.message}`, {
            hint: 'Check that the jump host can reach the next hop and allows TCP forwarding (AllowTcpForwarding).',
            details: { host, port, hop: role, reason: err.message },
          }),
        );
      } else resolve(stream);
    });
  });
}

/** Open an SSH shell (pty 511 columns so the device never wraps lines). */
export async function openSsh(opts: SshTransportOptions): Promise<Transport> {
  const auth: SshAuth = {
    username: opts.username,
    password: opts.password,
    privateKey: opts.privateKey,
    passphrase: opts.passphrase,
    agent: opts.agent,
  };
  if (opts.privateKey) checkPrivateKey(opts.privateKey, opts.passphrase);
  const hops: SshHop[] = opts.jumpHops ?? (opts.jump ? [hopFromSpec(opts.jump, auth)] : []);
  const jumpClients: Client[] = [];
  const endJumps = () => {
    for (const c of [...jumpClients].reverse()) c.end();
  };
  let sock: Duplex | undefined;
  const deadline = Date.now() + opts.connectTimeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  let connected: ConnectedClient;
  try {
    for (const [i, hop] of hops.entries()) {
      const role = `jump host ${hop.label ?? hop.host}`;
      if (hop.privateKey) checkPrivateKey(hop.privateKey, hop.passphrase);
      const jumped = await connectClient(
        { ...opts, host: hop.host, port: hop.port, sock, algorithms: hop.algorithms, role, jump: undefined },
        { username: hop.username, privateKey: hop.privateKey, passphrase: hop.passphrase, agent: hop.agent },
        left(),
      );
      jumpClients.push(jumped.client);
      opts.log?.(`Connected to ${role} (${hop.host}:${hop.port}, ${jumped.fingerprint}) as ${hop.username}`);
      const next = hops[i + 1] ?? { host: opts.host, port: opts.port };
      sock = await forward(jumped.client, role, next.host, next.port);
    }
    connected = await connectClient({ ...opts, sock }, auth, left());
  } catch (e) {
    endJumps();
    throw e;
  }
  const channel = await new Promise<ClientChannel>((resolve, reject) => {
    connected.client.shell({ term: 'vt100', cols: 511, rows: 24, width: 0, height: 0 }, (err, ch) => {
      if (err) {
        connected.client.end();
        endJumps();
        reject(
          new MailguardError('CONNECT_FAILED', `${opts.host} refused an interactive shell: ${err.message}`, {
            hint: 'The SSH user may lack shell access on the device.',
            details: { host: opts.host, port: opts.port },
          }),
        );
      } else resolve(ch);
    });
  });
  return new SshTransport(connected.client, channel, connected.fingerprint, jumpClients);
}
