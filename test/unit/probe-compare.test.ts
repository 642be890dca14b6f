import { describe, expect, it } from 'vitest';
import { compareProbes, verdictExitCode, worstVerdict } from '../../src/probe/index.js';
import type { ProbeVerdict } from '../../src/probe/types.js';

const rep = (...v: [string, ProbeVerdict][]) => ({
  probes: v.map(([address, verdict]) => ({ address, port: 25, verdict })),
});

describe('worstVerdict', () => {
  it('inspected > other-proxy > inconclusive > unreachable > clean', () => {
    expect(worstVerdict(['clean', 'inspected', 'unreachable'])).toBe('inspected');
    expect(worstVerdict(['clean', 'other-proxy', 'inconclusive'])).toBe('other-proxy');
    expect(worstVerdict(['unreachable', 'inconclusive'])).toBe('inconclusive');
    expect(worstVerdict(['clean', 'unreachable'])).toBe('unreachable');
    expect(worstVerdict(['clean', 'clean'])).toBe('clean');
    expect(worstVerdict([])).toBe('inconclusive');
  });

  it('exit codes are the issue #4 contract', () => {
    const codes = (['clean', 'inspected', 'other-proxy', 'inconclusive', 'unreachable'] as const).map(verdictExitCode);
    expect(codes).toEqual([0, 10, 11, 12, 13]);
  });
});

describe('compareProbes', () => {
  it('verified: inspected before, clean now, same addresses', () => {
    expect(compareProbes(rep(['a', 'inspected'], ['b', 'clean']), rep(['b', 'clean'], ['a', 'clean'])).change).toBe(
      'verified',
    );
  });
  it('not-verified: still inspected somewhere', () => {
    expect(compareProbes(rep(['a', 'inspected']), rep(['a', 'inspected'])).change).toBe('not-verified');
    expect(compareProbes(rep(['a', 'inspected']), rep(['b', 'inspected'])).change).toBe('not-verified');
  });
  it('inconclusive: different addresses, nothing inspected before, or not clean now', () => {
    expect(compareProbes(rep(['a', 'inspected']), rep(['b', 'clean'])).change).toBe('inconclusive');
    expect(compareProbes(rep(['a', 'clean']), rep(['a', 'clean'])).change).toBe('inconclusive');
    expect(compareProbes(rep(['a', 'inspected']), rep(['a', 'unreachable'])).change).toBe('inconclusive');
    expect(
      compareProbes(rep(['a', 'inspected'], ['b', 'unreachable']), rep(['a', 'clean'], ['b', 'clean'])).change,
    ).toBe('inconclusive');
    expect(compareProbes(rep(), rep()).change).toBe('inconclusive');
  });
});
