/**
 * Test helper: start a lab (stopped automatically after the test file) and talk to its devices over real TCP
 * with a tiny expect-style client (ssh2 Client shell, or a raw telnet socket). No fixed sleeps: every wait is on
 * output matching a pattern, with a timeout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientChannel } from 'ssh2';
import { afterAll, beforeAll } from 'vitest';
import { type Lab, type LabDeviceOptions, type LabOptions, startLab } from '../../src/lab/index.js';
import type { LabDeviceInfo } from '../../src/lab/types.js';
import type { ConnectOptions } from '../../src/session/types.js';
import { openTransport } from '../../src/transport/index.js';
import { LEGACY_ALGORITHMS } from '../../src/transport/ssh-algorithms.js';

export type { Lab, LabDeviceHandle } from '../../src/lab/index.js';

/**
 * Start a lab for the current test file; stopped in afterAll. Defaults keep tests fast: reload delay 0.2 s,
 * no SMTP unless asked.
 */
export async function startTestLab(
  devices: LabDeviceOptions[],
  options: Omit<LabOptions, 'devices'> & { registerCleanup?: boolean } = {},
): Promise<Lab> {
  const lab = await startLab({
    smtp: false,
    ...options,
    devices: devices.map((d) => ({ reloadDelaySec: 0.2, ...d })),
  });
  if (options.registerCleanup !== false) afterAll(() => lab.stop());
  return lab;
}

/** A known_hosts file in `dir` naming every device of the lab (strict host key checks pass). */
export function writeKnownHosts(lab: Lab, dir: string): string {
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `${lab.devices.map((d) => d.knownHostsLine).join('\n')}\n`);
  return file;
}

/** The tool's ConnectOptions for a lab device over SSH (ssh1 for pix6): its own credentials, `knownHostsFile`, short timeouts. */
export function labSshOptions(
  lab: Lab,
  name: string,
  knownHostsFile: string,
  over: Partial<ConnectOptions> = {},
): ConnectOptions {
  const d = lab.device(name).info;
  return {
    host: '127.0.0.1',
    port: d.ssh.port,
    // pix6's SSH port speaks SSH-1.5 only, as PIX 5.2-6.3 do
    transport: d.sshTransport ?? 'ssh',
    username: d.username,
    password: d.password,
    enableSecret: d.enableSecret,
    knownHostsFile,
    // The device as the real image is: asa8 offers only the old SSH-2 algorithms (asa-cli.md §1.8).
    legacyAlgorithms: d.legacyAlgorithms ?? false,
    timeouts: { connectMs: 4000, loginMs: 6000, commandMs: 6000 },
    ...over,
  };
}

/** A lab for the current test file with a known_hosts file for it in a temp dir; fields are set once beforeAll ran. */
export interface LabFixture {
  lab: Lab;
  dir: string;
  knownHosts: string;
  /** labSshOptions for device `name` with this fixture's known_hosts. */
  opts(name: string, over?: Partial<ConnectOptions>): ConnectOptions;
}

/**
 * Start `options` as is (no test defaults, unlike startTestLab) in beforeAll, write its known_hosts into a fresh temp
 * dir named from `tmpPrefix`; afterAll stops the lab and removes the dir.
 */
export function labFixture(options: LabOptions, tmpPrefix: string): LabFixture {
  const fx = {
    opts: (name: string, over: Partial<ConnectOptions> = {}) => labSshOptions(fx.lab, name, fx.knownHosts, over),
  } as LabFixture;
  beforeAll(async () => {
    fx.lab = await startLab(options);
    fx.dir = mkdtempSync(join(tmpdir(), tmpPrefix));
    fx.knownHosts = writeKnownHosts(fx.lab, fx.dir);
  });
  afterAll(async () => {
    await fx.lab?.stop();
    if (fx.dir) rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}

/** Output collected from a device session, with waits on patterns. */
export class Expect {
  buffer = '';
  closed = false;
  private waiters = new Set<() => void>();

  constructor(
    private readonly writer: (s: string) => void,
    private readonly ender: () => void,
  ) {}

  push(s: string): void {
    this.buffer += s;
    for (const w of [...this.waiters]) w();
  }
  markClosed(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w();
  }

  send(s: string): void {
    this.writer(s);
  }

  /** Wait until the buffer (from `from`) matches `re`; returns the text up to and including the match. */
  waitFor(re: RegExp, timeoutMs = 5000, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const tail = this.buffer.slice(from);
        const m = re.exec(tail);
        if (m) {
          cleanup();
          resolve(tail.slice(0, m.index + m[0].length));
          return true;
        }
        if (this.closed) {
          cleanup();
          reject(new Error(`session closed before ${re} appeared; got: ${JSON.stringify(tail.slice(-400))}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timeout waiting for ${re}; got: ${JSON.stringify(this.buffer.slice(from).slice(-400))}`));
      }, timeoutMs);
      const onData = () => void check();
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(onData);
      };
      if (!check()) this.waiters.add(onData);
    });
  }

  /** Send `cmd` + `\n` and return everything up to the next prompt ending in `#`/`>` + space. */
  async cmd(cmd: string, prompt: RegExp = /\r[^\r\n]*[#>] $/, timeoutMs = 5000): Promise<string> {
    const from = this.buffer.length;
    this.send(`${cmd}\n`);
    return this.waitFor(prompt, timeoutMs, from);
  }

  waitClosed(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => reject(new Error('session did not close')), timeoutMs);
      const w = () => {
        if (!this.closed) return;
        clearTimeout(timer);
        this.waiters.delete(w);
        resolve();
      };
      this.waiters.add(w);
    });
  }

  end(): void {
    this.ender();
  }
}

export interface SshShellOptions {
  username?: string;
  password?: string;
  /** Authenticate with keyboard-interactive instead of password. */
  keyboardInteractive?: boolean;
  readyTimeout?: number;
}

/**
 * An SSH shell with ssh2's Client; resolves once the shell channel is open. pix6 speaks SSH-1 only: there it is the
 * tool's own SSH-1 transport (host key not checked; keyboard-interactive does not exist in SSH-1).
 */
export function sshShell(info: LabDeviceInfo, o: SshShellOptions = {}): Promise<Expect> {
  if (info.sshTransport === 'ssh1') return ssh1Shell(info, o);
  return new Promise((resolve, reject) => {
    const client = new Client();
    const password = o.password ?? info.password;
    client.on('error', reject);
    if (o.keyboardInteractive) {
      client.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)));
    }
    client.on('ready', () => {
      client.shell({ term: 'vt100', cols: 511, rows: 24 }, (err, stream: ClientChannel) => {
        if (err) return reject(err);
        const ex = new Expect(
          (s) => stream.write(s),
          () => client.end(),
        );
        stream.on('data', (d: Buffer) => ex.push(d.toString('latin1')));
        stream.on('close', () => {
          ex.markClosed();
          client.end();
        });
        resolve(ex);
      });
    });
    client.connect({
      host: info.ssh.host,
      port: info.ssh.port,
      username: o.username ?? info.username,
      ...(o.keyboardInteractive ? { tryKeyboard: true } : { password }),
      readyTimeout: o.readyTimeout ?? 5000,
      algorithms: info.legacyAlgorithms ? LEGACY_ALGORITHMS : undefined,
    });
  });
}

async function ssh1Shell(info: LabDeviceInfo, o: SshShellOptions): Promise<Expect> {
  const t = await openTransport({
    transport: 'ssh1',
    host: info.ssh.host,
    port: info.ssh.port,
    username: o.username ?? info.username,
    password: o.password ?? info.password,
    hostKeyPolicy: 'off',
    connectTimeoutMs: o.readyTimeout ?? 5000,
  });
  const ex = new Expect(
    (text) => t.write(text),
    () => t.close(),
  );
  t.on('data', (d: Buffer) => ex.push(d.toString('latin1')));
  t.on('close', () => ex.markClosed());
  return ex;
}

/** Raw telnet socket: answers nothing to the option negotiation (the server does not need answers). */
export function telnetShell(info: LabDeviceInfo): Promise<Expect & { raw: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(info.telnet.port, info.telnet.host);
    const raw: Buffer[] = [];
    const ex = new Expect(
      (s) => socket.write(s),
      () => socket.end(),
    ) as Expect & { raw: Buffer[] };
    ex.raw = raw;
    socket.on('data', (d: Buffer) => {
      raw.push(d);
      // Drop IAC sequences (3 bytes each here) so tests see text only.
      ex.push(d.toString('latin1').replace(/\xff[\xfb-\xfe]./gs, ''));
    });
    socket.on('close', () => ex.markClosed());
    socket.once('error', reject);
    socket.once('connect', () => resolve(ex));
  });
}

/** SSH shell, then `enable` with the device's secret; resolves at the `#` prompt. */
export async function sshEnabled(info: LabDeviceInfo): Promise<Expect> {
  const s = await sshShell(info);
  await s.waitFor(/> $/);
  s.send('enable\n');
  await s.waitFor(/(?:Password|PIX passwd): $/);
  s.send(`${info.enableSecret}\n`);
  await s.waitFor(/# $/);
  return s;
}

/** Telnet with the PIX password-only login, then `enable` with the device's secret; resolves at the `#` prompt. */
export async function telnetEnabled(info: LabDeviceInfo): Promise<Expect & { raw: Buffer[] }> {
  const t = await telnetShell(info);
  await t.waitFor(/(?:Password|PIX passwd): $/);
  t.send(`${info.password}\r\n`);
  await t.waitFor(/> $/);
  t.send('enable\r\n');
  await t.waitFor(/(?:Password|PIX passwd): $/);
  t.send(`${info.enableSecret}\r\n`);
  await t.waitFor(/# $/);
  return t;
}

/**
 * A CLI session on an emulator without any socket (unit tests): bytes in through `send`, bytes out into the buffer.
 */
export function cliSession(
  device: import('../../src/lab/device.js').DeviceEmulator,
  login: 'none' | 'username-password' | 'password-only' = 'none',
  username = device.opts.username,
): Expect {
  let conn: import('../../src/lab/cli.js').CliConnection | undefined;
  const ex = new Expect(
    (s) => conn?.feed(s),
    () => conn?.close(),
  );
  conn = device.openConnection(
    { transport: 'stdio', login, username: login === 'none' ? username : undefined },
    { write: (s) => ex.push(s), close: () => ex.markClosed() },
  );
  conn.start();
  return ex;
}

/**
 * A config without its `: Serial Number:` header line: each unit of a failover pair prints its own serial there,
 * so replicated configs agree on everything but that line (as on real pairs).
 */
export function bodyOf(config: string): string {
  return config.replace(/^: Serial Number: .*$/m, ': Serial Number: <unit>');
}

/** A loopback port nothing listens on (bound, then closed): a device or SMTP front that is not there. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A loopback port that accepts TCP and never says a word (a filtering middlebox, a hung daemon). */
export async function silentPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const held = new Set<Socket>();
  const srv = createServer((sock) => {
    held.add(sock);
    sock.on('close', () => held.delete(sock));
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (srv.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of held) sock.destroy();
        srv.close(() => resolve());
      }),
  };
}
