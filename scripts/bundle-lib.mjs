/**
 * How a bundled build is made (scripts/bundle.mjs for the CLI; bench/startup.mjs for its floor, so both pay the same
 * loading): esbuild makes one CommonJS program; scripts/code-cache-loader.cjs is its head, which compiles it with a
 * per-user V8 code cache. Written: the program file, a head that reads it from beside itself, and (when asked) one
 * file holding both (the program in a comment under the head).
 * ssh2's optional native helpers (cpu-features, the sshcrypto addon) are replaced by a module that throws: ssh2
 * already loads both inside try/catch and uses its JavaScript crypto without them, as after an install without
 * a build toolchain.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { build } from 'esbuild';

const excludeNative = {
  name: 'exclude-native',
  setup(b) {
    b.onResolve({ filter: /^cpu-features$|\.node$/ }, (args) => ({ path: args.path, namespace: 'excluded' }));
    b.onLoad({ filter: /.*/, namespace: 'excluded' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not in the single-file build`)});`,
    }));
  },
};

/** Written aside and renamed: tests build these while other tests copy or pack them. */
function put(file, text, mode) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/**
 * Bundle `entry` and write `program` (the program), `bin` (the head that reads it) and, if given, `single` (both
 * in one file). `define` goes to esbuild. Returns the build id (the cache key of this program).
 */
export async function bundleProgram({ entry, program, bin, single, define = {} }) {
  const out = await build({
    entryPoints: [entry],
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    define,
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
  // Only ASCII, so the head can read the file as latin1 (Node 20's UTF-8 decoding of 3 MB costs tens of ms):
  // esbuild already escapes non-ASCII in code (charset ascii); what is left is in licence comments, written as
  // \\uXXXX.
  const code = out.outputFiles[0].text
    .replace(/^#!.*\n/, '')
    .replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
  const buildId = createHash('sha256').update(wrapped).digest('hex').slice(0, 16);
  // The build id leads the program, so a head can tell a program file of another build (a half-copied install).
  const text = `/*asa-mailguard ${buildId}*/${wrapped}`;
  const loader = readFileSync(new URL('./code-cache-loader.cjs', import.meta.url), 'utf8');
  /** The head for one form: the same loader, told where its program is. */
  const head = (programFile, escapeMarker) =>
    loader
      .replace("'__BUILD_ID__'", () => `'${buildId}'`)
      .replace("'__ESCAPE__'", () => `'${escapeMarker}'`)
      .replace("'__PROGRAM_FILE__'", () => `'${programFile}'`);
  for (const f of [program, bin, single]) if (f) mkdirSync(dirname(f), { recursive: true });
  // The program first: a bin whose program is missing or from another build must never be seen.
  put(program, text, 0o644);
  put(bin, head(basename(program), ''), 0o755);
  if (single) {
    // `*/` inside the program is written `*` + marker + `/` in the comment (the marker occurs nowhere in it).
    let marker = '';
    if (text.includes('*/')) {
      for (let n = 0; !marker || text.includes(marker); n++) marker = `~mg${n}~`;
    }
    const body = marker ? text.replaceAll('*/', `*${marker}/`) : text;
    put(single, `${head('', marker)}\n/*!program\n${body}\n*/\n`, 0o755);
  }
  return buildId;
}
