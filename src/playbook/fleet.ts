/**
 * The fleet scheduler: runs one DeviceRunner per target with a concurrency limit, canaries first (one at a time;
 * a canary failure stops the run), a failure budget, failover pairs never in flight together, and the change
 * window (start no device that would cross its end; once it closes start nothing new, let running ones finish).
 * It knows nothing about devices: the change engine is plugged in as a DeviceRunner (wired in the `run` command).
 */

import type { Provenance } from '../change/provenance.js';
import { ExitCode, isSignalExit, MailguardError, toMailguardError } from '../errors.js';
import type { Finding } from '../platform/types.js';
import type { ConnectOptions } from '../session/types.js';
import { auditCounts, auditExitCode } from './audit.js';
import type { DevicePlan, FleetPlan } from './device-plan.js';
import { type Clock, canStartDevice, describeWindow, type WindowSpec } from './window.js';

export interface ProbeTarget {
  /** SMTP endpoints to probe from outside. */
  smtp: Array<{ host: string; port: number }>;
  /** Mail domain whose MX hosts are probed. */
  domain: string | null;
}

/** One device of the fleet, with connection settings resolved (secrets included: never serialize it). */
export interface FleetTarget {
  /** Inventory host name. */
  name: string;
  connect: ConnectOptions;
  /** All groups the host belongs to (including `all`). */
  groups: string[];
  /** The other unit of its failover pair, if any. */
  failoverPeer: string | null;
  /** null: no outside probe for this device. */
  probe: ProbeTarget | null;
  /** Multiple-context mode: the context to change (inventory `context`, else the playbook's options.context). */
  context?: string;
  /** Where each connection setting came from (`setting value (source)`), for `run --list-hosts -v`. */
  connectionSources?: string[];
}

/** Events a device run emits; mirrors the change engine's stream (step:start|step:done|step:failed|log). */
export type DeviceEvent =
  | { type: 'step:start'; step: string; title?: string }
  | { type: 'step:done'; step: string; title?: string; detail?: string; skipped?: boolean; durationMs?: number }
  | { type: 'step:failed'; step: string; title?: string; error: string; code?: string }
  | { type: 'log'; line: string; level?: 'info' | 'warn' };

/**
 * `interrupted`: stopped by a signal after `reload` was confirmed, so the change was completed and saved and the device
 * comes back on it (the change record's outcome `interrupted`); neither a failure nor a rollback.
 */
export type DeviceResult = 'done' | 'nothing-to-do' | 'rolled-back' | 'failed' | 'interrupted' | 'skipped';

export interface DeviceOutcome {
  result: DeviceResult;
  exitCode: number;
  startedAt: Date;
  endedAt: Date;
  /** e.g. "ASA 9.8(4)10 (asa9)"; null when never reached. */
  platform: string | null;
  /** Inspection verdict before and after (e.g. "inspected", "clean", "not-verified"); null when unknown. */
  before: string | null;
  after: string | null;
  backupPath: string | null;
  /** The device's change record (report) path. */
  reportPath: string | null;
  /** One line: why it failed or was skipped. No secrets. */
  message?: string;
  errorCode?: string;
  /** The device as `show version` names it (absent: never read). */
  hostname?: string | null;
  serial?: string | null;
  /** What the device's running config holds and what the outside probe saw (audit.ts); absent: not known. */
  audit?: DeviceAudit;
  /** A dry run: the device's implementation and back-out plan (device-plan.ts); null when it was not read. */
  plan?: DevicePlan | null;
  /** `run --diff`: the device's running-config diff (planned in a dry run, before/after for a change). */
  diff?: string | null;
}

/** One place SMTP inspection is configured on a device (a `fixup`, or an `inspect` in a policy-map class). */
export type InspectionPlace = Pick<
  Finding,
  'kind' | 'protocol' | 'ports' | 'policyMap' | 'class' | 'inspectMap' | 'binding' | 'active' | 'context'
>;

/**
 * The two sides disagree: `path-inspects` the probe sees inspection but the device is clean (another box in the
 * path inspects); `device-only` the device inspects but the probe is clean (not on this mail path, or a map that
 * passes everything).
 */
export type AuditMismatch = 'path-inspects' | 'device-only';

/** The device side and the outside side of one device, as an audit reports them. */
export interface DeviceAudit {
  /** Active SMTP inspection in the running config; null: the config was not read. */
  device: boolean | null;
  places: InspectionPlace[];
  /** The outside probe's verdict before any change ("inspected", "clean", ...); null: not probed. */
  probe: string | null;
  /** The Mailguard family the probe recognised (e.g. "asa-esmtp"); null when none. */
  probeFamily: string | null;
  mismatch: AuditMismatch | null;
}

export type DeviceRunner = (
  target: FleetTarget,
  signal: AbortSignal,
  emit: (ev: DeviceEvent) => void,
) => Promise<DeviceOutcome>;

export type StopReason =
  | 'canary-failed'
  | 'failure-budget-exceeded'
  | 'window-closed'
  | 'interrupted'
  /** The shared failure budget file could not be read or updated: no device is started blind. */
  | 'budget-unavailable';
export type SkipReason = StopReason | 'would-cross-window-end';

export type FleetEvent =
  | { type: 'device:start'; name: string; at: Date; canary: boolean }
  | { type: 'device:event'; name: string; event: DeviceEvent }
  | { type: 'device:end'; name: string; outcome: DeviceOutcome }
  | { type: 'device:skip'; name: string; reason: SkipReason; at: Date }
  | { type: 'fleet:stop'; reason: StopReason; at: Date; message: string };

export interface DeviceRecord {
  name: string;
  host: string;
  port: number | null;
  transport: string;
  canary: boolean;
  result: DeviceResult;
  exitCode: number;
  /** ISO-8601; null when never started. */
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  platform: string | null;
  before: string | null;
  after: string | null;
  backupPath: string | null;
  reportPath: string | null;
  message: string | null;
  errorCode: string | null;
  skipReason: SkipReason | null;
  /** The other unit of its failover pair (inventory name), or null. */
  failoverPeer: string | null;
  hostname: string | null;
  serial: string | null;
  /** Device side and outside side; null when the device was not reached. */
  audit: DeviceAudit | null;
  /** Only in a dry run: commands, inverse, diff, verification and back-out (null: the device was not read). */
  plan?: DevicePlan | null;
  /** Only with `--diff`: unified running-config diff (null: none). */
  diff?: string | null;
}

export interface FleetMeta {
  playbook: string;
  playbookFile: string | null;
  mode: string;
  changeId: string | null;
  shard: { index: number; total: number } | null;
  dryRun: boolean;
  /** sha256 of the playbook and inventory files (null: not read from a file). */
  playbookSha256: string | null;
  inventorySha256: string | null;
  /** `all` (canary then the rest), or one stage of a pipeline: `canary`, `rest`. */
  phase: 'all' | 'canary' | 'rest';
  /** One id for all jobs of one pipeline run (canary result, engine pipeline id); null when none. */
  runId: string | null;
  /** Hosts selected fleet-wide (before --shard and --phase): what the merged report must add up to. */
  fleetTotal: number | null;
  /** How the shard was chosen, and where this run ran (machine, engine job). */
  vantage: {
    host: string;
    engine: string | null;
    jobId: string | null;
    shardSource: string | null;
    shardBy: 'hash' | 'group';
    /** With shardBy group: the inventory group(s) this shard serves. */
    groups: string[] | null;
  } | null;
  /** The change window's IANA time zone (UTC for absolute windows or none): local times in reports use it. */
  timeZone: string;
  /** Change id, operator, tool version, playbook and inventory sha256. */
  provenance: Provenance | null;
}

/** What an audit found across the fleet (every mode fills it from what each device and probe showed). */
export interface AuditCounts {
  /** Devices with active SMTP inspection in the running config. */
  deviceInspected: number;
  deviceClean: number;
  /** Devices whose outside probe saw the inspection. */
  probeInspected: number;
  probeClean: number;
  /** Devices with SMTP inspection seen on either side: the exit code of an audit is 10 when this is not 0. */
  inspected: number;
  /** Device and probe disagree (see AuditMismatch). */
  mismatches: number;
  /** Not read (unreachable, skipped). */
  unknown: number;
}

/** Counts failures across the jobs of one fleet run (a shared file); see shared-budget.ts. */
export interface FailureBudgetStore {
  /** Where the count lives (shown in the report). */
  readonly location: string;
  /** Failures counted fleet-wide so far, other shards included. */
  failures(): Promise<number>;
  /** Count the failure of `device` (idempotent per device); returns the fleet-wide count after it. */
  addFailure(device: string): Promise<number>;
}

export interface FleetReport extends FleetMeta {
  startedAt: string;
  endedAt: string;
  window: string;
  concurrency: number;
  canary: number;
  maxFailures: number | string;
  /** The failure budget this run obeyed: its own, or shared by every shard through a file. */
  budget: { shared: boolean; location: string | null; limit: number; failures: number };
  stopped: { reason: StopReason; at: string; message: string } | null;
  summary: Record<DeviceResult, number> & { total: number; failures: number };
  audit: AuditCounts;
  exitCode: number;
  devices: DeviceRecord[];
  /** Only in a dry run: the scope of the implementation plan (each device's plan is in its record). */
  plan?: FleetPlan;
}

export interface FleetOptions {
  concurrency: number;
  canary: number;
  /** A count, or a share of the targets like "10%". Stop starting devices once failures exceed it. */
  maxFailures: number | string;
  window: WindowSpec;
  now: Clock;
  /** Expected time one device takes (reload timeout included when a reload may happen). */
  expectedDurationMs: number | ((t: FleetTarget) => number);
  signal?: AbortSignal;
  onEvent?: (ev: FleetEvent) => void;
  meta?: Partial<FleetMeta>;
  /** Share the failure budget with other shards; without it the budget is this run's own. */
  budgetStore?: FailureBudgetStore;
  /** What a percentage maxFailures is a share of: the whole fleet when shards share it (default: these targets). */
  budgetTotal?: number;
}

/** The failure budget as a count: "10%" of 20 targets = 2 (failures beyond it stop the run). */
export function failureBudget(maxFailures: number | string, total: number): number {
  if (typeof maxFailures === 'number') return maxFailures;
  const pct = Number(maxFailures.replace('%', ''));
  return Math.floor((pct * total) / 100);
}

export const isFailure = (r: DeviceResult) => r === 'failed' || r === 'rolled-back';
/** Ended well (exit 0): changed, or nothing to change. Every other result says its exit code. */
export const isSuccess = (r: DeviceResult) => r === 'done' || r === 'nothing-to-do';

/** The summary counts of a report's devices (run and `report merge` alike); `failures` as the run counted them. */
export function summarize(devices: readonly Pick<DeviceRecord, 'result'>[], failures: number): FleetReport['summary'] {
  const summary = {
    total: devices.length,
    failures,
    done: 0,
    'nothing-to-do': 0,
    'rolled-back': 0,
    failed: 0,
    interrupted: 0,
    skipped: 0,
  };
  for (const d of devices) summary[d.result]++;
  return summary;
}

export async function runFleet(
  targets: readonly FleetTarget[],
  runner: DeviceRunner,
  o: FleetOptions,
): Promise<FleetReport> {
  const emit = (ev: FleetEvent) => {
    try {
      o.onEvent?.(ev);
    } catch {
      // A rendering bug must not abandon devices mid-change; the report still records everything.
    }
  };
  const startedAt = o.now();
  const records = new Map<string, DeviceRecord>();
  const running = new Map<string, Promise<void>>();
  const pending = [...targets];
  const budgetTotal = o.budgetTotal ?? targets.length;
  const budget = failureBudget(o.maxFailures, budgetTotal);
  const store = o.budgetStore;
  const concurrency = Math.max(1, o.concurrency);
  const signal = o.signal ?? new AbortController().signal;
  const expected = (t: FleetTarget) =>
    typeof o.expectedDurationMs === 'function' ? o.expectedDurationMs(t) : o.expectedDurationMs;
  let failures = 0;
  /** Fleet-wide failures as last seen in the shared store (this run's own when there is none). */
  let seen = 0;
  let canaryFailed: string | null = null;
  let stopped: FleetReport['stopped'] = null;

  const stop = (reason: StopReason, message: string) => {
    if (stopped) return;
    const at = o.now();
    stopped = { reason, at: at.toISOString(), message };
    emit({ type: 'fleet:stop', reason, at, message });
  };
  const checkStop = () => {
    if (signal.aborted) stop('interrupted', 'interrupted: no new device is started');
    else if (canaryFailed) stop('canary-failed', `canary ${canaryFailed} did not succeed: the run stops`);
    else if (seen > budget)
      stop(
        'failure-budget-exceeded',
        store
          ? `${seen} failures fleet-wide (${failures} in this run) exceed the shared maxFailures ${o.maxFailures} (${budget} of ${budgetTotal})`
          : `${failures} failures exceed maxFailures ${o.maxFailures} (${budget} of ${budgetTotal})`,
      );
    return stopped !== null;
  };
  const storeFailed = (e: unknown) =>
    stop(
      'budget-unavailable',
      `the shared failure budget ${store?.location} cannot be used: ${toMailguardError(e).message}; no new device is started`,
    );
  /** Before a start: what the other shards have spent. */
  const refresh = async () => {
    if (!store || stopped) return;
    try {
      seen = Math.max(seen, await store.failures());
    } catch (e) {
      storeFailed(e);
    }
  };
  const stopNow = async () => {
    await refresh();
    return checkStop();
  };
  const skip = (t: FleetTarget, reason: SkipReason) => {
    const at = o.now();
    records.set(
      t.name,
      baseRecord(t, false, {
        result: 'skipped',
        exitCode:
          reason === 'window-closed' || reason === 'would-cross-window-end' ? ExitCode.outsideWindow : ExitCode.failure,
        skipReason: reason,
        message: skipMessage(reason),
      }),
    );
    emit({ type: 'device:skip', name: t.name, reason, at });
  };
  /** Window check before a start; false when the device must not start now. */
  const windowAllows = (t: FleetTarget): boolean | 'skip' => {
    const w = canStartDevice(o.window, o.now(), expected(t));
    if (w.ok) return true;
    if (w.reason === 'outside-window') {
      stop('window-closed', `the change window (${describeWindow(o.window)}) is closed: no new device is started`);
      return false;
    }
    return 'skip';
  };
  const start = (t: FleetTarget, canary: boolean): Promise<void> => {
    const at = o.now();
    emit({ type: 'device:start', name: t.name, at, canary });
    const p = (async () => {
      let outcome: DeviceOutcome;
      try {
        outcome = await runner(t, signal, (event) => emit({ type: 'device:event', name: t.name, event }));
      } catch (e) {
        const err = toMailguardError(e);
        outcome = {
          result: 'failed',
          exitCode: err.exitCode,
          startedAt: at,
          endedAt: o.now(),
          platform: null,
          before: null,
          after: null,
          backupPath: null,
          reportPath: null,
          message: err.message,
          errorCode: err.code,
        };
      }
      // The scheduler's own start/end times: the span during which the device held a slot (what "the units of a
      // pair never overlap" is checked against); the runner's times fall inside it.
      const endedAt = o.now();
      records.set(t.name, {
        ...baseRecord(t, canary, outcomeFields(outcome)),
        startedAt: at.toISOString(),
        endedAt: endedAt.toISOString(),
        durationMs: endedAt.getTime() - at.getTime(),
      });
      if (isFailure(outcome.result)) {
        failures++;
        if (canary) canaryFailed = t.name;
        if (store) {
          try {
            seen = Math.max(seen, await store.addFailure(t.name));
          } catch (e) {
            seen++;
            storeFailed(e);
          }
        } else seen = failures;
      }
      emit({ type: 'device:end', name: t.name, outcome });
      running.delete(t.name);
    })();
    running.set(t.name, p);
    return p;
  };

  // Canaries: the first N devices, one at a time.
  let canaries = Math.min(Math.max(0, o.canary), pending.length);
  while (canaries > 0 && pending.length > 0 && !(await stopNow())) {
    const t = pending[0]!;
    const w = windowAllows(t);
    if (w === false) break;
    pending.shift();
    if (w === 'skip') {
      skip(t, 'would-cross-window-end');
      continue;
    }
    canaries--;
    await start(t, true);
  }

  // The rest: up to `concurrency` at once, never both units of a pair.
  while (pending.length > 0 && !(await stopNow())) {
    while (running.size < concurrency && pending.length > 0 && !stopped) {
      const idx = pending.findIndex((t) => !(t.failoverPeer && running.has(t.failoverPeer)));
      if (idx < 0) break;
      const t = pending[idx]!;
      const w = windowAllows(t);
      if (w === false) break;
      pending.splice(idx, 1);
      if (w === 'skip') skip(t, 'would-cross-window-end');
      else void start(t, false);
    }
    if (running.size === 0) continue;
    await Promise.race(running.values());
  }
  // Let the running devices finish (or roll back) on their own.
  await Promise.all(running.values());
  const why: SkipReason = (stopped as FleetReport['stopped'])?.reason ?? 'interrupted';
  for (const t of pending) skip(t, why);

  const devices = targets.map((t) => records.get(t.name)!);
  const summary = summarize(devices, failures);
  const audit = auditCounts(devices);
  // The signal's own code (130 SIGINT, 143 SIGTERM, 129 SIGHUP), as the process exits with: the report must agree.
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  const interruptedCode = reason instanceof MailguardError ? reason.exitCode : ExitCode.interrupted;
  const fleetCode = fleetExitCode(devices, stopped, interruptedCode);
  return {
    playbook: o.meta?.playbook ?? '',
    playbookFile: o.meta?.playbookFile ?? null,
    mode: o.meta?.mode ?? '',
    changeId: o.meta?.changeId ?? null,
    shard: o.meta?.shard ?? null,
    dryRun: o.meta?.dryRun ?? false,
    playbookSha256: o.meta?.playbookSha256 ?? null,
    inventorySha256: o.meta?.inventorySha256 ?? null,
    phase: o.meta?.phase ?? 'all',
    runId: o.meta?.runId ?? null,
    fleetTotal: o.meta?.fleetTotal ?? null,
    vantage: o.meta?.vantage ?? null,
    timeZone: o.meta?.timeZone ?? 'UTC',
    provenance: o.meta?.provenance ?? null,
    startedAt: startedAt.toISOString(),
    endedAt: o.now().toISOString(),
    window: describeWindow(o.window),
    concurrency,
    canary: o.canary,
    maxFailures: o.maxFailures,
    budget: { shared: store !== undefined, location: store?.location ?? null, limit: budget, failures: seen },
    stopped,
    summary,
    audit,
    // An audit answers "where is SMTP inspection on?" with probe's exit codes: 10 when seen anywhere.
    exitCode: o.meta?.mode === 'audit' ? auditExitCode(audit, fleetCode) : fleetCode,
    devices,
  };
}

function skipMessage(r: SkipReason): string {
  switch (r) {
    case 'canary-failed':
      return 'not started: a canary failed';
    case 'failure-budget-exceeded':
      return 'not started: the failure budget (maxFailures) was exceeded';
    case 'window-closed':
      return 'not started: the change window closed';
    case 'would-cross-window-end':
      return 'not started: its expected duration would cross the end of the window';
    case 'interrupted':
      return 'not started: the run was interrupted';
    case 'budget-unavailable':
      return 'not started: the shared failure budget could not be read';
  }
}

/**
 * 0 only when every device ended done or nothing-to-do. Otherwise the most serious device exit code
 * (6 rollback failed > 5 verify > 4 device > 3 connection > 2 > 1), then the interruption's code for an interrupted
 * run (130 unless the signal says otherwise: 143 SIGTERM, 129 SIGHUP), then 7 when devices were left out only by
 * the window.
 */
export function fleetExitCode(
  devices: readonly DeviceRecord[],
  stopped: FleetReport['stopped'],
  interruptedCode: number = ExitCode.interrupted,
): number {
  if (devices.every((d) => isSuccess(d.result))) return ExitCode.ok;
  const ran = devices.filter((d) => d.result !== 'skipped' || d.skipReason === null).map((d) => d.exitCode);
  for (const c of [6, 5, 4, 3, 2, 1]) if (ran.includes(c)) return c;
  if (stopped?.reason === 'interrupted') return interruptedCode;
  // A signal with no device left to start records no stop: a device it stopped carries the signal's code.
  const signalled = ran.find(isSignalExit);
  if (signalled !== undefined) return signalled;
  if (devices.some((d) => d.skipReason === 'window-closed' || d.skipReason === 'would-cross-window-end'))
    return ExitCode.outsideWindow;
  return ExitCode.failure;
}

function outcomeFields(o: DeviceOutcome): Partial<DeviceRecord> {
  return {
    result: o.result,
    exitCode: o.exitCode,
    platform: o.platform,
    before: o.before,
    after: o.after,
    backupPath: o.backupPath,
    reportPath: o.reportPath,
    message: o.message ?? null,
    errorCode: o.errorCode ?? null,
    hostname: o.hostname ?? null,
    serial: o.serial ?? null,
    audit: o.audit ?? null,
    // Present only when asked for (dry run, --diff): other runs' JSON keeps its shape.
    ...(o.plan !== undefined ? { plan: o.plan } : {}),
    ...(o.diff !== undefined ? { diff: o.diff } : {}),
  };
}

/** Only non-secret fields of the target go into a record. */
function baseRecord(t: FleetTarget, canary: boolean, f: Partial<DeviceRecord>): DeviceRecord {
  return {
    name: t.name,
    host: t.connect.host,
    port: t.connect.port ?? null,
    transport: t.connect.transport,
    canary,
    result: 'skipped',
    exitCode: ExitCode.failure,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    platform: null,
    before: null,
    after: null,
    backupPath: null,
    reportPath: null,
    message: null,
    errorCode: null,
    skipReason: null,
    failoverPeer: t.failoverPeer,
    hostname: null,
    serial: null,
    audit: null,
    ...f,
  };
}
