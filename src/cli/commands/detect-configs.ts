/**
 * `detect --config` over several files or a folder (a RANCID/Oxidized tree): the offline fleet audit.
 * The folder walk is hand-written (readdirSync recursive) because it must skip hidden folders and binary files,
 * which no glob option expresses alone.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MailguardError, systemErrorWords } from '../../errors.js';
import type { DetectResult } from './detect-action.js';

export interface DetectConfigsResult {
  source: 'config-files';
  files: DetectResult[];
  /** Files found in a folder but not read: binary, or not a PIX/ASA configuration. */
  skipped: Array<{ path: string; reason: string }>;
  counts: { files: number; inspected: number; clean: number; withWarnings: number; skipped: number };
}

function isBinary(path: string): boolean {
  const buf = Buffer.alloc(8192);
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).includes(0);
  } finally {
    closeSync(fd);
  }
}

/** Files under a folder, sorted, hidden folders (.git, .svn) and hidden files left out. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Reads every config; a path given by name must be a config, a file found in a folder may be skipped. */
export function detectConfigs(paths: string[], readOne: (file: string) => DetectResult): DetectConfigsResult {
  const files: DetectResult[] = [];
  const skipped: Array<{ path: string; reason: string }> = [];
  for (const given of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(given).isDirectory();
    } catch (e) {
      throw new MailguardError('BAD_PATH', `Cannot read ${given}: ${systemErrorWords(e)}`, {
        hint: 'Give saved running-config files or a folder of them (a RANCID/Oxidized tree).',
      });
    }
    if (!isDir) {
      files.push(readOne(given));
      continue;
    }
    for (const file of walk(given)) {
      if (isBinary(file)) {
        skipped.push({ path: file, reason: 'not a text file' });
        continue;
      }
      try {
        files.push(readOne(file));
      } catch (e) {
        if (e instanceof MailguardError && e.code === 'BAD_INPUT')
          skipped.push({ path: file, reason: 'does not look like a PIX/ASA running-config' });
        else throw e;
      }
    }
  }
  const inspected = files.filter((f) => f.inspection.active).length;
  return {
    source: 'config-files',
    files,
    skipped,
    counts: {
      files: files.length,
      inspected,
      clean: files.length - inspected,
      withWarnings: files.filter((f) => f.warnings.length > 0).length,
      skipped: skipped.length,
    },
  };
}

function place(f: DetectResult['inspection']['findings'][number]): string {
  const ctx = f.context ? `[${f.context}] ` : '';
  const what = f.kind === 'fixup' ? `fixup ${f.portSpec ?? f.ports.join(',')}` : `${f.policyMap}/${f.class}`;
  return `${ctx}${what}${f.active ? '' : ' (inactive)'}`;
}

/** The same columns as the fleet audit table: one row per config. */
export function renderConfigsTable(r: DetectConfigsResult): string {
  const rows = r.files.map((f) => [
    f.target,
    f.platform?.family ? `${f.platform.family.toUpperCase()} ${f.platform.version ?? ''}`.trim() : '?',
    f.inspection.active ? 'ON' : 'off',
    f.inspection.findings.map(place).join('; ') || '-',
    String(f.warnings.length),
  ]);
  const head = ['CONFIG', 'PLATFORM', 'INSPECTION', 'PLACES', 'WARNINGS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  for (const s of r.skipped) out.push(`skipped ${s.path}: ${s.reason}`);
  const c = r.counts;
  out.push(
    `${c.files} config(s): ${c.inspected} with SMTP inspection on, ${c.clean} off, ${c.withWarnings} with warnings, ${c.skipped} skipped`,
  );
  return `${out.join('\n')}\n`;
}
