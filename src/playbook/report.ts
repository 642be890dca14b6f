/** The fleet report: JSON for machines and a Markdown table for the change ticket, written 0600. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivate } from '../change/backup.js';
import type { FleetReport } from './fleet.js';

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '-';
  return String(v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function fleetReportMarkdown(r: FleetReport): string {
  const lines: string[] = [];
  lines.push(r.playbook ? `# Fleet report: ${r.playbook}` : '# Fleet report');
  lines.push('');
  if (r.changeId) lines.push(`- Change: ${r.changeId}`);
  lines.push(`- Mode: ${r.mode}${r.dryRun ? ' (dry run)' : ''}`);
  if (r.playbookFile) lines.push(`- Playbook: ${r.playbookFile}`);
  if (r.shard) lines.push(`- Shard: ${r.shard.index}/${r.shard.total}`);
  lines.push(`- Window: ${r.window}`);
  lines.push(`- Started: ${r.startedAt}; ended: ${r.endedAt}`);
  lines.push(`- Concurrency ${r.concurrency}, canary ${r.canary}, maxFailures ${r.maxFailures}`);
  const s = r.summary;
  lines.push(
    `- Result: ${s.total} devices: ${s.done} done, ${s['nothing-to-do']} nothing to do, ${s['rolled-back']} rolled back, ${s.failed} failed, ${s.skipped} skipped; exit code ${r.exitCode}`,
  );
  if (r.stopped) lines.push(`- **Stopped early** (${r.stopped.reason}) at ${r.stopped.at}: ${r.stopped.message}`);
  lines.push('');
  lines.push('| device | platform | before | after | result | started | ended | backup | change record | note |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const d of r.devices) {
    const result = `${d.result}${d.canary ? ' (canary)' : ''}${d.result === 'done' || d.result === 'nothing-to-do' ? '' : ` (exit ${d.exitCode})`}`;
    lines.push(
      `| ${cell(d.name)} | ${cell(d.platform)} | ${cell(d.before)} | ${cell(d.after)} | ${cell(result)} | ${cell(d.startedAt)} | ${cell(d.endedAt)} | ${cell(d.backupPath)} | ${cell(d.reportPath)} | ${cell(d.message)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** Write `<dir>/fleet-<UTC stamp>.json` and `.md` (mode 0600, directory 0700); returns both paths. */
export async function writeFleetReport(r: FleetReport, dir: string): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stamp = r.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const shard = r.shard ? `-shard${r.shard.index}of${r.shard.total}` : '';
  const base = join(dir, `fleet-${stamp}${shard}`);
  const json = `${base}.json`;
  const markdown = `${base}.md`;
  // 0600 also when a report of the same second is overwritten (writeFile's mode applies only to new files).
  await writePrivate(json, `${JSON.stringify(r, null, 2)}\n`);
  await writePrivate(markdown, fleetReportMarkdown(r));
  return { json, markdown };
}
