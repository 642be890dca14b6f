/**
 * `asa-mailguard apply <target>`: disable SMTP inspection on one device.
 * Declarations only (loaded on every start); the work is in apply-action.ts, imported when the command runs.
 */
import type { Command } from 'commander';
import { RELOAD_POLICIES, type ReloadPolicy } from '../../change/types.js';
import { SAFETY_RELOAD_LIMITS } from '../../config/duration.js';
import { exitCodeHelp } from '../../errors.js';
import { addConnectionOptions } from '../connection-options.js';
import { choiceOption, collect, timeOption } from '../option-parsers.js';
import { runAction } from '../run-action.js';

export interface ApplyFlags {
  changeId?: string;
  dryRun?: boolean;
  reload: ReloadPolicy;
  reloadTimeout: string;
  saveTimeout: string;
  safetyReload?: string;
  smtp?: string[];
  domain?: string;
  resolver?: string;
  rollbackOnVerifyFailure?: boolean;
  backupDir: string;
  report?: string;
  context?: string;
  yes?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('apply')
    .description(
      'Disable SMTP inspection on one device: probe, detect, plan, back up, apply, verify, save, reload if needed, re-probe; roll back on failure',
    )
    .argument('<target>', '[user@]host[:port] of the firewall');
  addConnectionOptions(cmd);
  cmd
    .option('--dry-run', 'print the plan, the inverse and the diff; send no config command')
    .addOption(
      choiceOption(
        '--reload <when>',
        'reload after saving: never, if-needed (outside probe still inspected), after-save',
        RELOAD_POLICIES,
      ).default('if-needed'),
    )
    .addOption(timeOption('--reload-timeout', 'how long to wait for the device after reload', 'sec').default('15m'))
    .addOption(timeOption('--save-timeout', 'how long `write memory` may take', 'sec').default('120s'))
    .addOption(
      timeOption(
        '--safety-reload',
        'ASA: `reload in MIN` before applying, cancelled once verified and saved',
        'min',
        SAFETY_RELOAD_LIMITS,
      ),
    )
    .option('--smtp <host[:port]>', 'mail server address to probe from outside (repeatable)', collect)
    .option('--domain <domain>', 'probe the MX hosts of this mail domain')
    .option('--resolver <host[:port]>', 'DNS server for --domain')
    .option(
      '--rollback-on-verify-failure',
      'roll back when the outside probe is not clean (default with a probe target)',
    )
    .option('--no-rollback-on-verify-failure', 'keep the change even when the outside probe is not clean')
    .option('--backup-dir <dir>', 'where backups, locks and change records go', './backups')
    .option('--report <file>', 'change record path (.json and .md; default beside the backup)')
    .option('--context <name>', 'multiple-context mode: one context or all', 'all')
    .option('--change-id <id>', 'change or ticket id for the change record')
    .option('-y, --yes', 'do not ask before the first config command')
    .option('--json', 'JSON lines: one per event, then the result')
    .option('-v, --verbose', 'show the device conversation')
    .addHelpText(
      'after',
      `
Progress goes to stderr; the plan (--dry-run) and the result go to stdout.

Examples:
  $ ASA_USERNAME=admin ASA_PASSWORD=... ASA_ENABLE_SECRET=... \\
    asa-mailguard apply fw1.example.net --smtp mail.example.net --dry-run > plan.txt
  $ asa-mailguard apply fw1.example.net --domain example.com --safety-reload 10
  $ asa-mailguard apply admin@fw1.example.net --reload never --yes --json > change.jsonl
${exitCodeHelp('apply')}`,
    )
    .action(async (target: string, flags: ApplyFlags & Record<string, unknown>) => {
      await runAction({ json: !!flags.json }, async () => {
        const { applyAction } = await import('./apply-action.js');
        return applyAction(target, flags);
      });
    });
}
