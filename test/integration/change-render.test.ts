/**
 * Outcome wording of one change, in the CLI summary and the change record (both from src/change/outcome.ts):
 * outcomes that leave the device in different states never read alike.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/change/record.js';
import type { ChangeResult } from '../../src/change/types.js';
import { formatResult } from '../../src/cli/render/summary.js';

const base: ChangeResult = {
  target: '127.0.0.1:2222',
  device: { hostname: 'fw1', serial: 'JMX0938K0C0', address: '127.0.0.1:2222' },
  provenance: {
    changeId: 'CHG-1',
    operator: 'ops@jump',
    tool: 'asa-mailguard',
    toolVersion: '0.1.0',
    timeZone: 'Europe/Berlin',
    playbookSha256: null,
    inventorySha256: null,
  },
  startedAtLocal: '2026-11-28T08:00:00+01:00',
  finishedAtLocal: '2026-11-28T08:00:01+01:00',
  mode: 'disable',
  outcome: 'done',
  exitCode: 0,
  verification: 'verified',
  commands: [],
  reloaded: false,
  finalState: { running: 'changed', startup: 'changed', notes: [] },
  steps: [],
  startedAt: '2026-11-28T07:00:00.000Z',
  finishedAt: '2026-11-28T07:00:01.000Z',
};

const keptUnverified: ChangeResult = {
  ...base,
  outcome: 'kept-unverified',
  exitCode: 5,
  verification: 'not-verified',
  error: {
    code: 'VERIFY_FAILED',
    message: 'The outside probe is not clean after the change (inspected); the change was kept.',
  },
};
const rolledBack: ChangeResult = {
  ...base,
  outcome: 'rolled-back',
  exitCode: 5,
  verification: 'not-verified',
  error: { code: 'VERIFY_FAILED', message: 'The outside probe is not clean after the change (inspected).' },
  finalState: { running: 'original', startup: 'original', notes: [] },
};
const standby: ChangeResult = {
  ...base,
  outcome: 'failed',
  exitCode: 4,
  verification: 'not-probed',
  error: { code: 'STANDBY_UNIT', message: 'fw1 is the standby unit of a failover pair.' },
  finalState: { running: 'original', startup: 'original', notes: [] },
};

const resultLine = (r: ChangeResult) => formatResult(r).split('\n')[0];
const outcomeRow = (r: ChangeResult) =>
  renderMarkdown(r)
    .split('\n')
    .find((l) => l.startsWith('| Outcome |'));

describe('outcome wording', () => {
  it('kept-unverified and rolled-back read differently in the summary and the record', () => {
    expect(resultLine(keptUnverified)).toBe(
      'Result: NOT VERIFIED from outside; the change was kept (--no-rollback-on-verify-failure) (exit 5)',
    );
    expect(resultLine(rolledBack)).toBe('Result: FAILED and rolled back (exit 5)');
    expect(formatResult(keptUnverified)).toMatch(/running-config: changed; startup-config: changed/);
    expect(formatResult(rolledBack)).toMatch(/running-config: original; startup-config: original/);
    expect(outcomeRow(keptUnverified)).toMatch(/^\| Outcome \| \*\*kept-unverified\*\* \(exit code 5\): NOT VERIFIED/);
    expect(outcomeRow(rolledBack)).toMatch(
      /^\| Outcome \| \*\*rolled-back\*\* \(exit code 5\): FAILED and rolled back/,
    );
  });

  it('the standby unit is refused, not failed (exit code unchanged)', () => {
    expect(resultLine(standby)).toMatch(
      /^Result: REFUSED: 127\.0\.0\.1:2222 is the standby unit .*active unit.* \(exit 4\)$/,
    );
    expect(outcomeRow(standby)).toMatch(/^\| Outcome \| \*\*refused\*\* \(exit code 4\): REFUSED: .*standby unit/);
    // Any other failure before the first config command stays a failure.
    const locked = { ...standby, error: { code: 'DEVICE_LOCKED' as const, message: 'Another run is changing it.' } };
    expect(resultLine(locked)).toBe('Result: FAILED before any config command (exit 4)');
    expect(outcomeRow(locked)).toMatch(/\*\*failed\*\* \(exit code 4\)/);
  });
});
