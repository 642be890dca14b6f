/**
 * Active/standby failover pairs for `asa-mailguard lab --failover-pairs N`: two ASA units per pair, the primary
 * active and the secondary standby, each naming the other as its peer (the JSON's `failover`, which
 * `--inventory-out` writes as `failover_peer`). The standby's prompt (`/sec/stby`), `show failover` and the
 * config-mode replication warning come from the device's failover role (device.ts, cli/config-mode.ts); config
 * commands and saves on the active unit reach the standby (cli/replication.ts, DeviceEmulator.save).
 */
import { MailguardError } from '../errors.js';
import type { DeviceEmulator } from './device.js';
import type { LabDeviceOptions, LabDialect } from './types.js';

/** The highest `--failover-pairs`: each pair is two devices, and `--devices` allows 2000. */
export const MAX_FAILOVER_PAIRS = 1000;

/** `--failover-pairs N` as a number (0 when not given). */
export function parseFailoverPairs(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > MAX_FAILOVER_PAIRS)
    throw new MailguardError('USAGE', `--failover-pairs: "${value}" is not a number from 0 to ${MAX_FAILOVER_PAIRS}`, {
      hint: 'Example: --failover-pairs 1',
    });
  return n;
}

/**
 * `count` pairs, taking the ASA dialects of `dialects` in turn (asa9 when there is none: PIX 6 failover is not
 * emulated). Pair i is `pairI-pri` (active) and `pairI-sec` (standby), both with hostname `pairI`, as the two
 * units of a real pair share one replicated config. `common` carries the options every lab device gets.
 */
export function failoverPairs(
  count: number,
  dialects: readonly LabDialect[],
  common: Omit<LabDeviceOptions, 'dialect' | 'name' | 'hostname' | 'failover'> = {},
): LabDeviceOptions[] {
  const asa = dialects.filter((d) => d !== 'pix6');
  const pool: LabDialect[] = asa.length ? asa : ['asa9'];
  const out: LabDeviceOptions[] = [];
  for (let i = 1; i <= count; i++) {
    const dialect = pool[(i - 1) % pool.length] as LabDialect;
    const hostname = `pair${i}`;
    const pri = `${hostname}-pri`;
    const sec = `${hostname}-sec`;
    out.push(
      { ...common, dialect, name: pri, hostname, failover: { role: 'active', unit: 'primary', peer: sec } },
      { ...common, dialect, name: sec, hostname, failover: { role: 'standby', unit: 'secondary', peer: pri } },
    );
  }
  return out;
}

/** Link each started unit to the peer its `failover.peer` names (a peer not in this lab is left unlinked). */
export function linkFailoverPeers(units: readonly DeviceEmulator[]): void {
  const byName = new Map(units.map((u) => [u.name, u]));
  for (const u of units) {
    const peer = u.opts.failover?.peer;
    u.failoverPeer = peer ? (byName.get(peer) ?? null) : null;
  }
}
