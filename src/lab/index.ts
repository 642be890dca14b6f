/**
 * The lab: N emulated PIX/ASA devices in this process, each with its own SSH, telnet and SMTP-front port on
 * 127.0.0.1. Used by tests (test/helpers/lab.ts), the demo and `asa-mailguard lab`. Never imported by the tool's core.
 */
import { randomBytes } from 'node:crypto';
import { MailguardError } from '../errors.js';
import { presentedSsh1Key } from '../transport/ssh1/transport.js';
import { DeviceEmulator, resolveDeviceOptions } from './device.js';
import { linkFailoverPeers } from './failover.js';
import { loadHostKey } from './hostkey.js';
import { needsLegacyAlgorithms, type RunningServer, startSshServer } from './server/ssh.js';
import { startSsh1Server } from './server/ssh1.js';
import { startTelnetServer } from './server/telnet.js';
import { type SmtpBackend, startMailguardFront, startSmtpBackend } from './smtp/index.js';
import { loadSsh1HostKey } from './ssh1-keys.js';
import { persistDevice } from './state.js';
import type { LabDeviceInfo, LabDeviceOptions, LabFaults, SmtpInspectionPolicy } from './types.js';

export { DeviceEmulator } from './device.js';
export type { LabDeviceInfo, LabDeviceOptions, LabDialect, LabFaults, SmtpInspectionPolicy } from './types.js';

export interface LabOptions {
  devices: LabDeviceOptions[];
  /** Keeps the SSH host key and each device's saved (startup) config across starts. */
  stateDir?: string;
  /** Bind address; 127.0.0.1 unless a test says otherwise. */
  host?: string;
  /** Generate random passwords/enable secrets where not given (default true; the CLI prints them). */
  randomCredentials?: boolean;
  /** Start the SMTP front + backend per device (default true). */
  smtp?: boolean;
}

export type LabDeviceEvent = 'up' | 'down' | 'command' | 'executed' | 'held';

export interface LabDeviceHandle {
  readonly info: LabDeviceInfo;
  /** The state machine itself, for tests that need more than this handle. */
  readonly emulator: DeviceEmulator;
  runningConfig(context?: string): string;
  startupConfig(context?: string): string;
  setRunningConfig(text: string, context?: string): void;
  setStartupConfig(text: string, context?: string): void;
  setFaults(faults: LabFaults): void;
  inspectionPolicy(): SmtpInspectionPolicy;
  /** Every command line received, in order (never passwords or answers to questions). */
  commandLog(): string[];
  isUp(): boolean;
  /** Resolves when the device is up again after a reload; rejects after `timeoutMs` (default 30 s). */
  waitUp(timeoutMs?: number): Promise<void>;
  on(event: 'up' | 'down', listener: () => void): void;
  on(event: 'command', listener: (line: string) => void): void;
  /** A command ran (after its output was written). */
  on(event: 'executed', listener: (line: string) => void): void;
  /** A command or SMTP connection is held (faults holdAt, holdSmtp) until release(). */
  on(event: 'held', listener: (what: string) => void): void;
  /** Let everything held go on; returns how many were held. */
  release(): number;
  off(event: LabDeviceEvent, listener: (...args: never[]) => void): void;
  /** SMTP messages the backend received (shared backend: all devices of that flavor). */
  smtpBackend?: SmtpBackend;
}

export interface Lab {
  devices: LabDeviceInfo[];
  device(name: string): LabDeviceHandle;
  stop(): Promise<void>;
}

function secret(bytes = 9): string {
  return randomBytes(bytes).toString('base64url');
}

function makeHandle(
  emulator: DeviceEmulator,
  info: LabDeviceInfo,
  smtpBackend: SmtpBackend | undefined,
): LabDeviceHandle {
  return {
    info,
    emulator,
    smtpBackend,
    runningConfig: (ctx) => emulator.runningConfig(ctx),
    startupConfig: (ctx) => emulator.startupConfig(ctx),
    setRunningConfig: (text, ctx) => emulator.setRunningConfig(text, ctx),
    setStartupConfig: (text, ctx) => emulator.setStartupConfig(text, ctx),
    setFaults: (f) => emulator.setFaults(f),
    release: () => emulator.release(),
    inspectionPolicy: () => emulator.inspectionPolicy(),
    commandLog: () => emulator.commandLog(),
    isUp: () => emulator.isUp(),
    waitUp: (timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (emulator.isUp()) return resolve();
        const timer = setTimeout(() => {
          emulator.off('up', onUp);
          reject(new Error(`device ${info.name} not up after ${timeoutMs} ms`));
        }, timeoutMs);
        const onUp = () => {
          clearTimeout(timer);
          resolve();
        };
        emulator.once('up', onUp);
      }),
    on: (event: LabDeviceEvent, listener: (...args: never[]) => void) => {
      emulator.on(event, listener as (...args: unknown[]) => void);
    },
    off: (event, listener) => {
      emulator.off(event, listener as (...args: unknown[]) => void);
    },
  } as LabDeviceHandle;
}

interface StartedDevice {
  handle: LabDeviceHandle;
  servers: RunningServer[];
}

async function startDevice(
  o: LabDeviceOptions,
  index: number,
  host: string,
  randomCreds: boolean,
  backends: Map<string, Promise<SmtpBackend>> | null,
  stateDir: string | undefined,
): Promise<StartedDevice> {
  const resolved = resolveDeviceOptions(
    {
      ...o,
      password: o.password ?? (randomCreds ? secret() : undefined),
      enableSecret: o.enableSecret ?? (randomCreds ? secret() : undefined),
    },
    index,
  );
  const emulator = new DeviceEmulator(resolved);
  if (stateDir) persistDevice(emulator, stateDir, false);
  const servers: RunningServer[] = [];
  try {
    // PIX 5.2-6.3 have an SSH-1 server only (asa-cli.md §1.8); ASA images speak SSH-2.
    const ssh1 = resolved.dialect === 'pix6';
    // Each unit its own host key, as in the field.
    let presented: { fingerprint: string; line: string; md5?: string };
    let listening: Promise<RunningServer>;
    if (ssh1) {
      const hostKey = await loadSsh1HostKey(resolved.name, stateDir);
      presented = presentedSsh1Key(hostKey);
      listening = startSsh1Server(emulator, host, { hostKey, ciphers: o.ssh1Ciphers });
    } else {
      const hostKey = await loadHostKey(resolved.name, stateDir);
      presented = { fingerprint: hostKey.sha256, line: hostKey.publicKey };
      listening = startSshServer(emulator, hostKey, host);
    }
    const [ssh, telnet] = await Promise.all([listening, startTelnetServer(emulator, host)]);
    servers.push(ssh, telnet);
    let smtp = { host, port: 0 };
    let backend: SmtpBackend | undefined;
    if (backends) {
      const flavor = o.smtpBackend ?? 'postfix';
      let b = backends.get(flavor);
      if (!b) {
        b = startSmtpBackend({ flavor, host });
        backends.set(flavor, b);
      }
      backend = await b;
      const front = await startMailguardFront({
        backend: backend.endpoint,
        policy: () => emulator.inspectionPolicy(),
        passTraffic: () => emulator.isUp(),
        gate: () => (emulator.faults.holdSmtp ? emulator.hold('smtp connection') : undefined),
        host,
      });
      servers.push(front);
      smtp = front.endpoint;
    }
    const sshServer = emulator.sshProfile();
    const info: LabDeviceInfo = {
      name: resolved.name,
      dialect: resolved.dialect,
      hostname: resolved.hostname,
      ssh: ssh.endpoint,
      telnet: telnet.endpoint,
      smtp,
      username: resolved.username,
      password: resolved.password,
      enableSecret: resolved.enableSecret,
      hostKeySha256: presented.fingerprint,
      smtpBackend: backend?.endpoint,
      knownHostsLine: `[${ssh.endpoint.host}]:${ssh.endpoint.port} ${presented.line}`,
      sshTransport: ssh1 ? 'ssh1' : 'ssh',
      ...(presented.md5 ? { hostKeyMd5: presented.md5 } : {}),
      telnetLogin: resolved.telnetLogin,
      ...(sshServer ? { sshServer, legacyAlgorithms: needsLegacyAlgorithms(sshServer) } : {}),
      ...(resolved.failover ? { failover: resolved.failover } : {}),
    };
    return { handle: makeHandle(emulator, info, backend), servers };
  } catch (e) {
    emulator.stop();
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
}

export async function startLab(options: LabOptions): Promise<Lab> {
  const host = options.host ?? '127.0.0.1';
  // The lab accepts any password typed at it: it must never listen beyond the loopback interface.
  if (!/^(127\.\d+\.\d+\.\d+|::1)$/.test(host))
    throw new MailguardError('USAGE', `The lab binds to loopback addresses only, not ${host}.`, {
      hint: 'Use 127.0.0.1 (the default).',
    });
  const backends = options.smtp === false ? null : new Map<string, Promise<SmtpBackend>>();
  const names = new Set<string>();
  const perDialect = new Map<string, number>();
  const settled = await Promise.allSettled(
    options.devices.map((o) => {
      // Numbered per dialect: asa9-1, asa9-2, pix6-1; the first of each dialect keeps the plain hostname.
      const n = perDialect.get(o.dialect) ?? 0;
      perDialect.set(o.dialect, n + 1);
      const name = o.name ?? `${o.dialect}-${n + 1}`;
      if (names.has(name)) return Promise.reject(new Error(`duplicate lab device name: ${name}`));
      names.add(name);
      return startDevice({ ...o, name }, n, host, options.randomCredentials ?? true, backends, options.stateDir);
    }),
  );
  const started = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const closeBackends = async () => {
    if (!backends) return;
    const all = await Promise.allSettled([...backends.values()]);
    await Promise.all(all.map((b) => (b.status === 'fulfilled' ? b.value.close() : undefined)));
  };
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    for (const d of started) d.handle.emulator.stop();
    await Promise.all(started.flatMap((d) => d.servers.map((s) => s.close())));
    await closeBackends();
    throw failed.reason;
  }
  const byName = new Map(started.map((d) => [d.handle.info.name, d]));
  linkFailoverPeers(started.map((d) => d.handle.emulator));
  let stopped = false;
  return {
    devices: started.map((d) => d.handle.info),
    device(name: string): LabDeviceHandle {
      const d = byName.get(name);
      if (!d) throw new Error(`no lab device named ${name}`);
      return d.handle;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const d of started) d.handle.emulator.stop();
      await Promise.all(started.flatMap((d) => d.servers.map((s) => s.close())));
      await closeBackends();
    },
  };
}
