/**
 * The one owner of zone formatting (src/time-zone.ts) and of file hashing (src/change/provenance.ts): the record's
 * local times, the change window's arithmetic and the shard/canary hashes all go through them.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProvenance, sha256File } from '../../src/change/provenance.js';
import { runProvenance } from '../../src/playbook/provenance.js';
import { windowState, zonedToInstant } from '../../src/playbook/window.js';
import { isoInZone, wallClock } from '../../src/time-zone.js';

describe('time zone wall clock (one formatter cache)', () => {
  it('gives local ISO times with the offset, Z for UTC and for zones at +00:00', () => {
    expect(isoInZone('2026-11-28T22:20:01.456Z', 'Europe/Zurich')).toBe('2026-11-28T23:20:01+01:00');
    expect(isoInZone(new Date('2026-07-01T00:00:00Z'), 'Europe/Zurich')).toBe('2026-07-01T02:00:00+02:00');
    expect(isoInZone('2026-11-28T22:20:01Z', 'Asia/Kolkata')).toBe('2026-11-29T03:50:01+05:30');
    expect(isoInZone('2026-11-28T22:20:01Z', 'America/New_York')).toBe('2026-11-28T17:20:01-05:00');
    expect(isoInZone('2026-11-28T22:20:01Z', 'UTC')).toBe('2026-11-28T22:20:01Z');
    expect(isoInZone('2026-11-28T22:20:01Z', 'Europe/London')).toBe('2026-11-28T22:20:01Z');
    expect(isoInZone('not a date', 'Europe/Zurich')).toBe('not a date');
  });

  it('reads midnight as 00 (h23), which the window arithmetic relies on', () => {
    const w = wallClock('Europe/Zurich', new Date('2026-11-28T23:00:00Z'));
    expect(w).toEqual({
      year: '2026',
      month: '11',
      day: '29',
      hour: '00',
      minute: '00',
      second: '00',
      offset: '+01:00',
    });
  });

  it('the change window uses the same wall clock: a local wall time maps back to its instant, DST gap included', () => {
    // 2026-03-29 02:30 does not exist in Zurich (02:00 -> 03:00): it lands after the gap.
    expect(new Date(zonedToInstant('Europe/Zurich', Date.UTC(2026, 2, 29, 2, 30))).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(new Date(zonedToInstant('Europe/Zurich', Date.UTC(2026, 10, 28, 23, 0))).toISOString()).toBe(
      '2026-11-28T22:00:00.000Z',
    );
    const w = {
      kind: 'recurring' as const,
      timezone: 'Europe/Zurich',
      days: ['sat' as const],
      fromMin: 22 * 60,
      toMin: 120,
    };
    const s = windowState(w, new Date('2026-11-28T22:30:00Z')); // Saturday 23:30 local
    expect(s.inside).toBe(true);
    expect(s.closesAt?.toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(isoInZone(s.closesAt as Date, 'Europe/Zurich')).toBe('2026-11-29T02:00:00+01:00');
  });
});

describe('file hash (one helper)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-hash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const book = join(dir, 'book.yaml');
  const inv = join(dir, 'inv.yaml');
  writeFileSync(book, 'hosts: all\n');
  writeFileSync(inv, 'all: {}\n');
  const hex = (s: string) => createHash('sha256').update(s).digest('hex');

  it('records, shard reports and canary results carry the same hashes', () => {
    expect(sha256File(book)).toBe(hex('hosts: all\n'));
    expect(runProvenance(book, inv)).toEqual({
      playbookSha256: hex('hosts: all\n'),
      inventorySha256: hex('all: {}\n'),
    });
    expect(runProvenance(book, null).inventorySha256).toBeNull();
    const p = makeProvenance({ playbookFile: book, inventoryFile: inv });
    expect([p.playbookSha256, p.inventorySha256]).toEqual([hex('hosts: all\n'), hex('all: {}\n')]);
  });

  it('a record hashes a missing file to null; a run refuses it (the playbook was just read)', () => {
    expect(makeProvenance({ playbookFile: join(dir, 'gone.yaml'), inventoryFile: null }).playbookSha256).toBeNull();
    expect(() => runProvenance(join(dir, 'gone.yaml'), null)).toThrow(/ENOENT/);
  });
});
