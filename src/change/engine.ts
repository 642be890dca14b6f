/**
 * The change engine: one change on one device as a pipeline of named steps. It emits typed events and returns a
 * ChangeResult; it never prints. Every UI (CLI, wizard, fleet runner) drives this class.
 */
import { basename, join } from 'node:path';
import { checkWritableDir, checkWritableFileLater } from '../config/paths.js';
import { DeviceCommandError, ExitCode, isSignalStop, MailguardError } from '../errors.js';
import { classifyDeviceOutput, isAuthorizationFailure } from '../platform/index.js';
import type { Finding, InspectionReport, PlatformInfo } from '../platform/types.js';
import { compareProbes } from '../probe/compare.js';
import type { CliSession } from '../session/types.js';
import { isoInZone } from '../time-zone.js';
import { ctxKey, type LoadedBackup, loadBackup, normalizeConfig, utcStamp, writeBackup } from './backup.js';
import type { DeviceState, EngineDeps } from './deps.js';
import { DeviceLink } from './device.js';
import { type DeviceIdentity, deviceAddress, deviceFolder } from './device-folder.js';
import { ChangeEmitter } from './events.js';
import { describeConfigs } from './final-state.js';
import { addressIdentity, deviceIdentity } from './identity.js';
import { acquireLock, type DeviceLock, defaultLockDir } from './lock.js';
import { outcomeText } from './outcome.js';
import { makeProvenance } from './provenance.js';
import { writeChangeRecord } from './record.js';
import { redactSecrets } from './redact.js';
import { waitForDevice } from './reload.js';
import { rollBackToBackup } from './rollback.js';
import {
  activeInspectionKey,
  type ConfigState,
  compareRestoreProbes,
  describe,
  errJson,
  probeLine,
  toEngineError,
} from './state.js';
import { StepRunner, type StepSkip, Stop, skip } from './steps.js';
import {
  type ChangeOptions,
  type ChangeOutcome,
  type ChangePlan,
  type ChangeResult,
  type ContextPlan,
  type FinalState,
  type ProbeEvidence,
  RELOAD_POLICIES,
  type StepName,
} from './types.js';

const DEFAULTS = {
  reloadTimeoutMs: 15 * 60_000,
  saveTimeoutMs: 120_000,
  commandTimeoutMs: 30_000,
  backupDir: './backups',
  backoff: { initialMs: 1_000, maxMs: 30_000 },
};

/** Save? prompts on reload: single (`[Y]es/[N]o:`) and multiple-context (`[S]ave all/[C]ancel:`). */
const SAVE_PROMPT_MULTI = /config has been modified\. Save\? \[Y\]es\/\[N\]o\/\[S\]ave all\/\[C\]ancel:\s*$/i;
const SAVE_PROMPT = /config has been modified\. Save\? \[Y\]es\/\[N\]o:\s*$/i;
const CONFIRM_PROMPT = /Proceed with reload\? \[confirm\]\s*$/i;

export class ChangeEngine extends ChangeEmitter {
  readonly options: ChangeOptions;
  private deps!: EngineDeps;
  private readonly target: string;
  private link!: DeviceLink;
  private device: DeviceState | null = null;
  private contexts: Array<{ context: string | null; runningConfig: string }> = [];
  private planResult: ChangePlan | null = null;
  private backup: LoadedBackup | null = null;
  private restoreSource: LoadedBackup | null = null;
  private backupInfo: ChangeResult['backup'];
  private readonly runner: StepRunner;
  private preProbe?: ProbeEvidence;
  private postProbe?: ProbeEvidence;
  private configTouched = false;
  private safetyReloadScheduled = false;
  /** When the scheduled safety reload fires (ISO), while it is pending. */
  private safetyReloadAt: string | null = null;
  /** `reload cancel` was refused once: not asked again in this run. */
  private cancelRefused: MailguardError | null = null;
  /** `reload` was confirmed and the device was seen going down. */
  private reloadSent = false;
  /** `reload` typed, not yet confirmed: a stop now may find the device already going down. */
  private reloadTyped = false;
  /** ... and it was seen coming back. */
  private reloaded = false;
  /** The last state each config was seen in, and when (for a record whose last re-read fails). */
  private seen: { running?: { state: ConfigState; at: string }; startup?: { state: ConfigState; at: string } } = {};
  /** When `write memory` of the change printed [OK]. */
  private savedAt: string | null = null;
  /** The address lock (preflight) and the device lock (hostname + serial, once read): released together. */
  private locks: DeviceLock[] = [];
  private readonly startedAt: Date;
  private finalState: FinalState = { running: 'unknown', startup: 'unknown', notes: [] };

  constructor(options: ChangeOptions) {
    super();
    this.options = options;
    const c = options.connect;
    this.target = options.label ?? (c.port ? `${c.host}:${c.port}` : c.host);
    this.startedAt = this.now();
    this.runner = new StepRunner({
      events: this,
      now: () => this.now(),
      secrets: () => this.secrets(),
      signal: options.signal,
    });
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  private get mode() {
    return this.options.mode ?? 'disable';
  }

  private get hasProbeTarget(): boolean {
    return (this.options.smtp?.length ?? 0) > 0 || !!this.options.domain;
  }

  private get rollbackOnVerifyFailure(): boolean {
    return this.options.rollbackOnVerifyFailure ?? this.hasProbeTarget;
  }

  private secrets(): Array<string | undefined> {
    const c = this.options.connect;
    return [c.password, c.enableSecret, c.passphrase];
  }

  /** The error as the run reports it: an abort is the cause the CLI gave (signal or crash), not a bare AbortError. */
  private causeOf(e: unknown): MailguardError {
    const err = toEngineError(e);
    const reason = this.options.signal?.reason;
    if (this.options.signal?.aborted && err.code === 'INTERRUPTED' && reason instanceof MailguardError) return reason;
    return err;
  }

  /** The final re-read failed: report the last state each config was seen in, and when, instead of "unknown". */
  private lastSeenState(err: MailguardError): void {
    const fs = this.finalState;
    fs.notes.push(`Could not re-read the device at the end (${err.code}: ${err.message}).`);
    for (const kind of ['running', 'startup'] as const) {
      const s = this.seen[kind];
      if (!s || fs[kind] !== 'unknown') continue;
      fs[kind] = s.state;
      fs.notes.push(
        `${kind}-config: last seen ${describe(s.state, this.mode)} at ${s.at}; nothing was sent after that.`,
      );
    }
  }

  private see(kind: 'running' | 'startup', state: ConfigState): void {
    this.seen[kind] = { state, at: this.now().toISOString() };
  }

  /** The safety reload still scheduled on the device, and when it fires; null when none is pending. */
  private pendingReload(): { at: string; minutes: number } | null {
    if (!this.safetyReloadScheduled || !this.safetyReloadAt) return null;
    return { at: this.safetyReloadAt, minutes: this.options.safetyReloadMin ?? 0 };
  }

  /** What a stop does after the current command when it is not the rollback: `reload` sent, the saved change returns. */
  afterStop(): string | null {
    if (this.reloadSent)
      return 'leaving the device to come back from its reload on the saved change (nothing to roll back)';
    if (this.reloadTyped)
      return 'rolling back unless the device confirms the `reload` in flight (then it comes back on the saved change)';
    return null;
  }

  /** What is left behind right now, for an operator who will not wait for the rollback (a second Ctrl-C). */
  leftBehind(): string {
    const parts: string[] = [];
    if (!this.configTouched) parts.push('No config command was sent: the device holds its configs as before.');
    else if (this.savedAt)
      parts.push(`The change was saved at ${this.savedAt}: the device holds it, also after a reload.`);
    else
      parts.push(
        'Config commands were sent and not rolled back: the running config may hold part of the change; the startup-config does not.',
      );
    if (this.safetyReloadScheduled)
      parts.push(`A safety reload fires at ${this.safetyReloadAt}: the device comes back on its startup-config.`);
    if (this.reloadSent && !this.reloaded) parts.push('The device is reloading.');
    if (this.backupInfo) parts.push(`Backup: ${this.backupInfo.metadataPath}; restore with \`rollback --backup\`.`);
    parts.push('No change record was written.');
    return parts.join(' ');
  }

  private log(step: StepName | null, message: string, level: 'info' | 'warn' | 'debug' = 'info', progress?: number) {
    this.emit('log', { step, level, message: redactSecrets(message, this.secrets()), progress });
  }

  /** Run one step (steps.ts: events and timing). */
  private step<T>(name: StepName, body: () => Promise<T | StepSkip>, summarize?: (out: T) => string) {
    return this.runner.run(name, body, summarize);
  }

  private skip(summary: string): StepSkip {
    return skip(summary);
  }

  private inspectionOf(config: string, context: string | null): InspectionReport {
    return this.deps.findInspection(config, context);
  }

  // ---- the pipeline --------------------------------------------------------------------------------------

  async run(): Promise<ChangeResult> {
    try {
      return await this.pipeline();
    } finally {
      // Every ending: both locks go, even when the tail itself throws.
      await this.releaseLocks();
    }
  }

  private async pipeline(): Promise<ChangeResult> {
    let outcome: ChangeOutcome = 'done';
    let exitCode: number = ExitCode.ok;
    let error: MailguardError | undefined;
    let verification: ChangeResult['verification'] = 'not-probed';
    try {
      if (!this.deps) this.deps = await resolveDeps(this.options.deps);
      this.link = new DeviceLink({
        connect: this.options.connect,
        openSession: this.deps.openSession,
        now: () => this.now(),
        log: (message, level) => this.log(null, message, level),
        signal: this.options.signal,
      });
      await this.step('preflight', async () => this.preflight());
      this.preProbe = await this.step(
        'pre-probe',
        async () => {
          if (!this.hasProbeTarget) return this.skip('no --smtp or --domain: no outside proof');
          const report = await this.deps.probe(this.probeRequest());
          this.log('pre-probe', `outside probe: ${report.verdict}${probeLine(report)}`);
          if (report.verdict === 'inspected' && this.mode === 'restore') {
            this.log(
              'pre-probe',
              'the outside probe already shows the inspection before the restore: the restore cannot be proven from outside',
              'warn',
            );
          }
          if (report.verdict !== 'inspected' && this.mode === 'disable') {
            this.log(
              'pre-probe',
              `the outside probe does not show the inspection (${report.verdict}): the result cannot be proven from outside` +
                (this.rollbackOnVerifyFailure
                  ? '; the change is rolled back unless the probe is clean afterwards'
                  : ''),
              'warn',
            );
          }
          return report;
        },
        (r) => `${r.verdict}${probeLine(r)}`,
      );
      await this.step('connect', async () => {
        const s = await this.link.connect();
        return `logged in to ${s.hostname} (${s.prompt})`;
      });
      await this.step('detect', async () => this.detect());
      await this.step('plan', async () => this.makePlan());
      const plan = this.planResult as ChangePlan;
      if (this.options.dryRun) throw new Stop('dry-run', ExitCode.ok);
      if (plan.nothingToDo) throw new Stop('nothing-to-do', ExitCode.ok);
      await this.step('confirm', async () => {
        if (!this.options.confirm) return this.skip('confirmed in advance (--yes)');
        const ok = await this.options.confirm(plan);
        if (!ok) {
          throw new MailguardError('CONFIRMATION_REQUIRED', 'The change was not confirmed; nothing was changed.', {
            hint: 'Run again and answer yes, or pass --yes.',
          });
        }
        return 'confirmed';
      });
      await this.step('backup', async () => this.takeBackup());
      await this.step('safety-reload', async () => this.scheduleSafetyReload());
      try {
        await this.step('apply', async () => this.apply());
        await this.step('verify', async () => this.verifyOnDevice());
        await this.step('save', async () => this.save());
        await this.step('reload-wait', async () => this.reloadIfAsked());
        verification = (await this.step('post-probe', async () => this.postProbeAndCompare())) ?? 'not-probed';
      } catch (e) {
        if (e instanceof Stop) throw e;
        error = this.causeOf(e);
        if (error.code === 'VERIFY_FAILED' && error.details.keep === true) {
          // The operator asked to keep the change when the outside proof fails.
          await this.step('rollback', async () => this.skip('not asked (--no-rollback-on-verify-failure)'));
          throw new Stop('kept-unverified', ExitCode.verifyFailed);
        }
        if (isSignalStop(error.code) && this.reloadSent) {
          // The device is reloading on its saved startup-config, which holds the change: nothing to roll back into.
          await this.step('rollback', async () =>
            this.skip('interrupted while the device reloads: it comes back on the saved change'),
          ).catch(() => undefined);
          outcome = 'interrupted';
          exitCode = error.exitCode;
        } else if (!this.configTouched) {
          // Stopped before the first config command (the re-read found the config changed under us, a signal, a
          // lost session): nothing was sent, so nothing is rolled back, and the record must not say it was.
          await this.rollback(error);
          outcome = isSignalStop(error.code) ? 'cancelled' : 'failed';
          exitCode = error.exitCode;
        } else {
          const rolled = await this.rollback(error);
          outcome = rolled ? 'rolled-back' : 'rollback-failed';
          // Rolled back: the cause's own code when it says more than "the device failed" (verify, signal, bug).
          exitCode = rolled
            ? error.code === 'VERIFY_FAILED' || isSignalStop(error.code) || error.code === 'INTERNAL'
              ? error.exitCode
              : ExitCode.deviceError
            : ExitCode.rollbackFailed;
        }
        if (error.code === 'VERIFY_FAILED' && this.postProbe && this.postProbe.verdict !== 'clean')
          verification = 'not-verified';
      }
    } catch (e) {
      if (e instanceof Stop) {
        outcome = e.outcome;
        exitCode = e.exitCode;
        if (outcome === 'kept-unverified') verification = 'not-verified';
      } else {
        error = this.causeOf(e);
        outcome = isSignalStop(error.code) ? 'cancelled' : 'failed';
        exitCode = error.exitCode;
      }
    }
    // A safety reload still pending after a good ending (original, or changed and saved) is cancelled now; after a
    // failed rollback it is the safety net and stays, and the record says when it fires.
    if (this.safetyReloadScheduled && outcome !== 'rollback-failed' && !this.cancelRefused) {
      try {
        await this.cancelSafetyReload('rollback');
      } catch (e) {
        const err = toEngineError(e);
        if (!error || exitCode === ExitCode.ok) {
          error = err;
          exitCode = err.exitCode;
        }
      }
    }
    const pending = this.pendingReload();
    if (pending) this.finalState.pendingReload = pending;
    if (this.safetyReloadScheduled) {
      this.finalState.notes.push(
        `A reload is still scheduled: it fires at ${this.safetyReloadAt} (\`reload in ${this.options.safetyReloadMin}\`), and the device comes back on its startup-config. Cancel it on the device with \`reload cancel\` if that is not wanted.`,
      );
    }
    await this.describeFinalState(outcome).catch((e) => this.lastSeenState(toEngineError(e)));
    await this.link.drop();
    const result = this.result(outcome, exitCode, verification, error);
    const report = await this.step(
      'report',
      async () => {
        // Stopped before any device or probe was touched (bad input, a lock held by another run): the error message
        // is the whole story, and a record in the backup folder would only be litter.
        if (result.steps.every((st) => st.step === 'preflight'))
          return this.skip('stopped before anything was contacted: no record');
        // The unit is being changed by another run (reached by another address): its record is that run's to write.
        if (error?.code === 'DEVICE_LOCKED' && !this.configTouched)
          return this.skip('another run holds the device: nothing was sent, no record');
        const stamp = `${utcStamp(this.startedAt)}-change`;
        let path: string | null = null;
        let files: Awaited<ReturnType<typeof writeChangeRecord>>;
        try {
          path = await this.reportPath();
          files = await writeChangeRecord(result, path, this.secrets());
        } catch (e) {
          if (this.options.reportFile || (path === null && this.options.dryRun)) throw e;
          // The device folder is unusable (that may be why the backup failed): keep the record one level up.
          const fallback = join(this.options.backupDir ?? DEFAULTS.backupDir, basename(path ?? stamp));
          this.log('report', `cannot write ${path} (${(e as Error).message}); writing ${fallback}`, 'warn');
          files = await writeChangeRecord(result, fallback, this.secrets());
        }
        if (!files) return this.skip('dry run: no record (pass --report FILE to keep one)');
        return files;
      },
      (f) => f.markdown,
    ).catch((e) => {
      this.log('report', `could not write the change record: ${toEngineError(e).message}`, 'warn');
      return undefined;
    });
    if (report) result.reportFiles = report;
    return result;
  }

  private get lockCommand(): string {
    return `${this.mode === 'restore' ? 'rollback' : 'apply'} ${this.target}`;
  }

  private async releaseLocks(): Promise<void> {
    for (const l of this.locks.splice(0)) await l.release();
  }

  private probeRequest() {
    return { smtp: this.options.smtp, domain: this.options.domain, resolver: this.options.resolver };
  }

  private async preflight(): Promise<string> {
    const o = this.options;
    if (o.reload && !RELOAD_POLICIES.includes(o.reload)) {
      throw new MailguardError(
        'USAGE',
        `--reload: "${o.reload}" is not a choice; give never, if-needed or after-save`,
        {
          hint: 'Pass --reload if-needed (the default).',
        },
      );
    }
    if (o.safetyReloadMin !== undefined && !(Number.isInteger(o.safetyReloadMin) && o.safetyReloadMin >= 1)) {
      throw new MailguardError(
        'USAGE',
        `--safety-reload: "${o.safetyReloadMin}" is not a whole number of minutes; give 1 or more`,
        {
          hint: 'For example --safety-reload 10.',
        },
      );
    }
    if (this.mode === 'restore') {
      if (!o.restoreFrom) {
        throw new MailguardError('USAGE', 'rollback needs --backup FILE.', { hint: 'Pass a backup written by apply.' });
      }
      this.restoreSource = await loadBackup(o.restoreFrom);
      this.log('preflight', `restoring from ${this.restoreSource.metadataPath} (${this.restoreSource.meta.takenAt})`);
    }
    if (o.dryRun) return 'dry run: no lock, no backup, no config command';
    // Bad paths are bad input: found here, before anything is contacted. Checked, not created: the backup and the
    // record writers make their folders, so a run refused before writing (DEVICE_LOCKED) leaves no empty one.
    checkWritableDir(o.backupDir ?? DEFAULTS.backupDir, '--backup-dir');
    if (o.reportFile) {
      // The record writer creates the folder of --report (as it always has) and writes <stem>.json and .md.
      const stem = o.reportFile.replace(/\.(json|md)$/i, '');
      checkWritableFileLater(`${stem}.json`, '--report');
    }
    const lock = await acquireLock({
      dir: o.lockDir ?? defaultLockDir(),
      identity: await addressIdentity(o.connect),
      command: this.lockCommand,
      warn: (m) => this.log('preflight', m, 'warn'),
    });
    this.locks.push(lock);
    return `lock ${lock.path}`;
  }

  /**
   * The second lock, keyed by what the device says it is (hostname + serial): a run that reached the same unit by
   * another address, port or transport is refused here, before the backup and before any config command.
   */
  private async lockDevice(p: PlatformInfo, hostname: string): Promise<void> {
    if (this.options.dryRun) return;
    const identity = deviceIdentity(p.hostname ?? hostname, p.serial ?? null);
    if (!identity) {
      this.log('detect', 'show version printed no serial number: the device is locked by its address only', 'debug');
      return;
    }
    const lock = await acquireLock({
      dir: this.options.lockDir ?? defaultLockDir(),
      identity,
      command: this.lockCommand,
      warn: (m) => this.log('detect', m, 'warn'),
    });
    this.locks.push(lock);
    this.log('detect', `lock ${lock.path}`, 'debug');
  }

  private async detect(): Promise<string> {
    const session = this.link.session as CliSession;
    const device = await this.deps.readDevice(session);
    this.device = device;
    this.link.platform = device.platform;
    const p = device.platform;
    this.log(
      'detect',
      `${p.family.toUpperCase()} ${p.version}${p.model ? ` (${p.model})` : ''}, ${p.contextMode} context`,
    );
    await this.lockDevice(p, session.hostname);
    if (p.failover.enabled && p.failover.role === 'standby') {
      // Exit 4 like a device refusal, told apart by its code: nothing was changed, and the active unit is the one to run.
      const unit = p.failoverUnit ? ` (the ${p.failoverUnit} unit)` : '';
      throw new MailguardError(
        'STANDBY_UNIT',
        `${session.hostname} is the standby unit of a failover pair${unit}: nothing was changed (no config command was sent).`,
        {
          hint: 'Run it against the active unit (`show failover` on this unit names it); the change replicates to the standby.',
          details: { failoverRole: 'standby', failoverUnit: p.failoverUnit ?? null },
        },
      );
    }
    if (this.mode === 'restore' && this.restoreSource) {
      // The serial identifies the unit when both sides have it; the hostname otherwise (older backups, contexts).
      const fromSerial = this.restoreSource.meta.serial;
      if (fromSerial && p.serial && fromSerial !== p.serial) {
        throw new MailguardError(
          'BAD_INPUT',
          `The backup was taken on serial number ${fromSerial}, but this device is serial ${p.serial}.`,
          {
            hint: 'Pass a backup of this unit (`asa-mailguard backups` lists them with their serial numbers).',
          },
        );
      }
      const from = this.restoreSource.meta.hostname;
      const here = p.hostname ?? session.hostname;
      if (!(fromSerial && p.serial) && from && here && from !== here) {
        throw new MailguardError('BAD_INPUT', `The backup was taken on "${from}", but this device is "${here}".`, {
          hint: 'Pass a backup of this device (backups are kept per hostname under the backup dir).',
        });
      }
    }
    const want = this.options.context;
    let contexts = device.contexts;
    if (p.contextMode === 'multiple') {
      contexts = contexts.filter((c) => c.context !== null && c.context !== 'system');
      if (want && want !== 'all') {
        contexts = contexts.filter((c) => c.context === want);
        if (contexts.length === 0) {
          throw new MailguardError('BAD_INPUT', `No security context named "${want}" on ${session.hostname}.`, {
            hint: `Use one of: ${device.contexts.map((c) => c.context).join(', ')}, or --context all.`,
          });
        }
      }
    } else if (want && want !== 'all') {
      this.log('detect', `--context ${want} ignored: the device is in single context mode`, 'warn');
    }
    this.contexts = contexts;
    const active = device.inspection.findings.filter((f) => f.active && this.inScope(f));
    return `${p.family} ${p.version}; SMTP inspection ${active.length ? `active (${active.length} place${active.length > 1 ? 's' : ''})` : 'not active'}`;
  }

  private inScope(f: Finding): boolean {
    return this.contexts.some((c) => c.context === f.context);
  }

  private makePlan(): string {
    const device = this.device as DeviceState;
    const dialect = device.platform.dialect;
    const contexts: ContextPlan[] = [];
    for (const c of this.contexts) {
      const findings = device.inspection.findings.filter((f) => f.context === c.context);
      let out: ReturnType<EngineDeps['plan']>;
      if (this.mode === 'restore') {
        const src = this.restoreSource as LoadedBackup;
        const backupConfig = src.running.get(ctxKey(c.context));
        if (backupConfig === undefined) {
          this.log(
            'plan',
            `the backup holds no running config for context ${c.context ?? '(single)'}: skipped`,
            'warn',
          );
          continue;
        }
        out = this.deps.planRestore(backupConfig, c.runningConfig, dialect, c.context);
      } else {
        out = this.deps.plan({ findings, dialect, runningConfig: c.runningConfig, context: c.context });
      }
      contexts.push({
        context: c.context,
        findings,
        commands: out.commands,
        inverse: out.inverse,
        diff: out.diff,
        nothingToDo: out.nothingToDo || out.commands.length === 0,
        expectedConfig: out.expectedConfig,
        warnings: out.warnings,
      });
      for (const w of out.warnings ?? []) this.log('plan', w, 'warn');
    }
    const nothingToDo = contexts.every((c) => c.nothingToDo);
    this.planResult = { mode: this.mode, dialect, nothingToDo, contexts };
    const n = contexts.reduce((a, c) => a + c.commands.length, 0);
    for (const c of contexts) {
      for (const cmd of c.commands) this.log('plan', `${c.context ? `[${c.context}] ` : ''}${cmd}`);
    }
    if (nothingToDo) {
      return this.mode === 'restore'
        ? 'nothing to do: the device already has the backup’s SMTP inspection'
        : 'nothing to do: SMTP inspection already disabled';
    }
    return `${n} command${n === 1 ? '' : 's'} in ${contexts.filter((c) => !c.nothingToDo).length} context(s)`;
  }

  private async takeBackup(): Promise<string> {
    const device = this.device as DeviceState;
    const configs: Array<{ kind: 'running' | 'startup'; context: string | null; text: string }> = [];
    for (const c of this.contexts) {
      configs.push({
        kind: 'running',
        context: c.context,
        text: await this.link.readConfig('backup', c.context, 'running'),
      });
      configs.push({
        kind: 'startup',
        context: c.context,
        text: await this.link.readConfig('backup', c.context, 'startup'),
      });
    }
    const backupDir = this.options.backupDir ?? DEFAULTS.backupDir;
    const id = this.identity();
    let dir: string;
    try {
      dir = await this.folder();
    } catch (e) {
      throw new MailguardError(
        'BACKUP_FAILED',
        `Could not create the device's backup folder: ${(e as Error).message}`,
        {
          hint: 'Fix the backup directory (--backup-dir) permissions or free space; nothing was changed on the device.',
          cause: e,
        },
      );
    }
    const { loaded, ...info } = await writeBackup({
      backupDir,
      dir,
      hostname: id.hostname ?? this.options.connect.host,
      serial: id.serial,
      target: this.target,
      platform: device.platform,
      takenAt: this.now(),
      configs,
    });
    this.backupInfo = info;
    this.backup = loaded;
    for (const f of info.files) this.log('backup', `${f.path} sha256 ${f.sha256}`);
    for (const c of this.contexts) {
      const running = this.backup.running.get(ctxKey(c.context)) ?? '';
      const startup = this.backup.startup.get(ctxKey(c.context)) ?? '';
      if (normalizeConfig(running) === normalizeConfig(startup)) continue;
      // Someone changed the device without saving: our `write memory` saves that too, a reload loses it.
      const note = `${c.context ? `context ${c.context}: ` : ''}the running config already differed from the startup config before the change (unsaved changes): saving the change also saves them${this.options.safetyReloadMin ? ', and the safety reload would discard them' : ''}.`;
      this.log('backup', note, 'warn');
      this.finalState.notes.push(note);
    }
    return `${info.files.length} files in ${info.dir}`;
  }

  private async scheduleSafetyReload(): Promise<string | StepSkip> {
    const min = this.options.safetyReloadMin;
    if (min === undefined) return this.skip('not asked (--safety-reload MIN)');
    const p = (this.device as DeviceState).platform;
    if (p.family !== 'asa') {
      this.log(
        'safety-reload',
        'PIX 6.x has no `reload in`: no safety net; the inverse commands are the rollback',
        'warn',
      );
      return this.skip('not available on PIX 6.x');
    }
    await this.link.enterContext(null, 'safety-reload');
    // Answer N to Save?: the safety net works only if the startup-config stays the old one.
    await this.link.send('safety-reload', null, `reload in ${min}`, {
      answers: [
        { match: SAVE_PROMPT_MULTI, reply: 'N' },
        { match: SAVE_PROMPT, reply: 'N' },
        { match: CONFIRM_PROMPT, reply: 'y' },
      ],
    });
    this.safetyReloadScheduled = true;
    this.safetyReloadAt = new Date(this.now().getTime() + min * 60_000).toISOString();
    return `the device reloads on its startup-config in ${min} min (at ${this.safetyReloadAt}) unless cancelled`;
  }

  /** `reload cancel`; refused or failed, it is RELOAD_CANCEL_FAILED naming the pending reload and its time. */
  private async cancelSafetyReload(step: StepName): Promise<void> {
    if (!this.safetyReloadScheduled) return;
    if (this.cancelRefused) throw this.cancelRefused;
    try {
      await this.link.enterContext(null, step);
      const out = await this.link.send(step, null, 'reload cancel', { allowErrors: true });
      // `%No reload is scheduled.` means it is not pending any more; any other error line means it still is.
      const cls = /No reload is scheduled/i.test(out) ? { ok: true } : classifyDeviceOutput(out);
      if (!cls.ok)
        throw new DeviceCommandError(
          isAuthorizationFailure(out) ? 'AUTHORIZATION_FAILED' : 'DEVICE_ERROR',
          'reload cancel',
          out,
        );
    } catch (e) {
      const err = toEngineError(e);
      // A stop asked in the meantime (the signal came during `write memory`): the link sent nothing, the device
      // refused nothing; the rollback cancels the reload (its commands still go out after a stop).
      if (isSignalStop(err.code) && this.options.signal?.aborted) throw err;
      this.cancelRefused = new MailguardError(
        'RELOAD_CANCEL_FAILED',
        `\`reload cancel\` failed (${err.code}: ${err.message}): the safety reload is still pending and fires at ${this.safetyReloadAt}.`,
        {
          hint: `Log in and run \`reload cancel\` before ${this.safetyReloadAt}, or let the device reload on its startup-config.`,
          details: { reloadAt: this.safetyReloadAt },
          cause: e,
        },
      );
      this.log(step, this.cancelRefused.message, 'warn');
      throw this.cancelRefused;
    }
    this.safetyReloadScheduled = false;
    this.log(step, 'scheduled safety reload cancelled');
  }

  private async apply(): Promise<string> {
    const plan = this.planResult as ChangePlan;
    let n = 0;
    // Another operator (on another machine: locks cannot see each other) may have changed the device since the
    // plan: read the running config again just before the first config command, and stop if it moved.
    for (const c of plan.contexts) {
      if (c.nothingToDo) continue;
      const now = await this.link.readConfig('apply', c.context, 'running');
      const then = this.backup?.running.get(ctxKey(c.context));
      if (then !== undefined && normalizeConfig(now) !== normalizeConfig(then)) {
        throw new MailguardError(
          'CONFIG_CHANGED',
          `The running config of ${c.context ?? 'the device'} changed since it was read for the plan: someone else is changing it. Nothing was sent.`,
          { hint: 'Find out who is changing the device; run again when it is quiet (the plan is made anew).' },
        );
      }
    }
    for (const c of plan.contexts) {
      if (c.nothingToDo) continue;
      await this.link.enterContext(c.context, 'apply');
      this.configTouched = true;
      this.seen = {};
      await this.link.modeCommand('apply', c.context, 'configure terminal', (x) => x.enterConfig());
      for (const cmd of c.commands) {
        await this.link.send('apply', c.context, cmd);
        n++;
      }
      await this.link.modeCommand('apply', c.context, this.link.leaveConfigLabel, (x) => x.exitConfig());
    }
    return `${n} command${n === 1 ? '' : 's'} accepted`;
  }

  /** Re-read each context's running config: the planned result must hold. */
  private async verifyOnDevice(): Promise<string> {
    for (const c of (this.planResult as ChangePlan).contexts) {
      if (c.nothingToDo) continue;
      const running = await this.link.readConfig('verify', c.context, 'running');
      const state = this.classify(running, c.context, 'running');
      this.see('running', state);
      if (state !== 'changed') {
        throw new MailguardError(
          'VERIFY_FAILED',
          `After the commands, the running config of ${c.context ?? 'the device'} does not show the planned result (${state}).`,
          { hint: 'The change was rolled back; read the record for the config lines that remained.' },
        );
      }
    }
    return this.mode === 'restore'
      ? 'running config holds the backup’s SMTP inspection'
      : 'no active SMTP inspection left in the running config';
  }

  /**
   * Where a config stands relative to the change: `original` (same SMTP inspection as the backup), `changed` (the
   * plan's result), `partial` (neither).
   */
  private classify(config: string, context: string | null, kind: 'running' | 'startup'): ConfigState {
    const now = activeInspectionKey(this.inspectionOf(config, context));
    const backupText = (kind === 'running' ? this.backup?.running : this.backup?.startup)?.get(ctxKey(context));
    if (backupText !== undefined && now === activeInspectionKey(this.inspectionOf(backupText, context)))
      return 'original';
    // disable: no active finding left; restore: the same active findings as the backup being restored.
    const target =
      this.mode === 'restore'
        ? activeInspectionKey(
            this.inspectionOf((this.restoreSource as LoadedBackup).running.get(ctxKey(context)) ?? '', context),
          )
        : '';
    return now === target ? 'changed' : 'partial';
  }

  private async save(): Promise<string> {
    const timeoutMs = this.options.saveTimeoutMs ?? DEFAULTS.saveTimeoutMs;
    for (const c of (this.planResult as ChangePlan).contexts) {
      if (c.nothingToDo) continue;
      await this.link.enterContext(c.context, 'save');
      const out = await this.link.send('save', c.context, 'write memory', { timeoutMs });
      if (!/\[OK\]/.test(out)) {
        throw new MailguardError('SAVE_FAILED', `write memory did not end with [OK] on ${c.context ?? 'the device'}.`, {
          hint: 'Check flash space and `show startup-config`; the change was rolled back.',
          details: { output: redactSecrets(out, this.secrets()) },
        });
      }
    }
    this.savedAt = this.now().toISOString();
    this.see('startup', 'changed');
    await this.cancelSafetyReload('save');
    return 'write memory: [OK]';
  }

  private async reloadIfAsked(): Promise<string | StepSkip> {
    const policy = this.options.reload ?? 'if-needed';
    if (this.mode === 'restore' || policy === 'never') return this.skip('not asked (--reload never)');
    if (policy === 'if-needed') {
      if (!this.hasProbeTarget) return this.skip('if-needed: no probe target to tell; no reload');
      const report = await this.deps.probe(this.probeRequest());
      this.log('reload-wait', `outside probe after save: ${report.verdict}${probeLine(report)}`);
      if (report.verdict !== 'inspected')
        return this.skip(`if-needed: the outside probe says ${report.verdict}; no reload`);
      this.log('reload-wait', 'the outside probe still shows the inspection: reloading');
    }
    await this.reloadAndWait();
    return 'the device is back and the change persisted';
  }

  private async reloadAndWait(): Promise<void> {
    const step: StepName = 'reload-wait';
    await this.link.enterContext(null, step);
    // The command ends with the connection closing; Save? is answered Y because the change is saved already.
    const timeoutMs = this.options.reloadTimeoutMs ?? DEFAULTS.reloadTimeoutMs;
    // The command's own answer obeys the command timeout given (no fixed two minutes), and counts against the wait.
    this.reloadTyped = true;
    const out = await this.link.send(step, null, 'reload', {
      answers: [
        { match: SAVE_PROMPT_MULTI, reply: this.link.multi ? 'S' : 'Y' },
        { match: SAVE_PROMPT, reply: 'Y' },
        { match: CONFIRM_PROMPT, reply: 'y' },
      ],
      expectClose: true,
      timeoutMs: Math.min(timeoutMs, this.options.connect.timeouts?.commandMs ?? DEFAULTS.commandTimeoutMs),
    });
    // Going down is seen only when the device asked to confirm (or printed its shutdown): a connection that merely
    // closed at `reload` is a lost connection, and the device did not reload.
    if (!/Proceed with reload\?|Rebooting|SHUTDOWN/i.test(out)) {
      throw new MailguardError(
        'CONNECTION_LOST',
        'The connection closed at `reload` before the device confirmed it: the device did not reload.',
        { hint: 'The change is rolled back; check the device and run again.' },
      );
    }
    this.reloadSent = true;
    this.log(step, `reload confirmed at ${this.now().toISOString()}: the device is going down`);
    await this.link.drop();
    const back = await waitForDevice({
      attempt: () => this.link.connect(),
      sleep: this.deps.sleep,
      timeoutMs,
      backoff: this.options.reloadBackoff ?? DEFAULTS.backoff,
      signal: this.options.signal,
      onWaiting: (elapsed, fraction, code) =>
        this.log(
          step,
          `waiting for the device (${Math.round(elapsed / 1000)} s of ${Math.round(timeoutMs / 1000)} s): not back yet (${code})`,
          'info',
          fraction,
        ),
    });
    this.reloaded = true;
    this.log(step, `device back after ${(back.elapsedMs / 1000).toFixed(1)} s (attempt ${back.attempts})`, 'info', 1);
    // Confirm the change survived the reload.
    // Re-read only to check: this.device keeps the state before the change for the record.
    const device = await this.deps.readDevice(this.link.session as CliSession);
    for (const c of (this.planResult as ChangePlan).contexts) {
      if (c.nothingToDo) continue;
      const running = device.contexts.find((x) => x.context === c.context)?.runningConfig ?? '';
      if (this.classify(running, c.context, 'running') !== 'changed') {
        throw new MailguardError('VERIFY_FAILED', 'After the reload the running config does not hold the change.', {
          hint: 'The saved startup-config did not keep the change; see the record.',
        });
      }
    }
  }

  private async postProbeAndCompare(): Promise<ChangeResult['verification'] | StepSkip> {
    if (!this.hasProbeTarget) return this.skip('no probe target: not verified from outside');
    const report = await this.deps.probe(this.probeRequest());
    this.postProbe = report;
    this.log('post-probe', `outside probe: ${report.verdict}${probeLine(report)}`);
    if (report.verdict === 'clean' && this.mode !== 'restore') {
      const cmp = this.preProbe
        ? compareProbes(this.preProbe, report)
        : { change: 'inconclusive' as const, reason: 'no probe before' };
      if (cmp.change !== 'verified')
        this.log('post-probe', `clean now, but not proven by the comparison: ${cmp.reason}`, 'warn');
      return cmp.change === 'verified' ? 'verified' : 'inconclusive';
    }
    // A restore puts the inspection back: seen from outside again, where it was not seen before, is its proof.
    if (this.mode === 'restore') {
      const cmp = compareRestoreProbes(this.preProbe, report);
      if (cmp.change !== 'verified')
        this.log('post-probe', `the restore is not proven from outside: ${cmp.reason}`, 'warn');
      return cmp.change === 'verified' ? 'verified' : 'inconclusive';
    }
    const msg = `The outside probe is not clean after the change (${report.verdict}).`;
    if (this.rollbackOnVerifyFailure) {
      // Without a reload the saved change may not have reached the connections yet (the KB's reload step).
      const reloaded = this.options.reload !== 'never';
      throw new MailguardError('VERIFY_FAILED', msg, {
        hint: reloaded
          ? 'The change was rolled back; check what else sits between the probe and the mail server.'
          : 'The change was rolled back. It was not reloaded (--reload never): if the firewall applies it only after a reload, run again with --reload if-needed; otherwise check what else sits between the probe and the mail server.',
      });
    }
    // Said in the message too: the fleet report shows the message, not the hint.
    throw new MailguardError('VERIFY_FAILED', `${msg.slice(0, -1)}; the change was kept.`, {
      hint: 'The change was kept (--no-rollback-on-verify-failure); check the path to the mail server.',
      details: { keep: true },
    });
  }

  /**
   * Put the device back to the backup's SMTP inspection: reconnect if needed, compute the restore from what the
   * device holds now, apply it, re-check, save when the startup-config was touched. Returns true on success.
   */
  private async rollback(cause: MailguardError): Promise<boolean> {
    if (!this.configTouched) {
      await this.step('rollback', async () => this.skip('no config command was sent: nothing to roll back')).catch(
        () => undefined,
      );
      return true;
    }
    try {
      await this.step('rollback', async () => {
        this.log('rollback', `cause: ${cause.code}: ${cause.message}`, 'warn');
        const sent = await rollBackToBackup({
          link: this.link,
          contexts: this.contexts,
          backup: this.backup as LoadedBackup,
          classify: (config, context, kind) => this.classify(config, context, kind),
          deps: this.deps,
          dialect: (this.device as DeviceState).platform.dialect,
          saveTimeoutMs: this.options.saveTimeoutMs ?? DEFAULTS.saveTimeoutMs,
          inverse: (context) => this.planResult?.contexts.find((p) => p.context === context)?.inverse ?? [],
          warn: (m) => this.log('rollback', m, 'warn'),
        });
        this.see('running', 'original');
        this.see('startup', 'original');
        // A refused `reload cancel` does not undo the rollback: the record and the exit code say it is pending.
        await this.cancelSafetyReload('rollback').catch(() => undefined);
        return sent === 0
          ? 'no command needed: the SMTP inspection is as in the backup'
          : `${sent} command${sent === 1 ? '' : 's'} sent; SMTP inspection as in the backup`;
      });
      return true;
    } catch (e) {
      const err = toEngineError(e);
      if (this.safetyReloadScheduled) {
        this.finalState.notes.push(
          `A safety reload is scheduled (reload in ${this.options.safetyReloadMin} min, from ${this.backupInfo?.takenAt ?? '?'}); the device will come back on its startup-config.`,
        );
      }
      this.finalState.notes.push(`Rollback failed: ${err.code}: ${err.message}`);
      return false;
    }
  }

  /** Re-read running and startup configs and say exactly what each holds. */
  private async describeFinalState(outcome: ChangeOutcome): Promise<void> {
    const fs = this.finalState;
    if (!this.link.commands.length && !this.device) {
      // Never logged in (bad input, lock held, connection refused): this run did not see the device.
      fs.notes.push('This run sent no command to the device and did not read it: its configs are as they were.');
      return;
    }
    if (!this.backup) {
      if (outcome === 'dry-run' || outcome === 'nothing-to-do' || !this.configTouched) {
        fs.running = 'original';
        fs.startup = 'original';
        fs.notes.push('No config command was sent: running and startup configs are unchanged.');
      }
      return;
    }
    if (!this.link.session || this.link.session.closed) {
      try {
        await this.link.connect();
      } catch (e) {
        if (this.savedAt) {
          fs.notes.push(
            `write memory of the change printed [OK] at ${this.savedAt}: the startup-config holds the change${this.reloaded ? ', so the device comes back from its reload without the SMTP inspection' : ''}.`,
          );
        }
        fs.notes.push(`Backup: ${this.backupInfo?.metadataPath}.`);
        this.lastSeenState(toEngineError(e));
        if (fs.running === 'unknown' || fs.startup === 'unknown')
          fs.notes.push('The device could not be reached to re-read its configs; what was not seen is unknown.');
        return;
      }
    }
    await describeConfigs(
      {
        mode: this.mode,
        contexts: this.contexts,
        backup: this.backup,
        plan: this.planResult,
        restoreSource: this.restoreSource,
        read: (context, kind) => this.link.readConfig('report', context, kind),
        classify: (config, context, kind) => this.classify(config, context, kind),
      },
      fs,
    );
  }

  private async reportPath(): Promise<string | null> {
    if (this.options.reportFile) return this.options.reportFile;
    if (this.backupInfo) return this.backupInfo.metadataPath.replace(/-backup\.json$/, '-change');
    if (this.options.dryRun) return null;
    // Failed before the backup: keep the record in the device's folder anyway (by address when never logged in).
    return join(await this.folder(), `${utcStamp(this.startedAt)}-change`);
  }

  /** Hostname and serial as read from the device (null when it was never read), and the address used. */
  private identity(): DeviceIdentity {
    const p = this.device?.platform;
    return {
      hostname: p?.hostname ?? this.link?.session?.hostname ?? null,
      serial: p?.serial ?? null,
      address: deviceAddress(this.options.connect),
    };
  }

  private folder(): Promise<string> {
    return deviceFolder(this.options.backupDir ?? DEFAULTS.backupDir, this.identity(), this.now());
  }

  private result(
    outcome: ChangeOutcome,
    exitCode: number,
    verification: ChangeResult['verification'],
    error?: MailguardError,
  ): ChangeResult {
    const finishedAt = this.now();
    const provenance = { ...makeProvenance({}), ...this.options.provenance };
    const id = this.identity();
    return {
      target: this.target,
      device: { hostname: id.hostname, serial: id.serial, address: id.address },
      provenance,
      startedAtLocal: isoInZone(this.startedAt, provenance.timeZone),
      finishedAtLocal: isoInZone(finishedAt, provenance.timeZone),
      mode: this.mode,
      outcome,
      outcomeText: outcomeText({
        outcome,
        mode: this.mode,
        error,
        target: this.target,
        platform: this.device?.platform,
      }),
      exitCode,
      verification,
      error: error ? errJson(error, this.secrets()) : undefined,
      platform: this.device?.platform as PlatformInfo | undefined,
      inspection: this.device?.inspection,
      plan: this.planResult ?? undefined,
      backup: this.backupInfo,
      commands: this.link.commands,
      preProbe: this.preProbe,
      postProbe: this.postProbe,
      reloaded: this.reloaded,
      finalState: this.finalState,
      steps: this.runner.timings,
      startedAt: this.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
    };
  }
}

async function resolveDeps(partial?: Partial<EngineDeps>): Promise<EngineDeps> {
  const { defaultDeps } = await import('./default-deps.js');
  return { ...(await defaultDeps()), ...partial };
}

/** Convenience: run one change with listeners attached before it starts. */
export async function runChange(
  options: ChangeOptions,
  attach?: (engine: ChangeEngine) => void,
): Promise<ChangeResult> {
  const engine = new ChangeEngine(options);
  attach?.(engine);
  return engine.run();
}
