import { describe, expect, it } from 'vitest';
import { findingKey, plan, planRestore } from '../../src/change/plan.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { Dialect } from '../../src/platform/types.js';
import { capture, configFixture } from '../fixtures/load.js';

/** One ASA class edit as plan()/planRestore() write it: into the policy-map and class, the inspect line, out of both. */
const inClass = (cls: string, line: string) => ['policy-map global_policy', `class ${cls}`, line, 'exit', 'exit'];

function planFor(config: string, dialect: Dialect, context?: string | null) {
  const findings = findSmtpInspection(config, { context: context ?? null }).findings;
  return plan({ findings, dialect, runningConfig: config, context });
}

describe('plan()', () => {
  it('asa_show-running-config_1.txt: commands, inverse and a diff removing `  inspect esmtp `', () => {
    const p = planFor(capture('asa_show-running-config_1.txt'), 'asa9');
    expect(p.nothingToDo).toBe(false);
    expect(p.steps).toHaveLength(1);
    expect(p.commands).toEqual(inClass('inspection_default', 'no inspect esmtp'));
    expect(p.inverse).toEqual(inClass('inspection_default', 'inspect esmtp'));
    expect(p.diff).toContain('--- running-config (before)');
    expect(p.diff).toContain('+++ running-config (expected after)');
    expect(p.diff).toContain('\n-  inspect esmtp \n');
    expect(p.diff.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-  inspect esmtp ']);
    expect(p.expectedConfig).not.toMatch(/inspect esmtp/);
    expect(p.expectedConfig).toContain('  inspect sqlnet \n');
    // The expected config is itself clean: detect on it finds nothing.
    expect(findSmtpInspection(p.expectedConfig).active).toBe(false);
  });

  it('pix_show-running-config_3.txt: `no fixup protocol smtp 25`, shown afterwards as `no fixup protocol smtp 25`', () => {
    const p = planFor(capture('pix_show-running-config_3.txt'), 'pix6');
    expect(p.commands).toEqual(['no fixup protocol smtp 25']);
    expect(p.inverse).toEqual(['fixup protocol smtp 25']);
    expect(p.diff).toContain('\n-fixup protocol smtp 25\n+no fixup protocol smtp 25\n');
    expect(findSmtpInspection(p.expectedConfig).active).toBe(false);
  });

  it('pix6_two-smtp-ports.cfg: one command per port; inverse in reverse order; non-default port disappears', () => {
    const p = planFor(configFixture('pix6_two-smtp-ports.cfg'), 'pix6');
    expect(p.commands).toEqual(['no fixup protocol smtp 25', 'no fixup protocol smtp 2525']);
    expect(p.inverse).toEqual(['fixup protocol smtp 2525', 'fixup protocol smtp 25']);
    expect(p.expectedConfig).toContain('no fixup protocol smtp 25\n');
    expect(p.expectedConfig).not.toContain('fixup protocol smtp 2525');
  });

  it('asa9_custom-port-and-default.cfg: both places, inverse reversed step by step', () => {
    const p = planFor(configFixture('asa9_custom-port-and-default.cfg'), 'asa9');
    expect(p.commands).toEqual([
      ...inClass('inspection_default', 'no inspect esmtp'),
      ...inClass('smtp_587', 'no inspect esmtp'),
    ]);
    expect(p.inverse.slice(0, 3)).toEqual(['policy-map global_policy', 'class smtp_587', 'inspect esmtp']);
    expect(p.inverse.slice(5, 8)).toEqual(['policy-map global_policy', 'class inspection_default', 'inspect esmtp']);
    expect(findSmtpInspection(p.expectedConfig).findings).toEqual([]);
  });

  it('asa9_custom-esmtp-map.cfg: map name in the command and in the diff', () => {
    const p = planFor(configFixture('asa9_custom-esmtp-map.cfg'), 'asa9');
    expect(p.commands[2]).toBe('no inspect esmtp my_map');
    expect(p.diff).toContain('\n-  inspect esmtp my_map \n');
    // The inspect map definition itself stays.
    expect(p.expectedConfig).toContain('policy-map type inspect esmtp my_map\n');
  });

  it('asa9_interface-binding.cfg: the interface-bound policy-map is planned', () => {
    const p = planFor(configFixture('asa9_interface-binding.cfg'), 'asa8');
    expect(p.commands.slice(0, 3)).toEqual(['policy-map outside_policy', 'class smtp_587', 'no inspect esmtp']);
  });

  it('asa9_unbound-policy-map.cfg: inactive finding reported in skipped, nothing to do', () => {
    const p = planFor(configFixture('asa9_unbound-policy-map.cfg'), 'asa9');
    expect(p.nothingToDo).toBe(true);
    expect(p.commands).toEqual([]);
    expect(p.skipped.map((f) => f.policyMap)).toEqual(['mail_policy']);
  });

  it('idempotent: asa9_disabled.cfg and pix6_disabled.cfg have nothing to do and an empty diff', () => {
    for (const [file, dialect] of [
      ['asa9_disabled.cfg', 'asa9'],
      ['pix6_disabled.cfg', 'pix6'],
    ] as const) {
      const p = planFor(configFixture(file), dialect);
      expect(p.nothingToDo, file).toBe(true);
      expect(p.commands).toEqual([]);
      expect(p.inverse).toEqual([]);
      expect(p.diff).not.toMatch(/^@@/m);
    }
  });

  it('planning on the expected config again is nothing to do (asa_show-running-config_1.txt)', () => {
    const first = planFor(capture('asa_show-running-config_1.txt'), 'asa9');
    expect(planFor(first.expectedConfig, 'asa9').nothingToDo).toBe(true);
  });

  it('multiple context: only the findings of the given context are planned', () => {
    const a = findSmtpInspection(configFixture('asa9_custom-port-and-default.cfg'), { context: 'ctxA' }).findings;
    const b = findSmtpInspection(configFixture('asa9_inspect-smtp.cfg'), { context: 'ctxB' }).findings;
    const p = plan({
      findings: [...a, ...b],
      dialect: 'asa9',
      runningConfig: configFixture('asa9_inspect-smtp.cfg'),
      context: 'ctxB',
    });
    expect(p.context).toBe('ctxB');
    expect(p.findings).toHaveLength(1);
    expect(p.commands[2]).toBe('no inspect smtp');
  });
});

describe('planRestore()', () => {
  it('asa_show-running-config_1.txt backup vs asa9_disabled.cfg: puts `inspect esmtp` back under the same class', () => {
    const r = planRestore(capture('asa_show-running-config_1.txt'), configFixture('asa9_disabled.cfg'), 'asa9');
    expect(r.nothingToDo).toBe(false);
    expect(r.commands).toEqual(inClass('inspection_default', 'inspect esmtp'));
    expect(r.inverse).toEqual(inClass('inspection_default', 'no inspect esmtp'));
    expect(r.diff).toContain('\n+  inspect esmtp \n');
    expect(findSmtpInspection(r.expectedConfig).findings.map(findingKey)).toEqual([
      'inspect|esmtp|global_policy|inspection_default|',
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('restore after plan(): expectedConfig of the plan + restore gives back the inspection', () => {
    const before = configFixture('asa9_custom-port-and-default.cfg');
    const p = planFor(before, 'asa9');
    const r = planRestore(before, p.expectedConfig, 'asa9');
    expect(r.commands).toEqual([
      ...inClass('inspection_default', 'inspect esmtp'),
      ...inClass('smtp_587', 'inspect esmtp'),
    ]);
    expect(findSmtpInspection(r.expectedConfig).findings.map(findingKey).sort()).toEqual(
      findSmtpInspection(before).findings.map(findingKey).sort(),
    );
  });

  it('pix6_two-smtp-ports.cfg backup vs pix6_disabled.cfg: both fixup lines back', () => {
    const r = planRestore(configFixture('pix6_two-smtp-ports.cfg'), configFixture('pix6_disabled.cfg'), 'pix6');
    expect(r.commands).toEqual(['fixup protocol smtp 25', 'fixup protocol smtp 2525']);
    expect(r.inverse).toEqual(['no fixup protocol smtp 2525', 'no fixup protocol smtp 25']);
    expect(r.expectedConfig).toContain('fixup protocol smtp 25\nfixup protocol smtp 2525\nfixup protocol sqlnet');
    expect(r.expectedConfig).not.toContain('no fixup protocol smtp');
  });

  it('nothing to restore when the current config already has it (asa_show-running-config_1.txt twice)', () => {
    const c = capture('asa_show-running-config_1.txt');
    const r = planRestore(c, c, 'asa9');
    expect(r.nothingToDo).toBe(true);
    expect(r.commands).toEqual([]);
  });

  it('inactive (unbound) backup findings are not restored unless asked (asa9_unbound-policy-map.cfg)', () => {
    const backup = configFixture('asa9_unbound-policy-map.cfg');
    const current = configFixture('asa9_disabled.cfg');
    expect(planRestore(backup, current, 'asa9').nothingToDo).toBe(true);
    const r = planRestore(backup, current, 'asa9', { includeInactive: true });
    expect(r.commands.slice(0, 3)).toEqual(['policy-map mail_policy', 'class smtp_587', 'inspect esmtp']);
    expect(r.warnings[0]).toMatch(/mail_policy/);
  });
});
