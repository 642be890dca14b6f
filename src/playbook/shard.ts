/**
 * `--shard i/n`: a stable share of the targets for splitting a fleet across CI jobs. Membership is a hash of the
 * device name (not its position), so adding a device does not move the others; both units of a failover pair
 * hash by the pair, so they always land in the same shard (one job keeps them apart in time).
 */
import { createHash } from 'node:crypto';
import { MailguardError } from '../errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : Number.NaN;
  const total = m ? Number(m[2]) : Number.NaN;
  if (!m || total < 1 || index < 1 || index > total) {
    throw new MailguardError('USAGE', `--shard: "${text}" is not a shard; give i/n with 1 <= i <= n, e.g. 1/4`, {
      hint: 'Give the job number and the number of jobs, e.g. --shard 2/4.',
    });
  }
  return { index, total };
}

/** Which shard (1-based) a key belongs to. */
export function shardOf(key: string, total: number): number {
  const h = createHash('sha256').update(key).digest();
  return (h.readUInt32BE(0) % total) + 1;
}

/**
 * Keep the items in shard `s`. `keyOf` gives the hashing key (for failover pairs: the pair's sorted names).
 */
export function selectShard<T>(items: readonly T[], s: Shard, keyOf: (item: T) => string): T[] {
  return items.filter((it) => shardOf(keyOf(it), s.total) === s.index);
}
