/**
 * Who ran a change, with which tool, for which change ticket, when (UTC and the window's time zone), and from which
 * playbook and inventory (sha256 of their bytes): the fields a change advisory board asks of every record.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';

export interface Provenance {
  changeId: string | null;
  /** OS user and host that ran the tool: `user@host`. */
  operator: string;
  tool: 'asa-mailguard';
  toolVersion: string;
  /** IANA zone the local times are given in: the change window's, else UTC. */
  timeZone: string;
  /** sha256 of the playbook and inventory files as read; null when none was used. */
  playbookSha256: string | null;
  inventorySha256: string | null;
}

/** Set by scripts/bundle.mjs in the single-file build, which has no package.json beside it. */
declare const __MAILGUARD_VERSION__: string | undefined;

let version: string | null = null;
/** The package version (written into the single-file build; else read once from package.json beside dist/ or src/). */
export function toolVersion(): string {
  if (version === null && typeof __MAILGUARD_VERSION__ === 'string') version = __MAILGUARD_VERSION__;
  if (version === null) {
    try {
      version = (
        JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
      ).version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/** `user@host`; the user from the environment when the OS has no passwd entry for it (containers). */
export function operator(env: NodeJS.ProcessEnv = process.env): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = env.USER ?? env.LOGNAME ?? env.USERNAME ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

export function fileSha256(path: string | null | undefined): string | null {
  if (!path) return null;
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

export function makeProvenance(p: {
  changeId?: string | null;
  timeZone?: string | null;
  playbookFile?: string | null;
  inventoryFile?: string | null;
}): Provenance {
  return {
    changeId: p.changeId ?? null,
    operator: operator(),
    tool: 'asa-mailguard',
    toolVersion: toolVersion(),
    timeZone: p.timeZone || 'UTC',
    playbookSha256: fileSha256(p.playbookFile),
    inventorySha256: fileSha256(p.inventoryFile),
  };
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(tz: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(tz);
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
    zoneFormats.set(tz, f);
  }
  return f;
}

/** ISO-8601 wall time in `tz` with its offset: `2026-11-28T23:20:01+01:00` (seconds precision). */
export function isoInZone(at: Date | string, tz: string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return String(at);
  // UTC (the default) needs no time-zone data: Intl's first zone format loads ICU's tables, tens of ms at start.
  if (tz === 'UTC') return `${d.toISOString().slice(0, 19)}Z`;
  const p: Record<string, string> = {};
  for (const part of zoneFormat(tz).formatToParts(d)) p[part.type] = part.value;
  // longOffset prints "GMT+01:00", or "GMT" for UTC itself.
  const off = (p.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${off === '+00:00' ? 'Z' : off}`;
}
