/**
 * The change engine's public contract: options in, typed events out, one result. The CLI (`apply`, `rollback`),
 * the wizard and the playbook runner all drive `runChange()` with these types and render its events.
 */
import type { ErrorCode } from '../errors.js';
import type { Endpoint } from '../net/endpoint.js';
import type { Dialect, Finding, InspectionReport, PlatformInfo } from '../platform/types.js';
import type { ProbeReport } from '../probe/types.js';
import type { ConnectOptions } from '../session/types.js';
import type { Provenance } from './provenance.js';

/** The named steps of one change, in pipeline order. */
export const STEP_NAMES = [
  'preflight',
  'pre-probe',
  'connect',
  'detect',
  'plan',
  'confirm',
  'backup',
  'safety-reload',
  'apply',
  'verify',
  'save',
  'reload-wait',
  'post-probe',
  'rollback',
  'report',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const STEP_TITLES: Record<StepName, string> = {
  preflight: 'Check options, lock the device',
  'pre-probe': 'Probe SMTP from outside (before)',
  connect: 'Connect and log in',
  detect: 'Read platform and running config',
  plan: 'Plan the commands and their inverse',
  confirm: 'Confirm before changing the device',
  backup: 'Back up running and startup config',
  'safety-reload': 'Schedule a safety reload',
  apply: 'Apply the commands',
  verify: 'Re-read the config on the device',
  save: 'Save (write memory)',
  'reload-wait': 'Reload and wait for the device',
  'post-probe': 'Probe SMTP from outside (after)',
  rollback: 'Roll back',
  report: 'Write the change record',
};

/** When the engine reloads after saving (`--reload`, the playbook's options.reload). */
export const RELOAD_POLICIES = ['never', 'if-needed', 'after-save'] as const;
export type ReloadPolicy = (typeof RELOAD_POLICIES)[number];

/** What the engine does: disable SMTP inspection (`apply`) or put back the inspection of a backup (`rollback`). */
export type ChangeMode = 'disable' | 'restore';

export interface ChangeOptions {
  /** How to reach the device (host, port, transport, credentials). Credentials never leave the session layer. */
  connect: ConnectOptions;
  /** Display name of the target in events and records (default `host[:port]`). */
  label?: string;
  mode?: ChangeMode;
  /** `restore` mode: the backup's `-running.cfg` file (or its metadata JSON). */
  restoreFrom?: string;
  dryRun?: boolean;
  reload?: ReloadPolicy;
  /** Default 15 min. */
  reloadTimeoutMs?: number;
  /** ASA only: `reload in MIN` before applying, `reload cancel` once verified and saved. */
  safetyReloadMin?: number;
  /** `write memory` must print `[OK]` within this. Default 120 s. */
  saveTimeoutMs?: number;
  /** Outside probe targets (the mail server's public address(es)). */
  smtp?: Endpoint[];
  /** Outside probe by MX lookup. */
  domain?: string;
  /** DNS server for --domain (host[:port]). */
  resolver?: string;
  /** Default: true when there is a probe target. */
  rollbackOnVerifyFailure?: boolean;
  /** Default `./backups`. */
  backupDir?: string;
  /** Where device locks live (default: MAILGUARD_LOCK_DIR, else the XDG state dir; lock.ts). */
  lockDir?: string;
  /** Base path of the change record (`.json` and `.md` are written). Default beside the backup. */
  reportFile?: string;
  /** Multiple-context mode: a context name or `all` (default `all`). */
  context?: string;
  /**
   * Asked once before the first config command, with the plan. Return false to stop (nothing is changed).
   * Absent: the caller has already decided (`--yes`).
   */
  confirm?: (plan: ChangePlan) => Promise<boolean>;
  /** Wait between reconnect attempts after a reload: starts here, doubles up to maxMs. */
  reloadBackoff?: { initialMs: number; maxMs: number };
  /** Abort from outside (SIGINT): the engine rolls back like any failure after the first config command. */
  signal?: AbortSignal;
  /** Replace dependencies (tests, demo). */
  deps?: Partial<import('./deps.js').EngineDeps>;
  /** Clock, for records. */
  now?: () => Date;
  /** Change id, time zone for local times, playbook/inventory sha256 (operator and tool version are filled in). */
  provenance?: Partial<Provenance>;
}

/** One context's part of the plan. */
export interface ContextPlan {
  context: string | null;
  findings: Finding[];
  commands: string[];
  inverse: string[];
  diff: string;
  nothingToDo: boolean;
  /** The running config expected afterwards, volatile lines removed (platform configBody). */
  expectedConfig?: string;
  warnings?: string[];
}

export interface ChangePlan {
  mode: ChangeMode;
  dialect: Dialect;
  nothingToDo: boolean;
  contexts: ContextPlan[];
}

/** A command sent to the device and what it answered (secrets redacted). */
export interface CommandRecord {
  step: StepName;
  context: string | null;
  command: string;
  response: string;
  ok: boolean;
  at: string;
  durationMs: number;
}

/** The outside probe's report, as `asa-mailguard probe --json` prints it (issue #4). */
export type ProbeEvidence = ProbeReport;

export interface BackupFile {
  kind: 'running' | 'startup';
  context: string | null;
  path: string;
  sha256: string;
  bytes: number;
}

export interface BackupInfo {
  dir: string;
  metadataPath: string;
  takenAt: string;
  files: BackupFile[];
}

/** What the device holds at the end, stated exactly (from re-reading both configs). */
export interface FinalState {
  /** `original`: same inspection as the backup; `changed`: the plan's result; `unknown`: could not re-read. */
  running: 'original' | 'changed' | 'partial' | 'unknown';
  startup: 'original' | 'changed' | 'partial' | 'unknown';
  /** sha256 of the configs as re-read (Cryptochecksum lines excluded), per context. */
  runningSha256?: Record<string, string>;
  startupSha256?: Record<string, string>;
  /** Human sentences a person can act on. */
  notes: string[];
  /** Per context, where the running config is neither the backup nor the planned result: unified diff from the backup. */
  runningDiff?: Record<string, string>;
  /** A safety reload still scheduled at the end: when it fires (ISO) and the `reload in` minutes; absent: none. */
  pendingReload?: { at: string; minutes: number };
  /**
   * Per context (`device` on a single-context unit): unified diff from the backup's running config to the running
   * config re-read at the end (what the change did, `run --diff`); absent where they are the same.
   */
  changeDiff?: Record<string, string>;
}

export type ChangeOutcome =
  | 'dry-run'
  | 'nothing-to-do'
  | 'done'
  | 'cancelled'
  | 'rolled-back'
  /** The outside probe was not clean and --no-rollback-on-verify-failure kept the change (exit 5). */
  | 'kept-unverified'
  | 'rollback-failed'
  /** Interrupted after the device confirmed `reload`: it comes back on the saved change (exit 129/130/143). */
  | 'interrupted'
  | 'failed';

export interface StepTiming {
  step: StepName;
  status: 'done' | 'failed' | 'skipped';
  startedAt: string;
  durationMs: number;
  summary?: string;
}

export interface ChangeResult {
  target: string;
  /** The unit as read from `show version` (null when never logged in) and the address it was reached at. */
  device: { hostname: string | null; serial: string | null; address: string };
  /** Change id, operator, tool version, time zone, playbook and inventory sha256. */
  provenance: Provenance;
  /** startedAt / finishedAt as wall time in provenance.timeZone, with its offset. */
  startedAtLocal: string;
  finishedAtLocal: string;
  mode: ChangeMode;
  outcome: ChangeOutcome;
  /** The outcome in words (outcome.ts), e.g. that the engine refused the standby unit of a failover pair. */
  outcomeText?: string;
  exitCode: number;
  /**
   * `verified`: apply: the outside probe showed the inspection before and is clean after; rollback (restore): it
   * was not seen before and is seen again after. `not-probed` without a probe target.
   */
  verification: 'verified' | 'not-verified' | 'inconclusive' | 'not-probed';
  error?: { code: ErrorCode; message: string; hint?: string };
  platform?: PlatformInfo;
  inspection?: InspectionReport;
  plan?: ChangePlan;
  backup?: BackupInfo;
  commands: CommandRecord[];
  preProbe?: ProbeEvidence;
  postProbe?: ProbeEvidence;
  reloaded: boolean;
  finalState: FinalState;
  steps: StepTiming[];
  startedAt: string;
  finishedAt: string;
  reportFiles?: { json: string; markdown: string; html?: string };
}

// ---- events ------------------------------------------------------------------------------------------------

export interface StepStartEvent {
  step: StepName;
  title: string;
  at: string;
}
export interface StepDoneEvent {
  step: StepName;
  title: string;
  durationMs: number;
  /** One line for the renderer, e.g. "2 commands, 1 context". */
  summary?: string;
  skipped?: boolean;
}
export interface StepFailedEvent {
  step: StepName;
  title: string;
  durationMs: number;
  error: { code: ErrorCode; message: string; hint?: string };
}
export interface LogEvent {
  step: StepName | null;
  level: 'info' | 'warn' | 'debug';
  message: string;
  /** Progress of long waits (reload): 0..1 when known. */
  progress?: number;
}

export interface ChangeEvents {
  'step:start': [StepStartEvent];
  'step:done': [StepDoneEvent];
  'step:failed': [StepFailedEvent];
  log: [LogEvent];
}
