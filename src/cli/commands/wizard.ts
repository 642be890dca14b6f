/** `asa-mailguard wizard [target]` (and `asa-mailguard` alone in a terminal): the guided, interactive change. */
import type { Command } from 'commander';
import { SAFETY_RELOAD_LIMITS } from '../../config/duration.js';
import { exitCodeHelp, MailguardError } from '../../errors.js';
import { addConnectionOptions } from '../connection-options.js';
import { collect, renamedOption, timeOption } from '../option-parsers.js';
import { runAction } from '../run-action.js';

/** Both ends must be terminals: the wizard asks questions and draws progress. */
export function isInteractiveTerminal(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

export function register(program: Command): void {
  const cmd = program
    .command('wizard')
    .description(
      'Guided change in a terminal: target, host key, outside probe, findings, plan, confirmation by hostname, progress, verification, rollback offer, playbook',
    )
    .argument('[target]', 'default [user@]host[:port] of the firewall (asked anyway)');
  addConnectionOptions(cmd);
  cmd
    .option('--smtp <host[:port]>', 'default mail server address for the outside probe (repeatable)', collect)
    .option('--domain <domain>', 'default mail domain for the outside probe (its MX hosts)')
    .option('--resolver <host[:port]>', 'DNS server for --domain')
    .option('--backup-dir <dir>', 'where backups, locks and change records go', './backups')
    .addOption(
      timeOption('--safety-reload', 'the ASA safety reload the wizard offers', 'min', SAFETY_RELOAD_LIMITS).default(
        '10',
      ),
    )
    .addOption(timeOption('--reload-timeout', 'how long to wait for the device after a reload (default 15m)', 'sec'))
    .option('--context <name>', 'multiple-context mode: one context or all', 'all')
    .option('--change-id <id>', 'default answer to the change or ticket id question (for the record and playbook)')
    .option('--dotenv <file>', 'where to read ASA_USERNAME, ASA_PASSWORD, ASA_ENABLE_SECRET (default ./.env)')
    .addOption(renamedOption('--env-file', '--dotenv', 'Node reads its own --env-file'))
    .addHelpText(
      'after',
      `
Asks for everything it was not given; nothing on the device changes before you type its hostname.
Needs a terminal: in scripts use apply or run.

Examples:
  $ asa-mailguard                                   # no arguments in a terminal: the wizard
  $ asa-mailguard wizard admin@fw1.example.net --smtp mail.example.com --change-id CHG-12345
  $ asa-mailguard wizard --known-hosts ~/.ssh/known_hosts --backup-dir /srv/asa-backups
${exitCodeHelp('wizard')}`,
    )
    .action(async (target: string | undefined, flags: Record<string, unknown>) => {
      await runAction({ json: false }, async () => {
        if (!isInteractiveTerminal()) {
          throw new MailguardError('USAGE', 'The wizard needs a terminal (stdin and stdout are not TTYs).', {
            hint: 'In scripts use `asa-mailguard apply <target> --dry-run` then `apply --yes`, or `asa-mailguard run PLAYBOOK` for a change window.',
          });
        }
        const { runWizard } = await import('../../wizard/index.js');
        return runWizard({ target, flags });
      });
    });
}
