/** What `asa-mailguard report merge` does (declared in report.ts). */
import { resolve } from 'node:path';
import { findFleetReports, jobName, loadFleetReport, mergeFleetReports, vantageText } from '../../playbook/merge.js';
import { writeFleetReport } from '../../playbook/report.js';
import { fleetSummary } from '../render/fleet.js';
import type { ReportMergeFlags } from './report.js';

export async function reportMerge(dirs: string[], f: ReportMergeFlags): Promise<number> {
  const files = await findFleetReports(dirs);
  const inputs = [];
  for (const file of files) inputs.push({ file, report: await loadFleetReport(file) });
  const merged = mergeFleetReports(inputs);
  const written = await writeFleetReport(merged, resolve(f.out));
  if (f.json) {
    process.stdout.write(`${JSON.stringify({ type: 'report', files: written, ...merged })}\n`);
    return merged.exitCode;
  }
  const jobs = merged.jobs.map(
    (j) =>
      `  ${jobName(j)} @ ${vantageText(j.vantage)}: ${j.devices} devices, exit ${j.exitCode}${j.stopped ? `, stopped (${j.stopped.reason})` : ''}`,
  );
  process.stdout.write(`Merged ${files.length} job reports:\n${jobs.join('\n')}\n`);
  if (merged.missing > 0) {
    process.stdout.write(`INCOMPLETE: ${merged.missing} of ${merged.fleetTotal} devices are in no report\n`);
  }
  process.stdout.write(fleetSummary(merged, written));
  return merged.exitCode;
}
