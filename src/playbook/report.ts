/** The fleet report: JSON for machines and a Markdown table for the change ticket, written 0600. */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writePrivate } from '../change/backup.js';
import { type FleetReport, isSuccess } from './fleet.js';
import { jobLabel, jobName, MERGED_PREFIX, type MergedFleetReport, vantageText } from './merge.js';
import { fleetReportCsv, fleetReportHtml } from './report-html.js';
import { planMarkdown } from './report-plan.js';

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '-';
  return String(v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A device stopped by a signal after `reload` (its record's outcome `interrupted`): changed and saved, not verified. */
export const INTERRUPTED_WORDS = 'interrupted (changed and saved)';

/**
 * "3 done, 0 nothing to do, 0 rolled back, 1 failed, 2 skipped": the result counts of a report or a job. The
 * interrupted count is said only when it happened (reports written before it existed have no such key).
 */
export function resultCounts(s: FleetReport['summary'], nothing = 'nothing to do'): string {
  const interrupted = s.interrupted ? `${s.interrupted} ${INTERRUPTED_WORDS}, ` : '';
  return `${s.done} done, ${s['nothing-to-do']} ${nothing}, ${s['rolled-back']} rolled back, ${s.failed} failed, ${interrupted}${s.skipped} skipped`;
}

export function fleetReportMarkdown(r: FleetReport): string {
  const lines: string[] = [];
  lines.push(r.playbook ? `# Fleet report: ${r.playbook}` : '# Fleet report');
  lines.push('');
  if (r.changeId) lines.push(`- Change: ${r.changeId}`);
  lines.push(`- Mode: ${r.mode}${r.dryRun ? ' (dry run)' : ''}`);
  if (r.playbookFile) lines.push(`- Playbook: ${r.playbookFile}`);
  if (r.playbookSha256) {
    lines.push(`- Playbook sha256: ${r.playbookSha256}; inventory sha256: ${r.inventorySha256 ?? '-'}`);
  }
  if (r.phase && r.phase !== 'all') lines.push(`- Phase: ${r.phase}${r.runId ? ` (run ${r.runId})` : ''}`);
  if (r.shard || r.vantage) lines.push(`- Job: ${jobLabel(r)}`);
  lines.push(`- Window: ${r.window}`);
  lines.push(`- Started: ${r.startedAt}; ended: ${r.endedAt}`);
  lines.push(`- Concurrency ${r.concurrency}, canary ${r.canary}, maxFailures ${r.maxFailures}`);
  if (r.budget) lines.push(`- Failure budget: ${budgetText(r)}`);
  const s = r.summary;
  lines.push(`- Result: ${s.total} devices: ${resultCounts(s)}; exit code ${r.exitCode}`);
  if (r.stopped) lines.push(`- **Stopped early** (${r.stopped.reason}) at ${r.stopped.at}: ${r.stopped.message}`);
  const merged = 'jobs' in r ? (r as MergedFleetReport) : null;
  if (merged && merged.missing > 0) {
    lines.push(
      `- **Incomplete**: ${merged.missing} of ${merged.fleetTotal} devices are in no report (a job is missing)`,
    );
  }
  if (merged) {
    lines.push('');
    lines.push('## Jobs');
    lines.push('');
    lines.push('| job | vantage point | devices | result | started | ended | stopped | budget |');
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const j of merged.jobs) {
      const [what, where] = [jobName(j), vantageText(j.vantage)];
      const sum = `${resultCounts(j.summary, 'nothing')}; exit ${j.exitCode}`;
      lines.push(
        `| ${cell(what)} | ${cell(where)} | ${j.devices} | ${cell(sum)} | ${cell(j.startedAt)} | ${cell(j.endedAt)} | ${cell(j.stopped ? `${j.stopped.reason} at ${j.stopped.at}` : null)} | ${cell(j.budget?.shared ? 'shared' : 'own')} |`,
      );
    }
    lines.push('');
    lines.push('## Devices');
  }
  lines.push('');
  const by = merged ? ' job |' : '';
  lines.push(`| device |${by} platform | before | after | result | started | ended | backup | change record | note |`);
  lines.push(`|---|${merged ? '---|' : ''}---|---|---|---|---|---|---|---|---|`);
  for (const d of merged ? merged.devices : r.devices) {
    const result = `${d.result}${d.canary ? ' (canary)' : ''}${isSuccess(d.result) ? '' : ` (exit ${d.exitCode})`}`;
    const job = 'ranBy' in d ? ` ${cell(d.ranBy as string)} |` : '';
    lines.push(
      `| ${cell(d.name)} |${job} ${cell(d.platform)} | ${cell(d.before)} | ${cell(d.after)} | ${cell(result)} | ${cell(d.startedAt)} | ${cell(d.endedAt)} | ${cell(d.backupPath)} | ${cell(d.reportPath)} | ${cell(d.message)} |`,
    );
  }
  lines.push('');
  // A dry run: the plan for the change request (scope, then per device commands, inverse, verification, back-out).
  lines.push(...planMarkdown(r));
  return lines.join('\n');
}

/** "shared by every shard through X: 2 failures fleet-wide, 1 allowed" or "this shard's own (no budget dir) ...". */
export function budgetText(r: Pick<FleetReport, 'budget' | 'shard'>): string {
  const b = r.budget;
  const counts = `${b.failures} failure${b.failures === 1 ? '' : 's'}, ${b.limit} allowed`;
  if (b.shared) return `shared by every shard through ${b.location ?? '?'}: ${counts} fleet-wide`;
  return r.shard
    ? `per shard (no --budget-dir: each shard counts only its own failures): ${counts} in this shard`
    : `this run's own: ${counts}`;
}

export interface FleetReportFiles {
  json: string;
  markdown: string;
  html: string;
  csv: string;
}

/** Write `<dir>/fleet-<UTC stamp>.json`, `.md`, `.html` and `.csv` (mode 0600, directory 0700); returns the paths. */
export async function writeFleetReport(r: FleetReport, dir: string): Promise<FleetReportFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = r.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const phase = r.phase === 'canary' ? '-canary' : '';
  const shard = r.shard ? `-shard${r.shard.index}of${r.shard.total}` : '';
  const base = join(dir, 'jobs' in r ? `${MERGED_PREFIX}${stamp}` : `fleet-${stamp}${phase}${shard}`);
  const json = `${base}.json`;
  const markdown = `${base}.md`;
  // 0600 also when a report of the same second is overwritten (writeFile's mode applies only to new files).
  await writePrivate(json, `${JSON.stringify(r, null, 2)}\n`);
  await writePrivate(markdown, fleetReportMarkdown(r));
  const html = `${base}.html`;
  const csvPath = `${base}.csv`;
  await writePrivate(html, fleetReportHtml(r, { dir: resolve(dir) }));
  await writePrivate(csvPath, fleetReportCsv(r));
  return { json, markdown, html, csv: csvPath };
}
