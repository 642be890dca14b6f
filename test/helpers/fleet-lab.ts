/**
 * The 20-device lab fleet of the fleet e2e tests (run-fleet, run-shards): mixed dialects (pix6/asa8/asa9), two
 * failover pairs (active + standby) and up to three units with injected faults, started in the test process; plus
 * a working folder holding its inventory (no secrets: environment references), known_hosts, a .env and the
 * shipped playbooks/disable-smtp-inspection.yaml with lab-specific edits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Document, parseDocument, stringify } from 'yaml';
import type { Lab } from '../../src/lab/index.js';
import { labInventory } from '../../src/lab/inventory-out.js';
import type { LabDeviceOptions } from '../../src/lab/types.js';
import { tempDir } from '../e2e/apply-helpers.js';
import { startTestLab, writeKnownHosts } from './lab.js';

export const fleetCreds = { username: 'fleetadm', password: 'Fl33t-pass', enableSecret: 'Fl33t-enable' };

/** The injectable faults: a device error on the `no` command, the connection dropped at it, `write memory` hanging. */
export type FleetFault = 'err' | 'drop' | 'hang';

const d = (name: string, dialect: LabDeviceOptions['dialect'], extra: Partial<LabDeviceOptions> = {}) =>
  ({ name, dialect, ...fleetCreds, ...extra }) as LabDeviceOptions;

/**
 * The fleet in inventory (= run) order: the first device is the canary; the units of each pair are adjacent, so
 * without the pair rule they would run at the same time. A fault slot not asked for is a healthy device of the
 * same dialect with an ordinary name.
 */
export function fleetDevices(faults: readonly FleetFault[]): LabDeviceOptions[] {
  const has = (f: FleetFault) => faults.includes(f);
  return [
    d('asa9-1', 'asa9'),
    d('pix6-1', 'pix6'),
    d('asa8-1', 'asa8'),
    d('hq-a', 'asa9', { hostname: 'hq', failover: { role: 'active', unit: 'primary', peer: 'hq-b' } }),
    d('hq-b', 'asa9', { hostname: 'hq', failover: { role: 'standby', unit: 'secondary', peer: 'hq-a' } }),
    d('asa9-2', 'asa9'),
    has('err') ? d('pix6-err', 'pix6', { faults: { errorAt: [/^no fixup protocol smtp/] } }) : d('pix6-5', 'pix6'),
    d('asa8-2', 'asa8'),
    d('dc-a', 'asa8', { hostname: 'dc', failover: { role: 'active', unit: 'primary', peer: 'dc-b' } }),
    d('dc-b', 'asa8', { hostname: 'dc', failover: { role: 'standby', unit: 'secondary', peer: 'dc-a' } }),
    d('pix6-2', 'pix6'),
    has('drop') ? d('asa8-drop', 'asa8', { faults: { dropAt: [/^no inspect esmtp/] } }) : d('asa8-5', 'asa8'),
    d('asa9-3', 'asa9'),
    d('pix6-3', 'pix6'),
    has('hang') ? d('asa9-hang', 'asa9', { faults: { hangAt: [/^wr(ite)? mem/] } }) : d('asa9-6', 'asa9'),
    d('asa8-3', 'asa8'),
    d('asa9-4', 'asa9'),
    d('pix6-4', 'pix6'),
    d('asa8-4', 'asa8'),
    d('asa9-5', 'asa9'),
  ];
}

/** A small fleet in the fleet's shape (credentials and all), for tests that need only a few devices. */
export const smallFleet = (specs: Array<[string, LabDeviceOptions['dialect']]>): LabDeviceOptions[] =>
  specs.map(([name, dialect]) => d(name, dialect));

export const FAULT_NAMES: Record<FleetFault, string> = { err: 'pix6-err', drop: 'asa8-drop', hang: 'asa9-hang' };
export const STANDBY = ['hq-b', 'dc-b'];
export const PAIRS = [
  ['hq-a', 'hq-b'],
  ['dc-a', 'dc-b'],
] as const;

/** `run` on the working folder startFleetLab writes: the shipped playbook with its inventory and known_hosts. */
export const FLEET_RUN = [
  'run',
  'disable-smtp-inspection.yaml',
  '--inventory',
  'inventory.yaml',
  '--known-hosts',
  'known_hosts',
] as const;

export interface FleetLab {
  lab: Lab;
  devices: LabDeviceOptions[];
  /** Names of the faulty devices. */
  faulty: string[];
  /** Working folder: inventory.yaml, known_hosts, .env, disable-smtp-inspection.yaml. */
  dir: string;
  /** Environment for the CLI (the username; the rest comes from .env). */
  env: Record<string, string>;
}

/**
 * Start the fleet (stopped after the test file) and write its working folder. `edit` changes the copy of the
 * shipped playbook after the common lab edits (window moved to now, the per-host probe override of the example
 * inventory's fw-south-1 dropped).
 */
export async function startFleetLab(
  faults: readonly FleetFault[],
  edit: (doc: Document) => void,
  devices: LabDeviceOptions[] = fleetDevices(faults),
): Promise<FleetLab> {
  const lab = await startTestLab(devices, { smtp: true, randomCredentials: false });
  const dir = writeFleetFolder(lab, edit);
  return {
    lab,
    devices,
    faulty: faults.map((f) => FAULT_NAMES[f]),
    dir,
    env: { ASA_USERNAME: fleetCreds.username },
  };
}

/**
 * A working folder for `run` (FLEET_RUN) on the lab's devices (`only`: those named, in the lab's order): inventory
 * without secrets, known_hosts, a .env, and the shipped playbook with the lab edits, then `edit`.
 */
export function writeFleetFolder(lab: Lab, edit: (doc: Document) => void, only?: readonly string[]): string {
  const dir = tempDir('mg-fleet-');
  const devices = only ? lab.devices.filter((x) => only.includes(x.name)) : lab.devices;
  // The generated inventory without secrets (the playbook names the environment variables), plus the example
  // inventory's (here empty) pix-legacy group that the shipped targets exclude.
  const inv = labInventory({ devices });
  for (const h of Object.values(inv.hosts ?? {})) {
    if (!h) continue;
    delete h.username;
    delete h.password;
    delete h.enableSecret;
  }
  inv.groups = { ...inv.groups, 'pix-legacy': null };
  // Credentials as environment references, as in examples/inventory.yaml (the shipped rollback playbook names none).
  inv.vars = { usernameEnv: 'ASA_USERNAME', passwordEnv: 'ASA_PASSWORD', enableSecretEnv: 'ASA_ENABLE_SECRET' };
  writeFileSync(join(dir, 'inventory.yaml'), stringify(inv));
  writeKnownHosts(lab, dir);
  // .env holds a wrong user: the process environment wins over it.
  writeFileSync(
    join(dir, '.env'),
    `ASA_USERNAME=not-this-one\nASA_PASSWORD=${fleetCreds.password}\nASA_ENABLE_SECRET=${fleetCreds.enableSecret}\n`,
    // 0600 as a real secrets file: the CLI warns about a world-readable .env.
    { mode: 0o600 },
  );

  const shipped = readFileSync(resolve(import.meta.dirname, '../../playbooks/disable-smtp-inspection.yaml'), 'utf8');
  const doc = parseDocument(shipped);
  const now = Date.now();
  doc.set('window', { start: new Date(now - 60_000).toISOString(), end: new Date(now + 2 * 3600_000).toISOString() });
  doc.delete('probe');
  edit(doc);
  writeFileSync(join(dir, 'disable-smtp-inspection.yaml'), doc.toString());
  return dir;
}
