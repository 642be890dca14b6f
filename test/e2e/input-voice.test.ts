/**
 * Input in one voice through the built CLI (issue 16, item 4): a bad time value and a bad playbook field end in
 * the tool's words, exit 2, and {"error":{...}} with --json; two processes.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltCli } from '../helpers/built-cli.js';
import { runCli, tempDir } from './apply-helpers.js';

/** zod's own phrases (zod 4 en locale). */
const ZOD_TEXT = /Invalid input|Invalid option|Too (small|big)|received|expected \w+ to (have|be)|NaN/;

const dirs: string[] = [];
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
beforeAll(() => {
  ensureBuiltCli();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('bad input through the CLI', () => {
  it('a bad time flag: the flag, the value, the forms; exit 2, JSON error, nothing contacted', async () => {
    const cwd = dir();
    // The option parser refuses the value before any contact; had it not, the target is loopback port 1 (nothing
    // listens there), never an address off this machine.
    const r = await runCli(['apply', 'admin@127.0.0.1:1', '--command-timeout', 'abc', '--json'], { cwd });
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stdout.trim());
    expect(error).toMatchObject({
      code: 'USAGE',
      message: '--command-timeout: "abc" is not a duration; give seconds (30) or a duration (30s, 2m, 1h)',
      details: { input: '--command-timeout', given: 'abc' },
    });
    expect(r.stderr).toBe('');
  });

  it('a bad playbook field: file:line:column, the key path, no zod text; exit 2, JSON error', async () => {
    const cwd = dir();
    const playbook = join(cwd, 'change.yaml');
    writeFileSync(
      playbook,
      'name: x\ninventory: inv.yaml\ntargets: all\nmode: audit\nconcurrency: 0\noptions:\n  timeouts:\n    commandSec: soon\n',
    );
    writeFileSync(join(cwd, 'inv.yaml'), 'hosts:\n  fw1:\n    host: 127.0.0.1\n');
    const r = await runCli(['run', playbook, '--json'], { cwd });
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(error.code).toBe('PLAYBOOK_INVALID');
    expect(error.message).toContain(`${playbook}:5:14: concurrency: 0 is too small; give at least 1`);
    expect(error.message).toContain(
      `${playbook}:8:17: options.timeouts.commandSec: "soon" is not a duration; give seconds (30) or a duration`,
    );
    expect(error.message).not.toMatch(ZOD_TEXT);
  });
});
