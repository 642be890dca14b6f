// Change windows with an injected clock: never by waiting.
import { describe, expect, it } from 'vitest';
import type { MailguardError } from '../../src/errors.js';
import {
  canStartDevice,
  formatDuration,
  outsideWindowError,
  type WindowSpec,
  waitForWindow,
  windowFromPlaybook,
  windowState,
} from '../../src/playbook/index.js';

const d = (s: string) => new Date(s);
const berlinWeekend = windowFromPlaybook({
  timezone: 'Europe/Berlin',
  days: ['sat', 'sun'],
  from: '22:00',
  to: '04:00',
});

describe('absolute window', () => {
  const w = windowFromPlaybook({ start: '2026-11-28T22:00:00+01:00', end: '2026-11-29T04:00:00+01:00' });

  it('before, inside, after', () => {
    expect(windowState(w, d('2026-11-28T20:00:00Z'))).toEqual({
      inside: false,
      closesAt: null,
      opensAt: d('2026-11-28T21:00:00Z'),
      remainingMs: 3_600_000,
    });
    const inside = windowState(w, d('2026-11-29T02:30:00Z'));
    expect(inside.inside).toBe(true);
    expect(inside.closesAt).toEqual(d('2026-11-29T03:00:00Z'));
    expect(inside.remainingMs).toBe(30 * 60_000);
    // The end is exclusive.
    expect(windowState(w, d('2026-11-29T03:00:00Z'))).toMatchObject({ inside: false, opensAt: null });
  });
});

describe('recurring window, Europe/Berlin sat+sun 22:00-04:00 (crosses midnight)', () => {
  it('Saturday 21:59 local is outside; it opens at 22:00 local (21:00Z in winter)', () => {
    const s = windowState(berlinWeekend, d('2026-11-28T20:59:00Z'));
    expect(s).toMatchObject({ inside: false, opensAt: d('2026-11-28T21:00:00Z'), remainingMs: 60_000 });
  });

  it('Saturday 23:30 local is inside and closes Sunday 04:00 local', () => {
    expect(windowState(berlinWeekend, d('2026-11-28T22:30:00Z'))).toMatchObject({
      inside: true,
      closesAt: d('2026-11-29T03:00:00Z'),
    });
  });

  it('after midnight the Saturday window still holds (Sunday 03:00 local)', () => {
    expect(windowState(berlinWeekend, d('2026-11-29T02:00:00Z'))).toMatchObject({
      inside: true,
      closesAt: d('2026-11-29T03:00:00Z'),
    });
  });

  it("Sunday's window runs into Monday; Saturday 03:00 belongs to Friday (not listed)", () => {
    expect(windowState(berlinWeekend, d('2026-11-30T02:59:00Z'))).toMatchObject({
      inside: true,
      closesAt: d('2026-11-30T03:00:00Z'),
    });
    expect(windowState(berlinWeekend, d('2026-11-28T02:00:00Z'))).toMatchObject({
      inside: false,
      opensAt: d('2026-11-28T21:00:00Z'),
    });
  });

  it('on a Tuesday the next opening is Saturday 22:00 local', () => {
    const s = windowState(berlinWeekend, d('2026-12-01T12:00:00Z'));
    expect(s.opensAt).toEqual(d('2026-12-05T21:00:00Z'));
    expect(formatDuration(s.remainingMs)).toBe('4d 9h 0m');
  });

  it('handles the DST changes inside the window (7 h in October, 5 h in March)', () => {
    // 2026-10-25 03:00 CEST -> 02:00 CET; 2026-03-29 02:00 CET -> 03:00 CEST.
    const oct = windowState(berlinWeekend, d('2026-10-24T20:00:00Z'));
    expect(oct).toMatchObject({ inside: true, closesAt: d('2026-10-25T03:00:00Z'), remainingMs: 7 * 3_600_000 });
    const mar = windowState(berlinWeekend, d('2026-03-28T21:00:00Z'));
    expect(mar).toMatchObject({ inside: true, closesAt: d('2026-03-29T02:00:00Z'), remainingMs: 5 * 3_600_000 });
  });

  it('a local time inside the spring-forward gap moves past the gap', () => {
    const w = windowFromPlaybook({ timezone: 'Europe/Berlin', days: ['sun'], from: '02:30', to: '05:00' });
    // 02:30 does not exist on 2026-03-29: the window opens at 03:30 CEST = 01:30Z.
    expect(windowState(w, d('2026-03-29T00:00:00Z')).opensAt).toEqual(d('2026-03-29T01:30:00Z'));
  });

  it('other zones: America/New_York weekday evenings', () => {
    const w = windowFromPlaybook({
      timezone: 'America/New_York',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      from: '20:00',
      to: '23:00',
    });
    // Friday 2026-11-27 22:00 EST = Saturday 03:00Z: inside; closes 04:00Z.
    expect(windowState(w, d('2026-11-28T03:00:00Z'))).toMatchObject({
      inside: true,
      closesAt: d('2026-11-28T04:00:00Z'),
    });
    // Saturday: next is Monday 20:00 EST = Tuesday 01:00Z.
    expect(windowState(w, d('2026-11-28T12:00:00Z')).opensAt).toEqual(d('2026-12-01T01:00:00Z'));
  });

  it('every day with from == to is always open', () => {
    const w = windowFromPlaybook({
      timezone: 'UTC',
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      from: '00:00',
      to: '00:00',
    });
    expect(windowState(w, d('2026-11-28T12:00:00Z'))).toMatchObject({ inside: true, closesAt: null });
  });

  it('back-to-back days merge into one window', () => {
    const w = windowFromPlaybook({ timezone: 'UTC', days: ['fri', 'sat'], from: '12:00', to: '12:00' });
    // Friday 12:00 to Sunday 12:00
    expect(windowState(w, d('2026-11-27T13:00:00Z')).closesAt).toEqual(d('2026-11-29T12:00:00Z'));
  });
});

describe('starting devices near the end of the window', () => {
  const w: WindowSpec = { kind: 'absolute', start: d('2026-11-28T21:00:00Z'), end: d('2026-11-29T03:00:00Z') };
  it('a device whose expected duration would cross the end does not start', () => {
    const now = d('2026-11-29T02:30:00Z');
    expect(canStartDevice(w, now, 25 * 60_000)).toEqual({ ok: true });
    expect(canStartDevice(w, now, 30 * 60_000)).toEqual({ ok: true });
    expect(canStartDevice(w, now, 31 * 60_000)).toEqual({ ok: false, reason: 'would-cross-window-end' });
    expect(canStartDevice(w, d('2026-11-29T03:00:00Z'), 1)).toEqual({ ok: false, reason: 'outside-window' });
  });
});

describe('outside the window', () => {
  it('OUTSIDE_WINDOW (exit 7) says when it opens', () => {
    const e = outsideWindowError(berlinWeekend, d('2026-11-28T20:00:00Z'));
    expect(e.code).toBe('OUTSIDE_WINDOW');
    expect(e.exitCode).toBe(7);
    expect(e.message).toContain('2026-11-28T21:00:00.000Z');
    expect(e.message).toContain('in 1h 0m');
    expect(e.hint).toContain('--wait-for-window');
  });

  it('waitForWindow counts down with an injected sleep and returns when the window opens', async () => {
    let t = d('2026-11-28T20:58:50Z').getTime();
    const ticks: number[] = [];
    await waitForWindow(berlinWeekend, {
      now: () => new Date(t),
      sleep: async (ms) => {
        t += ms;
      },
      onTick: (left) => ticks.push(left),
      tickMs: 30_000,
    });
    expect(new Date(t)).toEqual(d('2026-11-28T21:00:00Z'));
    expect(ticks).toEqual([70_000, 40_000, 10_000]);
  });

  it('waitForWindow fails at once when the window never opens again', async () => {
    const past = windowFromPlaybook({ start: '2020-01-01T00:00:00Z', end: '2020-01-02T00:00:00Z' });
    const err = await waitForWindow(past, { now: () => d('2026-01-01T00:00:00Z'), sleep: async () => {} }).catch(
      (e) => e as MailguardError,
    );
    expect(err).toMatchObject({ code: 'OUTSIDE_WINDOW' });
    expect((err as MailguardError).message).toContain('does not open again');
  });

  it('waitForWindow stops on abort', async () => {
    const ac = new AbortController();
    let t = d('2026-11-28T12:00:00Z').getTime();
    const err = await waitForWindow(berlinWeekend, {
      now: () => new Date(t),
      sleep: async (ms) => {
        t += ms;
        ac.abort();
      },
      signal: ac.signal,
    }).catch((e) => e as MailguardError);
    expect(err).toMatchObject({ code: 'INTERRUPTED' });
  });
});
