/**
 * Session behaviours against the lab: transcript redaction, the anonymous-reporting NOTICE, config modes,
 * multiple-context `changeto`, failover prompts, `login` instead of enable.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSession, readDevice } from '../../src/session/index.js';
import { labFixture } from '../helpers/lab.js';

const fx = labFixture(
  {
    smtp: false,
    devices: [
      { name: 'asa', dialect: 'asa9' },
      { name: 'notice', dialect: 'asa9', anonymousReportingQuestion: true },
      { name: 'pix', dialect: 'pix6' },
      { name: 'multi', dialect: 'asa9', contextMode: 'multiple', contexts: ['admin', 'cust1', 'cust2'] },
      { name: 'pair', dialect: 'asa9', failover: { role: 'active', unit: 'primary' } },
    ],
  },
  'session-feat-',
);
const { opts } = fx;

describe('transcript', () => {
  it.each(['ssh', 'telnet'] as const)(
    '%s: no password, enable secret or passphrase in the file (0600)',
    async (transport) => {
      const d = fx.lab.device('asa').info;
      const file = join(fx.dir, `transcript-${transport}.txt`);
      const passphrase = 'unused-passphrase-Zq9';
      const s = await openSession(
        opts('asa', {
          transport,
          port: transport === 'ssh' ? d.ssh.port : d.telnet.port,
          transcriptFile: file,
          passphrase,
        }),
      );
      await readDevice(s);
      // the secrets also travel through an answered question and an echoed command
      await s.send(`show running-config | include ${d.enableSecret}`, { allowErrors: true });
      await s.close();
      const text = readFileSync(file, 'utf8');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(text).toContain('show running-config');
      expect(text).toContain('***');
      for (const secret of [d.password, d.enableSecret, passphrase]) {
        expect(secret.length).toBeGreaterThan(5);
        expect(text).not.toContain(secret);
        expect(s.transcript()).not.toContain(secret);
      }
    },
  );
});

describe('configuration mode', () => {
  it('ASA 9: the anonymous-reporting NOTICE is answered "A" and the running config stays unchanged', async () => {
    const dev = fx.lab.device('notice');
    const before = dev.runningConfig();
    const logs: string[] = [];
    const s = await openSession(opts('notice', { onLog: (l) => logs.push(l) }));
    try {
      await s.enterConfig();
      expect(s.mode).toBe('config');
      expect(s.prompt).toBe(`${dev.info.hostname}(config)#`);
      expect(logs.join('\n')).toMatch(/Answered the anonymous-reporting NOTICE with "A"/);
      // the next command goes to the CLI, not into the question
      await s.send('policy-map global_policy');
      expect(s.mode).toBe('subconfig');
      expect(s.prompt).toBe(`${dev.info.hostname}(config-pmap)#`);
      await s.exitConfig();
      expect(s.mode).toBe('privileged');
      // asked again next time (A = ask later), answered again
      await s.enterConfig();
      await s.exitConfig();
      expect(logs.filter((l) => l.includes('Answered the anonymous-reporting')).length).toBe(2);
    } finally {
      await s.close();
    }
    expect(dev.runningConfig()).toBe(before);
    expect(dev.runningConfig()).not.toMatch(/call-home reporting anonymous/);
  });

  it('a whole running config just read predicts the NOTICE: no call-home round trip, and the NOTICE is still answered', async () => {
    const dev = fx.lab.device('notice');
    const logs: string[] = [];
    const s = await openSession(opts('notice', { onLog: (l) => logs.push(l) }));
    const include = 'show running-config | include call-home reporting anonymous';
    try {
      await readDevice(s); // its last read is the whole `show running-config`
      const from = dev.commandLog().length;
      await s.enterConfig();
      expect(logs.filter((l) => l.includes('Answered the anonymous-reporting')).length).toBe(1);
      expect(dev.commandLog().slice(from)).toEqual(['configure terminal']);
      await s.exitConfig();
      // No whole read since that configuration mode: the next one asks the device again.
      const again = dev.commandLog().length;
      await s.enterConfig();
      expect(dev.commandLog().slice(again)).toEqual([include, 'configure terminal']);
      expect(logs.filter((l) => l.includes('Answered the anonymous-reporting')).length).toBe(2);
      await s.exitConfig();
    } finally {
      await s.close();
    }
  });

  it('PIX 6: configure terminal and back with exit (no `end`)', async () => {
    const dev = fx.lab.device('pix');
    const s = await openSession(opts('pix', { transport: 'telnet', port: dev.info.telnet.port }));
    try {
      await readDevice(s);
      await s.enterConfig();
      expect(s.mode).toBe('config');
      await s.exitConfig();
      expect(s.mode).toBe('privileged');
      const log = dev.commandLog();
      expect(log).not.toContain('end');
      expect(log.slice(-2)).toEqual(['configure terminal', 'exit']);
    } finally {
      await s.close();
    }
  });
});

describe('contexts and failover', () => {
  it('multiple-context mode: every context read via changeto, back where it started', async () => {
    const s = await openSession(opts('multi'));
    try {
      const start = s.prompt;
      const r = await readDevice(s);
      expect(r.platform.contextMode).toBe('multiple');
      expect(r.contexts.map((c) => c.name)).toEqual(['admin', 'cust1', 'cust2']);
      for (const c of r.contexts) {
        expect(c.report.findings.every((f) => f.context === c.name)).toBe(true);
        expect(c.report.active).toBe(true);
      }
      expect(r.inspection.findings.length).toBe(r.contexts.reduce((n, c) => n + c.report.findings.length, 0));
      expect(s.prompt).toBe(start);
      await s.changeTo('cust2');
      expect(s.context).toBe('cust2');
      expect(s.prompt).toMatch(/\/cust2#$/);
      await s.enterConfig();
      expect(s.prompt).toMatch(/\/cust2\(config\)#$/);
      await s.exitConfig();
    } finally {
      await s.close();
    }
  });

  it('failover prompts (/pri/act) are tracked and not taken for a context', async () => {
    const s = await openSession(opts('pair'));
    try {
      expect(s.prompt).toMatch(/\/pri\/act#$/);
      expect(s.failoverState).toEqual(['pri', 'act']);
      expect(s.context).toBeNull();
      const r = await readDevice(s);
      expect(r.platform.failover).toEqual({ enabled: true, role: 'active' });
    } finally {
      await s.close();
    }
  });
});

describe('banners', () => {
  it('banner lines that look like prompts (#, >, parentheses) do not fool the login', async () => {
    const dev = fx.lab.device('asa');
    const original = dev.runningConfig();
    try {
      dev.setRunningConfig(
        original.replace(
          /^hostname .*$/m,
          (h) =>
            `${h}\nbanner motd ### Authorized access only ###\nbanner motd fake-host#\nbanner motd other(config)# \nbanner motd =>`,
        ),
      );
      const s = await openSession(opts('asa'));
      try {
        expect(s.prompt).toBe(`${dev.info.hostname}#`);
        expect(await s.send('show hostname')).toBe(dev.info.hostname);
        expect(s.transcript()).toContain('fake-host#');
      } finally {
        await s.close();
      }
    } finally {
      dev.setRunningConfig(original);
    }
  });
});

describe('privilege', () => {
  it('no enable secret: `login` with the login credentials reaches #', async () => {
    const s = await openSession(opts('asa', { enableSecret: undefined }));
    try {
      expect(s.mode).toBe('privileged');
      expect(fx.lab.device('asa').commandLog()).toContain('login');
    } finally {
      await s.close();
    }
  });
});
