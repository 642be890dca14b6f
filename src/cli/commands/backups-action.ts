/** What `asa-mailguard backups` does: reads `<backup-dir>/<device folder>/*-backup.json` and the change records. */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MailguardError } from '../../errors.js';
import type { BackupsFlags } from './backups.js';

export interface BackupEntry {
  folder: string;
  hostname: string | null;
  serial: string | null;
  address: string;
  takenAt: string;
  metadataPath: string;
  files: string[];
  /** From the change record that names this backup, when one does. */
  changeId: string | null;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function listBackups(backupDir: string): Promise<BackupEntry[]> {
  const root = resolve(backupDir);
  const out: BackupEntry[] = [];
  for (const folder of (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory())) {
    const dir = join(root, folder.name);
    const names = await readdir(dir);
    // Change records name the backup they took: map metadata path -> change id.
    const changeIds = new Map<string, string | null>();
    for (const n of names.filter((x) => x.endsWith('.json') && !x.endsWith('-backup.json') && x !== 'device.json')) {
      const rec = await readJson(join(dir, n));
      const backup = rec?.backup as { metadataPath?: string } | undefined;
      const pv = rec?.provenance as { changeId?: string | null } | undefined;
      if (backup?.metadataPath) changeIds.set(resolve(backup.metadataPath), pv?.changeId ?? null);
    }
    for (const n of names.filter((x) => x.endsWith('-backup.json'))) {
      const path = join(dir, n);
      const meta = await readJson(path);
      if (!meta || typeof meta.takenAt !== 'string') continue;
      out.push({
        folder: folder.name,
        hostname: (meta.hostname as string | undefined) ?? null,
        serial: (meta.serial as string | undefined) ?? null,
        address: String(meta.target ?? ''),
        takenAt: meta.takenAt,
        metadataPath: path,
        files: ((meta.files as Array<{ file: string }> | undefined) ?? []).map((f) => f.file),
        changeId: changeIds.get(path) ?? null,
      });
    }
  }
  return out.sort((a, b) => b.takenAt.localeCompare(a.takenAt));
}

export async function backupsAction(device: string | undefined, flags: BackupsFlags): Promise<number> {
  const dir = flags.backupDir ?? './backups';
  let all: BackupEntry[];
  try {
    all = await listBackups(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw e;
    if (flags.backupDir) {
      throw new MailguardError('BAD_PATH', `The backup folder ${dir} does not exist`, {
        hint: 'Give the --backup-dir that apply, rollback or run used (default ./backups).',
      });
    }
    all = [];
    if (!flags.json) process.stderr.write(`No backup folder ${dir} here: no backups yet.\n`);
  }
  const shown = device
    ? all.filter((b) =>
        [b.hostname, b.serial, b.address, b.folder].some((v) => v === device || v?.startsWith(`${device}:`)),
      )
    : all;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ backupDir: resolve(dir), backups: shown }, null, 2)}\n`);
    return 0;
  }
  if (shown.length === 0) {
    process.stdout.write(device ? `No backups of ${device} in ${dir}.\n` : `No backups in ${dir}.\n`);
    return 0;
  }
  for (const b of shown) {
    process.stdout.write(
      `${b.takenAt}  ${b.hostname ?? '?'}  serial ${b.serial ?? '?'}  ${b.address}  change ${b.changeId ?? '-'}\n` +
        `  ${b.metadataPath}\n${b.files.map((f) => `    ${f}\n`).join('')}`,
    );
  }
  return 0;
}
