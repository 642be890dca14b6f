/**
 * `asa-mailguard rollback <target> --backup FILE`: put back the SMTP inspection a backup recorded.
 * Declarations only (loaded on every start); the work is in rollback-action.ts, imported when the command runs.
 */
import type { Command } from 'commander';
import { exitCodeHelp } from '../../errors.js';
import { addConnectionOptions } from '../connection-options.js';
import { collect, timeOption } from '../option-parsers.js';
import { runAction } from '../run-action.js';

export interface RollbackFlags {
  backup?: string;
  latest?: boolean;
  changeId?: string;
  dryRun?: boolean;
  backupDir: string;
  report?: string;
  saveTimeout: string;
  context?: string;
  smtp?: string[];
  yes?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('rollback')
    .description(
      'Put back the SMTP inspection recorded in a backup (same fixup, or inspect under the same policy-map and class), verify, save',
    )
    .argument('<target>', '[user@]host[:port] of the firewall');
  addConnectionOptions(cmd);
  cmd
    .option('--backup <file>', 'the <stamp>-running.cfg or <stamp>-backup.json written by apply')
    .option('--latest', 'instead of --backup: the newest backup of this target in --backup-dir')
    .option('--change-id <id>', 'change or ticket id for the change record')
    .option('--dry-run', 'print the restore commands; send no config command')
    .option('--backup-dir <dir>', 'where the new backup, the lock and the change record go', './backups')
    .option('--report <file>', 'change record path (.json and .md; default beside the new backup)')
    .addOption(timeOption('--save-timeout', 'how long `write memory` may take', 'sec').default('120s'))
    .option('--context <name>', 'multiple-context mode: one context or all', 'all')
    .option('--smtp <host[:port]>', 'mail server address to probe from outside (repeatable)', collect)
    .option('-y, --yes', 'do not ask before the first config command')
    .option('--json', 'JSON lines: one per event, then the result')
    .option('-v, --verbose', 'show the device conversation')
    .addHelpText(
      'after',
      `
Progress goes to stderr; the restore commands (--dry-run) and the result go to stdout.

Examples:
  $ asa-mailguard rollback fw1.example.net --backup backups/fw1/2026-11-28T06-39-15Z-backup.json --dry-run
  $ asa-mailguard rollback fw1.example.net --backup backups/fw1/2026-11-28T06-39-15Z-running.cfg --yes
${exitCodeHelp('rollback')}`,
    )
    .action(async (target: string, flags: RollbackFlags & Record<string, unknown>) => {
      await runAction({ json: !!flags.json }, async () => {
        const { rollbackAction } = await import('./rollback-action.js');
        return rollbackAction(target, flags);
      });
    });
}
