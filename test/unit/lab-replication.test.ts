/**
 * The emulator's failover replication and boot-config tracking, without sockets: what reaches the standby unit
 * (config commands the active accepts, its saves), what does not (commands the active refuses, anything while the
 * standby is down), and the config a device booted with (read by the needs-reload fault).
 */
import { describe, expect, it } from 'vitest';
import { DeviceEmulator, resolveDeviceOptions } from '../../src/lab/device.js';
import { failoverPairs, linkFailoverPeers } from '../../src/lab/failover.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { bodyOf, cliSession, type Expect } from '../helpers/lab.js';

function pair(): [DeviceEmulator, DeviceEmulator] {
  const [a, b] = failoverPairs(1, ['asa9'], { anonymousReportingQuestion: false, reloadDelaySec: 0.05 }).map(
    (o) => new DeviceEmulator(resolveDeviceOptions({ enableSecret: 's', ...o })),
  ) as [DeviceEmulator, DeviceEmulator];
  linkFailoverPeers([a, b]);
  return [a, b];
}

async function pmapClass(d: DeviceEmulator): Promise<Expect> {
  const s = cliSession(d);
  await s.waitFor(/> $/);
  s.send('enable\n');
  await s.waitFor(/(?:Password|PIX passwd): $/);
  s.send('s\n');
  await s.waitFor(/# $/);
  await s.cmd('configure terminal', /\(config\)# $/);
  await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
  await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
  return s;
}

const esmtp = (config: string) => findSmtpInspection(config).active;

describe('failover replication', () => {
  it('links units by their failover peer name; only the active replicates', () => {
    const [act, stby] = pair();
    expect(act.failoverPeer).toBe(stby);
    expect(stby.failoverPeer).toBe(act);
    expect(act.replicationTarget()).toBe(stby);
    expect(stby.replicationTarget()).toBeNull();
  });

  it('a refused command is not replayed; an accepted one is, in the same mode', async () => {
    const [act, stby] = pair();
    const s = await pmapClass(act);
    expect(await s.cmd('inspect bogus', /\(config-pmap-c\)# $/)).toContain('ERROR: % Invalid input detected');
    expect(bodyOf(stby.runningConfig())).toBe(bodyOf(act.runningConfig()));
    await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
    expect(esmtp(stby.runningConfig())).toBe(false);
    expect(stby.isModified()).toBe(true);
    s.end();
  });

  it('nothing reaches a standby that is down (reloading): it comes back on its own startup config', async () => {
    const [act, stby] = pair();
    stby.reload();
    const s = await pmapClass(act);
    await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
    await s.cmd('end');
    expect(await s.cmd('write memory')).toContain('[OK]');
    await stby.whenUp();
    expect(esmtp(act.startupConfig())).toBe(false);
    expect(esmtp(stby.runningConfig())).toBe(true);
    expect(esmtp(stby.startupConfig())).toBe(true);
    s.end();
    act.stop();
    stby.stop();
  });
});

describe('boot config (needs-reload fault)', () => {
  it('is the startup config until the first save, stays the first one over later saves, and is renewed by a reload', async () => {
    const d = new DeviceEmulator(resolveDeviceOptions({ dialect: 'asa9', reloadDelaySec: 0.05 }));
    d.setFaults({ needsReload: true });
    expect(d.bootedDoc()).toBe(d.startupDoc());
    const booted = d.startupConfig();
    d.setRunningConfig(d.runningConfig().replace(/^ {2}inspect esmtp \n/m, ''));
    d.save();
    d.save();
    expect(esmtp(d.startupConfig())).toBe(false);
    expect(d.bootedDoc()).not.toBe(d.startupDoc());
    expect(d.inspectionPolicy().active).toBe(true);
    d.reload();
    await d.whenUp();
    expect(d.bootedDoc()).toBe(d.startupDoc());
    expect(d.startupConfig()).not.toBe(booted);
    expect(d.inspectionPolicy().active).toBe(false);
    d.stop();
  });
});
