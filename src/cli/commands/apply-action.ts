/** What `asa-mailguard apply` does (loaded by its action; the options are declared in apply.ts). */
import type { ChangeOptions } from '../../change/types.js';
import { parseDuration, parseTimeIn, SAFETY_RELOAD_LIMITS } from '../../config/duration.js';
import { MailguardError } from '../../errors.js';
import { type ConnectionFlags, toConnectOptions } from '../connection-options.js';
import { parseChangeId, parseSmtpEndpoint } from '../option-parsers.js';
import { runChangeWithUi } from '../render/run-change.js';
import type { ApplyFlags } from './apply.js';

/** Flags shared by `apply` and `rollback`. */
export function changeOptionsFrom(flags: ApplyFlags): Omit<ChangeOptions, 'connect'> {
  const safetyReloadMin =
    flags.safetyReload === undefined
      ? undefined
      : parseTimeIn(flags.safetyReload, '--safety-reload', 'min', SAFETY_RELOAD_LIMITS);
  if (flags.domain && (flags.smtp ?? []).length > 0) {
    throw new MailguardError('USAGE', 'Give either --smtp or --domain, not both.', {
      hint: '--smtp names the mail server address; --domain looks up its MX hosts.',
    });
  }
  return {
    dryRun: flags.dryRun,
    reload: flags.reload,
    reloadTimeoutMs: parseDuration(flags.reloadTimeout, '--reload-timeout'),
    saveTimeoutMs: parseDuration(flags.saveTimeout, '--save-timeout'),
    safetyReloadMin,
    smtp: (flags.smtp ?? []).map(parseSmtpEndpoint),
    domain: flags.domain,
    resolver: flags.resolver,
    rollbackOnVerifyFailure: flags.rollbackOnVerifyFailure,
    backupDir: flags.backupDir,
    reportFile: flags.report,
    context: flags.context,
    ...(flags.changeId ? { provenance: { changeId: parseChangeId(flags.changeId) } } : {}),
  };
}

/** The apply action: the change's exit code. */
export async function applyAction(target: string, flags: ApplyFlags & Record<string, unknown>): Promise<number> {
  const base = changeOptionsFrom(flags);
  const connect = await toConnectOptions(flags as ConnectionFlags, target, {
    interactive: !flags.json && process.stdin.isTTY === true,
  });
  const result = await runChangeWithUi(
    { ...base, connect, label: connect.port ? `${connect.host}:${connect.port}` : connect.host },
    { json: flags.json, yes: flags.yes, verbose: flags.verbose },
  );
  return result.exitCode;
}
