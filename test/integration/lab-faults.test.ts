/** Each fault flag of issue #2 §5, over real SSH/telnet against the lab. */
import { describe, expect, it } from 'vitest';
import { parseFaults } from '../../src/lab/faults.js';
import { sshEnabled, sshShell, startTestLab, telnetShell } from '../helpers/lab.js';

const lab = await startTestLab([
  { name: 'asa', dialect: 'asa9', anonymousReportingQuestion: false },
  { name: 'pix', dialect: 'pix6' },
]);
const asa = lab.device('asa');
const pix = lab.device('pix');

describe('--fault parsing', () => {
  it('parses every fault and rejects unknown ones with a usage error', () => {
    const f = parseFaults([
      'latency=50',
      'drop-at=^show run',
      'error-at=write',
      'hang-at=^reload',
      'hold-at=^write',
      'hold-smtp',
      'authz-fail=^conf',
      'auth-fail',
      'config-lock',
      'slow-save=2',
      'no-return',
      'standby',
      'needs-reload',
    ]);
    expect(f).toMatchObject({
      latencyMs: 50,
      authFail: true,
      configLock: true,
      slowSaveSec: 2,
      noReturn: true,
      standby: true,
      needsReload: true,
      holdSmtp: true,
    });
    expect(f.holdAt?.[0]?.test('write memory')).toBe(true);
    expect(f.dropAt?.[0]?.test('show running-config')).toBe(true);
    expect(() => parseFaults(['bogus'])).toThrow(/--fault: "bogus" is not a fault/);
    expect(() => parseFaults(['drop-at=('])).toThrow(/is not a regular expression/);
    expect(() => parseFaults(['slow-save=x'])).toThrow(/--fault slow-save: "x" is not a number from 0 to 3600/);
  });
});

describe('faults', () => {
  it('latency delays every response', async () => {
    asa.setFaults({ latencyMs: 150 });
    try {
      const s = await sshEnabled(asa.info);
      const t0 = Date.now();
      await s.cmd('show hostname');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      s.end();
    } finally {
      asa.setFaults({});
    }
  });

  it('drop-at closes the connection before running the command', async () => {
    asa.setFaults({ dropAt: [/^write/] });
    try {
      const s = await sshEnabled(asa.info);
      const before = asa.startupConfig();
      await s.cmd('configure terminal', /\(config\)# $/);
      await s.cmd('hostname dropped', /\(config\)# $/);
      s.send('write memory\n');
      await s.waitClosed();
      expect(asa.startupConfig()).toBe(before);
      expect(asa.commandLog().at(-1)).toBe('write memory');
    } finally {
      asa.setFaults({});
      asa.setRunningConfig(asa.startupConfig());
    }
  });

  it('error-at answers with the invalid-input error instead of running', async () => {
    asa.setFaults({ errorAt: [/no inspect esmtp/] });
    try {
      const s = await sshEnabled(asa.info);
      await s.cmd('configure terminal', /\(config\)# $/);
      await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
      await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
      const out = await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
      expect(out).toContain("ERROR: % Invalid input detected at '^' marker.");
      expect(asa.inspectionPolicy().active).toBe(true);
      s.end();
    } finally {
      asa.setFaults({});
    }
  });

  it('hang-at never answers', async () => {
    asa.setFaults({ hangAt: [/^show version/] });
    try {
      const s = await sshEnabled(asa.info);
      await expect(s.cmd('show version', /# $/, 400)).rejects.toThrow(/timeout/);
      s.end();
    } finally {
      asa.setFaults({});
    }
  });

  it('hold-at holds a matching command until released, then runs it', async () => {
    const s = await sshEnabled(asa.info);
    const held = new Promise<string>((resolve) => asa.on('held', resolve));
    const ran: string[] = [];
    const onRun = (line: string) => ran.push(line);
    asa.on('executed', onRun);
    asa.setFaults({ holdAt: [/^terminal pager/] });
    let answered = false;
    const out = s.cmd('terminal pager 0', /# $/, 5000).then((o) => {
      answered = true;
      return o;
    });
    expect(await held).toBe('terminal pager 0');
    // A whole login and command on another connection: time enough for the lab to have run the held command, had
    // it not held it (the `held` event alone comes before the command would run either way).
    const other = await sshEnabled(asa.info);
    await other.cmd('show hostname', /# $/, 5000);
    other.end();
    expect(ran).toContain('show hostname');
    expect(ran).not.toContain('terminal pager 0');
    expect(answered).toBe(false);
    asa.setFaults({});
    expect(asa.release()).toBe(1);
    await out;
    expect(ran).toContain('terminal pager 0');
    asa.off('executed', onRun);
    // It ran: the pager is off, so a long output comes whole.
    expect(await s.cmd('show version', /# $/, 5000)).not.toMatch(/<--- More --->/);
    s.end();
  });

  it('authz-fail answers Command authorization failed', async () => {
    asa.setFaults({ authzFail: [/^conf/] });
    try {
      const s = await sshEnabled(asa.info);
      const out = await s.cmd('configure terminal');
      expect(out).toBe('configure terminal\r\nCommand authorization failed\r\n\rciscoasa# ');
      s.end();
    } finally {
      asa.setFaults({});
    }
  });

  it('auth-fail makes every login fail (SSH and telnet)', async () => {
    pix.setFaults({ authFail: true });
    asa.setFaults({ authFail: true });
    try {
      await expect(sshShell(asa.info)).rejects.toThrow(/authentication/i);
      const t = await telnetShell(pix.info);
      for (let i = 0; i < 3; i++) {
        await t.waitFor(/(?:Password|PIX passwd): $/, 5000, t.buffer.lastIndexOf('\n') + 1);
        t.send(`${pix.info.password}\r\n`);
      }
      await t.waitClosed();
      expect(t.buffer).not.toContain('pix>');
    } finally {
      pix.setFaults({});
      asa.setFaults({});
    }
  });

  it('config-lock refuses configure terminal and stays at #', async () => {
    asa.setFaults({ configLock: true });
    try {
      const s = await sshEnabled(asa.info);
      const out = await s.cmd('configure terminal');
      expect(out).toMatch(/^configure terminal\r\nERROR: .*locked.*\r\n\rciscoasa# $/);
      s.end();
    } finally {
      asa.setFaults({});
    }
  });

  it('slow-save makes write memory take that long and still end with [OK]', async () => {
    asa.setFaults({ slowSaveSec: 0.3 });
    try {
      const s = await sshEnabled(asa.info);
      const t0 = Date.now();
      const out = await s.cmd('write memory');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(out).toMatch(
        /^write memory\r\nBuilding configuration\.\.\.\r\nCryptochecksum: .*\[OK\]\r\n\rciscoasa# $/s,
      );
      s.end();
    } finally {
      asa.setFaults({});
    }
  });

  it('standby: the failover prompt, show failover, and the replication warning in config mode', async () => {
    asa.setFaults({ standby: true });
    try {
      const s = await sshEnabled(asa.info);
      expect(s.buffer.endsWith('\rciscoasa/sec/stby# ')).toBe(true);
      expect(await s.cmd('show failover | include host')).toContain('This host: Secondary - Standby Ready');
      const conf = await s.cmd('configure terminal', /\(config\)# $/);
      expect(conf).toContain(
        '**** WARNING ****\r\n\tConfiguration Replication is NOT performed from Standby unit to Active unit.\r\n',
      );
      s.end();
    } finally {
      asa.setFaults({});
    }
  });

  it('no-return: after reload the device never comes back', async () => {
    const lab2 = await startTestLab([{ name: 'gone', dialect: 'pix6', faults: { noReturn: true } }], {
      registerCleanup: false,
    });
    try {
      const d = lab2.device('gone');
      const s = await sshEnabled(d.info);
      s.send('reload noconfirm\n');
      await s.waitClosed();
      expect(d.isUp()).toBe(false);
      await expect(d.waitUp(600)).rejects.toThrow(/not up/);
      await expect(sshShell(d.info, { readyTimeout: 1000 })).rejects.toThrow();
    } finally {
      await lab2.stop();
    }
  });
});
