/**
 * One file for a jump host (issue #16): the single-file bundle runs with plain `node` and no node_modules, and
 * the single executable (Node SEA) runs without node at all; both run the demo, and every command is in them.
 * Both are copied into an empty temporary folder first, so nothing from the repository can help them.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/built-cli.js';
import { labJson, runExe } from '../helpers/shipped.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const work = mkdtempSync(join(tmpdir(), 'mailguard-bundle-'));
const bundle = join(work, 'asa-mailguard.cjs');
const executable = join(work, 'asa-mailguard');
/** Why the executable could not be built here (postject injection), if it could not. */
let seaUnavailable: string | undefined;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: repoRoot, stdio: 'pipe' });
  copyFileSync(join(repoRoot, 'dist-bundle', 'asa-mailguard.cjs'), bundle);
  try {
    execFileSync(process.execPath, ['scripts/sea.mjs'], { cwd: repoRoot, stdio: 'pipe' });
    copyFileSync(join(repoRoot, 'dist-bundle', 'asa-mailguard'), executable);
    execFileSync('chmod', ['755', executable]);
  } catch (e) {
    seaUnavailable = e instanceof Error ? e.message : String(e);
  }
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The bundle as `node asa-mailguard.cjs`, the executable as itself. */
const forms = [
  { name: 'bundle', command: process.execPath, prefix: [bundle] },
  { name: 'executable', command: executable, prefix: [] as string[] },
];

describe.each(forms)('the single $name', ({ name, command, prefix }) => {
  const skipIfNoSea = (ctx: { skip: (note?: string) => void }) => {
    if (name === 'executable' && seaUnavailable) ctx.skip(`no single executable here: ${seaUnavailable}`);
  };

  it('answers --version with the package version', async (ctx) => {
    skipIfNoSea(ctx);
    const r = await runExe(command, [...prefix, '--version'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('runs the demo and verifies the change', async (ctx) => {
    skipIfNoSea(ctx);
    const r = await runExe(command, [...prefix, 'demo'], { cwd: work, env: { TMPDIR: work }, timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Verified from outside/);
  }, 70_000);

  it('holds every command: detect --config, run (yaml, zod) and lab --json load their code', async (ctx) => {
    skipIfNoSea(ctx);
    // Capture: asa_show-running-config_1.txt (test/fixtures/asa-outputs).
    const cfg = join(repoRoot, 'test/fixtures/asa-outputs/asa_show-running-config_1.txt');
    const detect = await runExe(command, [...prefix, 'detect', '--config', cfg], { cwd: work });
    expect(detect.code, detect.stderr).toBe(0);
    expect(detect.stdout).toContain('SMTP inspection:');
    const run = await runExe(command, [...prefix, 'run', join(work, 'no-such-playbook.yaml')], { cwd: work });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no-such-playbook.yaml');
    const { doc } = await labJson(command, prefix, { cwd: work });
    expect(doc.devices.map((d) => d.dialect)).toEqual(['pix6', 'asa9']);
  }, 60_000);

  it('keeps a V8 code cache per user and command (0600), survives a broken one, and can be turned off', async (ctx) => {
    skipIfNoSea(ctx);
    const cache = mkdtempSync(join(work, `cache-${name}-`));
    const run = (args: string[], env: Record<string, string> = {}) =>
      runExe(command, [...prefix, ...args], { cwd: work, env: { XDG_CACHE_HOME: cache, ...env } });
    const files = () => readdirSync(join(cache, 'asa-mailguard')).filter((f) => f.endsWith('.bin'));
    const first = await run(['--version']);
    expect(first.code, first.stderr).toBe(0);
    expect(files()).toHaveLength(1);
    const file = join(cache, 'asa-mailguard', files()[0] as string);
    expect(file).toMatch(/-version-v\d+/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Another command gets its own cache (V8 reads a whole cache at start: --version does not load apply's).
    expect((await run(['backups', '--backup-dir', join(work, 'none')])).code).not.toBe(70);
    expect(files().some((f) => /-backups-v\d+/.test(f))).toBe(true);
    // A cache from elsewhere (another V8, a truncated write) is rejected by V8 and written anew.
    writeFileSync(file, 'not a V8 code cache');
    const again = await run(['--version']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(pkg.version);
    expect(statSync(file).size).toBeGreaterThan(1000);
    // A cache of another build of this form goes when this one writes its own.
    const stale = join(
      cache,
      'asa-mailguard',
      files()[0]?.replace(/^code-[0-9a-f]{16}/, 'code-0123456789abcdef') ?? '',
    );
    writeFileSync(stale, 'old');
    rmSync(file);
    expect((await run(['--version'])).code).toBe(0);
    expect(readdirSync(join(cache, 'asa-mailguard'))).not.toContain(basename(stale));
    rmSync(join(cache, 'asa-mailguard'), { recursive: true });
    const off = await run(['--version'], { ASA_MAILGUARD_CODE_CACHE: 'off' });
    expect(off.stdout.trim()).toBe(pkg.version);
    expect(() => files()).toThrow();
  }, 60_000);
});

describe("the npm package's bin (a head and the program beside it)", () => {
  const dir = join(work, 'npm-bin');
  const bin = join(dir, 'asa-mailguard-bin.cjs');
  const program = join(dir, 'asa-mailguard-program.js');
  beforeAll(() => {
    mkdirSync(dir);
    copyFileSync(join(repoRoot, 'dist-bundle', 'asa-mailguard-bin.cjs'), bin);
    copyFileSync(join(repoRoot, 'dist-bundle', 'asa-mailguard-program.js'), program);
  });

  it('is a small head: Node reads the program once, not with the bin', () => {
    expect(statSync(bin).size).toBeLessThan(16_000);
    expect(statSync(program).size).toBeGreaterThan(1_000_000);
  });

  it('runs a command from the program beside it', async () => {
    // Capture: asa_show-running-config_1.txt (test/fixtures/asa-outputs).
    const cfg = join(repoRoot, 'test/fixtures/asa-outputs/asa_show-running-config_1.txt');
    const r = await runExe(process.execPath, [bin, 'detect', '--config', cfg], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('SMTP inspection: ON');
  });

  it('refuses a program of another build (V8 would check its cache against the length only)', async () => {
    const text = readFileSync(program, 'latin1');
    const other = join(dir, 'other');
    mkdirSync(other);
    copyFileSync(bin, join(other, basename(bin)));
    // Same length, another build id: the one case a stale cache could be taken for this program.
    writeFileSync(
      join(other, basename(program)),
      text.replace(/^\/\*asa-mailguard [0-9a-f]{16}/, '/*asa-mailguard 0123456789abcdef'),
    );
    const r = await runExe(process.execPath, [join(other, basename(bin)), '--version'], { cwd: work });
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/cannot load its program: .* is not the program of this build .*\nInstall it again/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a missing or damaged program ends with a clear message and exit 70, not a stack trace', async () => {
    const lone = join(dir, 'lone');
    mkdirSync(lone);
    copyFileSync(bin, join(lone, basename(bin)));
    const missing = await runExe(process.execPath, [join(lone, basename(bin)), '--version'], { cwd: work });
    expect(missing.code).toBe(70);
    expect(missing.stderr).toMatch(/cannot load its program: .*asa-mailguard-program\.js is missing/);
    writeFileSync(join(lone, basename(program)), `${readFileSync(program, 'latin1')}x`);
    const damaged = await runExe(process.execPath, [join(lone, basename(bin)), '--version'], { cwd: work });
    expect(damaged.code).toBe(70);
    expect(damaged.stderr).toMatch(/cannot load its program: Unexpected/);
    expect(damaged.stderr).not.toMatch(/\n\s+at /);
    // With --json, the error document every command prints.
    const json = await runExe(process.execPath, [join(lone, basename(bin)), 'detect', 'x', '--json'], { cwd: work });
    expect(json.code).toBe(70);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: 'INTERNAL', message: expect.stringMatching(/cannot load its program/) },
    });
  });
});
