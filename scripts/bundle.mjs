/**
 * `npm run bundle`: the whole CLI as one CommonJS file, dist-bundle/asa-mailguard.cjs, that runs with plain
 * `node` >= 20 and no node_modules (for a jump host without internet), and is the entry of the single executable
 * (scripts/sea.mjs: Node 20's SEA loader takes a CommonJS script).
 * ssh2's optional native helpers (cpu-features, the sshcrypto addon) are replaced by a module that throws: ssh2
 * already loads both inside try/catch and uses its JavaScript crypto without them, as after an install without
 * a build toolchain.
 */
import { chmodSync, readFileSync } from 'node:fs';
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

await build({
  entryPoints: [new URL('../src/cli.ts', import.meta.url).pathname],
  outfile: new URL(`../${BUNDLE}`, import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The version is written in: the bundle has no package.json beside it (src/cli.ts reads it otherwise).
  define: { __MAILGUARD_VERSION__: JSON.stringify(pkg.version) },
  plugins: [excludeNative],
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'eof',
  // src/cli.ts reads import.meta.url only when __MAILGUARD_VERSION__ is not defined, never in the bundle.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
});
chmodSync(new URL(`../${BUNDLE}`, import.meta.url), 0o755);
process.stdout.write(`${BUNDLE} (${pkg.version})\n`);
