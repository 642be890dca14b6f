/**
 * `npm run bundle`: the whole CLI bundled into CommonJS, in two forms that run with plain `node` >= 20 and no
 * node_modules (scripts/bundle-lib.mjs builds them):
 * - dist-bundle/asa-mailguard.cjs: one file, to copy to a jump host without internet;
 * - dist-bundle/asa-mailguard-bin.cjs + asa-mailguard-program.js: the npm package's bin, a small head and the
 *   program beside it (Node's loader reads the whole bin file before it runs a line: a head alone is read in no
 *   time, where the one-file form is read twice). The head and program are also the single executable's main script
 *   and asset (scripts/sea.mjs: Node 20's SEA loader takes a CommonJS script).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleProgram } from './bundle-lib.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const at = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));

await bundleProgram({
  entry: at('src/cli.ts'),
  program: at('dist-bundle/asa-mailguard-program.js'),
  bin: at('dist-bundle/asa-mailguard-bin.cjs'),
  single: at('dist-bundle/asa-mailguard.cjs'),
  // The version is written in: the bundle has no package.json beside it (src/cli.ts reads it otherwise).
  define: { __MAILGUARD_VERSION__: JSON.stringify(pkg.version) },
});
process.stdout.write(`dist-bundle/asa-mailguard.cjs and dist-bundle/asa-mailguard-bin.cjs (${pkg.version})\n`);
