/**
 * Which playbook and inventory a run used, as sha256 of the files' bytes: shard reports and canary results of one
 * change carry the same two hashes, so `report merge` and `run --phase rest --after` can refuse anything else.
 */
import { sha256File } from '../change/provenance.js';

export interface Provenance {
  playbookSha256: string;
  /** null when the inventory was not read from a file (tests, a lab-generated one). */
  inventorySha256: string | null;
}

export function runProvenance(playbookFile: string, inventoryFile: string | null): Provenance {
  return {
    playbookSha256: sha256File(playbookFile),
    inventorySha256: inventoryFile ? sha256File(inventoryFile) : null,
  };
}
