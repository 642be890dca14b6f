/**
 * Failover pairs in the lab (`lab --failover-pairs N`, built by src/lab/failover.ts): each unit names its peer in
 * the lab JSON and the generated inventory; the active unit prompts `/pri/act` and announces replication after a
 * save; the standby prompts `/sec/stby` and warns on entering config mode; config commands and saves on the
 * active reach the standby, never the other way. Over real SSH to the lab, SMTP seen with the tool's probe.
 */

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { failoverPairs, parseFailoverPairs } from '../../src/lab/failover.js';
import { labInventoryYaml } from '../../src/lab/inventory-out.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { probeTarget } from '../../src/probe/index.js';
import { bodyOf, type LabDeviceHandle, sshEnabled, startTestLab } from '../helpers/lab.js';

describe('failoverPairs', () => {
  it('takes the ASA dialects in turn (asa9 when there is none) and pairs primary/active with secondary/standby', () => {
    const pairs = failoverPairs(3, ['pix6', 'asa8', 'asa9'], { password: 'p' });
    expect(pairs.map((d) => [d.name, d.dialect, d.hostname, d.failover])).toEqual([
      ['pair1-pri', 'asa8', 'pair1', { role: 'active', unit: 'primary', peer: 'pair1-sec' }],
      ['pair1-sec', 'asa8', 'pair1', { role: 'standby', unit: 'secondary', peer: 'pair1-pri' }],
      ['pair2-pri', 'asa9', 'pair2', { role: 'active', unit: 'primary', peer: 'pair2-sec' }],
      ['pair2-sec', 'asa9', 'pair2', { role: 'standby', unit: 'secondary', peer: 'pair2-pri' }],
      ['pair3-pri', 'asa8', 'pair3', { role: 'active', unit: 'primary', peer: 'pair3-sec' }],
      ['pair3-sec', 'asa8', 'pair3', { role: 'standby', unit: 'secondary', peer: 'pair3-pri' }],
    ]);
    expect(pairs.every((d) => d.password === 'p')).toBe(true);
    expect(failoverPairs(1, ['pix6']).map((d) => d.dialect)).toEqual(['asa9', 'asa9']);
    expect(failoverPairs(0, ['asa9'])).toEqual([]);
  });

  it('parses --failover-pairs and rejects what is not a count with a usage error', () => {
    expect(parseFailoverPairs(undefined)).toBe(0);
    expect(parseFailoverPairs('2')).toBe(2);
    for (const bad of ['-1', '1.5', 'two', '', '1001'])
      expect(() => parseFailoverPairs(bad)).toThrow(/^--failover-pairs: ".*" is not a number from 0 to 1000$/);
  });
});

describe('a failover pair in the lab', async () => {
  const lab = await startTestLab([
    { dialect: 'asa9', name: 'solo' },
    ...failoverPairs(1, ['asa9'], { anonymousReportingQuestion: false }),
  ]);
  const pri = lab.device('pair1-pri');
  const sec = lab.device('pair1-sec');

  it('each unit carries failover { role, unit, peer } and the inventory pairs them by failoverPeer', () => {
    expect(pri.info.failover).toEqual({ role: 'active', unit: 'primary', peer: 'pair1-sec' });
    expect(sec.info.failover).toEqual({ role: 'standby', unit: 'secondary', peer: 'pair1-pri' });
    expect(lab.device('solo').info.failover).toBeUndefined();
    const inv = parse(labInventoryYaml({ devices: lab.devices })) as {
      hosts: Record<string, { failoverPeer?: string }>;
    };
    expect(inv.hosts['pair1-pri']?.failoverPeer).toBe('pair1-sec');
    expect(inv.hosts['pair1-sec']?.failoverPeer).toBe('pair1-pri');
    expect(inv.hosts.solo?.failoverPeer).toBeUndefined();
  });

  it('standby: /sec/stby prompt, show failover, the replication warning in config mode', async () => {
    const s = await sshEnabled(sec.info);
    try {
      expect(s.buffer.endsWith('\rpair1/sec/stby# ')).toBe(true);
      expect(await s.cmd('show failover | include host')).toContain('This host: Secondary - Standby Ready');
      const conf = await s.cmd('configure terminal', /\(config\)# $/);
      expect(conf).toContain(
        '**** WARNING ****\r\n\tConfiguration Replication is NOT performed from Standby unit to Active unit.\r\n',
      );
    } finally {
      s.end();
    }
  });

  it('active: /pri/act prompt, no warning in config mode, replication lines after write memory', async () => {
    const s = await sshEnabled(pri.info);
    try {
      expect(s.buffer.endsWith('\rpair1/pri/act# ')).toBe(true);
      expect(await s.cmd('configure terminal', /\(config\)# $/)).not.toContain('WARNING');
      await s.cmd('end');
      expect(await s.cmd('write memory')).toContain('Beginning configuration replication: Sending to mate.');
    } finally {
      s.end();
    }
  });
});

describe('failover replication in the lab', async () => {
  const lab2 = await startTestLab(failoverPairs(1, ['asa9'], { anonymousReportingQuestion: false }), {
    smtp: true,
  });
  const act = lab2.device('pair1-pri');
  const stby = lab2.device('pair1-sec');
  const verdict = async (d: LabDeviceHandle) => {
    const { host, port } = d.info.smtp;
    return (await probeTarget({ host, address: host, port, source: 'explicit' })).verdict;
  };
  const esmtp = (config: string) => findSmtpInspection(config).active;

  it('a config command on the active reaches the standby running config (its front stops masking); write memory on the active writes the standby too', async () => {
    expect(await verdict(stby)).toBe('inspected');
    const standbyLog = stby.commandLog().length;
    const s = await sshEnabled(act.info);
    try {
      await s.cmd('configure terminal', /\(config\)# $/);
      await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
      await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
      await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
      await s.cmd('end');
      expect(esmtp(act.runningConfig())).toBe(false);
      expect(esmtp(stby.runningConfig())).toBe(false);
      expect(bodyOf(stby.runningConfig())).toBe(bodyOf(act.runningConfig()));
      expect(await verdict(stby)).toBe('clean');
      expect(await verdict(act)).toBe('clean');
      // Not saved yet on either unit.
      expect(esmtp(stby.startupConfig())).toBe(true);
      expect(await s.cmd('write memory')).toContain('End Configuration Replication to mate.');
      expect(esmtp(act.startupConfig())).toBe(false);
      expect(bodyOf(stby.startupConfig())).toBe(bodyOf(act.startupConfig()));
      // Replicated, not typed there: the standby's command log has none of it.
      expect(stby.commandLog().slice(standbyLog)).toEqual([]);
    } finally {
      s.end();
    }
  });

  it('commands typed on the standby warn, change the standby only, and survive later replication of other commands', async () => {
    const s = await sshEnabled(stby.info);
    try {
      expect(await s.cmd('configure terminal', /\(config\)# $/)).toContain(
        'Configuration Replication is NOT performed from Standby unit to Active unit.',
      );
      await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
      await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
      await s.cmd('inspect esmtp', /\(config-pmap-c\)# $/);
      await s.cmd('end');
      expect(await s.cmd('write memory')).not.toContain('Replication');
    } finally {
      s.end();
    }
    expect(esmtp(stby.runningConfig())).toBe(true);
    expect(esmtp(stby.startupConfig())).toBe(true);
    expect(esmtp(act.runningConfig())).toBe(false);
    expect(esmtp(act.startupConfig())).toBe(false);
    expect(await verdict(stby)).toBe('inspected');
    expect(await verdict(act)).toBe('clean');
    // The active replicates the command, not its whole config: the standby keeps its own inspect line.
    const a = await sshEnabled(act.info);
    try {
      await a.cmd('configure terminal', /\(config\)# $/);
      await a.cmd('domain-name pair.example', /\(config\)# $/);
      await a.cmd('end');
    } finally {
      a.end();
    }
    expect(stby.runningConfig()).toContain('\ndomain-name pair.example\n');
    expect(esmtp(stby.runningConfig())).toBe(true);
  });
});
