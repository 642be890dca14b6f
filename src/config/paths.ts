/**
 * Paths given on the command line, checked before anything is contacted: a missing folder, a folder where a file
 * is wanted or a place that cannot be written is bad input (BAD_PATH, exit 2) with the flag named, never a crash
 * half-way through a change.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MailguardError, systemErrorWords } from '../errors.js';

function bad(flag: string, path: string, why: string, hint: string): MailguardError {
  return new MailguardError('BAD_PATH', `${flag} ${path}: ${why}.`, { hint, details: { flag, path } });
}

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** A file the tool will create or overwrite: its folder must exist and be writable, and it must not be a folder. */
export function checkWritableFile(path: string, flag: string): void {
  const st = statOf(path);
  if (st?.isDirectory())
    throw bad(flag, path, 'is a folder, not a file', `Give a file name, e.g. ${flag} ${path}/out.log.`);
  const dir = dirname(resolve(path));
  const d = statOf(dir);
  if (!d) throw bad(flag, path, `the folder ${dir} does not exist`, `Create ${dir} first, or give another path.`);
  if (!d.isDirectory()) throw bad(flag, path, `${dir} is not a folder`, 'Give a path inside a folder.');
  try {
    accessSync(st ? path : dir, constants.W_OK);
  } catch {
    throw bad(flag, path, `${st ? 'the file' : `the folder ${dir}`} is not writable`, 'Give a writable path.');
  }
}

/** A file the tool will read when it exists (a missing one is allowed): it must not be a folder. */
export function checkFileIfExists(path: string, flag: string): void {
  const st = statOf(path);
  if (st?.isDirectory()) throw bad(flag, path, 'is a folder, not a file', `Give the file itself to ${flag}.`);
}

/**
 * A folder the tool writes into later, checked without creating it: an existing one must be a writable folder, a
 * missing one must be creatable (its nearest existing parent a writable folder). Whatever writes the first file
 * makes it (0700), so a run refused before that (another run holds the device) leaves no empty folder behind.
 */
export function checkWritableDir(path: string, flag: string): void {
  const abs = resolve(path);
  if (statOf(abs)) {
    ensureWritableDir(abs, flag); // exists: only the checks run
    return;
  }
  let parent = dirname(abs);
  let st = statOf(parent);
  while (!st && dirname(parent) !== parent) {
    parent = dirname(parent);
    st = statOf(parent);
  }
  if (!st?.isDirectory())
    throw bad(flag, path, `cannot be created (${parent} is not a folder)`, `Give a folder to ${flag}.`);
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch {
    throw bad(
      flag,
      path,
      `cannot be created (the folder ${parent} is not writable)`,
      `Give a writable folder to ${flag}.`,
    );
  }
}

/** A file whose folder is made when the file is written: the folder as checkWritableDir, the file as checkWritableFile. */
export function checkWritableFileLater(path: string, flag: string): void {
  const dir = dirname(resolve(path));
  checkWritableDir(dir, flag);
  if (statOf(dir)) checkWritableFile(path, flag);
}

/** A folder the tool writes into: created (0700) when missing; it must be a writable folder. */
export function ensureWritableDir(path: string, flag: string): void {
  const st = statOf(path);
  if (st && !st.isDirectory()) throw bad(flag, path, 'is a file, not a folder', `Give a folder to ${flag}.`);
  if (!st) {
    try {
      mkdirSync(path, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw bad(flag, path, `cannot be created (${systemErrorWords(e)})`, `Give a writable folder to ${flag}.`);
    }
  }
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch {
    throw bad(flag, path, 'is not writable', `Give a writable folder to ${flag}.`);
  }
}
