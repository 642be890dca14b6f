/**
 * `report merge`: one fleet report from the reports of a pipeline's jobs (the canary phase and each shard). It is a
 * FleetReport (so every renderer of a single run renders it) plus one row per job with its vantage point. Reports
 * of different playbooks, inventories, change ids or pipeline runs are refused, and so is a device reported twice.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, isSignalExit, MailguardError, systemErrorWords } from '../errors.js';
import { auditCounts, auditExitCode } from './audit.js';
import { type DeviceRecord, type FleetReport, fleetExitCode, isFailure, summarize } from './fleet.js';
import { mergeFleetPlans } from './plan-merge.js';

/** One job's part of the merged run. */
export interface JobSummary {
  file: string;
  phase: FleetReport['phase'];
  shard: { index: number; total: number } | null;
  /** Machine and engine job it ran on. */
  vantage: FleetReport['vantage'];
  startedAt: string;
  endedAt: string;
  devices: number;
  summary: FleetReport['summary'];
  exitCode: number;
  stopped: FleetReport['stopped'];
  budget: FleetReport['budget'];
}

export interface MergedFleetReport extends FleetReport {
  jobs: JobSummary[];
  /** Devices the fleet holds (fleetTotal) that no job reported: a job missing from the merge. */
  missing: number;
  /** Each device's job, e.g. "shard 2/3 @ runner-7 (gitlab job 4711)". */
  devices: Array<DeviceRecord & { ranBy: string }>;
}

export const MERGED_PREFIX = 'fleet-merged-';

/** The fleet report files under each path (a file, or a folder searched recursively), merged reports excepted. */
export async function findFleetReports(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string, depth: number): Promise<void> => {
    const s = await stat(p);
    if (s.isFile()) {
      out.push(p);
      return;
    }
    if (!s.isDirectory() || depth > 6) return;
    for (const e of (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = join(p, e.name);
      if (e.isDirectory()) await walk(child, depth + 1);
      else if (e.isFile() && /^fleet-.*\.json$/.test(e.name) && !e.name.startsWith(MERGED_PREFIX)) out.push(child);
    }
  };
  for (const p of paths) {
    try {
      await walk(p, 0);
    } catch (e) {
      throw new MailguardError('USAGE', `report merge: cannot read ${p}: ${systemErrorWords(e)}`, {
        hint: "Give the folders the jobs wrote their reports to (each job's --report-dir, as pipeline artifacts).",
      });
    }
  }
  return [...new Set(out)];
}

export async function loadFleetReport(file: string): Promise<FleetReport> {
  let r: Partial<FleetReport>;
  try {
    r = JSON.parse(await readFile(file, 'utf8')) as Partial<FleetReport>;
  } catch (e) {
    throw new MailguardError('REPORT_MISMATCH', `${file} is not readable JSON (${(e as Error).message})`, {
      hint: 'Give only the folders holding the fleet-*.json reports of `run`.',
    });
  }
  if (!Array.isArray(r.devices) || typeof r.summary !== 'object' || typeof r.startedAt !== 'string') {
    throw new MailguardError('REPORT_MISMATCH', `${file} is not a fleet report of asa-mailguard run`, {
      hint: 'Give only the folders holding the fleet-*.json reports of `run`.',
    });
  }
  return r as FleetReport;
}

/** "canary", "shard 2/3", "rest" or "whole fleet". */
export function jobName(r: Pick<FleetReport, 'phase' | 'shard'>): string {
  if (r.phase === 'canary') return 'canary';
  if (r.shard) return `shard ${r.shard.index}/${r.shard.total}`;
  return r.phase === 'rest' ? 'rest' : 'whole fleet';
}

/** "runner-7 (gitlab job 4711)": the machine and the engine's job. */
export function vantageText(v: FleetReport['vantage']): string {
  if (!v) return 'unknown';
  const job = v.jobId ? ` (${v.engine ?? 'job'} ${v.jobId})` : v.engine ? ` (${v.engine})` : '';
  return `${v.host}${job}`;
}

/** "shard 2/3 @ runner-7 (gitlab job 4711)". */
export function jobLabel(r: Pick<FleetReport, 'phase' | 'shard' | 'vantage'>): string {
  return r.vantage ? `${jobName(r)} @ ${vantageText(r.vantage)}` : jobName(r);
}

/** Merge the reports of one run's jobs; throws REPORT_MISMATCH when they are not one run. */
export function mergeFleetReports(inputs: ReadonlyArray<{ file: string; report: FleetReport }>): MergedFleetReport {
  if (inputs.length === 0) {
    throw new MailguardError('USAGE', 'report merge: no fleet report (fleet-*.json) found', {
      hint: "Give the folders the jobs wrote their reports to (each job's --report-dir).",
    });
  }
  for (const { file, report } of inputs) {
    if (!report.playbookSha256) {
      throw new MailguardError('REPORT_MISMATCH', `${file} carries no playbook hash (written by an older version)`, {
        hint: 'Merge only reports of runs made with this version.',
      });
    }
  }
  const first = inputs[0]!;
  const same = (what: string, get: (r: FleetReport) => unknown) => {
    const other = inputs.find((x) => get(x.report) !== get(first.report));
    if (other) {
      throw new MailguardError(
        'REPORT_MISMATCH',
        `${first.file} and ${other.file} are not the same run: the ${what} differs (${String(get(first.report))} vs ${String(get(other.report))})`,
        { hint: 'Merge only the reports of one pipeline run (one playbook, inventory and change).' },
      );
    }
  };
  same('playbook (sha256)', (r) => r.playbookSha256);
  same('inventory (sha256)', (r) => r.inventorySha256);
  same('change id', (r) => r.changeId);
  same('pipeline run id', (r) => r.runId);
  same('dry-run flag', (r) => r.dryRun);

  // The canary job first, then the shards in order, so the table reads like the run did.
  const order = (r: FleetReport) => (r.phase === 'canary' ? 0 : (r.shard?.index ?? 0) + 1);
  const sorted = [...inputs].sort((a, b) => order(a.report) - order(b.report) || a.file.localeCompare(b.file));
  const owner = new Map<string, string>();
  const devices: MergedFleetReport['devices'] = [];
  for (const { file, report } of sorted) {
    const ranBy = jobLabel(report);
    for (const d of report.devices) {
      const had = owner.get(d.name);
      if (had !== undefined) {
        throw new MailguardError('REPORT_MISMATCH', `${d.name} is in two reports: ${had} and ${file}`, {
          hint: 'A job was run twice (a retry): merge only the report of the run that counts.',
        });
      }
      owner.set(d.name, file);
      devices.push({ ...d, ranBy });
    }
  }

  const reports = sorted.map((x) => x.report);
  const stops = reports.flatMap((r) => (r.stopped ? [{ ...r.stopped, by: jobLabel(r), exitCode: r.exitCode }] : []));
  stops.sort((a, b) => a.at.localeCompare(b.at));
  const firstStop = stops[0];
  const stopped: FleetReport['stopped'] = firstStop
    ? { reason: firstStop.reason, at: firstStop.at, message: `${firstStop.by}: ${firstStop.message}` }
    : null;
  const summary = summarize(devices, devices.filter((d) => isFailure(d.result)).length);
  const fleetTotal = first.report.fleetTotal ?? null;
  const missing = fleetTotal === null ? 0 : Math.max(0, fleetTotal - devices.length);
  const audit = auditCounts(devices);
  // An interrupted merge exits with the signal's code the interrupted job exited with (130 SIGINT, 143 SIGTERM,
  // 129 SIGHUP), as fleet.ts gives it; reports without one (older reports) read as 130.
  const signalStop = stops.find((s) => s.reason === 'interrupted' && isSignalExit(s.exitCode));
  const fleetCode = fleetExitCode(devices, stopped, signalStop?.exitCode ?? ExitCode.interrupted);
  // An audit exits as a single audit run does: 10 when SMTP inspection was seen anywhere.
  const exit = first.report.mode === 'audit' ? auditExitCode(audit, fleetCode) : fleetCode;
  const canaryJob = reports.find((r) => r.phase === 'canary');
  // The canary stage stops at its first failure anyway; the budget is the shards'.
  const shardReports = reports.filter((r) => r.phase !== 'canary');
  const shared = (shardReports.length > 0 ? shardReports : reports).every((r) => r.budget?.shared);
  // Dry-run jobs: one plan scope for the whole change request, as a single dry run writes it.
  const plan = mergeFleetPlans(reports.map((r) => ({ job: jobLabel(r), report: r })));
  return {
    playbook: first.report.playbook,
    playbookFile: first.report.playbookFile,
    mode: first.report.mode,
    changeId: first.report.changeId,
    shard: null,
    dryRun: first.report.dryRun,
    playbookSha256: first.report.playbookSha256,
    inventorySha256: first.report.inventorySha256,
    phase: 'all',
    runId: first.report.runId,
    fleetTotal,
    vantage: null,
    // Reports written before these fields existed read as UTC and without provenance.
    timeZone: first.report.timeZone ?? 'UTC',
    provenance: first.report.provenance ?? null,
    startedAt: reports.map((r) => r.startedAt).sort()[0]!,
    endedAt: reports
      .map((r) => r.endedAt)
      .sort()
      .at(-1)!,
    window: first.report.window,
    // At most this many devices ran at once across the jobs.
    concurrency:
      reports.reduce((n, r) => n + (r.phase === 'canary' ? 0 : r.concurrency), 0) || first.report.concurrency,
    canary: canaryJob?.canary ?? first.report.canary,
    maxFailures: first.report.maxFailures,
    budget: {
      shared,
      location: shared ? (reports.find((r) => r.budget?.location)?.budget.location ?? null) : null,
      limit: shared
        ? (shardReports[0] ?? first.report).budget.limit
        : Math.min(...reports.map((r) => r.budget?.limit ?? 0)),
      failures: shared ? Math.max(...reports.map((r) => r.budget.failures)) : summary.failures,
    },
    stopped,
    summary,
    audit,
    // A job missing from the merge is never a clean result.
    exitCode: missing > 0 && exit === 0 ? 1 : exit,
    devices,
    ...(plan ? { plan } : {}),
    jobs: sorted.map(({ file, report: r }) => ({
      file,
      phase: r.phase,
      shard: r.shard,
      vantage: r.vantage,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      devices: r.devices.length,
      summary: r.summary,
      exitCode: r.exitCode,
      stopped: r.stopped,
      budget: r.budget,
    })),
    missing,
  };
}
