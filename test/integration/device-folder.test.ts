/**
 * Backup folders per unit (issue #15): hostname plus serial, so failover units and factory-default `ciscoasa`
 * units never share one; a failed login (neither known) lands in the folder its address was last filed under.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceFolder, deviceFolderName } from '../../src/change/device-folder.js';

describe('device folders', () => {
  it('failover units (one hostname, own serials) and two ciscoasa units get their own folders', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mg-folders-'));
    const a = await deviceFolder(root, { hostname: 'pair1', serial: 'JAF1610APKQ', address: '10.0.0.1:22' });
    const b = await deviceFolder(root, { hostname: 'pair1', serial: 'JAF1610ALGM', address: '10.0.0.2:22' });
    const c = await deviceFolder(root, { hostname: 'ciscoasa', serial: null, address: '127.0.0.1:2201' });
    const d = await deviceFolder(root, { hostname: 'ciscoasa', serial: null, address: '127.0.0.1:2202' });
    expect(new Set([a, b, c, d]).size).toBe(4);
    expect(basename(a)).toBe('pair1_JAF1610APKQ');
    expect(statSync(a).mode & 0o777).toBe(0o700);
    expect(statSync(join(a, 'device.json')).mode & 0o777).toBe(0o600);
  });

  it("a failed login's record goes to the folder of the device last seen at that address", async () => {
    const root = mkdtempSync(join(tmpdir(), 'mg-folders-'));
    const known = await deviceFolder(root, { hostname: 'fw1', serial: '806245458', address: '127.0.0.1:2301' });
    const failed = await deviceFolder(root, { hostname: null, serial: null, address: '127.0.0.1:2301' });
    expect(failed).toBe(known);
    const never = await deviceFolder(root, { hostname: null, serial: null, address: '127.0.0.1:2302' });
    expect(basename(never)).toBe('127.0.0.1_2302');
    // The same device with its identity later: its own folder, and the address is remembered there.
    expect(JSON.parse(readFileSync(join(known, 'device.json'), 'utf8'))).toMatchObject({
      hostname: 'fw1',
      serial: '806245458',
      addresses: ['127.0.0.1:2301'],
    });
    expect(deviceFolderName({ hostname: null, serial: 'X1', address: 'a:1' })).toBe('X1');
  });
});
