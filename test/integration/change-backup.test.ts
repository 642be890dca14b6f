import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBackup, sha256, writeBackup } from '../../src/change/backup.js';
import { acquireLock, lockName } from '../../src/change/lock.js';
import { redactSecrets } from '../../src/change/redact.js';
import type { PlatformInfo } from '../../src/platform/types.js';
import { capture } from '../fixtures/load.js';

const platform: PlatformInfo = {
  family: 'asa',
  version: '9.8(4)10',
  model: 'ASAv',
  hostname: 'fw1',
  contextMode: 'single',
  failover: { enabled: false, role: null },
  dialect: 'asa9',
};

describe('backup files (issue #5: 0600, sha256, read back)', () => {
  it('writes running and startup with checksums and private modes, and loads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-backup-'));
    const info = await writeBackup({
      backupDir: dir,
      hostname: 'fw1',
      target: '127.0.0.1:2222',
      platform,
      takenAt: new Date('2026-11-28T06:20:01.123Z'),
      configs: [
        { kind: 'running', context: null, text: 'hostname fw1\n inspect esmtp \n' },
        { kind: 'startup', context: null, text: 'hostname fw1\n' },
      ],
    });
    expect(info.files.map((f) => f.path)).toEqual([
      join(dir, 'fw1', '2026-11-28T06-20-01Z-running.cfg'),
      join(dir, 'fw1', '2026-11-28T06-20-01Z-startup.cfg'),
    ]);
    expect(statSync(join(dir, 'fw1')).mode & 0o777).toBe(0o700);
    for (const f of [...info.files.map((x) => x.path), info.metadataPath]) {
      expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    expect(info.files[0]?.sha256).toBe(sha256('hostname fw1\n inspect esmtp \n'));
    const loaded = await loadBackup(info.files[0]!.path);
    expect(loaded.running.get('')).toBe('hostname fw1\n inspect esmtp \n');
    expect(loaded.startup.get('')).toBe('hostname fw1\n');
  });

  it('refuses a backup whose file no longer matches its checksum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-backup-'));
    const info = await writeBackup({
      backupDir: dir,
      hostname: 'fw1',
      target: 'x',
      platform,
      takenAt: new Date(),
      configs: [{ kind: 'running', context: null, text: 'a\n' }],
    });
    writeFileSync(info.files[0]!.path, 'b\n');
    await expect(loadBackup(info.metadataPath)).rejects.toThrow(/does not match its recorded sha256/);
  });

  it('a second backup in the same second gets its own stamp and never overwrites the first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-backup-'));
    const takenAt = new Date('2026-11-28T06:20:01.123Z');
    const write = (text: string) =>
      writeBackup({
        backupDir: dir,
        hostname: 'fw1',
        target: 'x',
        platform,
        takenAt,
        configs: [{ kind: 'running', context: 'ctx1', text }],
      });
    const first = await write('before the change\n');
    const second = await write('after the change\n');
    expect(first.metadataPath).toBe(join(dir, 'fw1', '2026-11-28T06-20-01Z-backup.json'));
    expect(second.metadataPath).toBe(join(dir, 'fw1', '2026-11-28T06-20-01Z.2-backup.json'));
    expect(second.files[0]?.path).toBe(join(dir, 'fw1', '2026-11-28T06-20-01Z.2-ctx1-running.cfg'));
    // Each .cfg leads back to its own metadata and text.
    expect((await loadBackup(first.files[0]!.path)).running.get('ctx1')).toBe('before the change\n');
    expect((await loadBackup(second.files[0]!.path)).running.get('ctx1')).toBe('after the change\n');
  });

  it('stops with BACKUP_FAILED when the directory cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-backup-'));
    writeFileSync(join(dir, 'blocker'), 'file, not a dir');
    await expect(
      writeBackup({
        backupDir: join(dir, 'blocker'),
        hostname: 'fw1',
        target: 'x',
        platform,
        takenAt: new Date(),
        configs: [{ kind: 'running', context: null, text: 'a\n' }],
      }),
    ).rejects.toThrow(expect.objectContaining({ code: 'BACKUP_FAILED' }));
  });
});

describe('device lock', () => {
  const take = (dir: string, identity: string, warn?: (m: string) => void) =>
    acquireLock({ dir, identity, command: `apply ${identity}`, warn });

  it('refuses a second lock while held (naming pid, host, command) and takes over a stale one with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-lock-'));
    const a = await take(dir, 'addr 127.0.0.1:2222');
    expect(statSync(a.path).mode & 0o777).toBe(0o600);
    await expect(take(dir, 'addr 127.0.0.1:2222')).rejects.toThrow(
      expect.objectContaining({
        code: 'DEVICE_LOCKED',
        exitCode: 8,
        message: expect.stringMatching(new RegExp(`pid ${process.pid} on .*apply addr 127\\.0\\.0\\.1:2222`)),
      }),
    );
    await a.release();
    const b = await take(dir, 'addr 127.0.0.1:2222');
    // A lock left by a process that no longer exists (pid far above pid_max) is stale.
    const body = JSON.parse(readFileSync(b.path, 'utf8'));
    writeFileSync(b.path, JSON.stringify({ ...body, pid: 2 ** 30 }));
    const warnings: string[] = [];
    const c = await take(dir, 'addr 127.0.0.1:2222', (m) => warnings.push(m));
    expect(warnings.join('\n')).toMatch(/stale lock .*pid 1073741824 on this host .* is gone/);
    expect(JSON.parse(readFileSync(c.path, 'utf8')).pid).toBe(process.pid);
    await c.release();
    expect(existsSync(c.path)).toBe(false);
  });

  it('an empty or corrupt lock file is taken over with a warning, not a block for every later run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-lock-'));
    for (const junk of ['', '{"pid":', 'null']) {
      writeFileSync(join(dir, lockName('addr 127.0.0.1:2224')), junk);
      const warnings: string[] = [];
      const l = await take(dir, 'addr 127.0.0.1:2224', (m) => warnings.push(m));
      expect(warnings.join('\n'), JSON.stringify(junk)).toMatch(/empty or unreadable/);
      await l.release();
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two runs racing for one device: exactly one gets the lock (exclusive create)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-lock-'));
    const tries = await Promise.allSettled(Array.from({ length: 8 }, () => take(dir, 'addr 127.0.0.1:2223')));
    const won = tries.filter((t) => t.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const t of tries) {
      if (t.status === 'rejected') expect(t.reason).toMatchObject({ code: 'DEVICE_LOCKED' });
    }
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('redaction', () => {
  it('removes known secret values and key-bearing config lines', () => {
    const out = redactSecrets('password is S3cretPw\nenable password 8Ry2YjIyt7RRXU24 encrypted\n', ['S3cretPw']);
    expect(out).not.toContain('S3cretPw');
    expect(out).not.toContain('8Ry2YjIyt7RRXU24');
    expect(out).toContain('enable password ***');
  });

  it('masks key lines from the real capture but leaves prose that mentions a secret', () => {
    // asa_show-running-config_1.txt: aaa-server ` key ...`, `enable password ...`, `username ... password ...`.
    const config = capture('asa_show-running-config_1.txt');
    const out = redactSecrets(config, []);
    expect(out).not.toContain('AAAAAAAAAABBBBBBBBBBCCCCCCCCCC');
    expect(out).toContain(' key ***');
    expect(out).toContain('hostname LAB-ASA12-Oxidized-IPv6');
    const prose = 'ENABLE_FAILED: the enable secret was refused; check the secret and try again';
    expect(redactSecrets(prose, [])).toBe(prose);
  });
});
