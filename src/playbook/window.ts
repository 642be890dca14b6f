/**
 * Change windows with an injected clock. Recurring windows are evaluated in their IANA time zone with
 * Intl.DateTimeFormat (no tz library): a window listed for `sat` opens Saturday at `from` local time and, when
 * `to` <= `from`, closes the next day at `to` (crossing midnight). Local times that do not exist (DST spring
 * forward) move forward by the gap. Back-to-back windows merge into one.
 */
import { MailguardError } from '../errors.js';
import { wallClock } from '../time-zone.js';
import { type PlaybookWindow, WEEKDAYS, type Weekday } from './schema.js';

export type WindowSpec =
  | { kind: 'always' }
  | { kind: 'absolute'; start: Date; end: Date }
  | { kind: 'recurring'; timezone: string; days: Weekday[]; fromMin: number; toMin: number };

export interface WindowState {
  inside: boolean;
  /** When inside: the end of the current window (null: never closes). */
  closesAt: Date | null;
  /** When outside: the next opening (null: it never opens again). */
  opensAt: Date | null;
  /** Inside: time left; outside: time until it opens (Infinity when never). */
  remainingMs: number;
}

export type Clock = () => Date;

export function windowFromPlaybook(w: PlaybookWindow | undefined): WindowSpec {
  if (!w) return { kind: 'always' };
  if ('start' in w) return { kind: 'absolute', start: new Date(w.start), end: new Date(w.end) };
  const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  return {
    kind: 'recurring',
    timezone: w.timezone,
    days: [...new Set(w.days)],
    fromMin: toMin(w.from),
    toMin: toMin(w.to),
  };
}

export function describeWindow(w: WindowSpec): string {
  if (w.kind === 'always') return 'no window (any time)';
  if (w.kind === 'absolute') return `${w.start.toISOString()} to ${w.end.toISOString()}`;
  const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${w.days.join(',')} ${hm(w.fromMin)}-${hm(w.toMin)} ${w.timezone}`;
}

// ---- time zone arithmetic with Intl ----

/** The wall-clock time in `tz` at instant `t`, expressed as if it were UTC (ms). */
function wallAsUtc(tz: string, t: number): number {
  const w = wallClock(tz, new Date(t));
  const n = Number;
  return Date.UTC(n(w.year), n(w.month) - 1, n(w.day), n(w.hour) % 24, n(w.minute), n(w.second));
}

/** Offset of `tz` from UTC at instant `t`, in ms. */
function offsetAt(tz: string, t: number): number {
  return wallAsUtc(tz, Math.floor(t / 1000) * 1000) - Math.floor(t / 1000) * 1000;
}

/** The instant when the wall clock in `tz` shows `wall` (given as a UTC ms value). */
export function zonedToInstant(tz: string, wall: number): number {
  let t = wall - offsetAt(tz, wall);
  const o2 = offsetAt(tz, t);
  t = wall - o2;
  // In a DST gap the wall time does not exist: this lands after the gap, which is what we want.
  return t;
}

/** The windows (as instants) of a recurring spec that open between `from` - 2 days and `to` + 8 days. */
function occurrences(w: Extract<WindowSpec, { kind: 'recurring' }>, around: number): Array<[number, number]> {
  const wallNow = wallAsUtc(w.timezone, around);
  const day0 = Math.floor(wallNow / 86_400_000) * 86_400_000;
  const out: Array<[number, number]> = [];
  const len = ((w.toMin - w.fromMin + 1440) % 1440 || 1440) * 60_000;
  for (let d = -2; d <= 8; d++) {
    const dayStart = day0 + d * 86_400_000;
    const weekday = WEEKDAYS[new Date(dayStart).getUTCDay()]!;
    if (!w.days.includes(weekday)) continue;
    const openWall = dayStart + w.fromMin * 60_000;
    out.push([zonedToInstant(w.timezone, openWall), zonedToInstant(w.timezone, openWall + len)]);
  }
  // Merge back-to-back or overlapping occurrences (e.g. every day 00:00-00:00).
  out.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const iv of out) {
    const last = merged.at(-1);
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  return merged;
}

export function windowState(w: WindowSpec, now: Date): WindowState {
  const t = now.getTime();
  if (w.kind === 'always')
    return { inside: true, closesAt: null, opensAt: null, remainingMs: Number.POSITIVE_INFINITY };
  if (w.kind === 'absolute') {
    const s = w.start.getTime();
    const e = w.end.getTime();
    if (t >= s && t < e) return { inside: true, closesAt: w.end, opensAt: null, remainingMs: e - t };
    if (t < s) return { inside: false, closesAt: null, opensAt: w.start, remainingMs: s - t };
    return { inside: false, closesAt: null, opensAt: null, remainingMs: Number.POSITIVE_INFINITY };
  }
  const occ = occurrences(w, t);
  const cur = occ.find(([s, e]) => t >= s && t < e);
  if (cur) {
    // A window that merges with every following one (all days, from == to) never closes.
    if (cur === occ.at(-1) && w.days.length === 7 && w.fromMin === w.toMin) {
      return { inside: true, closesAt: null, opensAt: null, remainingMs: Number.POSITIVE_INFINITY };
    }
    return { inside: true, closesAt: new Date(cur[1]), opensAt: null, remainingMs: cur[1] - t };
  }
  const next = occ.find(([s]) => s > t);
  if (!next) return { inside: false, closesAt: null, opensAt: null, remainingMs: Number.POSITIVE_INFINITY };
  return { inside: false, closesAt: null, opensAt: new Date(next[0]), remainingMs: next[0] - t };
}

/** May a device that needs `expectedMs` start now? Inside the window and finishing before it closes. */
export function canStartDevice(
  w: WindowSpec,
  now: Date,
  expectedMs: number,
): { ok: boolean; reason?: 'outside-window' | 'would-cross-window-end' } {
  const s = windowState(w, now);
  if (!s.inside) return { ok: false, reason: 'outside-window' };
  if (s.closesAt && now.getTime() + expectedMs > s.closesAt.getTime())
    return { ok: false, reason: 'would-cross-window-end' };
  return { ok: true };
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'never';
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** The OUTSIDE_WINDOW error (exit 7) saying when the window opens next. */
export function outsideWindowError(w: WindowSpec, now: Date): MailguardError {
  const s = windowState(w, now);
  const when = s.opensAt
    ? `it opens at ${s.opensAt.toISOString()} (in ${formatDuration(s.remainingMs)})`
    : 'it does not open again';
  return new MailguardError('OUTSIDE_WINDOW', `outside the change window (${describeWindow(w)}): ${when}`, {
    hint: s.opensAt
      ? 'Run again inside the window, or add --wait-for-window to wait with a countdown.'
      : 'Update the window in the playbook.',
    details: { window: describeWindow(w), opensAt: s.opensAt?.toISOString() ?? null },
  });
}

export interface WaitOptions {
  now: Clock;
  /** Resolves after `ms` (or rejects when `signal` aborts). Injected so tests never wait. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Called before each sleep with the time left (a countdown). */
  onTick?: (remainingMs: number, opensAt: Date) => void;
  /** Longest single sleep (default 30 s), so the countdown updates. */
  tickMs?: number;
}

/** Wait until the window is open. Throws OUTSIDE_WINDOW if it never opens again, INTERRUPTED on abort. */
export async function waitForWindow(w: WindowSpec, o: WaitOptions): Promise<void> {
  for (;;) {
    const s = windowState(w, o.now());
    if (s.inside) return;
    if (!s.opensAt) throw outsideWindowError(w, o.now());
    if (o.signal?.aborted) throw new MailguardError('INTERRUPTED', 'interrupted while waiting for the change window');
    o.onTick?.(s.remainingMs, s.opensAt);
    await o.sleep(Math.min(s.remainingMs, o.tickMs ?? 30_000), o.signal);
  }
}
