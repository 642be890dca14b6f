/** What `asa-mailguard rollback` does (loaded by its action; the options are declared in rollback.ts). */
import { parseDuration } from '../../config/duration.js';
import { type ConnectionFlags, toConnectOptions } from '../connection-options.js';
import { parseSmtpEndpoint } from '../option-parsers.js';
import { runChangeWithUi } from '../render/run-change.js';
import type { RollbackFlags } from './rollback.js';

/** The rollback action: the restore's exit code. */
export async function rollbackAction(target: string, flags: RollbackFlags & Record<string, unknown>): Promise<number> {
  const saveTimeoutMs = parseDuration(flags.saveTimeout, '--save-timeout');
  const connect = await toConnectOptions(flags as ConnectionFlags, target, {
    interactive: !flags.json && process.stdin.isTTY === true,
  });
  const result = await runChangeWithUi(
    {
      connect,
      label: connect.port ? `${connect.host}:${connect.port}` : connect.host,
      mode: 'restore',
      restoreFrom: flags.backup,
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
