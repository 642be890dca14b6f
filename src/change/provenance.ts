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

/** sha256 of a file's bytes, hex: the one file hash of change records, shard reports and canary results. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A record is written in every ending: no file, or one that cannot be read now, hashes to null, not an error. */
function sha256OrNull(path: string | null | undefined): string | null {
  if (!path) return null;
  try {
    return sha256File(path);
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
    playbookSha256: sha256OrNull(p.playbookFile),
    inventorySha256: sha256OrNull(p.inventoryFile),
  };
}
