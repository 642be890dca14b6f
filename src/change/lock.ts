/**
 * The per-device lock: one file per device identity in one place per user, so two runs never change one device at
 * once however it was typed (`localhost` or `127.0.0.1`) and wherever their backups go. Hand-written: the lock
 * libraries on npm key by a file path and take over by age, not by "is this pid alive on this host".
 */
import { randomUUID } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { MailguardError, systemErrorWords } from '../errors.js';

export interface DeviceLock {
  path: string;
  /** Remove the lock file; a second call does nothing. */
  release(): Promise<void>;
}

export interface LockBody {
  pid: number;
  host: string;
  /** What holds it: `apply 127.0.0.1:2201`. */
  command: string;
  /** The identity the lock is for (`addr 127.0.0.1:2201`, `device fw1 FCH17AAAAAA`). */
  target: string;
  since: string;
}

/** Where locks live: --lock-dir / MAILGUARD_LOCK_DIR, else $XDG_STATE_HOME (or ~/.local/state)/asa-mailguard/locks. */
export function defaultLockDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MAILGUARD_LOCK_DIR) return env.MAILGUARD_LOCK_DIR;
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'asa-mailguard', 'locks');
}

/** Locks this process holds: removed synchronously if the process exits without releasing them (second Ctrl-C). */
const held = new Set<string>();
process.on('exit', () => {
  for (const p of held) {
    try {
      unlinkSync(p);
    } catch {
      // already gone
    }
  }
});

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** File name for an identity: only safe characters, so `host:port` cannot escape the lock folder. */
export function lockName(identity: string): string {
  return `${identity.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`;
}

async function readHolder(path: string): Promise<{ text: string; body: Partial<LockBody> | null }> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { text: '', body: null };
  }
  try {
    const body = JSON.parse(text) as Partial<LockBody>;
    return { text, body: body && typeof body === 'object' ? body : null };
  } catch {
    return { text, body: null };
  }
}

export interface AcquireOptions {
  dir: string;
  /** The device identity the lock is for. */
  identity: string;
  command: string;
  /** Told when a stale lock is taken over. */
  warn?: (message: string) => void;
}

/**
 * Take the lock for `identity`. The file appears complete or not at all (written beside, then hard-linked: link
 * fails with EEXIST when it is held). A lock of a dead process on this host, or an empty or unreadable one, is
 * taken over with a warning; a live one is refused with DEVICE_LOCKED naming its holder.
 */
export async function acquireLock(o: AcquireOptions): Promise<DeviceLock> {
  try {
    await mkdir(o.dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new MailguardError('BAD_PATH', `Cannot use the lock folder ${o.dir}: ${systemErrorWords(e)}`, {
      hint: 'Set MAILGUARD_LOCK_DIR (or --lock-dir) to a writable folder; nothing was contacted.',
      cause: e,
      details: { dir: o.dir, errno: (e as NodeJS.ErrnoException).code },
    });
  }
  const path = join(o.dir, lockName(o.identity));
  const body: LockBody = {
    pid: process.pid,
    host: hostname(),
    command: o.command,
    target: o.identity,
    since: new Date().toISOString(),
  };
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(tmp, path);
        held.add(path);
        let released = false;
        return {
          path,
          async release() {
            if (released) return;
            released = true;
            held.delete(path);
            await unlink(path).catch(() => undefined);
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new MailguardError('BAD_PATH', `Cannot create the device lock ${path}: ${systemErrorWords(e)}`, {
            hint: 'Set MAILGUARD_LOCK_DIR (or --lock-dir) to a writable folder; nothing was contacted.',
            cause: e,
            details: { path, errno: (e as NodeJS.ErrnoException).code },
          });
        }
      }
      const { text, body: holder } = await readHolder(path);
      const dead = holder?.host === hostname() && typeof holder.pid === 'number' && !pidAlive(holder.pid);
      if (holder && !dead) {
        throw new MailguardError(
          'DEVICE_LOCKED',
          `Another run is changing this device: pid ${holder.pid ?? '?'} on ${holder.host ?? '?'} since ${holder.since ?? '?'} (${holder.command ?? 'unknown command'}; ${holder.target ?? o.identity}).`,
          {
            hint: `Wait for it to finish. If that run is gone (another machine, or a crash), remove ${path}.`,
            details: { lock: path, holder },
          },
        );
      }
      o.warn?.(
        holder
          ? `taking over the stale lock ${path}: pid ${holder.pid} on this host (${holder.command ?? '?'}, since ${holder.since ?? '?'}) is gone`
          : `taking over the lock ${path}: it is empty or unreadable`,
      );
      // Move it aside, then check it was the stale one we read (another run may have taken it over meanwhile).
      const aside = `${path}.stale.${process.pid}`;
      try {
        await rename(path, aside);
      } catch {
        continue; // someone else moved it first: try again
      }
      const moved = await readHolder(aside);
      if (moved.text !== text) await link(aside, path).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
    }
    throw new MailguardError('DEVICE_LOCKED', `Could not take the lock ${path}: other runs keep taking it.`, {
      hint: `Check for other runs of asa-mailguard on this device; then retry.`,
      details: { lock: path },
    });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
