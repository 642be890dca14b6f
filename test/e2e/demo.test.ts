/** `npm run demo` / `asa-mailguard demo` (issue #5 §6, #16): the whole job against the in-process lab, exit 0. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runNode } from './apply-helpers.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
// The demo's temporary folder goes under TMPDIR: a fresh one per test shows what it leaves behind.
const tmpRoot = mkdtempSync(join(tmpdir(), 'mailguard-demo-test-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

it('the demo verifies the change from outside, exits 0 well under a minute and leaves no folder', async () => {
  const tmp = mkdtempSync(join(tmpRoot, 'ok-'));
  const started = Date.now();
  const { code, stdout, stderr } = await runNode(CLI, ['demo'], {
    env: { NO_COLOR: '1', TMPDIR: tmp },
    timeoutMs: 60_000,
  });
  expect(code, stdout + stderr).toBe(0);
  expect(Date.now() - started).toBeLessThan(60_000);
  // The evidence: a masked banner before, the real one after, and the verdicts.
  expect(stdout).toMatch(/verdict: inspected/);
  expect(stdout).toMatch(/S: 220 \*{5,}/);
  expect(stdout).toMatch(/verdict: clean/);
  expect(stdout).toMatch(/S: 220 mail\.example\.com/);
  expect(stdout).toMatch(/no inspect esmtp/);
  expect(stdout).toMatch(/Verified from outside/);
  expect(stdout).toContain(join(tmp, 'asa-mailguard-demo-'));
  expect(readdirSync(tmp)).toEqual([]);
}, 70_000);

it('Ctrl-C during the demo removes its folder and exits 130', async () => {
  const tmp = mkdtempSync(join(tmpRoot, 'int-'));
  const child = spawn(process.execPath, [CLI, 'demo'], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const code = await new Promise<number | null>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the demo never reached its detect step:\n${out}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // The folder exists from the start; interrupt once the demo is talking to the device.
      if (/Detect: read the firewall/.test(out) && child.exitCode === null && !child.killed) child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', (c) => {
      clearTimeout(timer);
      done(c);
    });
  });
  expect(code, out).toBe(130);
  expect(out).toMatch(/demo stopped \(SIGINT\)/);
  expect(readdirSync(tmp)).toEqual([]);
}, 70_000);
