/**
 * `asa-mailguard detect <target>` and `detect --config FILE`: where is SMTP inspection on, and what proves it.
 * Declarations only: this module is loaded on every start, so the work (session, ssh2, parsers) is in
 * detect-action.ts, imported when the command runs.
 */
import type { Command } from 'commander';
import { exitCodeHelp } from '../../errors.js';
import { addConnectionOptions, type ConnectionFlags } from '../connection-options.js';
import { runAction } from '../run-action.js';

export interface DetectFlags extends ConnectionFlags {
  json?: boolean;
  /** One file keeps the single-file output; several files or a folder give the fleet-style table. */
  config?: string[];
  quiet?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('detect')
    .description('Show where SMTP inspection (Mailguard) is configured on a PIX/ASA, and the lines that prove it')
    .argument('[target]', '[user@]host[:port] of the device (omit with --config)')
    .option(
      '--config <paths...>',
      'read saved running-configs instead of connecting (offline): a file, several, or a folder (a RANCID/Oxidized tree)',
    )
    .option('--json', 'print the result as JSON (a stable contract)')
    .option('-q, --quiet', 'no progress lines on stderr')
    .option('-v, --verbose', 'also say where each SSH setting came from (flag, ssh_config file:line, default)');
  addConnectionOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Reads the device (show version, mode, failover, the running config of every context) and changes nothing.
Progress goes to stderr, the result to stdout. With several files or a folder, each config gets one row
(platform, on/off, places, warnings); hidden folders and non-text files are skipped.

Examples:
  $ ASA_USERNAME=admin ASA_PASSWORD=... ASA_ENABLE_SECRET=... asa-mailguard detect fw1.example.net
  $ asa-mailguard detect admin@fw1.example.net:2222 --json > fw1-detect.json
  $ asa-mailguard detect --config backups/fw1/2026-11-28T06-39-15Z-running.cfg     # offline, a saved config
  $ asa-mailguard detect --config rancid/configs --json > audit.json          # offline audit of a tree
${exitCodeHelp('detect')}`,
  );
  cmd.action(async (target: string | undefined, flags: DetectFlags) => {
    await runAction({ json: Boolean(flags.json) }, async () => {
      const { detectAction } = await import('./detect-action.js');
      return detectAction(target, flags);
    });
  });
}
