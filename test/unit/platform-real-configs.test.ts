/**
 * The 41 real configurations in shared/reference/real-configs (sources and licences in its SOURCES.md), each read the
 * way the device reads it (issue #12). The expected answers below were decided by reading every file command by
 * command: PIX ≤ 6 by its `fixup protocol smtp` lines; ASA / PIX 7+ / FWSM 3+ by `inspect esmtp|smtp` under a class
 * of a policy-map that a `service-policy ... global|interface` binds (class-map inspection_default = `match
 * default-inspection-traffic` = port 25 for esmtp). Where the text leaves the answer open, a warning must say so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dialect, Family } from '../../src/platform/types.js';
import { realConfigNames, realConfigsDir } from '../fixtures/load.js';
import { answerOf, type FindingRow as Row } from '../helpers/config-answer.js';

interface Expected {
  active: boolean;
  findings: Row[];
  /** family, version, context mode, failover enabled, dialect; null: the file names no platform at all. */
  platform: [Family | null, string | null, 'single' | 'multiple', boolean, Dialect | null] | null;
  /** Each pattern must match one warning (report or finding), and there must be no other warning. */
  warnings?: RegExp[];
}

const DEFAULT_25: Row = ['inspect', 'esmtp', [25], 'global_policy', 'inspection_default', 'global', true];
const FIXUP_25: Row = ['fixup', 'smtp', [25], null, null, 'global', true];
const NO_SERVICE_POLICY = /No service-policy in this ASA\/PIX 7\+ configuration/;
const UNDEFINED_INSPECTION_DEFAULT = /defines no "class-map inspection_default": its ports are unknown/;

const EXPECTED: Record<string, Expected> = {
  // PIX 4.4-6.x: fixup lines.
  'pix445-chuckbag-outofbox.cfg': {
    active: true,
    findings: [FIXUP_25],
    platform: ['pix', '4.4(5)', 'single', false, 'pix6'],
  },
  'pix531-chuckbag-outofbox.cfg': {
    active: true,
    findings: [FIXUP_25],
    platform: ['pix', '5.3(1)', 'single', false, 'pix6'],
  },
  'pix611-ziptie-pix501.cfg': {
    active: true,
    findings: [FIXUP_25],
    platform: ['pix', '6.1(1)', 'single', false, 'pix6'],
  },
  // `no fixup protocol smtp 25` and no other smtp fixup.
  'pix635-fwbuilder-guardian.cfg': {
    active: false,
    findings: [],
    platform: ['pix', '6.3(5)', 'single', false, 'pix6'],
  },
  // Generated command scripts without a version line ("! Compiled for ..." is a comment the device never sees).
  'pix62-fwbuilder-gen-firewall.cfg': { active: true, findings: [FIXUP_25], platform: null },
  'pix63-fwbuilder-gen-firewall9.cfg': { active: true, findings: [FIXUP_25], platform: null },
  'fwsm23-fwbuilder-gen-fwsm1.cfg': { active: true, findings: [FIXUP_25], platform: null },
  // 4-space nested script indentation: the modes, not the indentation, place `inspect esmtp`.
  'pix70-fwbuilder-gen-firewall50.cfg': { active: true, findings: [DEFAULT_25], platform: null },
  'fwsm4x-fwbuilder-gen-fwsm2.cfg': { active: true, findings: [DEFAULT_25], platform: null },
  // PIX 7/8: MPF like ASA; failover on, unit primary.
  'pix721-fwbuilder-import.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['pix', '7.2(1)', 'single', true, 'asa7'],
  },
  'pix721-fwbuilder-import-nat.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['pix', '7.2(1)', 'single', true, 'asa7'],
  },
  'pix803-fwbuilder-import.cfg': {
    active: false,
    findings: [],
    platform: ['pix', '8.0(3)', 'single', false, 'asa8'],
    warnings: [NO_SERVICE_POLICY],
  },
  'pix804-prometheus-pix1.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['pix', '8.0(4)', 'single', false, 'asa8'],
  },
  'asa706-prometheus-asa2.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '7.0(6)', 'single', false, 'asa7'],
  },
  'asa705-prometheus-asa3.cfg': {
    active: false,
    findings: [],
    platform: ['asa', '7.0(5)', 'single', false, 'asa7'],
    warnings: [NO_SERVICE_POLICY],
  },
  // Only a voice policy (`priority`) bound on wan0 and an unbound sip inspect map: nothing inspects SMTP.
  'asa802-prometheus-asa1.cfg': { active: false, findings: [], platform: ['asa', '8.0(2)', 'single', false, 'asa8'] },
  // global_policy bound, but esmtp was removed from inspection_default.
  'asa804-prometheus-asa4.cfg': { active: false, findings: [], platform: ['asa', '8.0(4)', 'single', false, 'asa8'] },
  'asa8441-prometheus-asa5.cfg': {
    active: true,
    findings: [['inspect', 'esmtp', [25], 'global-policy', 'global-class', 'global', true]],
    platform: ['asa', '8.4(4)1', 'single', false, 'asa8'],
  },
  'asa8441-prometheus-ipv6test.cfg': {
    active: true,
    findings: [['inspect', 'esmtp', [25], 'global-policy', 'global-class', 'global', true]],
    platform: ['asa', '8.4(4)1', 'single', false, 'asa8'],
  },
  'asa832-fwbuilder-import.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '8.3(2)', 'single', false, 'asa8'],
  },
  // `class inspection_default` with no inspect at all, bound globally.
  'asa832-fwbuilder-import-acl.cfg': {
    active: false,
    findings: [],
    platform: ['asa', '8.3(2)', 'single', false, 'asa8'],
  },
  // `object service smtp` only: SMTP as an object, no MPF.
  'asa832-fwbuilder-objects-groups.cfg': {
    active: false,
    findings: [],
    platform: ['asa', '8.3(2)', 'single', false, 'asa8'],
    warnings: [NO_SERVICE_POLICY],
  },
  'asa847-frostyfosse-tp-mgmt.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '8.4(7)30', 'single', false, 'asa8'],
  },
  // esmtp removed from inspection_default; failover on, this unit secondary.
  'asa917-frostyfosse-dbsi.cfg': { active: false, findings: [], platform: ['asa', '9.1(7)', 'single', true, 'asa9'] },
  'asa861-swosika-prod.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '8.6(1)', 'single', false, 'asa8'],
  },
  // Trimmed: `class inspection_default` is used but no class-map defines it: on, ports unknown, said so.
  'asa903-ciscoconfparse-sample01.cfg': {
    active: true,
    findings: [['inspect', 'esmtp', [], 'global_policy', 'inspection_default', 'global', true]],
    platform: ['asa', '9.0(3)', 'single', false, 'asa9'],
    warnings: [UNDEFINED_INSPECTION_DEFAULT],
  },
  'asa903-cisco2terra-commented.cfg': {
    active: true,
    findings: [['inspect', 'esmtp', [], 'global_policy', 'inspection_default', 'global', true]],
    platform: ['asa', '9.0(3)', 'single', false, 'asa9'],
    warnings: [UNDEFINED_INSPECTION_DEFAULT],
  },
  // Flat (no indentation at all): a custom global policy without esmtp.
  'asa901-pyntc-showrun.cfg': { active: false, findings: [], platform: ['asa', '9.0(1)', 'single', false, 'asa9'] },
  // Flat: `inspect esmtp` at column 0 under `class inspection_default` under `policy-map global_policy`.
  'asa9152-prometheus-asa9.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '9.1(5)2', 'single', false, 'asa9'],
  },
  'asa952-mockdevices-showrun.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '9.5(2)204', 'single', false, 'asa9'],
  },
  'asa952-mockdevices-baseline-template.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '9.5(2)204', 'single', false, 'asa9'],
  },
  'asa982-ntc-soteria.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '9.8(2)', 'single', false, 'asa9'],
  },
  'asa9124-oxidized-5512.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '9.12(4)67', 'single', false, 'asa9'],
  },
  'asa918-selcukcosan-backup.cfg': {
    active: true,
    findings: [DEFAULT_25],
    platform: ['asa', '9.18(4)24', 'single', false, 'asa9'],
  },
  // global_policy bound, inspecting dns/ftp/http/icmp only.
  'asa96-dani08-packettracer.cfg': {
    active: false,
    findings: [],
    platform: ['asa', '9.6(1)', 'single', false, 'asa9'],
  },
  // A grammar-test mash-up without a version line; class inspection_default never defined.
  'asa99-batfish-cisco-misc.cfg': {
    active: true,
    findings: [['inspect', 'esmtp', [], 'global_policy', 'inspection_default', 'global', true]],
    platform: null,
    warnings: [UNDEFINED_INSPECTION_DEFAULT],
  },
  // Binds a policy-map the file never defines.
  'asa99-batfish-asa-interface.cfg': {
    active: false,
    findings: [],
    platform: ['asa', '9.9', 'single', false, 'asa9'],
    warnings: [/binds policy-map some-interface-policy, which this file does not define/],
  },
  // FWSM security contexts (`<context>` on the version line): the FWSM keyword `inspect smtp`.
  'fwsm414-fwbuilder-context.cfg': {
    active: true,
    findings: [['inspect', 'smtp', [25], 'global_policy', 'inspection_default', 'global', true]],
    platform: ['fwsm', '4.1(4)', 'multiple', false, 'asa8'],
  },
  'fwsm311-ziptie-context.cfg': {
    active: true,
    findings: [['inspect', 'smtp', [25], 'global_policy', 'inspection_default', 'global', true]],
    platform: ['fwsm', '3.1(1)', 'multiple', false, 'asa7'],
  },
  // A system configuration (`mode multiple`, `context` blocks, failover groups) without a version line: the
  // contexts' own files hold the inspection, and the warning says so.
  'asa915-kolhe-system-context.cfg': {
    active: false,
    findings: [],
    platform: [null, null, 'multiple', true, null],
    warnings: [
      /system configuration of a multiple-context device.*tcs \(disk0:\/tcs\.cfg\), wipro \(disk0:\/wipro\.cfg\)/,
    ],
  },
  // A context's trimmed export: `service-policy global_policy global` without the policy-map: off by the text,
  // but not silently: on a real box global_policy exists and inspects esmtp by default.
  'asa915-kolhe-tcs-context.cfg': {
    active: false,
    findings: [],
    platform: ['asa', '9.1(5)16', 'multiple', false, 'asa9'],
    warnings: [/binds policy-map global_policy, which this file does not define.*factory global_policy inspects esmtp/],
  },
};

const dir = realConfigsDir();

describe.skipIf(dir === null)('the 41 real configurations (shared/reference/real-configs)', () => {
  const names = dir ? realConfigNames(dir) : [];

  it('the table names every file in the folder, and the folder has all 41', () => {
    expect(names).toHaveLength(41);
    expect(Object.keys(EXPECTED).sort()).toEqual(names);
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`${file}: ${want.active ? 'ACTIVE' : 'not active'}${want.warnings ? ', with a warning' : ''}`, () => {
      const got = answerOf(readFileSync(join(dir!, file), 'utf8'));
      expect(got.active).toBe(want.active);
      expect(got.findings).toEqual(want.findings);
      expect(got.platform).toEqual(want.platform);
      const patterns = want.warnings ?? [];
      expect(got.warnings, got.warnings.join('\n')).toHaveLength(patterns.length);
      for (const re of patterns)
        expect(
          got.warnings.some((w) => re.test(w)),
          `${re} in ${got.warnings}`,
        ).toBe(true);
    });
  }
});

describe.runIf(dir === null)('the real configurations', () => {
  it.skip('shared/reference/real-configs is not beside this clone (../shared): skipped', () => {});
});
