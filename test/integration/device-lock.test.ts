/**
 * The device lock (issue 13 §2): once logged in, a run also locks the unit by the hostname and serial its
 * `show version` gives, so a second run that reached the same unit another way (here: telnet through a port forward
 * on 127.0.0.2 beside SSH on 127.0.0.1: two address:port keys) is refused with DEVICE_LOCKED before any config command. In process, over real TCP to the lab;
 * the built CLI's refusal is in test/e2e/device-lock.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangeEngine } from '../../src/change/engine.js';
import { addressIdentity } from '../../src/change/identity.js';
import { acquireLock } from '../../src/change/lock.js';
import type { ChangeOptions } from '../../src/change/types.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { ConnectOptions } from '../../src/session/types.js';
import { CONFIG_COMMAND, configCommandsSince } from '../e2e/apply-helpers.js';
import { labSshOptions, startTestLab, writeKnownHosts } from '../helpers/lab.js';

const SERIAL = 'JMX1411L0CK';
const lab = await startTestLab([{ name: 'fw', dialect: 'asa9', serial: SERIAL }], { smtp: false });
const work = mkdtempSync(join(tmpdir(), 'mg-devlock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const knownHosts = writeKnownHosts(lab, work);
const dev = lab.device('fw');

/**
 * A port forward on another loopback address (127.0.0.2) to the unit's telnet port: another spelling in every part
 * of the address lock's key. Where 127.0.0.2 cannot be bound (not Linux), the telnet port itself.
 */
async function forward(toPort: number): Promise<{ host: string; port: number }> {
  const server = createServer((inbound) => {
    const outbound = connect(toPort, '127.0.0.1');
    inbound.pipe(outbound).pipe(inbound);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
  });
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.2', resolve));
  } catch (e) {
    console.warn(`127.0.0.2 cannot be bound (${(e as Error).message}): the second run uses 127.0.0.1 over telnet`);
    return { host: '127.0.0.1', port: toPort };
  }
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  return { host: '127.0.0.2', port: (server.address() as AddressInfo).port };
}
const other = await forward(dev.info.telnet.port);

function overTelnet(): ConnectOptions {
  const d = dev.info;
  return {
    host: other.host,
    port: other.port,
    transport: 'telnet',
    username: d.username,
    password: d.password,
    enableSecret: d.enableSecret,
    timeouts: { connectMs: 4000, loginMs: 6000, commandMs: 6000 },
  };
}

function engine(connect: ConnectOptions, lockDir: string, over: Partial<ChangeOptions> = {}): ChangeEngine {
  return new ChangeEngine({ connect, reload: 'never', backupDir: join(work, 'backups'), lockDir, ...over });
}

describe('device lock by hostname and serial', () => {
  it('a second run over another address and port (a forward) to the same unit is refused with exit 8, nothing sent; both locks go at the end', async () => {
    const lockDir = mkdtempSync(join(work, 'locks-'));
    const before = dev.runningConfig();
    // Run A (SSH) holds both locks while it waits at its confirmation.
    let letGo!: (ok: boolean) => void;
    const held = new Promise<boolean>((resolve) => {
      letGo = resolve;
    });
    let asked!: () => void;
    const atConfirm = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const a = engine(labSshOptions(lab, 'fw', knownHosts), lockDir, {
      confirm: () => {
        asked();
        return held;
      },
    });
    const aDone = a.run();
    await atConfirm;
    const files = readdirSync(lockDir).sort();
    expect(files).toHaveLength(2);
    const deviceLock = files.find((f) => f.startsWith('device_')) as string;
    expect(deviceLock).toBe(`device_${dev.info.hostname}_${SERIAL}.lock`);
    expect(JSON.parse(readFileSync(join(lockDir, deviceLock), 'utf8'))).toMatchObject({
      pid: process.pid,
      target: `device ${dev.info.hostname} ${SERIAL}`,
      command: expect.stringMatching(/^apply 127\.0\.0\.1:\d+$/),
    });

    // Run B (telnet): another address lock, the same unit. Its backup and record folders are new ones.
    const from = dev.commandLog().length;
    const bBackups = join(work, 'b-new', 'backups');
    const bRecords = join(work, 'b-records');
    const b = await engine(overTelnet(), lockDir, {
      backupDir: bBackups,
      reportFile: join(bRecords, 'change.json'),
    }).run();
    const why = JSON.stringify({ error: b.error, outcome: b.outcome });
    expect(b.exitCode, why).toBe(8);
    expect(b.error?.code).toBe('DEVICE_LOCKED');
    expect(b.error?.message).toMatch(new RegExp(`pid ${process.pid} on \\S+ since .*apply 127\\.0\\.0\\.1:`));
    expect(b.commands.filter((c) => CONFIG_COMMAND.test(c.command))).toEqual([]);
    expect(configCommandsSince(dev, from)).toEqual([]);
    expect(b.backup).toBeUndefined();
    expect(b.reportFiles).toBeUndefined();
    expect(b.finalState).toMatchObject({ running: 'original', startup: 'original' });
    // Refused before writing anything: the folders it was given were checked, not created.
    expect(existsSync(join(work, 'b-new')), 'an empty --backup-dir was left behind').toBe(false);
    expect(existsSync(bRecords), 'an empty --report folder was left behind').toBe(false);
    // B gave back its own address lock; A's two stay.
    expect(readdirSync(lockDir).sort()).toEqual(files);

    // A goes on and completes: the success ending releases both.
    letGo(true);
    const ra = await aDone;
    expect(ra.exitCode, JSON.stringify(ra.error)).toBe(0);
    expect(findSmtpInspection(dev.runningConfig()).active).toBe(false);
    expect(readdirSync(lockDir)).toEqual([]);

    // A rollback of A's change, refused at the address lock another run holds: no backup folder either.
    const holder = await acquireLock({
      dir: lockDir,
      identity: await addressIdentity(labSshOptions(lab, 'fw', knownHosts)),
      command: 'apply (test)',
    });
    try {
      const rBackups = join(work, 'r-backups');
      const r = await engine(labSshOptions(lab, 'fw', knownHosts), lockDir, {
        mode: 'restore',
        restoreFrom: ra.backup?.metadataPath,
        backupDir: rBackups,
      }).run();
      expect(r.exitCode, JSON.stringify(r.error)).toBe(8);
      expect(r.error?.code).toBe('DEVICE_LOCKED');
      expect(existsSync(rBackups), 'an empty --backup-dir was left behind').toBe(false);
    } finally {
      await holder.release();
    }
    dev.setRunningConfig(before);
    dev.setStartupConfig(before);
  }, 60_000);
});
