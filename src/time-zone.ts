/**
 * Wall-clock time in an IANA time zone, with Intl.DateTimeFormat (no tz library: Node's ICU has the zone data).
 * The one owner of the per-zone formatter cache: change windows (playbook/window.ts) and the local times of records
 * and reports (isoInZone) read the same formatter. Building one loads ICU's tables, so each zone is built once.
 */

/** The wall clock in a zone: two-digit fields (year four digits) and the zone's offset from UTC, `+01:00`. */
export interface WallClock {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  /** `+01:00`, `-05:30`; `+00:00` for UTC itself. */
  offset: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formats.set(tz, f);
  }
  return f;
}

/** What the wall clock in `tz` shows at instant `at`. Throws RangeError for a zone ICU does not know. */
export function wallClock(tz: string, at: Date): WallClock {
  const p: Record<string, string> = {};
  for (const part of zoneFormat(tz).formatToParts(at)) p[part.type] = part.value;
  // longOffset prints "GMT+01:00", or "GMT" for UTC itself.
  const offset = (p.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return {
    year: p.year ?? '',
    month: p.month ?? '',
    day: p.day ?? '',
    hour: p.hour ?? '',
    minute: p.minute ?? '',
    second: p.second ?? '',
    offset,
  };
}

/** ISO-8601 wall time in `tz` with its offset: `2026-11-28T23:20:01+01:00` (seconds precision). */
export function isoInZone(at: Date | string, tz: string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return String(at);
  // UTC (the default) needs no time-zone data: Intl's first zone format loads ICU's tables, tens of ms at start.
  if (tz === 'UTC') return `${d.toISOString().slice(0, 19)}Z`;
  const w = wallClock(tz, d);
  return `${w.year}-${w.month}-${w.day}T${w.hour}:${w.minute}:${w.second}${w.offset === '+00:00' ? 'Z' : w.offset}`;
}
