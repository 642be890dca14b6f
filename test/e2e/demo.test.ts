/** `npm run demo` (issue #5 §6): the built demo runs the whole job against the in-process lab and exits 0. */
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { runNode } from './apply-helpers.js';

it('the demo verifies the change from outside and exits 0 well under a minute', async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await runNode(resolve(import.meta.dirname, '../../dist/demo.js'), [], {
    env: { NO_COLOR: '1' },
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
}, 70_000);
