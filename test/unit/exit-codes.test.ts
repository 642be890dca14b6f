/**
 * One table of exit codes (src/errors.ts): every error code maps to a row of it, and README's "Exit codes" table is
 * the same rows in the same order (--help is checked in test/e2e/cli-startup.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes, exitCodeTable } from '../../src/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('exit codes', () => {
  it('README lists exactly the rows of exitCodeTable', () => {
    const section = readme.slice(readme.indexOf('### Exit codes'));
    const rows = section
      .split('\n')
      .filter((l) => /^\| \d/.test(l))
      .map((l) => l.trim());
    expect(rows).toEqual(exitCodeTable.map((r) => `| ${r.codes.join(', ')} | ${r.meaning} |`));
  });

  it('every error code exits with a code the table explains', () => {
    const documented = new Set(exitCodeTable.flatMap((r) => r.codes));
    for (const [code, exit] of Object.entries(errorCodes)) expect(documented.has(exit), code).toBe(true);
  });

  it('the codes the issue fixed: locked 8, internal 70, one code per signal', () => {
    expect(errorCodes).toMatchObject({
      DEVICE_LOCKED: 8,
      INTERNAL: 70,
      BAD_PATH: 2,
      INTERRUPTED: 130,
      TERMINATED: 143,
      HANGUP: 129,
      RELOAD_CANCEL_FAILED: 4,
    });
  });
});
