import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MailguardError } from '../errors.js';

export interface DeviceLock {
  path: string;
  /** Remove the lock file; a second call does nothing. */
  release(): Promise<void>;
}

interface LockBody {
  pid: number;
  host: string;
  target: string;
  since: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** File name for a target: only safe characters, so `host:port` cannot escape the lock folder. */
export function lockName(target: string): string {
  return `${target.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`;
}

/**
 * Take the per-device lock `<backupDir>/.locks/<target>.lock` with O_EXCL so two runs never change one device
 * at once. A lock left by a dead process on this machine is stale and taken over.
 */
export async function acquireLock(backupDir: string, target: string): Promise<DeviceLock> {
  const dir = join(backupDir, '.locks');
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new MailguardError('BACKUP_FAILED', `Cannot use the backup directory ${backupDir}: ${(e as Error).message}`, {
      hint: 'Pass a writable --backup-dir; nothing was changed on the device.',
      cause: e,
    });
  }
  const path = join(dir, lockName(target));
  const body: LockBody = { pid: process.pid, host: hostname(), target, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // O_CREAT|O_EXCL: creating the file is the atomic test-and-set.
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(`${JSON.stringify(body)}\n`);
      } finally {
        await fh.close();
      }
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          try {
            await unlink(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new MailguardError('BACKUP_FAILED', `Cannot create the device lock ${path}: ${(e as Error).message}`, {
          hint: 'Check that the backup directory is writable.',
          cause: e,
        });
      }
      let holder: Partial<LockBody> = {};
      try {
        holder = JSON.parse(await readFile(path, 'utf8')) as LockBody;
      } catch {
        // Unreadable or half-written lock: treat as held unless it names a dead pid.
      }
      const stale = holder.host === hostname() && typeof holder.pid === 'number' && !pidAlive(holder.pid);
      if (stale && attempt === 0) {
        try {
          await unlink(path);
        } catch {
          // Someone else removed it first; retry the exclusive create.
        }
        continue;
      }
      throw new MailguardError(
        'DEVICE_LOCKED',
        `Another run is changing ${target} (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'} since ${holder.since ?? '?'}).`,
        { hint: `Wait for it to finish; if no run is active, remove ${path}.`, details: { lock: path } },
      );
    }
  }
  throw new MailguardError('DEVICE_LOCKED', `Could not take the lock ${path}.`, { hint: `Remove ${path} and retry.` });
}
