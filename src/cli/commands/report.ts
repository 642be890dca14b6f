/**
 * `asa-mailguard report merge DIR...`: one fleet report from the reports of a pipeline's jobs (issue #17).
 * Declarations only (loaded on every start); the work is in report-action.ts, imported when the command runs.
 */
import type { Command } from 'commander';
import { exitCodeHelp } from '../../errors.js';
import { runAction } from '../run-action.js';

export interface ReportMergeFlags {
  out: string;
  json?: boolean;
}

const HELP = `
Reads every fleet-*.json under each DIR (a job's --report-dir, or a folder of pipeline artifacts; searched
recursively) and writes one fleet report for the whole change: JSON and Markdown (mode 0600), every device
once with the job that ran it, and one row per job with its vantage point (machine, engine job id).
Refused (exit 2, REPORT_MISMATCH): reports of different playbooks or inventories (sha256), change ids or
pipeline runs, and a device in two reports (a retried job: give only the report that counts).

Examples:
  $ asa-mailguard report merge artifacts/ --out merged
  $ asa-mailguard report merge out/canary out/shard-1 out/shard-2 out/shard-3 --json > fleet.json

The exit code is the merged fleet's, as \`run\` gives it; 2 (REPORT_MISMATCH) when the reports are not one run.
${exitCodeHelp('report')}
`;

export function register(program: Command): void {
  const report = program.command('report').description('Work with fleet reports: merge the reports of shard jobs');
  report
    .command('merge')
    .description("One fleet report from the shard jobs' reports (canary stage and every shard), refusing mixed runs")
    .argument('<dir...>', 'folders (or fleet-*.json files) the jobs wrote their reports to')
    .option('--out <dir>', 'where the merged report goes', 'reports')
    .option('--json', 'print the merged report as JSON on stdout')
    .addHelpText('after', HELP)
    .action(async (dirs: string[], flags: ReportMergeFlags) => {
      await runAction({ json: !!flags.json }, async () => {
        const { reportMerge } = await import('./report-action.js');
        return reportMerge(dirs, flags);
      });
    });
}
