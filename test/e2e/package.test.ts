/**
 * The npm package works where it is installed (issue #16): `npm pack` ships what users need and none of the
 * generated lab files, and `npm install -g` of the tarball into a temporary prefix (no dev dependencies, nothing
 * from the repository) gives a CLI whose --version, demo and lab --json work.
 * npm installs the dependencies from its cache when it has them (--prefer-offline), else from the registry, with
 * --ignore-scripts as on a jump host without a build toolchain: ssh2's install script only builds optional native
 * crypto helpers (cpu-features, sshcrypto; a minute of node-gyp here), and ssh2 works without them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltCli, repoRoot } from '../helpers/built-cli.js';
import { labJson, runExe } from '../helpers/shipped.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const work = mkdtempSync(join(tmpdir(), 'mailguard-package-'));
const prefix = join(work, 'prefix');
const bin = join(prefix, 'bin', 'asa-mailguard');
let packed: string[] = [];

beforeAll(() => {
  ensureBuiltCli();
  // The package's bin is the bundled build's head and program (they start faster than dist/cli.js's ESM graph).
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: repoRoot, stdio: 'pipe' });
  // --ignore-scripts: prepack would build again; the two lines above just did.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error(`npm pack said nothing: ${out}`);
  packed = info.files.map((f) => f.path);
  execFileSync(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      join(work, info.filename),
    ],
    {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_loglevel: 'error' },
    },
  );
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package', () => {
  it('ships the CLI, playbooks, examples and docs, and no generated lab file', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'dist-bundle/asa-mailguard.cjs',
        'dist-bundle/asa-mailguard-bin.cjs',
        'dist-bundle/asa-mailguard-program.js',
        'dist/cli.js',
        'playbooks/playbook.schema.json',
      ]),
    );
    expect(packed).toContain('README.md');
    expect(packed).toEqual(expect.arrayContaining(['examples/lab-fleet.yaml', 'docs/lab.md']));
    expect(packed.filter((p) => /lab-inventory|known_hosts|\.env$|^test\/|^src\//.test(p))).toEqual([]);
  });

  it('installs with no dev dependency', () => {
    const modules = join(prefix, 'lib', 'node_modules', 'asa-mailguard', 'node_modules');
    expect(existsSync(join(modules, 'ssh2'))).toBe(true);
    for (const dev of ['typescript', 'vitest', '@biomejs', 'dns-packet'])
      expect(existsSync(join(modules, dev))).toBe(false);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    // The bin is the small head; its program is read beside the real file, not beside npm's link to it.
    expect(realpathSync(bin)).toMatch(/dist-bundle\/asa-mailguard-bin\.cjs$/);
  });

  it('--version answers from the installed CLI', async () => {
    const r = await runExe(bin, ['--version'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('demo runs from the installed CLI and verifies the change', async () => {
    const r = await runExe(bin, ['demo'], { cwd: work, env: { TMPDIR: work }, timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Verified from outside/);
  }, 70_000);

  it('lab --json starts emulated devices from the installed CLI', async () => {
    const { doc, code } = await labJson(bin, [], { cwd: work });
    expect(doc.devices.map((d) => d.dialect)).toEqual(['pix6', 'asa9']);
    expect(code).toBe(0);
  });
});
