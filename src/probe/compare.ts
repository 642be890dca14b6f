/** Before/after comparison of two probe reports: is the change proven from outside? Pure. */
import type { ChangeVerdict, ProbeResult } from './types.js';

const key = (p: Pick<ProbeResult, 'address' | 'port'>) => `${p.address}|${p.port}`;

/**
 * `verified`: the same addresses, at least one inspected before, every one clean now (the rest clean before too).
 * `not-verified`: some address is still inspected now.
 * `inconclusive`: anything else (addresses differ, nothing was inspected before, an address is unreachable,
 * inconclusive or behind another proxy now).
 */
export function compareProbes(
  before: { probes: Pick<ProbeResult, 'address' | 'port' | 'verdict'>[] },
  after: { probes: Pick<ProbeResult, 'address' | 'port' | 'verdict'>[] },
): { change: ChangeVerdict; reason: string } {
  const stillInspected = after.probes.filter((p) => p.verdict === 'inspected');
  if (stillInspected.length > 0) {
    return {
      change: 'not-verified',
      reason: `still inspected: ${stillInspected.map((p) => `${p.address}:${p.port}`).join(', ')}`,
    };
  }
  const b = new Set(before.probes.map(key));
  const a = new Set(after.probes.map(key));
  if (b.size !== a.size || [...b].some((k) => !a.has(k)) || a.size === 0) {
    return { change: 'inconclusive', reason: 'the addresses probed before and now differ' };
  }
  const notClean = after.probes.filter((p) => p.verdict !== 'clean');
  if (notClean.length > 0) {
    return {
      change: 'inconclusive',
      reason: `not proven clean now: ${notClean.map((p) => `${p.address}:${p.port} ${p.verdict}`).join(', ')}`,
    };
  }
  if (!before.probes.some((p) => p.verdict === 'inspected')) {
    return { change: 'inconclusive', reason: 'no address was seen inspected before, so there is no change to prove' };
  }
  const oddBefore = before.probes.filter((p) => p.verdict !== 'inspected' && p.verdict !== 'clean');
  if (oddBefore.length > 0) {
    return {
      change: 'inconclusive',
      reason: `before, some addresses were not judged: ${oddBefore.map((p) => `${p.address}:${p.port} ${p.verdict}`).join(', ')}`,
    };
  }
  return { change: 'verified', reason: 'inspected before, clean now, on the same addresses' };
}
