/**
 * The device lock through the built CLI (issue 13 §2): while a run holds an asa9 unit (reached over SSH, paused at
 * its confirmation in this process), `apply` over telnet to the same unit (another address:port) logs in, sees the
 * same hostname and serial and refuses: exit 8, DEVICE_LOCKED naming the holder, no config command, no record, its
 * own lock released.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ChangeEngine } from '../../src/change/engine.js';
import { addressIdentity } from '../../src/change/identity.js';
import { acquireLock } from '../../src/change/lock.js';
import { ensureBuiltCli } from '../helpers/built-cli.js';
import { labSshOptions, startTestLab, writeKnownHosts } from '../helpers/lab.js';
import {
  configCommandsSince,
  connArgs,
  credsEnv,
  modeOf,
  read,
  resultOf,
  runCli,
  tempDir,
  toolFiles,
} from './apply-helpers.js';

ensureBuiltCli();

const lab = await startTestLab([{ name: 'fw', dialect: 'asa9' }], { smtp: false });

describe('device lock (process)', () => {
  it('apply over telnet to a unit held over SSH: exit 8 naming the holder, nothing sent, no record', async () => {
    const dev = lab.device('fw');
    const cwd = tempDir('mg-devlock-');
    const lockDir = mkdtempSync(join(cwd, 'locks-'));
    let letGo!: (ok: boolean) => void;
    let asked!: () => void;
    const atConfirm = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const holder = new ChangeEngine({
      connect: labSshOptions(lab, 'fw', writeKnownHosts(lab, cwd)),
      reload: 'never',
      backupDir: join(cwd, 'holder-backups'),
      lockDir,
      confirm: () => {
        asked();
        return new Promise<boolean>((resolve) => {
          letGo = resolve;
        });
      },
    });
    const held = holder.run();
    await atConfirm;
    const from = dev.commandLog().length;
    const refusedBackups = join(cwd, 'refused-backups');
    const r = await runCli(
      [
        'apply',
        ...connArgs(dev.info, cwd, 'telnet'),
        ...['--yes', '--json', '--reload', 'never', '--backup-dir', refusedBackups],
      ],
      { cwd, env: { ...credsEnv(dev.info), MAILGUARD_LOCK_DIR: lockDir } },
    );
    letGo(false);
    const rh = await held;
    const why = `${r.stdout.slice(-1500)}\n${r.stderr}`;
    expect(r.code, why).toBe(8);
    const result = resultOf(r);
    expect(result.error?.code).toBe('DEVICE_LOCKED');
    expect(result.error?.message).toMatch(new RegExp(`pid ${process.pid} on \\S+ since .*\\(apply 127\\.0\\.0\\.1:`));
    expect(result.error?.message).toContain(`device ${dev.info.hostname} `);
    expect(configCommandsSince(dev, from)).toEqual([]);
    expect(toolFiles(cwd).filter((f) => !f.includes('holder-backups') && !f.includes('/locks-'))).toEqual([]);
    expect(existsSync(refusedBackups), 'an empty --backup-dir was left behind').toBe(false);
    // The holder ended at its "no" (nothing changed) and gave both locks back; the refused run gave back its own.
    expect(rh.exitCode).toBe(2);
    expect(readdirSync(lockDir)).toEqual([]);
  }, 60_000);

  it('run with its device refused by a held lock (exit 8) or a bad playbook (exit 2) leaves no --backup-dir behind', async () => {
    const { dev, cwd, lockDir, env } = runFolder();
    const d = dev.info;
    const holder = await acquireLock({
      dir: lockDir,
      identity: await addressIdentity({ host: d.ssh.host, port: d.ssh.port, transport: 'ssh' }),
      command: 'apply (test)',
    });
    try {
      const from = dev.commandLog().length;
      const r = await runCli(
        ['run', 'pb.yaml', '--backup-dir', 'new/backups', '--report-dir', 'reports', '--transcript-dir', 'tr/new'],
        { cwd, env },
      );
      // The device ends with exit 8 (DEVICE_LOCKED); the run, as for any failed device, with 1.
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/\[fw\] failed \(exit 8\).*\[DEVICE_LOCKED\] Another run is changing this device/);
      expect(configCommandsSince(dev, from)).toEqual([]);
      expect(existsSync(join(cwd, 'new')), 'an empty --backup-dir was left behind').toBe(false);
      // No device was reached, so no transcript: the folder is made by the first one, not at start.
      expect(existsSync(join(cwd, 'tr')), 'an empty --transcript-dir was left behind').toBe(false);
      // The fleet report of a run whose devices ran (here: refused) is written, so its folder exists with it.
      expect(readdirSync(join(cwd, 'reports')).some((f) => /^fleet-.*\.json$/.test(f))).toBe(true);
      const bad = await runCli(['run', 'bad.yaml', '--backup-dir', 'new/backups'], { cwd, env });
      expect(bad.code, bad.stderr).toBe(2);
      expect(existsSync(join(cwd, 'new'))).toBe(false);
    } finally {
      await holder.release();
    }
  }, 60_000);

  it('run stopped before any device (window closed, a budget folder that cannot be made) leaves no --transcript-dir or --report-dir; one that cannot be made is exit 2 before contact', async () => {
    const { dev, cwd, env } = runFolder();
    const from = dev.commandLog().length;
    const folders = ['--report-dir', 'rep/new', '--transcript-dir', 'tr/new'];
    const why = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;
    // Exit 7: the change window closed an hour ago.
    const closed = await runCli(['run', 'closed.yaml', ...folders], { cwd, env });
    expect(closed.code, why(closed)).toBe(7);
    // Exit 2 after the folders were checked: the shared failure budget's folder cannot be made (under a file).
    writeFileSync(join(cwd, 'a-file'), '');
    const budget = await runCli(['run', 'pb.yaml', ...folders, '--budget-dir', 'a-file/budget'], { cwd, env });
    expect(budget.code, why(budget)).toBe(2);
    expect(budget.stderr).toMatch(/cannot use the budget dir/);
    for (const top of ['rep', 'tr'])
      expect(existsSync(join(cwd, top)), `an empty ${top}/new was left behind`).toBe(false);
    // A folder that cannot be made (under a file) is bad input: exit 2 naming it, nothing contacted.
    for (const [flag, rest] of [
      ['--transcript-dir', ['--report-dir', 'rep/new']],
      ['--report-dir', ['--transcript-dir', 'tr/new']],
    ] as const) {
      const r = await runCli(['run', 'pb.yaml', flag, 'a-file/x', ...rest], { cwd, env });
      expect(r.code, why(r)).toBe(2);
      // (--report-dir is named as resolved against the current folder, --transcript-dir as given.)
      expect(r.stderr).toContain(`[BAD_PATH]: ${flag} `);
      expect(r.stderr).toContain(`a-file/x: cannot be created (${join(cwd, 'a-file')} is not a folder).`);
      for (const top of ['rep', 'tr']) expect(existsSync(join(cwd, top)), `${top}/new was made`).toBe(false);
    }
    expect(dev.commandLog().length, 'a device was contacted').toBe(from);
    // A folder that existed before is used as it is: a run that stops before contact leaves it (and its files).
    mkdirSync(join(cwd, 'kept'));
    writeFileSync(join(cwd, 'kept', 'old.log'), 'x');
    const kept = await runCli(['run', 'closed.yaml', '--transcript-dir', 'kept', '--report-dir', 'kept'], { cwd, env });
    expect(kept.code, why(kept)).toBe(7);
    expect(readdirSync(join(cwd, 'kept'))).toEqual(['old.log']);
    // The first device reached makes the folders (0700): its transcript (0600, no secret) and the report.
    const dry = await runCli(['run', 'pb.yaml', '--dry-run', ...folders], { cwd, env });
    expect(dry.code, why(dry)).toBe(0);
    for (const dir of ['tr', 'tr/new', 'rep/new']) expect(modeOf(join(cwd, dir)), dir).toBe(0o700);
    const transcript = join(cwd, 'tr', 'new', 'fw.log');
    expect(modeOf(transcript)).toBe(0o600);
    expect(read(transcript)).toContain('show running-config');
    expect(read(transcript)).not.toContain(dev.info.password);
  }, 60_000);
});

/** A folder for `run` against the lab's fw: inventory, known_hosts, pb.yaml (reload never), bad.yaml, closed.yaml. */
function runFolder() {
  const dev = lab.device('fw');
  const cwd = tempDir('mg-devlock-run-');
  const lockDir = mkdtempSync(join(cwd, 'locks-'));
  const d = dev.info;
  writeFileSync(
    join(cwd, 'inv.yaml'),
    stringify({
      hosts: {
        fw: { host: d.ssh.host, port: d.ssh.port, transport: 'ssh', username: d.username, password: d.password },
      },
    }),
    { mode: 0o600 },
  );
  writeKnownHosts(lab, cwd);
  const base = { name: 'locked', inventory: 'inv.yaml', targets: 'all', mode: 'disable-smtp-inspection' };
  writeFileSync(join(cwd, 'pb.yaml'), stringify({ ...base, options: { knownHosts: 'known_hosts', reload: 'never' } }));
  writeFileSync(join(cwd, 'bad.yaml'), stringify({ ...base, concurrency: 0 }));
  const hour = 3600_000;
  const window = {
    start: new Date(Date.now() - 3 * hour).toISOString(),
    end: new Date(Date.now() - hour).toISOString(),
  };
  writeFileSync(join(cwd, 'closed.yaml'), stringify({ ...base, window, options: { knownHosts: 'known_hosts' } }));
  const env = { MAILGUARD_LOCK_DIR: lockDir, ASA_ENABLE_SECRET: d.enableSecret };
  return { dev, cwd, lockDir, env };
}
