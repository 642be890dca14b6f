/**
 * `npm run bundle`: the whole CLI as one CommonJS file, dist-bundle/asa-mailguard.cjs, that runs with plain
 * `node` >= 20 and no node_modules (for a jump host without internet), and is the entry of the single executable
 * (scripts/sea.mjs: Node 20's SEA loader takes a CommonJS script).
 * ssh2's optional native helpers (cpu-features, the sshcrypto addon) are replaced by a module that throws: ssh2
 * already loads both inside try/catch and uses its JavaScript crypto without them, as after an install without
 * a build toolchain.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const BUNDLE = 'dist-bundle/asa-mailguard.cjs';

const excludeNative = {
  name: 'exclude-native',
  setup(b) {
    b.onResolve({ filter: /^cpu-features$|\.node$/ }, (args) => ({ path: args.path, namespace: 'excluded' }));
    b.onLoad({ filter: /.*/, namespace: 'excluded' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not in the single-file build`)});`,
    }));
  },
};

const out = await build({
  entryPoints: [new URL('../src/cli.ts', import.meta.url).pathname],
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The version is written in: the bundle has no package.json beside it (src/cli.ts reads it otherwise).
  define: { __MAILGUARD_VERSION__: JSON.stringify(pkg.version) },
  plugins: [excludeNative],
  // Identifiers too: a smaller file is less to read and hash at every start; keepNames keeps class and function
  // names (error names, stack traces) as written.
  minify: true,
  keepNames: true,
  legalComments: 'eof',
  // src/cli.ts reads import.meta.url only when __MAILGUARD_VERSION__ is not defined, never in the bundle.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
});
// The program goes in a comment under a small head that compiles it with a per-user V8 code cache
// (scripts/code-cache-loader.cjs says why and how); the file stays one file that runs with plain node.
// Only ASCII, so the head can read the file as latin1 (Node 20's UTF-8 decoding of 3 MB costs tens of ms): esbuild
// already escapes non-ASCII in code (charset ascii); what is left is in licence comments, written as \\uXXXX.
const code = out.outputFiles[0].text
  .replace(/^#!.*\n/, '')
  .replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const program = `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
let marker = '';
if (program.includes('*/')) {
  for (let n = 0; !marker || program.includes(marker); n++) marker = `~mg${n}~`;
}
const head = readFileSync(new URL('./code-cache-loader.cjs', import.meta.url), 'utf8')
  .replace("'__BUILD_ID__'", () => `'${createHash('sha256').update(program).digest('hex').slice(0, 16)}'`)
  .replace("'__ESCAPE__'", () => `'${marker}'`);
const body = marker ? program.replaceAll('*/', `*${marker}/`) : program;
mkdirSync(new URL('../dist-bundle', import.meta.url), { recursive: true });
// Written aside and renamed: tests build it while other tests copy or pack it.
const tmp = new URL(`../${BUNDLE}.${process.pid}.tmp`, import.meta.url);
writeFileSync(tmp, `${head}\n/*!program\n${body}\n*/\n`);
chmodSync(tmp, 0o755);
renameSync(tmp, new URL(`../${BUNDLE}`, import.meta.url));
process.stdout.write(`${BUNDLE} (${pkg.version})\n`);
