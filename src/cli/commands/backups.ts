/**
 * `asa-mailguard backups [device]`: what backups are on disk, per device folder, newest first.
 * Declarations only; the listing is in backups-action.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import { exitCodeHelp } from '../../errors.js';
import { runAction } from '../run-action.js';

export interface BackupsFlags {
  backupDir?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('backups')
    .description('List the backups on disk per device (hostname, serial, address, taken at, files, change id)')
    .argument('[device]', 'only this device: hostname, serial, address or folder name')
    .option('--backup-dir <dir>', 'where apply, rollback and run wrote the backups (default ./backups)')
    .option('--json', 'print the list as JSON');
  cmd.addHelpText(
    'after',
    `
Reads the backup folder only; contacts no device. Newest backup first.

Examples:
  $ asa-mailguard backups
  $ asa-mailguard backups fw1 --backup-dir /srv/mailguard/backups
  $ asa-mailguard backups --json > backups.json
${exitCodeHelp('backups')}`,
  );
  cmd.action(async (device: string | undefined, flags: BackupsFlags) => {
    await runAction({ json: Boolean(flags.json) }, async () => {
      const { backupsAction } = await import('./backups-action.js');
      return backupsAction(device, flags);
    });
  });
}
