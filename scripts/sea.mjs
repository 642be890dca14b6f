/**
 * `npm run sea`: a single executable for hosts without Node, from the bundle (scripts/bundle.mjs) with Node's
 * single-executable-application support: the bundle's head and program become a blob (`node --experimental-sea-config`), a copy of
 * this node binary gets it injected with postject. Linux and other ELF hosts; the executable runs on machines like
 * this one (same OS and CPU, glibc).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist-bundle');
const EXECUTABLE = join(out, 'asa-mailguard');
const blob = join(out, 'asa-mailguard.blob');
const config = join(out, 'sea-config.json');
// The npm bin's head (scripts/code-cache-loader.cjs) is the executable's main script and the program beside it is
// its `program` asset, which the head compiles with the per-user code cache (a cache made at build time, SEA's
// useCodeCache, holds only what V8 compiles before running: little).
const main = join(out, 'asa-mailguard-bin.cjs');
const program = join(out, 'asa-mailguard-program.js');

for (const f of [main, program]) if (!existsSync(f)) throw new Error(`${f} is missing: run npm run bundle first`);
writeFileSync(
  config,
  JSON.stringify({
    main,
    output: blob,
    disableExperimentalSEAWarning: true,
    assets: { program },
  }),
);
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });
rmSync(EXECUTABLE, { force: true });
copyFileSync(process.execPath, EXECUTABLE);
chmodSync(EXECUTABLE, 0o755);
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules', 'postject', 'dist', 'cli.js'),
    EXECUTABLE,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    // The fuse string Node's binary carries for SEA (documented in Node's single-executable-applications page).
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ],
  { stdio: 'inherit' },
);
for (const f of [blob, config]) rmSync(f, { force: true });
process.stdout.write(`${EXECUTABLE}\n`);
