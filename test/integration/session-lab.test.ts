import { describe, expect, it } from 'vitest';
import type { LabDeviceInfo } from '../../src/lab/index.js';
import type { InspectionReport } from '../../src/platform/types.js';
import { openSession, readDevice } from '../../src/session/index.js';
import type { ConnectOptions } from '../../src/session/types.js';
import { labFixture } from '../helpers/lab.js';

type Kind = 'ssh-password' | 'ssh-keyboard-interactive' | 'telnet-username' | 'telnet-password-only';
const KINDS: Kind[] = ['ssh-password', 'ssh-keyboard-interactive', 'telnet-username', 'telnet-password-only'];
const DIALECTS = ['asa9', 'asa8', 'pix6'] as const;

const fx = labFixture(
  {
    smtp: false,
    devices: DIALECTS.flatMap((dialect) => [
      { name: `${dialect}-up`, dialect, telnetLogin: 'username-password' as const },
      { name: `${dialect}-po`, dialect, telnetLogin: 'password-only' as const },
    ]),
  },
  'session-lab-',
);

function info(name: string): LabDeviceInfo {
  return fx.lab.device(name).info;
}

function deviceFor(kind: Kind, dialect: string): string {
  return `${dialect}-${kind === 'telnet-password-only' ? 'po' : 'up'}`;
}

function optionsFor(kind: Kind, deviceName: string): ConnectOptions {
  const d = info(deviceName);
  const base = {
    host: '127.0.0.1',
    username: d.username,
    password: d.password,
    enableSecret: d.enableSecret,
    knownHostsFile: fx.knownHosts,
    legacyAlgorithms: d.legacyAlgorithms ?? false,
    timeouts: { connectMs: 5000, loginMs: 8000, commandMs: 8000 },
  };
  switch (kind) {
    // pix6 speaks SSH-1 only (password authentication: both SSH kinds are the same login there)
    case 'ssh-password':
      return { ...base, transport: d.sshTransport ?? 'ssh', port: d.ssh.port, sshAuthMethods: ['password'] };
    case 'ssh-keyboard-interactive':
      return {
        ...base,
        transport: d.sshTransport ?? 'ssh',
        port: d.ssh.port,
        sshAuthMethods: ['keyboard-interactive'],
      };
    case 'telnet-username':
      return { ...base, transport: 'telnet', port: d.telnet.port };
    case 'telnet-password-only':
      // PIX `passwd` login: no username is asked; the password is the device's login password.
      return { ...base, transport: 'telnet', port: d.telnet.port, username: undefined };
  }
}

/** What the lab enforces, in the finding vocabulary: active + the set of inspected ports. */
function expectMatchesLab(report: InspectionReport, name: string) {
  const policy = fx.lab.device(name).inspectionPolicy();
  expect(report.active).toBe(policy.active);
  const ports = [...new Set(report.findings.filter((f) => f.active).flatMap((f) => f.ports))].sort((a, b) => a - b);
  expect(ports).toEqual([...policy.ports].sort((a, b) => a - b));
}

describe.each(DIALECTS)('%s', (dialect) => {
  it.each(KINDS)('%s login reads the platform and exactly the lab SMTP inspection', async (kind) => {
    const session = await openSession(optionsFor(kind, deviceFor(kind, dialect)));
    try {
      expect(session.mode).toBe('privileged');
      const r = await readDevice(session);
      expect(r.platform.family).toBe(dialect === 'pix6' ? 'pix' : 'asa');
      expect(r.platform.dialect).toBe(dialect);
      expect(r.platform.contextMode).toBe('single');
      expect(r.inspection.active).toBe(true);
      expect(r.inspection.findings.length).toBeGreaterThan(0);
      expectMatchesLab(r.inspection, deviceFor(kind, dialect));
      // The whole running-config came through the pager or with paging off, without residue.
      const cfg = r.contexts[0]?.runningConfig ?? '';
      expect(cfg).not.toContain('<--- More --->');
      expect(cfg.split('\n').length).toBeGreaterThan(30);
    } finally {
      await session.close();
    }
  });
});

describe('after the lab config changes (setRunningConfig)', () => {
  async function read(name: string, kind: Kind = 'ssh-password') {
    const session = await openSession(optionsFor(kind, name));
    try {
      return await readDevice(session);
    } finally {
      await session.close();
    }
  }

  it('ASA: a custom-port class bound on an interface and an unbound policy-map', async () => {
    const dev = fx.lab.device('asa9-up');
    const original = dev.runningConfig();
    try {
      const variant = original
        .replace(/^(\s+)inspect esmtp\s*$/m, '$1inspect dns preset_dns_map ')
        .replace(
          /^service-policy global_policy global\s*$/m,
          [
            'service-policy global_policy global',
            'class-map smtp_2525',
            ' match port tcp eq 2525',
            'policy-map outside_policy',
            ' class smtp_2525',
            '  inspect esmtp ',
            'policy-map unbound_policy',
            ' class smtp_2525',
            '  inspect smtp ',
            'service-policy outside_policy interface outside',
          ].join('\n'),
        );
      dev.setRunningConfig(variant);
      const r = await read('asa9-up');
      const active = r.inspection.findings.filter((f) => f.active);
      expect(active).toHaveLength(1);
      expect(active[0]).toMatchObject({
        policyMap: 'outside_policy',
        class: 'smtp_2525',
        ports: [2525],
        binding: 'interface:outside',
      });
      const unbound = r.inspection.findings.find((f) => f.policyMap === 'unbound_policy');
      expect(unbound).toMatchObject({ active: false, binding: null, protocol: 'smtp' });
      expectMatchesLab(r.inspection, 'asa9-up');
    } finally {
      dev.setRunningConfig(original);
    }
  });

  it('ASA 8: inspection removed entirely reads as off (exit 0 material, not an error)', async () => {
    const dev = fx.lab.device('asa8-po');
    const original = dev.runningConfig();
    try {
      dev.setRunningConfig(original.replace(/^ +inspect esmtp *\r?\n/m, ''));
      const r = await read('asa8-po', 'ssh-keyboard-interactive');
      expect(r.inspection.active).toBe(false);
      expectMatchesLab(r.inspection, 'asa8-po');
    } finally {
      dev.setRunningConfig(original);
    }
  });

  it('PIX: a custom fixup port and the default one disabled', async () => {
    const dev = fx.lab.device('pix6-po');
    const original = dev.runningConfig();
    try {
      dev.setRunningConfig(
        original.replace(/^fixup protocol smtp 25\s*$/m, 'no fixup protocol smtp 25\nfixup protocol smtp 2525'),
      );
      const r = await read('pix6-po', 'telnet-password-only');
      const active = r.inspection.findings.filter((f) => f.active);
      expect(active.map((f) => f.ports)).toEqual([[2525]]);
      expectMatchesLab(r.inspection, 'pix6-po');
    } finally {
      dev.setRunningConfig(original);
    }
  });
});
