import { describe, expect, it } from 'vitest';
import { compareProbes, parseHostPort, verdictExitCode, worstVerdict } from '../../src/probe/index.js';
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

describe('parseHostPort', () => {
  it('host, host:port, [v6]:port, bare v6', () => {
    expect(parseHostPort('mx.example.com', 25)).toEqual({ host: 'mx.example.com', port: 25 });
    expect(parseHostPort('192.0.2.1:2525', 25)).toEqual({ host: '192.0.2.1', port: 2525 });
    expect(parseHostPort('[2001:db8::1]:587', 25)).toEqual({ host: '2001:db8::1', port: 587 });
    expect(parseHostPort('2001:db8::1', 25)).toEqual({ host: '2001:db8::1', port: 25 });
  });
  it('rejects bad ports and names with a usage/bad-input error', () => {
    expect(() => parseHostPort('mx:0', 25)).toThrow(/Invalid port/);
    expect(() => parseHostPort('mx:99999', 25)).toThrow(/Invalid port/);
    expect(() => parseHostPort('bad host', 25)).toThrow(/Invalid target/);
    expect(() => parseHostPort(':25', 25)).toThrow(/Invalid target/);
  });
});
