/**
 * Which playbook and inventory a run used, as sha256 of the files' bytes: shard reports and canary results of one
 * change carry the same two hashes, so `report merge` and `run --phase rest --after` can refuse anything else.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface Provenance {
  playbookSha256: string;
  /** null when the inventory was not read from a file (tests, a lab-generated one). */
  inventorySha256: string | null;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export async function runProvenance(playbookFile: string, inventoryFile: string | null): Promise<Provenance> {
  return {
    playbookSha256: await sha256File(playbookFile),
    inventorySha256: inventoryFile ? await sha256File(inventoryFile) : null,
  };
}
