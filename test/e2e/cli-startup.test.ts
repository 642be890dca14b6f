/**
 * Start-up stays cheap: the built CLI (`node dist/cli.js`, built by `npx tsc -p tsconfig.build.json`) declares its
 * commands without loading the heavy libraries; each command loads its implementation when it runs.
 * Every module the ESM loader resolves is recorded by a resolve hook (node:module register, Node >= 20.6) that
 * appends the URL to a file; no timing is asserted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CommandName, exitCodeHelp } from '../../src/errors.js';
import { DEFAULT_EHLO_NAME } from '../../src/probe/conversation.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The dependencies that made `--version` take half a second: none may load just to declare the commands. */
const HEAVY = ['ssh2', 'smtp-server', 'listr2', '@inquirer', 'yaml', 'zod', 'dotenv', 'diff', 'dns-packet'];

const dir = mkdtempSync(join(tmpdir(), 'mailguard-startup-'));
writeFileSync(
  join(dir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, r.url + '\\n');
  return r;
}
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { out: process.env.MAILGUARD_RESOLVED_LOG } });
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;

/** Run the CLI with the resolve hook; `loaded` is every URL the ESM loader resolved. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string; loaded: string[] }> {
  const log = join(dir, `resolved-${++runs}.txt`);
  writeFileSync(log, '');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(join(dir, 'register.mjs')).href, CLI, ...args],
      { timeout: 20_000, env: { ...process.env, MAILGUARD_RESOLVED_LOG: log } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) });
      },
    );
  });
}

/** The heavy packages among the resolved URLs. */
function heavyIn(loaded: string[]): string[] {
  return HEAVY.filter((name) => loaded.some((url) => url.includes(`/node_modules/${name}/`)));
}

describe('CLI start-up', () => {
  it('--version loads commander and the command declarations only', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    // The hook works: the CLI and commander were seen.
    expect(r.loaded.some((u) => u.endsWith('/dist/cli.js'))).toBe(true);
    expect(r.loaded.some((u) => u.includes('/node_modules/commander/'))).toBe(true);
    expect(heavyIn(r.loaded)).toEqual([]);
    // No command implementation is loaded to print the version.
    expect(r.loaded.filter((u) => /\/cli\/commands\/[a-z]+-action\.js$/.test(u))).toEqual([]);
  });

  it.each(['', 'probe', 'detect', 'apply', 'rollback', 'run', 'wizard', 'lab', 'demo', 'report merge', 'backups'])(
    'asa-mailguard %s --help loads none of the heavy dependencies',
    async (cmd) => {
      const r = await runCli([...(cmd ? cmd.split(' ') : []), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: asa-mailguard/);
      expect(heavyIn(r.loaded)).toEqual([]);
      // Every command's exit codes are the rows of the one table (src/errors.ts) that hold for it.
      if (cmd) expect(r.stdout).toContain(exitCodeHelp(cmd.split(' ')[0] as CommandName));
      // ...and examples (issue #16: the README promises both for every command).
      if (cmd) expect(r.stdout).toMatch(/\nExamples:\n {2}\$ \S/);
    },
  );

  it('a command loads its implementation when it runs (the check above can fail)', async () => {
    const r = await runCli(['run', join(dir, 'no-such-playbook.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-playbook.yaml');
    expect(heavyIn(r.loaded)).toEqual(expect.arrayContaining(['yaml', 'zod']));
  });

  it('detect --config reads a saved config without the session layer (ssh2)', async () => {
    // Capture: asa_show-running-config_1.txt (test/fixtures/asa-outputs, a copy of shared/reference/asa-outputs).
    const cfg = new URL('../fixtures/asa-outputs/asa_show-running-config_1.txt', import.meta.url).pathname;
    const r = await runCli(['detect', '--config', cfg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SMTP inspection:');
    expect(heavyIn(r.loaded)).not.toContain('ssh2');
  });

  it('apply over SSH without a probe target loads the SSH client only: no probe, telnet, SSH-1, lab or UI code', async () => {
    // lab/faults.js is the lab command's help text, declared at every start like the other commands'.
    // Port 9 on loopback (discard) is closed here: the run gets as far as opening the SSH transport, then exits 3.
    const backups = join(dir, 'apply-backups');
    const r = await runCli([
      'apply',
      'admin@127.0.0.1:9',
      '--yes',
      '--json',
      '--reload',
      'never',
      '--backup-dir',
      backups,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/"code":"CONNECT_(FAILED|TIMEOUT)"/);
    // The hook works: ssh2's client came in (from its own file, not ssh2's index with its server and HTTP agents).
    expect(r.loaded.some((u) => u.endsWith('/node_modules/ssh2/lib/client.js'))).toBe(true);
    expect(r.loaded.filter((u) => u.endsWith('/node_modules/ssh2/lib/index.js'))).toEqual([]);
    const unneeded =
      /\/dist\/(probe\/(conversation|targets)|transport\/(telnet|ssh1\/)|lab\/(?!faults\.js)|wizard\/|playbook\/)/;
    expect(r.loaded.filter((u) => unneeded.test(u))).toEqual([]);
    expect(heavyIn(r.loaded).filter((n) => ['smtp-server', 'listr2', '@inquirer', 'yaml'].includes(n))).toEqual([]);
  });

  it('probe --help shows the EHLO name the probe really uses', async () => {
    // src/cli/commands/probe.ts keeps a copy of DEFAULT_EHLO_NAME so its declarations load no probe code.
    const r = await runCli(['probe', '--help']);
    expect(r.code).toBe(0);
    // commander wraps the help to the terminal width: compare with the whitespace folded.
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(`(default ${DEFAULT_EHLO_NAME})`);
  });
});
