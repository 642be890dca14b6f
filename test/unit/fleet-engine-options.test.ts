// Playbook settings -> change-engine options, and finding a device's latest backup by its inventory name.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  changeOptionsFor,
  type FleetTarget,
  latestBackupFor,
  parsePlaybook,
  runSettings,
} from '../../src/playbook/index.js';

const target: FleetTarget = {
  name: 'fw-1',
  connect: { host: '127.0.0.1', port: 2201, transport: 'ssh' },
  groups: ['all'],
  failoverPeer: null,
  probe: { smtp: [{ host: '127.0.0.1', port: 2525 }], domain: null },
};
const settings = (mode: string, extra = '') =>
  runSettings(parsePlaybook('/pb/p.yaml', `name: n\ninventory: i.yaml\ntargets: all\nmode: ${mode}\n${extra}`));

describe('changeOptionsFor', () => {
  it('audit is a dry run of the disable change', () => {
    expect(changeOptionsFor(target, settings('audit'))).toMatchObject({
      mode: 'disable',
      dryRun: true,
      label: 'fw-1',
      smtp: target.probe!.smtp,
    });
  });

  it('disable carries reload, safety reload, timeouts, backup dir and rollback-on-verify', () => {
    const o = changeOptionsFor(
      target,
      settings(
        'disable-smtp-inspection',
        'options:\n  reload: after-save\n  safetyReload: 7\n  rollbackOnVerifyFailure: false\n  backupDir: b\n  context: all\n  timeouts: {saveSec: 200, reloadSec: 60}\n',
      ),
    );
    expect(o).toMatchObject({
      mode: 'disable',
      dryRun: false,
      reload: 'after-save',
      safetyReloadMin: 7,
      rollbackOnVerifyFailure: false,
      backupDir: '/pb/b',
      context: 'all',
      saveTimeoutMs: 200_000,
      reloadTimeoutMs: 60_000,
    });
  });

  it('rollback is the engine restore mode', () => {
    expect(changeOptionsFor(target, settings('rollback')).mode).toBe('restore');
  });
});

describe('latestBackupFor', () => {
  it('picks the newest metadata whose target is the inventory name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mg-backups-'));
    try {
      const write = async (host: string, stamp: string, t: string) => {
        await mkdir(join(dir, host), { recursive: true });
        await writeFile(join(dir, host, `${stamp}-backup.json`), JSON.stringify({ target: t, takenAt: stamp }));
      };
      await write('asa', '2026-11-01T00:00:00.000Z', 'fw-1');
      await write('asa', '2026-11-03T00:00:00.000Z', 'fw-1');
      await write('asa', '2026-11-04T00:00:00.000Z', 'fw-2');
      await write('other', '2026-11-02T00:00:00.000Z', 'fw-1');
      await writeFile(join(dir, 'asa', 'junk-backup.json'), '{not json');
      expect(await latestBackupFor(dir, 'fw-1')).toBe(join(dir, 'asa', '2026-11-03T00:00:00.000Z-backup.json'));
      expect(await latestBackupFor(dir, 'fw-9')).toBeNull();
      expect(await latestBackupFor(join(dir, 'missing'), 'fw-1')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
