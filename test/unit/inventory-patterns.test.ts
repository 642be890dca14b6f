// Host patterns as Ansible reads them (all, groups, hosts, globs, ~regex, !exclude, &intersect) and --shard.
import { describe, expect, it } from 'vitest';
import {
  pairKey,
  parseAnsibleIni,
  selectHosts,
  selectShard,
  shardOf,
  splitPatterns,
} from '../../src/playbook/index.js';

const inv = parseAnsibleIni(
  'p.ini',
  [
    '[hq]',
    'fw-hq-a',
    'fw-hq-b',
    '[branch]',
    'fw-br-1',
    'fw-br-2',
    'pix-br-3',
    '[staging]',
    'fw-br-2',
    'lab-1',
    '[asa:children]',
    'hq',
    'branch',
  ].join('\n'),
);

const sel = (p: string | string[]) => selectHosts(inv, p);

describe('selectHosts', () => {
  it('all, *, group, host, in inventory order', () => {
    expect(sel('all').hosts).toEqual(['fw-hq-a', 'fw-hq-b', 'fw-br-1', 'fw-br-2', 'pix-br-3', 'lab-1']);
    expect(sel('*').hosts).toHaveLength(6);
    expect(sel('asa').hosts).toEqual(['fw-hq-a', 'fw-hq-b', 'fw-br-1', 'fw-br-2', 'pix-br-3']);
    expect(sel(['lab-1', 'hq']).hosts).toEqual(['fw-hq-a', 'fw-hq-b', 'lab-1']);
  });

  it('globs match host and group names; ~ is a regex', () => {
    expect(sel('fw-br-*').hosts).toEqual(['fw-br-1', 'fw-br-2']);
    expect(sel('h?').hosts).toEqual(['fw-hq-a', 'fw-hq-b']);
    expect(sel('~^pix-').hosts).toEqual(['pix-br-3']);
  });

  it('unions first, then & intersections, then ! exclusions, whatever the order', () => {
    expect(sel('!staging:asa').hosts).toEqual(['fw-hq-a', 'fw-hq-b', 'fw-br-1', 'pix-br-3']);
    expect(sel('asa:&staging').hosts).toEqual(['fw-br-2']);
    expect(sel(['branch', '!fw-br-1', '&fw-*']).hosts).toEqual(['fw-br-2']);
    expect(sel('hq,branch,!pix-*').hosts).toEqual(['fw-hq-a', 'fw-hq-b', 'fw-br-1', 'fw-br-2']);
  });

  it('a term that matches nothing is a problem naming its list index', () => {
    const r = sel(['hq', 'brnach', '!nothere']);
    expect(r.problems.map((p) => [p.index, p.pattern])).toEqual([
      [1, 'brnach'],
      [2, '!nothere'],
    ]);
    expect(sel('!hq').problems[0]!.message).toMatch(/at least one host or group/);
  });

  it('splits : and , but keeps a regex whole', () => {
    expect(splitPatterns('a:b,c').map((t) => t.term)).toEqual(['a', 'b', 'c']);
    expect(splitPatterns(['~fw-(a|b):x']).map((t) => t.term)).toEqual(['~fw-(a|b):x']);
  });
});

describe('--shard', () => {
  const names = Array.from({ length: 200 }, (_, i) => `fw-${String(i).padStart(3, '0')}`);
  const items = names.map((name) => ({ name, failoverPeer: null as string | null }));

  it('the shards partition the targets and are stable when the list changes', () => {
    const shards = [1, 2, 3, 4].map((index) => selectShard(items, { index, total: 4 }, pairKey).map((t) => t.name));
    expect(shards.flat().sort()).toEqual([...names].sort());
    for (const s of shards) expect(s.length).toBeGreaterThan(25); // a fair share of 200 / 4
    // Removing and reordering devices does not move the others to another shard (hash of the name, not position).
    const reordered = [...items].reverse().filter((_, i) => i % 7 !== 0);
    const again = selectShard(reordered, { index: 2, total: 4 }, pairKey).map((t) => t.name);
    expect(again.every((n) => shards[1]!.includes(n))).toBe(true);
    // Pinned: the same name lands in the same shard in every release (a CI matrix split must not reshuffle).
    expect(['fw-000', 'fw-001', 'fw-002', 'fw-003'].map((n) => shardOf(n, 4))).toEqual([2, 4, 1, 3]);
  });

  it('both units of a failover pair land in the same shard', () => {
    for (let i = 0; i < 50; i++) {
      const a = { name: `a${i}`, failoverPeer: `b${i}` };
      const b = { name: `b${i}`, failoverPeer: `a${i}` };
      expect(shardOf(pairKey(a), 5)).toBe(shardOf(pairKey(b), 5));
    }
  });
});
