import { createHash } from 'node:crypto';
import { chmod, mkdir, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MailguardError } from '../errors.js';
import { configBody } from '../platform/inspection.js';
import type { PlatformInfo } from '../platform/types.js';
import type { BackupFile, BackupInfo } from './types.js';

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A config without the lines that change on every save (checksums, headers), for "same config?" tests. */
export const normalizeConfig = (text: string): string => configBody(text);

/** `2026-11-28T06-20-01Z`: UTC, sortable, safe in file names on every OS. */
export function utcStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_') || 'device';
}

export interface BackupInput {
  backupDir: string;
  /** Device hostname, as `show version` names it. */
  hostname: string;
  /** Serial number from `show version`; null when not printed. */
  serial?: string | null;
  /** The device's folder (device-folder.ts); default `<backupDir>/<hostname>`. */
  dir?: string;
  target: string;
  platform: PlatformInfo;
  takenAt: Date;
  configs: Array<{ kind: 'running' | 'startup'; context: string | null; text: string }>;
}

export interface BackupMetadata {
  tool: 'asa-mailguard';
  format: 1;
  target: string;
  hostname: string;
  /** Absent in backups written before serials were recorded. */
  serial?: string | null;
  takenAt: string;
  platform: PlatformInfo;
  files: Array<Omit<BackupFile, 'path'> & { file: string }>;
}

/** Off the event loop (libuv's pool): a fleet run writes hundreds of these while sessions wait for CPU. */
export async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  // The mode argument is masked by umask and ignored for existing files: set it explicitly.
  await chmod(path, 0o600);
}

/** `mkdir -p` with mode 0700 on the leaf, also when it already existed. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * The stamp of a new backup in `dir`, reserved by creating its metadata file exclusively: a second backup of
 * the same device within the same second (apply then rollback on a fast device) gets `<stamp>.2`, never
 * overwrites the first.
 */
async function reserveStamp(dir: string, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const stamp = n === 1 ? base : `${base}.${n}`;
    try {
      await (await open(join(dir, `${stamp}-backup.json`), 'wx', 0o600)).close();
      return stamp;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw e;
    }
  }
}

/**
 * Write the configs to `<backupDir>/<hostname>/<stamp>[-<context>]-<kind>.cfg` plus `<stamp>-backup.json` with
 * sha256 per file; dirs 0700, files 0600. Every file is read back and its checksum compared before returning:
 * the caller sends no config command unless this succeeds. `loaded` is the backup as `loadBackup` would return
 * it (every byte was just read back and checked): the engine needs no second read.
 */
export async function writeBackup(input: BackupInput): Promise<BackupInfo & { loaded: LoadedBackup }> {
  const dir = input.dir ? resolve(input.dir) : resolve(input.backupDir, safeName(input.hostname));
  let reserved: string | null = null;
  try {
    await makePrivateDir(dir);
    const stamp = await reserveStamp(dir, utcStamp(input.takenAt));
    reserved = join(dir, `${stamp}-backup.json`);
    const files: BackupFile[] = [];
    for (const c of input.configs) {
      const ctx = c.context ? `-${safeName(c.context)}` : '';
      const path = join(dir, `${stamp}${ctx}-${c.kind}.cfg`);
      await writePrivate(path, c.text);
      const back = await readFile(path, 'utf8');
      const sum = sha256(c.text);
      if (sha256(back) !== sum) throw new Error(`read-back checksum mismatch for ${path}`);
      files.push({ kind: c.kind, context: c.context, path, sha256: sum, bytes: Buffer.byteLength(c.text) });
    }
    const metadataPath = join(dir, `${stamp}-backup.json`);
    const meta: BackupMetadata = {
      tool: 'asa-mailguard',
      format: 1,
      target: input.target,
      hostname: input.hostname,
      serial: input.serial ?? null,
      takenAt: input.takenAt.toISOString(),
      platform: input.platform,
      files: files.map(({ path, ...f }) => ({ ...f, file: basename(path) })),
    };
    const metaText = `${JSON.stringify(meta, null, 2)}\n`;
    await writePrivate(metadataPath, metaText);
    if ((await readFile(metadataPath, 'utf8')) !== metaText) throw new Error(`read-back mismatch for ${metadataPath}`);
    const loaded: LoadedBackup = { metadataPath, meta, running: new Map(), startup: new Map() };
    for (const c of input.configs) loaded[c.kind].set(ctxKey(c.context), c.text);
    return { dir, metadataPath, takenAt: meta.takenAt, files, loaded };
  } catch (e) {
    // An empty reserved metadata file is not a backup: remove it (best effort).
    if (reserved) await unlink(reserved).catch(() => undefined);
    throw new MailguardError(
      'BACKUP_FAILED',
      `Could not write and verify the backup in ${dir}: ${(e as Error).message}`,
      {
        hint: 'Fix the backup directory (--backup-dir) permissions or free space; nothing was changed on the device.',
        cause: e,
      },
    );
  }
}

export interface LoadedBackup {
  metadataPath: string;
  meta: BackupMetadata;
  /** Config text per kind and context ("" key for single context), checksums verified. */
  running: Map<string, string>;
  startup: Map<string, string>;
}

export const ctxKey = (c: string | null): string => c ?? '';

/**
 * Load a backup from its metadata JSON or any of its `.cfg` files. Checksums are verified; a file that does not
 * match is refused (the backup was edited or damaged).
 */
export async function loadBackup(file: string): Promise<LoadedBackup> {
  const abs = resolve(file);
  let metadataPath = abs;
  if (!abs.endsWith('.json')) {
    const m = basename(abs).match(/^(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(?:\.\d+)?)-/);
    if (!m) {
      throw new MailguardError('BAD_INPUT', `${file} is not an asa-mailguard backup (no timestamp in its name).`, {
        hint: 'Pass the <stamp>-running.cfg or <stamp>-backup.json file written by `apply`.',
      });
    }
    metadataPath = join(dirname(abs), `${m[1]}-backup.json`);
  }
  let meta: BackupMetadata;
  try {
    meta = JSON.parse(await readFile(metadataPath, 'utf8')) as BackupMetadata;
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `Cannot read the backup metadata ${metadataPath}: ${(e as Error).message}`, {
      hint: 'The metadata JSON must sit beside the .cfg files, as `apply` wrote them.',
      cause: e,
    });
  }
  if (meta.tool !== 'asa-mailguard' || !Array.isArray(meta.files)) {
    throw new MailguardError('BAD_INPUT', `${metadataPath} is not asa-mailguard backup metadata.`, {
      hint: 'Pass a backup written by `apply`.',
    });
  }
  const running = new Map<string, string>();
  const startup = new Map<string, string>();
  for (const f of meta.files) {
    const path = join(dirname(metadataPath), f.file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new MailguardError('BAD_INPUT', `Backup file missing: ${path}`, { hint: 'Restore the file.', cause: e });
    }
    if (sha256(text) !== f.sha256) {
      throw new MailguardError('BAD_INPUT', `Backup file ${path} does not match its recorded sha256.`, {
        hint: 'The backup was modified or damaged; use another backup.',
      });
    }
    (f.kind === 'running' ? running : startup).set(ctxKey(f.context), text);
  }
  return { metadataPath, meta, running, startup };
}
