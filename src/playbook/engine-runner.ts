/**
 * The DeviceRunner that drives the change engine (src/change) for one fleet target: playbook settings ->
 * ChangeOptions, engine events -> DeviceEvents, ChangeResult -> DeviceOutcome. The engine is loaded lazily so the
 * playbook layer's validation and scheduling stay usable (and testable) on their own.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EngineDeps } from '../change/deps.js';
import type { Provenance } from '../change/provenance.js';
import type { ChangeOptions, ChangeResult } from '../change/types.js';
import { MailguardError } from '../errors.js';
import type { PlatformInfo } from '../platform/types.js';
import { deviceAudit } from './audit.js';
import { deviceDiff, devicePlan } from './device-plan.js';
import type { DeviceEvent, DeviceOutcome, DeviceResult, DeviceRunner, FleetTarget } from './fleet.js';
import type { RunSettings } from './playbook.js';

export interface EngineRunnerOptions {
  settings: RunSettings;
  /** DNS server for mail-domain probes (host[:port]). */
  resolver?: string;
  /** Replace engine dependencies (tests, demo). */
  deps?: Partial<EngineDeps>;
  now?: () => Date;
  /** Change id, time zone, playbook and inventory sha256 for every change record. */
  provenance?: Partial<Provenance>;
  /** Base path of a target's change record (engine `reportFile`), e.g. to keep the plans of a dry run. */
  reportFileFor?: (t: FleetTarget) => string | undefined;
  /** `run --diff`: each outcome carries the device's config diff. */
  diff?: boolean;
}

/** Default backup directory of the engine (ChangeOptions.backupDir). */
const DEFAULT_BACKUP_DIR = 'backups';

/** The engine options for one target. The inventory name is the label, so backups can be found again by it. */
export function changeOptionsFor(t: FleetTarget, s: RunSettings): ChangeOptions {
  const o: ChangeOptions = {
    connect: t.connect,
    label: t.name,
    mode: s.mode === 'rollback' ? 'restore' : 'disable',
    // An audit is the engine's dry run: probe, connect, detect and plan, no config command.
    dryRun: s.mode === 'audit' || s.dryRun,
    reload: s.reload,
    reloadTimeoutMs: s.timeouts.reloadMs,
  };
  if (s.safetyReloadMin) o.safetyReloadMin = s.safetyReloadMin;
  if (s.timeouts.saveMs) o.saveTimeoutMs = s.timeouts.saveMs;
  if (t.probe?.smtp.length) o.smtp = t.probe.smtp;
  if (t.probe?.domain) o.domain = t.probe.domain;
  if (s.rollbackOnVerifyFailure !== null) o.rollbackOnVerifyFailure = s.rollbackOnVerifyFailure;
  if (s.backupDir) o.backupDir = s.backupDir;
  const context = t.context ?? s.context;
  if (context) o.context = context;
  return o;
}

/**
 * The newest backup metadata (`*-backup.json`) whose target is `label`, under `<backupDir>/<device folder>/`; with
 * `address`, also those of a device folder whose device.json lists that address (a fleet run labels its backups
 * with the inventory name, `rollback host:port --latest` finds them by the address). null when there is none.
 */
export async function latestBackupFor(backupDir: string, label: string, address?: string): Promise<string | null> {
  let best: { path: string; takenAt: string } | null = null;
  let dirs: string[];
  try {
    dirs = await readdir(backupDir);
  } catch {
    return null;
  }
  for (const d of dirs) {
    let files: string[];
    try {
      files = await readdir(join(backupDir, d));
    } catch {
      continue;
    }
    const atAddress = address !== undefined && (await folderLists(join(backupDir, d), address));
    for (const f of files.filter((x) => x.endsWith('-backup.json'))) {
      const path = join(backupDir, d, f);
      try {
        const meta = JSON.parse(await readFile(path, 'utf8')) as { target?: string; takenAt?: string };
        if (
          (meta.target === label || atAddress) &&
          typeof meta.takenAt === 'string' &&
          (!best || meta.takenAt > best.takenAt)
        ) {
          best = { path, takenAt: meta.takenAt };
        }
      } catch {
        // Not a readable backup metadata file: ignore it.
      }
    }
  }
  return best?.path ?? null;
}

/** Does the device folder's device.json (device-folder.ts) list this address? */
async function folderLists(dir: string, address: string): Promise<boolean> {
  try {
    const info = JSON.parse(await readFile(join(dir, 'device.json'), 'utf8')) as { addresses?: unknown };
    return Array.isArray(info.addresses) && info.addresses.includes(address);
  } catch {
    return false;
  }
}

export function describePlatform(p: PlatformInfo | undefined): string | null {
  if (!p) return null;
  return `${p.family.toUpperCase()} ${p.version} (${p.dialect}${p.contextMode === 'multiple' ? ', multiple context' : ''})`;
}

/** The fleet's view of one engine result. */
export function outcomeFromResult(r: ChangeResult, t: FleetTarget, audit: boolean): DeviceOutcome {
  let result: DeviceResult;
  let exitCode = r.exitCode;
  let message = r.error?.message;
  switch (r.outcome) {
    case 'done':
      result = 'done';
      break;
    case 'nothing-to-do':
      result = 'nothing-to-do';
      break;
    case 'dry-run':
      result = audit || !r.plan?.nothingToDo ? 'done' : 'nothing-to-do';
      break;
    case 'rolled-back':
      result = 'rolled-back';
      break;
    case 'cancelled':
      result = 'skipped';
      break;
    case 'interrupted': {
      // Stopped after `reload` was confirmed: the change was completed and saved, no rollback (as `apply` says). What
      // the device holds comes first: the run's table cuts a long note.
      result = 'interrupted';
      const cause = (r.error?.message ?? 'Interrupted.').replace(/\.$/, '');
      message = `running ${r.finalState.running}, startup ${r.finalState.startup}, no rollback: ${cause} after \`reload\``;
      break;
    }
    default:
      result = 'failed';
  }
  // Both units are usually listed; the standby refuses and its config follows the active peer's.
  if (r.error?.code === 'STANDBY_UNIT' && t.failoverPeer) {
    result = 'nothing-to-do';
    exitCode = 0;
    message = `standby unit: the change replicates from its active peer ${t.failoverPeer}`;
  }
  // BEFORE is the outside probe's verdict only; what the device holds is in `audit` (device side).
  const before = r.preProbe?.verdict ?? null;
  const after = audit
    ? null
    : r.verification !== 'not-probed'
      ? r.verification
      : r.finalState.running !== 'unknown'
        ? `running ${r.finalState.running}`
        : null;
  const out: DeviceOutcome = {
    result,
    exitCode,
    startedAt: new Date(r.startedAt),
    endedAt: new Date(r.finishedAt),
    platform: describePlatform(r.platform),
    before,
    after,
    backupPath: r.backup?.metadataPath ?? null,
    reportPath: r.reportFiles?.markdown ?? null,
    hostname: r.device?.hostname ?? r.platform?.hostname ?? null,
    serial: r.device?.serial ?? r.platform?.serial ?? null,
    audit: deviceAudit(r.inspection, r.preProbe),
  };
  if (message) out.message = message;
  if (r.error && result !== 'nothing-to-do') out.errorCode = r.error.code;
  return out;
}

/** A DeviceRunner backed by the change engine. */
export function engineDeviceRunner(o: EngineRunnerOptions): DeviceRunner {
  const audit = o.settings.mode === 'audit';
  return async (t, signal, emit) => {
    const { runChange } = await import('../change/engine.js');
    const options: ChangeOptions = { ...changeOptionsFor(t, o.settings), signal };
    if (o.resolver) options.resolver = o.resolver;
    if (o.deps) options.deps = o.deps;
    if (o.now) options.now = o.now;
    if (o.provenance) options.provenance = o.provenance;
    const reportFile = o.reportFileFor?.(t);
    if (reportFile) options.reportFile = reportFile;
    if (options.mode === 'restore') {
      const dir = resolve(o.settings.backupDir ?? DEFAULT_BACKUP_DIR);
      const latest = await latestBackupFor(dir, t.name);
      if (!latest && t.failoverPeer) {
        // The standby of a pair refused the change (it replicates from the active unit), so it has no backup.
        const now = (o.now ?? (() => new Date()))();
        return {
          result: 'nothing-to-do',
          exitCode: 0,
          startedAt: now,
          endedAt: now,
          platform: null,
          before: null,
          after: null,
          backupPath: null,
          reportPath: null,
          message: `no backup of ${t.name}: a standby unit follows its peer ${t.failoverPeer}`,
        };
      }
      if (!latest) {
        throw new MailguardError('BAD_INPUT', `no backup of ${t.name} in ${dir} to roll back from`, {
          hint: 'Point options.backupDir of the playbook at the directory the change wrote its backups to.',
        });
      }
      options.restoreFrom = latest;
    }
    const result = await runChange(options, (engine) => {
      engine.on('step:start', (e) => emit({ type: 'step:start', step: e.step, title: e.title }));
      engine.on('step:done', (e) => {
        const ev: DeviceEvent = { type: 'step:done', step: e.step, title: e.title, durationMs: e.durationMs };
        if (e.summary) ev.detail = e.summary;
        if (e.skipped) ev.skipped = true;
        emit(ev);
      });
      engine.on('step:failed', (e) =>
        emit({ type: 'step:failed', step: e.step, title: e.title, error: e.error.message, code: e.error.code }),
      );
      engine.on('log', (e) => {
        if (e.level !== 'debug') emit({ type: 'log', line: e.message, level: e.level });
      });
    });
    const out = outcomeFromResult(result, t, audit);
    // A dry run of a change is the plan for the change request: commands, inverse, verification, back-out.
    if (o.settings.dryRun && !audit) out.plan = devicePlan(result, t, o.settings);
    if (o.diff) out.diff = deviceDiff(result);
    return out;
  };
}
