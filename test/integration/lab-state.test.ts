/**
 * --state DIR: each unit's SSH host key is generated once and kept (0600), and saved configs survive a restart.
 * Each unit has its own host key, as in the field.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/index.js';
import { sshEnabled } from '../helpers/lab.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab state folder', () => {
  it('keeps each unit its own host key and the saved config across starts', async () => {
    const units = [
      { name: 'fw', dialect: 'pix6' as const },
      { name: 'asa', dialect: 'asa9' as const },
    ];
    const first = await startLab({ devices: units, stateDir: dir, smtp: false });
    const key1 = first.devices[0]?.hostKeySha256;
    const key2 = first.devices[1]?.hostKeySha256;
    try {
      const s = await sshEnabled(first.devices[0] as NonNullable<(typeof first.devices)[0]>);
      await s.cmd('configure terminal', /\(config\)# $/);
      await s.cmd('no fixup protocol smtp 25', /\(config\)# $/);
      await s.cmd('write memory', /\(config\)# $/);
      s.end();
    } finally {
      await first.stop();
    }
    expect(statSync(join(dir, 'ssh_host_rsa_key-asa')).mode & 0o777).toBe(0o600);
    // pix6's SSH-1 host key (its SSH port speaks SSH-1.5 only) is kept the same way
    expect(statSync(join(dir, 'ssh_host_rsa1_key-fw')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'fw.startup-config')).mode & 0o777).toBe(0o600);
    const second = await startLab({ devices: units, stateDir: dir, smtp: false });
    try {
      expect(second.devices[0]?.hostKeySha256).toBe(key1);
      expect(second.devices[1]?.hostKeySha256).toBe(key2);
      expect(second.device('fw').runningConfig()).toContain('\nno fixup protocol smtp 25\n');
      expect(second.device('fw').inspectionPolicy().active).toBe(false);
    } finally {
      await second.stop();
    }
  });
});

describe('host keys', () => {
  it('every unit presents its own key, over SSH-2 and SSH-1, with or without a state folder', async () => {
    const lab = await startLab({
      devices: [
        { dialect: 'asa9' },
        { dialect: 'asa9' },
        { dialect: 'asa8' },
        { dialect: 'pix6' },
        { dialect: 'pix6' },
      ],
      smtp: false,
    });
    try {
      const keys = lab.devices.map((d) => d.hostKeySha256);
      expect(new Set(keys).size).toBe(keys.length);
      const lines = lab.devices.map((d) => (d.knownHostsLine ?? '').split(' ').slice(1).join(' '));
      expect(new Set(lines).size).toBe(lines.length);
    } finally {
      await lab.stop();
    }
  });
});

describe('lab binding', () => {
  it('refuses a non-loopback bind address', async () => {
    await expect(startLab({ devices: [{ dialect: 'asa9' }], host: '0.0.0.0', smtp: false })).rejects.toThrow(
      /loopback addresses only/,
    );
  });
});
