// The fleet runner wired to the real change engine against the lab (issue #7): audit, disable and rollback modes
// over a failover pair and a PIX, plus a device with an injected fault that is rolled back and reported.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labInventoryYaml } from '../../src/lab/inventory-out.js';
import { engineDeviceRunner } from '../../src/playbook/engine-runner.js';
import { type FleetReport, parsePlaybook, resolveFleet, runFleet, runSettings } from '../../src/playbook/index.js';
import { startTestLab } from '../helpers/lab.js';

const lab = await startTestLab(
  [
    { dialect: 'asa9', name: 'act', hostname: 'pair', failover: { role: 'active', unit: 'primary', peer: 'stb' } },
    { dialect: 'asa9', name: 'stb', hostname: 'pair', failover: { role: 'standby', unit: 'secondary', peer: 'act' } },
    { dialect: 'pix6', name: 'pix' },
    { dialect: 'asa8', name: 'bad', faults: { errorAt: [/inspect esmtp/] } },
  ],
  { smtp: true },
);
const dir = await mkdtemp(join(tmpdir(), 'mg-fleet-engine-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
// The lab JSON has no failover peer yet: added here as `lab --inventory-out` would.
const peers: Record<string, string> = { act: 'stb', stb: 'act' };
await writeFile(
  join(dir, 'inv.yaml'),
  labInventoryYaml({ devices: lab.devices.map((d) => ({ ...d, failoverPeer: peers[d.name] })) }),
);
await writeFile(join(dir, 'known_hosts'), `${lab.devices.map((d) => d.knownHostsLine).join('\n')}\n`);

async function run(mode: string, targets: string): Promise<FleetReport> {
  const lp = parsePlaybook(
    join(dir, `${mode}.yaml`),
    [
      `name: fleet ${mode}`,
      'inventory: inv.yaml',
      `targets: "${targets}"`,
      `mode: ${mode}`,
      'options: {knownHosts: known_hosts, backupDir: backups, reload: never}',
      'concurrency: 3',
      'maxFailures: 3',
    ].join('\n'),
  );
  const settings = runSettings(lp);
  const fleet = await resolveFleet(lp, { settings, env: {} });
  return runFleet(fleet.targets, engineDeviceRunner({ settings }), {
    concurrency: settings.concurrency,
    canary: settings.canary,
    maxFailures: settings.maxFailures,
    window: settings.window,
    now: () => new Date(),
    expectedDurationMs: settings.expectedDurationMs,
    meta: { playbook: lp.playbook.name, mode },
  });
}

const row = (r: FleetReport, name: string) => r.devices.find((d) => d.name === name)!;
const ms = (s: string | null) => Date.parse(s!);

describe('fleet runner on the change engine', () => {
  it('audit changes nothing and reports every device as inspected', async () => {
    const r = await run('audit', 'all');
    expect(r.devices.map((d) => [d.name, d.result, d.before])).toEqual([
      ['act', 'done', 'inspected'],
      ['stb', 'nothing-to-do', 'inspected'],
      ['pix', 'done', 'inspected'],
      ['bad', 'done', 'inspected'],
    ]);
    expect(lab.device('act').runningConfig()).toMatch(/inspect esmtp/);
    // An audit exits as `probe`: 10 when SMTP inspection is on anywhere.
    expect(r.exitCode).toBe(10);
  });

  it('disable: healthy devices verified, the faulty one rolled back, the pair never overlaps', async () => {
    const r = await run('disable-smtp-inspection', 'all');
    expect(row(r, 'act')).toMatchObject({
      result: 'done',
      canary: true,
      after: 'verified',
      platform: expect.stringContaining('asa9'),
    });
    expect(row(r, 'pix')).toMatchObject({ result: 'done', after: 'verified' });
    expect(row(r, 'stb')).toMatchObject({ result: 'nothing-to-do', message: expect.stringContaining('standby') });
    expect(row(r, 'bad')).toMatchObject({ result: 'rolled-back', exitCode: 4 });
    expect(row(r, 'bad').backupPath).toMatch(/backup\.json$/);
    expect(row(r, 'bad').reportPath).toMatch(/\.md$/);
    const [a, b] = [row(r, 'act'), row(r, 'stb')];
    expect(ms(a.endedAt) <= ms(b.startedAt) || ms(b.endedAt) <= ms(a.startedAt)).toBe(true);
    expect(lab.device('act').runningConfig()).not.toMatch(/^\s+inspect esmtp/m);
    expect(lab.device('bad').runningConfig()).toMatch(/inspect esmtp/);
    expect(r.exitCode).toBe(4);
  });

  it('rollback puts the inspection back from the latest backups', async () => {
    const r = await run('rollback', 'act,pix,stb');
    expect(r.devices.map((d) => [d.name, d.result])).toEqual([
      ['act', 'done'],
      ['stb', 'nothing-to-do'],
      ['pix', 'done'],
    ]);
    expect(lab.device('act').runningConfig()).toMatch(/inspect esmtp/);
    expect(lab.device('pix').runningConfig()).toMatch(/fixup protocol smtp 25/);
    expect(r.exitCode).toBe(0);
  });
});
