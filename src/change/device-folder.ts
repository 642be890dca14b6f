/**
 * Which folder of the backup dir holds a device's backups and change records. Keyed by hostname plus serial
 * number, so the two units of a failover pair (same hostname, own serials) and factory-default `ciscoasa` units
 * never share one. Without a serial: hostname plus address; knowing neither (a failed login): the folder this
 * address was last filed under, else the address itself. Each folder holds `device.json` (hostname, serial, the
 * addresses it was reached at) so a failed login's record lands beside the device's other records.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makePrivateDir, safeName, writePrivate } from './backup.js';

export interface DeviceIdentity {
  hostname: string | null;
  serial: string | null;
  /** `host:port` (or `host`) the device was reached at. */
  address: string;
}

export interface DeviceFolderInfo {
  hostname: string | null;
  serial: string | null;
  addresses: string[];
  updatedAt: string;
}

export function deviceFolderName(id: DeviceIdentity): string {
  if (id.serial) return safeName(id.hostname ? `${id.hostname}_${id.serial}` : id.serial);
  if (id.hostname) return safeName(`${id.hostname}_${id.address}`);
  return safeName(id.address);
}

/** The address part of an identity: `host:port`, or `host:transport` when the port is the default. */
export function deviceAddress(c: { host: string; port?: number | undefined; transport?: string }): string {
  return `${c.host}:${c.port ?? c.transport ?? 'ssh'}`;
}

async function readInfo(dir: string): Promise<DeviceFolderInfo | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'device.json'), 'utf8')) as DeviceFolderInfo;
  } catch {
    return null;
  }
}

/**
 * The folder for a device (created 0700), with its device.json updated. With neither hostname nor serial it is
 * the folder that last listed this address (so every record of one device stays together), else the address.
 */
export async function deviceFolder(backupDir: string, id: DeviceIdentity, now = new Date()): Promise<string> {
  const root = resolve(backupDir);
  let name = deviceFolderName(id);
  if (!id.hostname && !id.serial) name = (await folderForAddress(root, id.address)) ?? name;
  const dir = join(root, name);
  await makePrivateDir(dir);
  const old = await readInfo(dir);
  const info: DeviceFolderInfo = {
    hostname: id.hostname ?? old?.hostname ?? null,
    serial: id.serial ?? old?.serial ?? null,
    addresses: [...new Set([...(old?.addresses ?? []), id.address])],
    updatedAt: now.toISOString(),
  };
  await writePrivate(join(dir, 'device.json'), `${JSON.stringify(info, null, 2)}\n`);
  return dir;
}

/** The folder (name) whose device.json lists `address`, most recently updated first; null when none does. */
export async function folderForAddress(root: string, address: string): Promise<string | null> {
  let best: { name: string; at: string } | null = null;
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return null;
  }
  for (const name of names) {
    const info = await readInfo(join(root, name));
    if (!info || !(info.hostname || info.serial) || !info.addresses?.includes(address)) continue;
    if (!best || info.updatedAt > best.at) best = { name, at: info.updatedAt };
  }
  return best?.name ?? null;
}
