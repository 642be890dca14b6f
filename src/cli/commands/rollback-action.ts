/** What `asa-mailguard rollback` does (loaded by its action; the options are declared in rollback.ts). */
import { resolve } from 'node:path';
import { deviceAddress } from '../../change/device-folder.js';
import { parseDuration } from '../../config/duration.js';
import { MailguardError } from '../../errors.js';
import { latestBackupFor } from '../../playbook/engine-runner.js';
import { type ConnectionFlags, toConnectOptions } from '../connection-options.js';
import { parseChangeId, parseSmtpEndpoint } from '../option-parsers.js';
import { runChangeWithUi } from '../render/run-change.js';
import type { RollbackFlags } from './rollback.js';

/** `--backup FILE`, or with `--latest` the newest backup whose target is this one in --backup-dir. */
async function backupToRestore(flags: RollbackFlags, label: string, address: string): Promise<string> {
  if (flags.backup && flags.latest) {
    throw new MailguardError('USAGE', 'Give either --backup FILE or --latest, not both.', {
      hint: '--latest picks the newest backup of this target in --backup-dir (see `asa-mailguard backups`).',
    });
  }
  if (flags.backup) return flags.backup;
  if (!flags.latest) {
    throw new MailguardError('USAGE', 'rollback needs --backup FILE or --latest.', {
      hint: 'Pass the backup written by apply, or --latest for the newest backup of this target.',
    });
  }
  const dir = resolve(flags.backupDir);
  const latest = await latestBackupFor(dir, label, address);
  if (!latest) {
    throw new MailguardError('BAD_INPUT', `No backup of ${label} in ${dir}.`, {
      hint: 'Point --backup-dir at the folder apply wrote to, or pass --backup FILE.',
    });
  }
  return latest;
}

/** The rollback action: the restore's exit code. */
export async function rollbackAction(target: string, flags: RollbackFlags & Record<string, unknown>): Promise<number> {
  const saveTimeoutMs = parseDuration(flags.saveTimeout, '--save-timeout');
  const connect = await toConnectOptions(flags as ConnectionFlags, target, {
    interactive: !flags.json && process.stdin.isTTY === true,
  });
  const label = connect.port ? `${connect.host}:${connect.port}` : connect.host;
  const result = await runChangeWithUi(
    {
      connect,
      label,
      mode: 'restore',
      restoreFrom: await backupToRestore(flags, label, deviceAddress(connect)),
      ...(flags.changeId ? { provenance: { changeId: parseChangeId(flags.changeId) } } : {}),
      dryRun: flags.dryRun,
      reload: 'never',
      saveTimeoutMs,
      backupDir: flags.backupDir,
      reportFile: flags.report,
      context: flags.context,
      smtp: (flags.smtp ?? []).map(parseSmtpEndpoint),
      rollbackOnVerifyFailure: false,
    },
    { json: flags.json, yes: flags.yes, verbose: flags.verbose },
  );
  return result.exitCode;
}
