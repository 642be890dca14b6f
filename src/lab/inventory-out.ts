/**
 * Turn the JSON that `asa-mailguard lab --json` prints (issue #2 contract) into an inventory in the tool's own
 * format, so a playbook can run against a lab fleet whose ports change at every start. It lives in the lab (which
 * may use the tool's inventory types) so that the tool's core never imports the lab.
 */
import { stringify } from 'yaml';
import type { InventoryFile } from '../playbook/schema.js';
import type { TransportKind } from '../transport/types.js';
import type { LabDeviceInfo } from './types.js';

/** The device fields of the lab's JSON that an inventory needs, plus an optional failover peer. */
export type LabDeviceJson = Pick<
  LabDeviceInfo,
  'name' | 'dialect' | 'ssh' | 'telnet' | 'smtp' | 'username' | 'password' | 'enableSecret' | 'legacyAlgorithms'
> & { hostname?: string; failoverPeer?: string; failover?: { peer?: string } | null };

export interface LabInventoryOptions {
  /** Transport per dialect; default: telnet for pix6 (as PIX 6 is usually run), SSH otherwise. */
  transport?: (d: LabDeviceJson) => TransportKind;
}

/**
 * The inventory as an object (validated by InventorySchema) grouping devices by dialect and under `lab`.
 * The lab's credentials are written in plain text (the loader warns): they are throwaway, per lab start.
 */
export function labInventory(doc: { devices: LabDeviceJson[] }, o: LabInventoryOptions = {}): InventoryFile {
  const transport = o.transport ?? ((d: LabDeviceJson) => (d.dialect === 'pix6' ? 'telnet' : 'ssh'));
  const groups: NonNullable<InventoryFile['groups']> = { lab: { children: [] } };
  const hosts: InventoryFile['hosts'] = {};
  for (const d of doc.devices) {
    if (!(d.dialect in groups)) {
      groups[d.dialect] = null;
      groups.lab!.children!.push(d.dialect);
    }
    const t = transport(d);
    const ep = t === 'telnet' ? d.telnet : d.ssh;
    hosts[d.name] = {
      host: ep.host,
      port: ep.port,
      transport: t,
      ...(t === 'ssh' && d.legacyAlgorithms ? { legacyAlgorithms: true } : {}),
      username: d.username,
      password: d.password,
      enableSecret: d.enableSecret,
      smtpProbe: [`${d.smtp.host}:${d.smtp.port}`],
      groups: [d.dialect],
      ...(d.failoverPeer || d.failover?.peer ? { failoverPeer: d.failoverPeer ?? d.failover?.peer } : {}),
    };
  }
  return { groups, hosts };
}

/** YAML text for `lab --inventory-out FILE` (write it with mode 0600: it holds the lab's passwords). */
export function labInventoryYaml(doc: { devices: LabDeviceJson[] }, o: LabInventoryOptions = {}): string {
  return `# Generated from \`asa-mailguard lab --json\`; ports change at every lab start.\n${stringify(labInventory(doc, o))}`;
}
