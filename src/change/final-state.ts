/**
 * The end of the change record: re-read each context's running and startup configs and state exactly what each
 * holds, compared with the backup, the plan and (restore) the restored backup.
 */
import { createTwoFilesPatch } from 'diff';
import { ctxKey, type LoadedBackup, normalizeConfig, sha256 } from './backup.js';
import { type ConfigState, describe, merge } from './state.js';
import type { ChangeMode, ChangePlan, FinalState } from './types.js';

export interface ConfigsNow {
  mode: ChangeMode;
  contexts: Array<{ context: string | null }>;
  /** The backup taken before the change. */
  backup: LoadedBackup;
  plan: ChangePlan | null;
  /** Restore mode: the backup being put back. */
  restoreSource: LoadedBackup | null;
  /** Read a config from the device (recorded as a command of the report step). */
  read(context: string | null, kind: 'running' | 'startup'): Promise<string>;
  /** Where a config stands relative to the change (the engine's classify). */
  classify(config: string, context: string | null, kind: 'running' | 'startup'): ConfigState;
}

/** Fill `fs` (state, checksums, notes, diffs) context by context; a read that fails leaves what was found so far. */
export async function describeConfigs(i: ConfigsNow, fs: FinalState): Promise<void> {
  const rs: ConfigState[] = [];
  const ss: ConfigState[] = [];
  fs.runningSha256 = {};
  fs.startupSha256 = {};
  for (const c of i.contexts) {
    const running = await i.read(c.context, 'running');
    const startup = await i.read(c.context, 'startup');
    rs.push(i.classify(running, c.context, 'running'));
    ss.push(i.classify(startup, c.context, 'startup'));
    const k = ctxKey(c.context) || 'device';
    fs.runningSha256[k] = sha256(normalizeConfig(running));
    fs.startupSha256[k] = sha256(normalizeConfig(startup));
    const br = i.backup.running.get(ctxKey(c.context));
    const bs = i.backup.startup.get(ctxKey(c.context));
    const where = c.context ? `context ${c.context}: ` : '';
    const planned = i.plan?.contexts.find((p) => p.context === c.context);
    const restoreSrc = i.restoreSource?.running.get(ctxKey(c.context));
    const relation = (text: string, backupText: string | undefined): string => {
      const body = normalizeConfig(text);
      if (backupText !== undefined && body === normalizeConfig(backupText))
        return 'is identical to the backup taken before the change';
      if (planned?.expectedConfig !== undefined && !planned.nothingToDo && body === planned.expectedConfig) {
        return 'is exactly the planned config (the backup plus the planned diff)';
      }
      if (restoreSrc !== undefined && body === normalizeConfig(restoreSrc))
        return 'is identical to the restored backup';
      return 'differs from the backup beyond the plan (the diff is in the record; often only the order of re-added lines)';
    };
    const rel = relation(running, br);
    if (rel.startsWith('differs') && br !== undefined) {
      const diff = createTwoFilesPatch('backup', 'device now', normalizeConfig(br), normalizeConfig(running));
      fs.runningDiff = { ...fs.runningDiff, [k]: diff };
    }
    if (br !== undefined && normalizeConfig(br) !== normalizeConfig(running)) {
      fs.changeDiff = {
        ...fs.changeDiff,
        [k]: createTwoFilesPatch(
          'running-config (before)',
          'running-config (after)',
          normalizeConfig(br),
          normalizeConfig(running),
        ),
      };
    }
    fs.notes.push(`${where}running-config ${rel} (SMTP inspection: ${describe(rs.at(-1)!, i.mode)}).`);
    fs.notes.push(
      `${where}startup-config ${relation(startup, bs)} (SMTP inspection: ${describe(ss.at(-1)!, i.mode)}).`,
    );
  }
  fs.running = merge(rs);
  fs.startup = merge(ss);
}
