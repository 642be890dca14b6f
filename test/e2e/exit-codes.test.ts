/**
 * Exit codes that tell the truth, through the built CLI: argument errors as JSON with --json, the renamed
 * --env-file through the real bin (its shebang: Node 20 would read --env-file itself, nodejs/node#54232), and bad
 * paths as bad input (exit 2) before anything is contacted, with the process ending.
 */

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltCli } from '../helpers/built-cli.js';
import { type CliRun, runCli, tempDir } from './apply-helpers.js';

let bin = '';
beforeAll(() => {
  bin = ensureBuiltCli();
  // npm makes the bin executable when it installs it; the build does not.
  chmodSync(bin, 0o755);
});

/** Run the bin as a shell would: the kernel reads its shebang. */
function runBin(args: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const jsonError = (r: CliRun) => JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}').error;

describe('exit codes and argument errors', () => {
  it.each([
    [['apply', '127.0.0.1', '--bogus', '--json'], /unknown option '--bogus'/],
    [['apply', '--json'], /missing required argument 'target'/],
    [
      ['apply', '127.0.0.1', '--reload', 'sometimes', '--json'],
      /--reload: "sometimes" is not a choice; give never, if-needed or after-save/,
    ],
  ])('%j: {"error":{"code":"USAGE"}} on stdout, exit 2', async (args, message) => {
    const r = await runCli(args, { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(jsonError(r)).toMatchObject({ code: 'USAGE', message: expect.stringMatching(message) });
    expect(r.stderr).toBe('');
  });

  it('--env-file through the real bin: exit 2 naming --dotenv (not Node exiting 9 on the missing file)', async () => {
    const cwd = tempDir();
    const r = await runBin(['run', 'x.yaml', '--env-file', 'missing.env'], cwd);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--env-file was renamed to --dotenv/);
    const j = await runBin(['run', 'x.yaml', '--env-file', 'missing.env', '--json'], cwd);
    expect(jsonError(j)).toMatchObject({ code: 'USAGE', message: expect.stringContaining('--dotenv') });
  });

  it.each([
    [
      '--transcript in a missing folder',
      ['--transcript', '/nonexistent-dir/t.log'],
      /the folder \/nonexistent-dir does not exist/,
    ],
    ['--known-hosts naming a folder', ['--known-hosts', '.'], /is a folder, not a file/],
  ])('%s: BAD_PATH, exit 2, and the process ends', async (_name, flags, message) => {
    const cwd = tempDir();
    const r = await runCli(['apply', '127.0.0.1', '--port', '9', '--yes', '--json', ...flags], {
      cwd,
      env: { ASA_USERNAME: 'u', ASA_PASSWORD: 'p' },
      timeoutMs: 30_000,
    });
    expect(r.code, r.stdout).toBe(2);
    expect(jsonError(r)).toMatchObject({ code: 'BAD_PATH', message: expect.stringMatching(message) });
  });

  it('lab --inventory-out in a missing folder: exit 2 before any port is opened', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'x'));
    const r = await runCli(['lab', '--dialect', 'asa9', '--inventory-out', join(cwd, 'missing', 'inv.yaml')], {
      cwd,
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BAD_PATH.*--inventory-out .*does not exist/);
    expect(r.stderr).not.toMatch(/ready|listening/i);
  });
});
