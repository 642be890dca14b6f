#!/usr/bin/env -S node --
// asa-mailguard, bundled build (scripts/bundle.mjs). The program sits in the comment at the end of this file (the
// single-file form), in the file named by PROGRAM_FILE beside it (the npm package's bin: Node's loader then reads
// only this head, not 2.3 MB twice), or in the single executable's `program` asset. This head compiles it with a
// V8 code cache kept per user, so a
// start skips parsing and compiling the functions earlier runs compiled. A comment, not a string: V8 skips a
// comment at once but scans a 3 MB string literal for escapes (about 100 ms, more than the cache saves).
// Hand-written (about 70 lines) because Node 20 has no module.enableCompileCache() (22.1+), and the npm
// v8-compile-cache hooks require() and stores the cache before the code runs, when V8 has compiled almost none of
// a bundle's functions (they compile lazily). Here the cache is taken when the process exits, with every function
// this run used, one per command. Any failure falls back to a plain compile.
// `node --` in the first line: Node 20 reads its own --env-file even after the script path otherwise (nodejs/node#54232).
'use strict';
const BUILD_ID = '__BUILD_ID__';
// `*/` inside the program is written `*` + ESCAPE + `/` in the comment (ESCAPE occurs nowhere in the program).
const ESCAPE = '__ESCAPE__';
// '' in the single-file form; else the program's file name, beside this one.
const PROGRAM_FILE = '__PROGRAM_FILE__';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

let sea;
try {
  sea = require('node:sea');
} catch {}
const inSea = !!sea?.isSea();

function program() {
  // getRawAsset (Node >= 20.12) hands out the executable's own bytes; getAsset copies them first.
  if (inSea) {
    const asset = sea.getRawAsset ? sea.getRawAsset('program') : sea.getAsset('program');
    return { source: Buffer.from(asset).toString('latin1'), lineOffset: 0, filename: __filename };
  }
  if (PROGRAM_FILE) {
    const filename = path.join(__dirname, PROGRAM_FILE);
    const source = fs.readFileSync(filename, 'latin1');
    // V8 checks a cache against the source's length only: a program of another build must not meet this one's cache.
    if (!source.startsWith(`/*asa-mailguard ${BUILD_ID}*/`))
      throw new Error(`${filename} is not the program of this build (${BUILD_ID})`);
    return { source, lineOffset: 0, filename };
  }
  const text = fs.readFileSync(__filename, 'latin1'); // ASCII only (scripts/bundle.mjs)
  const open = `\n/*${'!program'}\n`;
  const start = text.indexOf(open) + open.length;
  const body = text.slice(start, text.length - '\n*/\n'.length);
  const lineOffset = text.slice(0, start).split('\n').length - 1;
  return { source: ESCAPE ? body.replaceAll(`*${ESCAPE}/`, '*/') : body, lineOffset, filename: __filename };
}

/** $XDG_CACHE_HOME/asa-mailguard or ~/.cache/asa-mailguard; null when there is no home or caching is off. */
function cacheDir() {
  if (process.env.ASA_MAILGUARD_CODE_CACHE === 'off') return null;
  const base = process.env.XDG_CACHE_HOME || (process.env.HOME && path.join(process.env.HOME, '.cache'));
  return base ? path.join(base, 'asa-mailguard') : null;
}

const dir = cacheDir();
// One cache per command: V8 deserializes a whole cache at start, so `--version` should not pay for `apply`'s
// functions. The command is the first word that is not a flag (`--version` itself when there is none).
const word = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? process.argv[2] ?? '';
const command = /^-{0,2}[a-z][a-z-]{0,20}$/.test(word) ? word.replace(/^-+/, '') : 'other';
// V8 itself rejects a cache made by another V8 or with other flags; the name keeps builds and Node versions apart.
const prefix = `code-${BUILD_ID}${inSea ? '-sea' : ''}-`;
const file = dir && path.join(dir, `${prefix}${command}-${process.version}-${process.arch}.bin`);
let cachedData;
if (file) {
  try {
    cachedData = fs.readFileSync(file);
  } catch {
    cachedData = undefined;
  }
}
let script;
try {
  const { source, lineOffset, filename } = program();
  script = new vm.Script(source, { filename, lineOffset, cachedData });
} catch (e) {
  // A program file gone, of another build or damaged (a half-copied install): say so, no stack trace. Exit 70,
  // the tool's code for an internal error.
  const why = e?.code === 'ENOENT' ? `${e.path} is missing` : e?.message;
  const message = `cannot load its program: ${why}`;
  const hint =
    'Install it again (npm install -g asa-mailguard, or copy the one-file build dist-bundle/asa-mailguard.cjs).';
  const args = process.argv.slice(2);
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).includes('--json')) {
    // The error shape every command prints with --json (src/errors.ts, MailguardError.toJSON).
    const error = { code: 'INTERNAL', message, hint, details: { reason: 'program-not-loaded' } };
    process.stdout.write(`${JSON.stringify({ error })}\n`);
  } else process.stderr.write(`asa-mailguard: ${message}.\n${hint}\n`);
  process.exit(70);
}
if (file && (cachedData === undefined || script.cachedDataRejected)) {
  // Taken at exit: by then V8 has compiled every function this run used.
  process.once('exit', () => {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Caches of other builds of this form (an upgrade) are of no more use.
      for (const f of fs.readdirSync(dir)) {
        const m = /^code-([0-9a-f]{16})(-sea)?-/.exec(f);
        if (m && m[1] !== BUILD_ID && !!m[2] === inSea) fs.rmSync(path.join(dir, f), { force: true });
      }
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch {
      // A read-only or full home: run without a cache.
    }
  });
}
script.runInThisContext()(exports, require, module, __filename, __dirname);
