/**
 * `npm run sea`: a single executable for hosts without Node, from the bundle (scripts/bundle.mjs) with Node's
 * single-executable-application support: the bundle becomes a blob (`node --experimental-sea-config`), a copy of
 * this node binary gets it injected with postject. Linux and other ELF hosts; the executable runs on machines like
 * this one (same OS and CPU, glibc).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist-bundle');
const bundle = join(out, 'asa-mailguard.cjs');
const EXECUTABLE = join(out, 'asa-mailguard');
const blob = join(out, 'asa-mailguard.blob');
const config = join(out, 'sea-config.json');

if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run bundle first`);
writeFileSync(
  config,
  JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    // V8's code cache for the bundle, made at build time: the executable skips most parsing at start.
    useCodeCache: true,
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
rmSync(blob, { force: true });
rmSync(config, { force: true });
process.stdout.write(`${EXECUTABLE}\n`);
