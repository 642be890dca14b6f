import { describe, expect, it } from 'vitest';
import { classifyDeviceOutput, isAuthorizationFailure } from '../../src/platform/messages.js';
import { capture } from '../fixtures/load.js';

describe('classifyDeviceOutput (asa-cli.md §3.5)', () => {
  it('caret + ERROR + Command authorization failed (oxidized #486 text quoted in asa-cli.md §1.7)', () => {
    const out =
      "             ^\r\nERROR: % Invalid input detected at '^' marker.\r\nERROR: Command authorization failed\r\n";
    const c = classifyDeviceOutput(out);
    expect(c.ok).toBe(false);
    expect(c.errors).toEqual([
      '             ^',
      "ERROR: % Invalid input detected at '^' marker.",
      'ERROR: Command authorization failed',
    ]);
    expect(isAuthorizationFailure(out)).toBe(true);
  });

  it('ERROR: % Incomplete command and % Ambiguous command / % Invalid input (scrapli failure list)', () => {
    expect(classifyDeviceOutput('ERROR: % Incomplete command').errors).toHaveLength(1);
    expect(classifyDeviceOutput('% Ambiguous command:  "sh"').errors).toHaveLength(1);
    expect(classifyDeviceOutput('% Invalid input detected at marker').errors).toHaveLength(1);
    expect(classifyDeviceOutput('% Incomplete command.').errors).toHaveLength(1);
  });

  it('asa_session-transcript_2.txt: the INFO line is an info, not an error', () => {
    const c = classifyDeviceOutput(capture('asa_session-transcript_2.txt'));
    expect(c.infos).toEqual(['INFO: Security level for "outside" set to 0 by default.']);
    expect(c.errors).toEqual([]);
    expect(c.ok).toBe(true);
  });

  it('WARNING: and **** WARNING **** lines are warnings only', () => {
    const c = classifyDeviceOutput(
      "WARNING: local database is empty! Use 'username' command to define local users.\n" +
        '**** WARNING **** Configuration Replication is NOT performed from Standby unit to Active unit.\n' +
        "INFO: converting 'fixup protocol smtp 25' to MPF commands\n",
    );
    expect(c.ok).toBe(true);
    expect(c.warnings).toHaveLength(2);
    expect(c.infos).toEqual(["INFO: converting 'fixup protocol smtp 25' to MPF commands"]);
  });

  it('plain outputs are ok: asa_show-version_10.txt, asa_show-running-config_1.txt, asa_session-transcript_1.txt', () => {
    for (const f of ['asa_show-version_10.txt', 'asa_show-running-config_1.txt', 'asa_session-transcript_1.txt']) {
      expect(classifyDeviceOutput(capture(f)).ok, f).toBe(true);
    }
  });

  it('pix6: a usage text or the help line counts as an error [unverified PIX format]', () => {
    const out = "Type help or '?' for a list of available commands.";
    expect(classifyDeviceOutput(out).ok).toBe(true);
    expect(classifyDeviceOutput(out, { dialect: 'pix6' }).ok).toBe(false);
  });
});
