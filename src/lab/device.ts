/**
 * One emulated PIX/ASA: configs (running/startup per context), credentials, faults, command log, up/down state
 * across `reload`. Pure state, no sockets: servers open a CliConnection per session through `openConnection`.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CliConnection, type CliConnectionOptions, type CliSink } from './cli.js';
import { type ConfigDoc, checksum, cloneDoc, parseConfig, renderConfig } from './config-text.js';
import { type DialectProfile, defaultConfig, PROFILES } from './defaults.js';
import { inspectionPolicy } from './policy.js';
import { type SshAlgorithmSet, type SshServerProfile, sshServerProfile } from './ssh-algorithms.js';
import type { LabDeviceOptions, LabDialect, LabFaults, MailguardFamily, SmtpInspectionPolicy } from './types.js';

/** Options with every default resolved. */
export interface ResolvedDeviceOptions {
  name: string;
  dialect: LabDialect;
  hostname: string;
  serial: string;
  username: string;
  password: string;
  enableSecret: string;
  telnetLogin: 'username-password' | 'password-only';
  reloadDelaySec: number;
  anonymousReportingQuestion: boolean;
  contextMode: 'single' | 'multiple';
  contexts: string[];
  failover: { role: 'active' | 'standby'; unit: 'primary' | 'secondary'; peer?: string } | null;
  startupConfig?: string;
  mailguardFamily?: MailguardFamily;
  faults: LabFaults;
  sshAlgorithms: Partial<SshAlgorithmSet>;
  telnetTerminalType: boolean;
}

export function resolveDeviceOptions(o: LabDeviceOptions, index = 0): ResolvedDeviceOptions {
  const profile = PROFILES[o.dialect];
  return {
    name: o.name ?? `${o.dialect}-${index + 1}`,
    dialect: o.dialect,
    hostname: o.hostname ?? (index === 0 ? profile.defaultHostname : `${profile.defaultHostname}-${index + 1}`),
    serial: o.serial ?? labSerial(o.dialect, o.name ?? `${o.dialect}-${index + 1}`),
    // A PIX without AAA takes SSH logins as user `pix` with the telnet `passwd` (asa-cli.md §1.8).
    username: o.username ?? (o.dialect === 'pix6' ? 'pix' : 'admin'),
    password: o.password ?? 'cisco',
    enableSecret: o.enableSecret ?? 'cisco',
    telnetLogin: o.telnetLogin ?? (o.dialect === 'pix6' ? 'password-only' : 'username-password'),
    reloadDelaySec: o.reloadDelaySec ?? 5,
    anonymousReportingQuestion: o.anonymousReportingQuestion ?? o.dialect === 'asa9',
    contextMode: o.contextMode ?? 'single',
    contexts: o.contextMode === 'multiple' ? (o.contexts?.length ? o.contexts : ['admin', 'ctx1']) : [],
    failover: o.failover ?? null,
    startupConfig: o.startupConfig,
    mailguardFamily: o.mailguardFamily,
    faults: { ...(o.faults ?? {}) },
    sshAlgorithms: { ...(o.sshAlgorithms ?? {}) },
    telnetTerminalType: o.telnetTerminalType ?? true,
  };
}

/**
 * A serial number of the real shape, stable per device name: ASA `JMX0938K0C0` style (3 letters, 8 more), PIX a
 * decimal number (pix_show-version_1.txt prints `806245458 (0x300e5452)`). Real units never share one.
 */
export function labSerial(dialect: LabDialect, name: string): string {
  const h = createHash('sha256').update(name).digest();
  if (dialect === 'pix6') return String(100_000_000 + (h.readUInt32BE(0) % 900_000_000));
  const alnum = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  return `JMX${[...h.subarray(4, 12)].map((b) => alnum[b % alnum.length]).join('')}`;
}

/** Config key of single mode; in multiple mode the keys are `system` and the context names. */
export const SINGLE = 'single';

export interface ScheduledReload {
  at: Date;
  timer: NodeJS.Timeout;
}

/**
 * Events: `down` (reload started), `up` (back with its startup config), `command` (line, connection id: before
 * it runs), `executed` (line, connection id: after), `saved` (context).
 */
export class DeviceEmulator extends EventEmitter {
  readonly opts: ResolvedDeviceOptions;
  readonly profile: DialectProfile;
  faults: LabFaults;
  private running = new Map<string, ConfigDoc>();
  private startup = new Map<string, ConfigDoc>();
  /**
   * The startup config each context booted with, kept from its first save after a (re)boot: until then the startup
   * config still is what it booted with. Read by the needs-reload fault.
   */
  private readonly bootConfigs = new Map<string, ConfigDoc>();
  /** The other unit of a failover pair (linked by startLab from `failover.peer`), or null. */
  failoverPeer: DeviceEmulator | null = null;
  private readonly log: string[] = [];
  private up = true;
  private bootAt = Date.now();
  private reloadTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly connections = new Set<CliConnection>();
  lastModified: { by: string; at: Date } | null = null;
  scheduledReload: ScheduledReload | null = null;
  private nextConnId = 1;
  /** Login history per user, for the 9.x `aaa authentication login-history` lines. */
  readonly logins = new Map<string, { count: number; last: Date }>();

  constructor(opts: ResolvedDeviceOptions) {
    super();
    this.opts = opts;
    this.profile = PROFILES[opts.dialect];
    this.faults = opts.faults;
    for (const [key, doc] of this.initialConfigs()) {
      this.startup.set(key, doc);
      this.running.set(key, cloneDoc(doc));
    }
  }

  private initialConfigs(): Map<string, ConfigDoc> {
    const o = this.opts;
    // The capture's `: Serial Number:` header line names this unit's serial, as show version does.
    const own = (doc: ConfigDoc): ConfigDoc => ({
      ...doc,
      header: doc.header.map((l) => (/^: Serial Number: /.test(l) ? `: Serial Number: ${o.serial}` : l)),
    });
    const base = (hostname: string): ConfigDoc =>
      o.startupConfig
        ? parseConfig(o.startupConfig)
        : own(
            defaultConfig(o.dialect, {
              hostname,
              username: o.username,
              askAnonymousReporting: o.anonymousReportingQuestion,
            }),
          );
    const m = new Map<string, ConfigDoc>();
    if (o.contextMode === 'single') {
      m.set(SINGLE, base(o.hostname));
      return m;
    }
    m.set('system', this.systemConfig());
    for (const c of o.contexts) m.set(c, base(o.hostname));
    return m;
  }

  /** [unverified] system execution space config: no capture; shape follows the ASA multiple-context docs. */
  private systemConfig(): ConfigDoc {
    const body = [
      '!',
      `ASA Version ${this.profile.version} <system>`,
      '!',
      `hostname ${this.opts.hostname}`,
      'mac-address auto',
      '!',
      'admin-context admin',
    ];
    this.opts.contexts.forEach((c, i) => {
      body.push(`context ${c}`, `  allocate-interface GigabitEthernet0/${i}`, `  config-url disk0:/${c}.cfg`, '!');
    });
    body.push('prompt hostname context ');
    return { header: [': Saved', ':'], body };
  }

  get name(): string {
    return this.opts.name;
  }
  get dialect(): LabDialect {
    return this.opts.dialect;
  }
  get isPix(): boolean {
    return this.profile.family === 'pix';
  }
  /** The context a new session lands in: the single config, or the admin (first) context. */
  get defaultContext(): string {
    return this.opts.contextMode === 'single' ? SINGLE : (this.opts.contexts[0] ?? 'admin');
  }
  contextNames(): string[] {
    return this.opts.contextMode === 'single' ? [] : [...this.opts.contexts];
  }
  /** Failover role if configured or forced by the standby fault. */
  get failoverRole(): { role: 'active' | 'standby'; unit: 'primary' | 'secondary' } | null {
    if (this.faults.standby) return { role: 'standby', unit: 'secondary' };
    return this.opts.failover ? { role: this.opts.failover.role, unit: this.opts.failover.unit } : null;
  }

  doc(ctx: string = this.defaultContext): ConfigDoc {
    const d = this.running.get(ctx);
    if (!d) throw new Error(`no such context: ${ctx}`);
    return d;
  }
  startupDoc(ctx: string = this.defaultContext): ConfigDoc {
    const d = this.startup.get(ctx);
    if (!d) throw new Error(`no such context: ${ctx}`);
    return d;
  }
  hasContext(ctx: string): boolean {
    return this.running.has(ctx);
  }

  /** What the SSH-2 server says and offers to the next connection (its `ssh ...` config lines apply); null on PIX. */
  sshProfile(): SshServerProfile | null {
    return sshServerProfile(this.dialect, this.doc(this.defaultContext).body, this.opts.sshAlgorithms);
  }

  hostname(): string {
    const key = this.opts.contextMode === 'single' ? SINGLE : 'system';
    const line = this.running.get(key)?.body.find((l) => l.startsWith('hostname '));
    return line?.slice('hostname '.length).trim() || this.opts.hostname;
  }

  runningConfig(ctx?: string): string {
    return `${renderConfig(this.doc(ctx)).join('\n')}\n`;
  }
  startupConfig(ctx?: string): string {
    return `${renderConfig(this.startupDoc(ctx)).join('\n')}\n`;
  }
  setRunningConfig(text: string, ctx: string = this.defaultContext): void {
    this.running.set(ctx, parseConfig(text, this.doc(ctx).header));
  }
  setStartupConfig(text: string, ctx: string = this.defaultContext): void {
    this.startup.set(ctx, parseConfig(text, this.startupDoc(ctx).header));
  }
  /** Note a config change (for `show version` and the reload Save? question). */
  touched(by: string): void {
    this.lastModified = { by, at: new Date() };
  }
  isModified(ctx?: string): boolean {
    const keys = ctx ? [ctx] : [...this.running.keys()];
    return keys.some((k) => checksum(this.doc(k)) !== checksum(this.startupDoc(k)));
  }
  /** `write memory`: running -> startup; on the active unit of a pair the standby writes too (asa-cli.md §4.1). */
  save(ctx: string = this.defaultContext): void {
    if (!this.bootConfigs.has(ctx)) this.bootConfigs.set(ctx, this.startupDoc(ctx));
    this.startup.set(ctx, cloneDoc(this.doc(ctx)));
    this.emit('saved', ctx);
    const standby = this.replicationTarget();
    if (standby?.hasContext(ctx)) standby.save(ctx);
  }
  saveAll(): void {
    for (const k of this.running.keys()) this.save(k);
  }

  /** The config a context booted with (its startup config at the last start or reload). */
  bootedDoc(ctx: string = this.defaultContext): ConfigDoc {
    return this.bootConfigs.get(ctx) ?? this.startupDoc(ctx);
  }

  /** What the Mailguard front applies: the running config, or the booted one under the needs-reload fault. */
  inspectionPolicy(): SmtpInspectionPolicy {
    const ctx = this.defaultContext;
    const doc = this.faults.needsReload ? this.bootedDoc(ctx) : this.doc(ctx);
    return inspectionPolicy(this.dialect, doc, this.opts.mailguardFamily);
  }

  /**
   * The unit this one replicates config commands and saves to: its failover peer, while this unit is the active
   * one, the peer the standby, and both are up (a real standby that is down resyncs when it boots: not emulated).
   */
  replicationTarget(): DeviceEmulator | null {
    const peer = this.failoverPeer;
    if (!peer || !this.up || !peer.isUp()) return null;
    if (this.failoverRole?.role !== 'active' || peer.failoverRole?.role !== 'standby') return null;
    return peer;
  }

  setFaults(f: LabFaults): void {
    this.faults = { ...f };
  }

  private held: Array<() => void> = [];
  /** Wait until release() (fault holdAt/holdSmtp); `held` says what waits. */
  hold(what: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.held.push(resolve);
      this.emit('held', what);
    });
  }
  /** Let everything held go on; returns how many were held. */
  release(): number {
    const held = this.held.splice(0);
    for (const r of held) r();
    return held.length;
  }

  recordCommand(line: string, connId: number): void {
    this.log.push(line);
    this.emit('command', line, connId);
  }
  commandLog(): string[] {
    return [...this.log];
  }

  uptimeSec(): number {
    return Math.floor((Date.now() - this.bootAt) / 1000);
  }
  isUp(): boolean {
    return this.up;
  }

  checkLogin(username: string | undefined, password: string): boolean {
    if (this.faults.authFail || !this.up) return false;
    if (username !== undefined && username !== this.opts.username) return false;
    return password === this.opts.password;
  }

  noteLogin(user: string): { count: number; last: Date } | undefined {
    const prev = this.logins.get(user);
    this.logins.set(user, { count: (prev?.count ?? 0) + 1, last: new Date() });
    return prev;
  }

  openConnection(options: CliConnectionOptions, sink: CliSink): CliConnection {
    const conn = new CliConnection(this, this.nextConnId++, options, sink);
    this.connections.add(conn);
    conn.once('closed', () => this.connections.delete(conn));
    return conn;
  }

  /**
   * Go down now: every session is cut, running configs are replaced by startup configs, and after
   * `reloadDelaySec` the device is up again (unless the no-return fault is set).
   */
  reload(shutdownLines: string[] = []): void {
    if (!this.up) return;
    this.cancelScheduledReload();
    this.up = false;
    // The timer is armed before sessions are cut, so that stop() called from a session's close clears it.
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      if (this.faults.noReturn || this.stopped) return;
      this.running = new Map([...this.startup].map(([k, d]) => [k, cloneDoc(d)]));
      this.bootConfigs.clear();
      this.bootAt = Date.now();
      this.lastModified = null;
      this.up = true;
      this.emit('up');
    }, this.opts.reloadDelaySec * 1000);
    this.emit('down');
    // Every admin session sees the shutdown lines, then the connection drops (asa-cli.md §4.2).
    for (const c of [...this.connections]) {
      c.notify(shutdownLines);
      c.close();
    }
  }

  scheduleReload(minutes: number): Date {
    this.cancelScheduledReload();
    const at = new Date(Date.now() + minutes * 60_000);
    const timer = setTimeout(() => this.reload(), minutes * 60_000);
    timer.unref();
    this.scheduledReload = { at, timer };
    return at;
  }
  cancelScheduledReload(): boolean {
    if (!this.scheduledReload) return false;
    clearTimeout(this.scheduledReload.timer);
    this.scheduledReload = null;
    return true;
  }

  /** Resolves when the device is up (immediately if it is). */
  whenUp(): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve) => this.once('up', () => resolve()));
  }

  stop(): void {
    this.stopped = true;
    this.release();
    this.cancelScheduledReload();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    for (const c of [...this.connections]) c.close();
  }
}
