/**
 * The rollback's device work: bring each context's SMTP inspection back to the backup's (from what the device
 * holds now), re-check it, and save where the startup-config no longer matches. The engine wraps it in its
 * `rollback` step and records what it could not do.
 */
import { MailguardError } from '../errors.js';
import type { Dialect } from '../platform/types.js';
import { holdsAnonymousReporting } from '../session/types.js';
import { ctxKey, type LoadedBackup } from './backup.js';
import type { EngineDeps } from './deps.js';
import type { DeviceLink } from './device.js';
import { findingKey } from './plan.js';
import type { ConfigState } from './state.js';

export interface RollbackInput {
  link: DeviceLink;
  contexts: Array<{ context: string | null }>;
  /** The backup taken before the change. */
  backup: LoadedBackup;
  classify(config: string, context: string | null, kind: 'running' | 'startup'): ConfigState;
  deps: Pick<EngineDeps, 'findInspection' | 'plan' | 'planRestore'>;
  dialect: Dialect;
  saveTimeoutMs: number;
  /** The plan's inverse per context: sent when the device's running config cannot be read (it needs no read). */
  inverse(context: string | null): string[];
  /** Tell the record why the inverse was sent blind. */
  warn(message: string): void;
}

/** Returns how many commands were sent; throws ROLLBACK_FAILED or SAVE_FAILED when the device is not back. */
export async function rollBackToBackup(i: RollbackInput): Promise<number> {
  // After a timeout the device may still be in config mode: leave it before reading.
  const s = await i.link.ensure();
  if (s.mode === 'config' || s.mode === 'subconfig') await s.exitConfig().catch(() => undefined);
  let sent = 0;
  for (const c of i.contexts) {
    const original = i.backup.running.get(ctxKey(c.context));
    if (original === undefined) continue;
    let commands: string[];
    try {
      const current = await i.link.readConfig('rollback', c.context, 'running');
      commands = convergeCommands(i.deps, i.dialect, original, current, c.context);
    } catch (e) {
      // The read failed, not necessarily the device: the inverse needs no read, so it is sent; the re-check
      // below reads again.
      commands = i.inverse(c.context);
      i.warn(`could not read the running config (${(e as Error).message}); sending the planned inverse instead`);
      // An ASA reads its running config again before `configure terminal` (to predict the anonymous-reporting
      // NOTICE); that read would fail the same way: the backup says what it would find.
      i.link.anonymousReportingConfigured ??= [...i.backup.running.values()].some(holdsAnonymousReporting);
    }
    if (commands.length === 0) continue;
    await i.link.enterContext(c.context, 'rollback');
    await i.link.modeCommand('rollback', c.context, 'configure terminal', (x) => x.enterConfig());
    for (const cmd of commands) {
      await i.link.send('rollback', c.context, cmd);
      sent++;
    }
    await i.link.modeCommand('rollback', c.context, i.link.leaveConfigLabel, (x) => x.exitConfig());
  }
  // Re-check and save where the startup-config no longer matches the backup's.
  for (const c of i.contexts) {
    const running = await i.link.readConfig('rollback', c.context, 'running');
    if (i.classify(running, c.context, 'running') !== 'original') {
      throw new MailguardError(
        'ROLLBACK_FAILED',
        `The running config of ${c.context ?? 'the device'} is not back to the backup’s SMTP inspection.`,
        {
          hint: 'Restore by hand from the backup; the record lists the lines.',
        },
      );
    }
    const startup = await i.link.readConfig('rollback', c.context, 'startup');
    if (i.classify(startup, c.context, 'startup') !== 'original') {
      await i.link.enterContext(c.context, 'rollback');
      const out = await i.link.send('rollback', c.context, 'write memory', {
        timeoutMs: i.saveTimeoutMs,
      });
      if (!/\[OK\]/.test(out))
        throw new MailguardError('SAVE_FAILED', 'write memory during rollback did not end with [OK].');
    }
  }
  return sent;
}

/**
 * The commands that bring `current`'s SMTP inspection back to `original`'s: disable what is active now but was
 * not (a restore being undone), then put back what was active and is missing (planRestore). Computed from what
 * the device holds now, so a half-applied change or a lost session is handled the same way.
 */
export function convergeCommands(
  deps: Pick<EngineDeps, 'findInspection' | 'plan' | 'planRestore'>,
  dialect: Dialect,
  original: string,
  current: string,
  context: string | null,
): string[] {
  const had = new Set(
    deps
      .findInspection(original, context)
      .findings.filter((f) => f.active)
      .map(findingKey),
  );
  const extra = deps.findInspection(current, context).findings.filter((f) => f.active && !had.has(findingKey(f)));
  const disable = extra.length ? deps.plan({ findings: extra, dialect, runningConfig: current, context }).commands : [];
  const restore = deps.planRestore(original, current, dialect, context);
  return [...disable, ...(restore.nothingToDo ? [] : restore.commands)];
}
