/**
 * The plan of a dry run (src/playbook/device-plan.ts) from the engine's own plan of real-capture fixtures: what a
 * device plan says for an inspect in a policy-map nobody binds, how the back-out command reaches the device as the
 * run did (transport, quoted paths, jump chain, key), a rollback playbook's back-out, `--diff` texts, and the scope
 * of the window in its zone and in UTC. The end-to-end path on the lab is test/e2e/run-plan.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/change/plan.js';
import type { ChangeResult } from '../../src/change/types.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { Dialect } from '../../src/platform/types.js';
import { deviceDiff, devicePlan, fleetPlan } from '../../src/playbook/device-plan.js';
import type { DeviceRecord, FleetTarget } from '../../src/playbook/fleet.js';
import type { RunSettings } from '../../src/playbook/playbook.js';
import { windowFromPlaybook } from '../../src/playbook/window.js';
import { configFixture } from '../fixtures/load.js';

const settings = (o: Partial<RunSettings> = {}): RunSettings =>
  ({
    name: 't',
    changeId: null,
    mode: 'disable-smtp-inspection',
    dryRun: true,
    reload: 'if-needed',
    safetyReloadMin: 10,
    rollbackOnVerifyFailure: null,
    hostKeyPolicy: 'strict',
    legacyAlgorithms: false,
    knownHosts: null,
    backupDir: '/srv/mg backups',
    context: null,
    timeouts: { reloadMs: 900_000 },
    concurrency: 2,
    canary: 1,
    maxFailures: 1,
    reportDir: 'reports',
    window: { kind: 'always' },
    expectedDurationMs: 1_200_000,
    ...o,
  }) as RunSettings;

/** The engine's dry-run result for a config as the device printed it (only the fields a plan reads). */
function dryRun(file: string, dialect: Dialect, mode: 'disable' | 'restore' = 'disable'): ChangeResult {
  const config = configFixture(file);
  const inspection = findSmtpInspection(config);
  const p = plan({ findings: inspection.findings, dialect, runningConfig: config });
  return {
    outcome: 'dry-run',
    device: { hostname: 'fw1', serial: 'JMX0938K0C0', address: '127.0.0.1:2201' },
    inspection,
    plan: { mode, dialect, nothingToDo: p.nothingToDo, contexts: [p] },
    finalState: { running: 'original', startup: 'original', notes: [] },
  } as unknown as ChangeResult;
}

const target = (o: Partial<FleetTarget['connect']> = {}): FleetTarget => ({
  name: 'fw1',
  connect: { host: '127.0.0.1', port: 2201, transport: 'ssh', username: 'netops', ...o },
  groups: ['all'],
  failoverPeer: null,
  probe: { smtp: [{ host: '192.0.2.25', port: 25 }], domain: null },
});

describe('devicePlan', () => {
  it('changes only the bound inspection; an inspect in an unbound policy-map is listed as left alone', () => {
    const p = devicePlan(dryRun('asa9_unbound-policy-map.cfg', 'asa9'), target(), settings());
    expect(p?.nothingToDo).toBe(true);
    expect(p?.notChanged).toEqual([expect.stringMatching(/^inspect esmtp in mail_policy\/smtp_587 .*\(inactive\)$/)]);
    expect(p?.backout.commands).toEqual([]);
  });

  it('pix6 over telnet: fixup commands and inverse, verification by re-read and probe, back-out as the run connects', () => {
    const p = devicePlan(
      dryRun('pix6_two-smtp-ports.cfg', 'pix6'),
      target({ transport: 'telnet', port: 2323, knownHostsFile: '/home/ops/my hosts' }),
      settings({ reload: 'never' }),
    );
    expect(p?.contexts[0]?.commands.every((c) => c.startsWith('no fixup protocol smtp'))).toBe(true);
    expect(p?.contexts[0]?.inverse.every((c) => c.startsWith('fixup protocol smtp'))).toBe(true);
    expect(p?.verification).toMatchObject({ probe: ['192.0.2.25:25'], rollbackOnVerifyFailure: true, reload: 'never' });
    expect(p?.verification.steps.join('\n')).toMatch(/reload in 10/);
    expect(p?.backout.commands[0]).toBe(
      "asa-mailguard rollback netops@127.0.0.1:2323 --transport telnet --known-hosts '/home/ops/my hosts' --smtp 192.0.2.25:25 --latest --backup-dir '/srv/mg backups'",
    );
    expect(p?.backout.commands[1]).toMatch(/--backup '\/srv\/mg backups\/fw1_JMX0938K0C0\/<UTC stamp>-backup\.json'$/);
  });

  it('ssh through a jump chain with a key: --jump and an --identity placeholder (the key file path is not kept)', () => {
    const p = devicePlan(
      dryRun('asa9_inspect-smtp.cfg', 'asa9'),
      target({
        privateKey: 'KEY',
        jumpHops: [
          { host: 'bastion', port: 22, username: 'ops' },
          { host: '::1', port: 2222, username: 'ops' },
        ],
      }),
      settings({ context: 'ctx1' }),
    );
    expect(p?.backout.commands[0]).toMatch(
      /rollback netops@127\.0\.0\.1:2201 --jump 'ops@bastion:22,ops@\[::1\]:2222' --identity '<the key file of the run>' --context ctx1 /,
    );
    expect(JSON.stringify(p)).not.toContain('KEY');
  });

  it('a rollback playbook plans the restore: its back-out is apply', () => {
    const p = devicePlan(dryRun('asa9_inspect-smtp.cfg', 'asa9', 'restore'), target(), settings({ mode: 'rollback' }));
    expect(p?.backout.commands).toEqual([
      "asa-mailguard apply netops@127.0.0.1:2201 --smtp 192.0.2.25:25 --backup-dir '/srv/mg backups'",
    ]);
    expect(p?.verification.steps.join('\n')).toMatch(/shows the inspection again/);
  });
});

describe('deviceDiff (run --diff)', () => {
  it('dry run: the planned diff; a change: the before/after diff, labelled by context; none: null', () => {
    const r = dryRun('asa9_inspect-smtp.cfg', 'asa9');
    expect(deviceDiff(r)).toMatch(/^-\s+inspect smtp/m);
    const change = {
      ...r,
      outcome: 'done',
      finalState: { ...r.finalState, changeDiff: { device: '--- a\n+++ b\n', admin: '--- c\n+++ d\n' } },
    } as ChangeResult;
    expect(deviceDiff(change)).toBe('--- a\n+++ b\ncontext admin:\n--- c\n+++ d\n');
    expect(deviceDiff({ ...change, finalState: { ...change.finalState, changeDiff: {} } } as ChangeResult)).toBeNull();
    // A key or hash line among the context lines is masked (the report is not a backup).
    const near = { device: ' enable password 8Ry2YjIyt7RRXU24 encrypted\n-fixup protocol smtp 25\n' };
    expect(deviceDiff({ ...change, finalState: { ...change.finalState, changeDiff: near } } as ChangeResult)).toBe(
      ' enable password ***\n-fixup protocol smtp 25\n',
    );
  });
});

describe('fleetPlan', () => {
  it('the next weekend-night window in Europe/Berlin and in UTC, canaries first, pairs, the budget', () => {
    const rec = (name: string, canary: boolean, failoverPeer: string | null = null) =>
      ({ name, canary, failoverPeer }) as DeviceRecord;
    const p = fleetPlan({
      report: {
        devices: [rec('a', false), rec('b', true), rec('hq-a', false, 'hq-b'), rec('hq-b', false, 'hq-a')],
        concurrency: 2,
        maxFailures: '25%',
        budget: { shared: false, location: null, limit: 1, failures: 0 },
        timeZone: 'Europe/Berlin',
      },
      settings: {
        window: windowFromPlaybook({ timezone: 'Europe/Berlin', days: ['sat', 'sun'], from: '22:00', to: '04:00' }),
        expectedDurationMs: 1_200_000,
      },
      // Monday evening.
      now: new Date('2026-11-30T19:00:00Z'),
    });
    expect(p).toMatchObject({
      devices: 4,
      order: ['b', 'a', 'hq-a', 'hq-b'],
      canaries: ['b'],
      failoverPairs: [['hq-a', 'hq-b']],
      failureBudget: { maxFailures: '25%', limit: 1, shared: false },
      window: {
        timeZone: 'Europe/Berlin',
        openNow: false,
        opensAt: '2026-12-05T21:00:00.000Z',
        opensAtLocal: '2026-12-05T22:00:00+01:00',
        closesAt: '2026-12-06T03:00:00.000Z',
        closesAtLocal: '2026-12-06T04:00:00+01:00',
      },
    });
  });
});
