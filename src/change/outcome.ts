/**
 * How an outcome is worded, shared by the change record and the CLI summary so both say the same thing.
 * Pure; the outcome values themselves (types.ts) are the contract for programs.
 */
import type { ChangeOutcome, ChangeResult } from './types.js';

type OutcomeOf = Pick<ChangeResult, 'outcome' | 'mode' | 'error' | 'target' | 'platform'>;

const TEXT: Record<ChangeOutcome, string> = {
  'dry-run': 'dry run: nothing was sent to the device in config mode',
  'nothing-to-do': 'nothing to do: already disabled',
  done: 'done',
  cancelled: 'cancelled: nothing was changed',
  'rolled-back': 'FAILED and rolled back',
  'kept-unverified': 'NOT VERIFIED from outside; the change was kept (--no-rollback-on-verify-failure)',
  'rollback-failed': 'FAILED and the rollback failed: a person is needed',
  interrupted: 'INTERRUPTED after `reload`: the device runs (or comes back) on the saved change',
  failed: 'FAILED before any config command',
};

/**
 * A stop on purpose, not a fault: the engine will not change this device (the standby unit of a failover pair
 * takes its config from the active unit; the running config changed since the plan was made from it). The outcome
 * value stays `failed` (exit 4), only the wording differs.
 */
export function isRefusal(r: Pick<ChangeResult, 'outcome' | 'error'>): boolean {
  return r.outcome === 'failed' && (r.error?.code === 'STANDBY_UNIT' || r.error?.code === 'CONFIG_CHANGED');
}

/** One word for the record's Outcome row: the outcome value, or `refused`. */
export function outcomeLabel(r: OutcomeOf): string {
  return isRefusal(r) ? 'refused' : r.outcome;
}

/** The outcome as a person reads it (without the exit code). */
export function outcomeText(r: OutcomeOf): string {
  if (isRefusal(r)) {
    const host = r.platform?.hostname ?? r.target;
    if (r.error?.code === 'CONFIG_CHANGED')
      return `REFUSED: the running config of ${host} changed after it was read for the plan (someone else is changing it); nothing was sent in config mode (run again when it is quiet: the plan is made anew)`;
    return `REFUSED: ${host} is the standby unit of a failover pair, so the engine refused to change it; nothing was sent in config mode (run it on the active unit: the change replicates to the standby)`;
  }
  if (r.outcome === 'nothing-to-do' && r.mode === 'restore') {
    return 'nothing to do: the device already has the backup’s SMTP inspection';
  }
  return TEXT[r.outcome];
}
