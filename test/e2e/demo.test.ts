/** `npm run demo` (issue #5 §6): the built demo runs the whole job against the in-process lab and exits 0. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

it('the demo verifies the change from outside and exits 0 well under a minute', async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done, fail) => {
      const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../dist/demo.js')], {
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`demo did not finish in 60 s:\n${out}\n${err}`));
      }, 60_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        done({ code: c, stdout: out, stderr: err });
      });
    },
  );
  expect(code, stdout + stderr).toBe(0);
  expect(Date.now() - started).toBeLessThan(60_000);
  // The evidence: a masked banner before, the real one after, and the verdicts.
  expect(stdout).toMatch(/verdict: inspected/);
  expect(stdout).toMatch(/S: 220 \*{5,}/);
  expect(stdout).toMatch(/verdict: clean/);
  expect(stdout).toMatch(/S: 220 mail\.example\.com/);
  expect(stdout).toMatch(/no inspect esmtp/);
  expect(stdout).toMatch(/Verified from outside/);
}, 70_000);
