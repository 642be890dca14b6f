/**
 * The engine's link to the device: one session at a time (reconnecting after a drop or a timeout), context
 * switching in multiple-context mode, and a record of every command with its (redacted) response.
 */
import { DeviceCommandError } from '../errors.js';
import { execCommands } from '../platform/commands.js';
import type { PlatformInfo } from '../platform/types.js';
import type { CliSession, ConnectOptions, SendOptions } from '../session/types.js';
import { sha256 } from './backup.js';
import type { EngineDeps } from './deps.js';
import { redactSecrets } from './redact.js';
import { toEngineError } from './state.js';
import type { CommandRecord, StepName } from './types.js';

export interface DeviceLinkOptions {
  connect: ConnectOptions;
  openSession: EngineDeps['openSession'];
  now: () => Date;
  /** Session log lines (debug) and reconnect notices (warn). */
  log: (message: string, level: 'warn' | 'debug') => void;
  /** An interrupt: the command in flight finishes, no further one is sent except by the rollback and the record. */
  signal?: AbortSignal;
}

/** Steps that still talk to the device after an interrupt: they are how the change ends safely. */
const AFTER_STOP: ReadonlySet<StepName> = new Set(['rollback', 'report']);

export class DeviceLink {
  readonly commands: CommandRecord[] = [];
  session: CliSession | null = null;
  /** Known after detect: reconnects skip dialect detection, contexts are switched. */
  platform: PlatformInfo | null = null;
  /** Set by a rollback whose read failed: later sessions enter config mode without a read (ConnectOptions). */
  anonymousReportingConfigured: boolean | undefined;

  constructor(private readonly o: DeviceLinkOptions) {}

  secrets(): Array<string | undefined> {
    const c = this.o.connect;
    return [c.password, c.enableSecret, c.passphrase];
  }

  get multi(): boolean {
    return this.platform?.contextMode === 'multiple';
  }

  /** PIX 6.x leaves config mode with `exit` per level; ASA with `end`. */
  get leaveConfigLabel(): string {
    return this.platform?.dialect === 'pix6' ? 'exit' : 'end';
  }

  async connect(): Promise<CliSession> {
    const outer = this.o.connect.onLog;
    const session = await this.o.openSession({
      ...this.o.connect,
      ...(this.platform ? { dialect: this.platform.dialect } : {}),
      ...(this.anonymousReportingConfigured !== undefined
        ? { anonymousReportingConfigured: this.anonymousReportingConfigured }
        : {}),
      onLog: (line) => {
        outer?.(line);
        this.o.log(line, 'debug');
      },
    });
    this.session = session;
    return session;
  }

  async ensure(): Promise<CliSession> {
    if (this.session && !this.session.closed) return this.session;
    this.session = null;
    this.o.log('session lost: reconnecting', 'warn');
    return this.connect();
  }

  async drop(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await s.close().catch(() => undefined);
  }

  record(step: StepName, context: string | null, command: string, response: string, ok: boolean, started: Date) {
    this.commands.push({
      step,
      context,
      command,
      response: redactSecrets(response, this.secrets()),
      ok,
      at: started.toISOString(),
      durationMs: this.o.now().getTime() - started.getTime(),
    });
  }

  /** Run `run` on the session and record it as `command`; after a timeout or a drop the next call reconnects. */
  private async recorded<T>(
    step: StepName,
    context: string | null,
    command: string,
    run: (s: CliSession) => Promise<T>,
    describe: (out: T, s: CliSession) => string,
  ): Promise<T> {
    if (this.o.signal?.aborted && !AFTER_STOP.has(step)) throw this.o.signal.reason;
    const session = await this.ensure();
    const started = this.o.now();
    try {
      const out = await run(session);
      this.record(step, context, command, describe(out, session), true, started);
      return out;
    } catch (e) {
      const err = toEngineError(e);
      this.record(
        step,
        context,
        command,
        e instanceof DeviceCommandError ? e.output : `(${err.code}: ${err.message})`,
        false,
        started,
      );
      // The conversation is out of step after anything but a device error: start a fresh session next time.
      if (!(e instanceof DeviceCommandError)) await this.drop();
      throw err;
    }
  }

  send(step: StepName, context: string | null, command: string, opts: SendOptions = {}): Promise<string> {
    return this.recorded(
      step,
      context,
      command,
      (s) => s.send(command, opts),
      (out) => out,
    );
  }

  /** A session-level mode change (configure terminal, end, changeto), recorded with the prompt it reached. */
  modeCommand(step: StepName, context: string | null, command: string, run: (s: CliSession) => Promise<void>) {
    return this.recorded(step, context, command, run, (_o, s) => `(prompt ${s.prompt})`);
  }

  async enterContext(context: string | null, step: StepName): Promise<void> {
    if (this.o.signal?.aborted && !AFTER_STOP.has(step)) throw this.o.signal.reason;
    if (!this.multi) return;
    const session = await this.ensure();
    const want = context ?? 'system';
    if (session.context === want) return;
    const label = want === 'system' ? 'changeto system' : `changeto context ${want}`;
    await this.modeCommand(step, context, label, (s) => s.changeTo(want));
  }

  /** `show running-config` / `show startup-config` (PIX: `show configure`); the record keeps size and checksum (the text is in the backup). */
  async readConfig(step: StepName, context: string | null, kind: 'running' | 'startup'): Promise<string> {
    await this.enterContext(context, step);
    // PIX 6.x names the saved config `show configure` (platform command set).
    const exec = execCommands(this.platform?.dialect ?? 'asa9');
    const cmd = kind === 'running' ? exec.showRunning : exec.showStartup;
    return this.recorded(
      step,
      context,
      cmd,
      (s) => s.send(cmd, { timeoutMs: this.o.connect.timeouts?.commandMs }),
      (out) => `(${out.length} bytes, sha256 ${sha256(out).slice(0, 16)}…)`,
    );
  }
}
