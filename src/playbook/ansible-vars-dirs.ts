/**
 * group_vars/ and host_vars/ beside an Ansible inventory, as Ansible's host_group_vars plugin reads them: for a
 * group or host NAME, the file NAME, NAME.yml, NAME.yaml or NAME.json, or every such file under the folder NAME/
 * (recursively, in lexical order). These variables win over the same group's or host's variables in the inventory
 * file. A file that is vault-encrypted as a whole is decrypted with the vault passwords; without one it is left
 * locked, which only matters once a credential is needed (`--list-hosts` needs none).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { recordAnsibleVar, settleAnsibleVars } from './ansible-vars.js';
import { decryptVault, isVaultText, type VaultSecret } from './ansible-vault.js';
import type { HostSettings, Inventory, InventoryBuilder } from './inventory.js';
import { YamlSource } from './source.js';

export interface AnsibleLoadOptions {
  /** The inventory's folder: group_vars/ and host_vars/ are read from here. */
  varsDir?: string;
  /** Vault passwords for whole-file vaults (values stay encrypted until needed). */
  vault?: VaultSecret[];
}

const EXTS = new Set(['', '.yml', '.yaml', '.json']);

/** Read group_vars/host_vars, then merge and map every host's variables, then check the inventory. */
export function finishAnsible(b: InventoryBuilder, opts: AnsibleLoadOptions): Inventory {
  if (opts.varsDir) {
    for (const [name, g] of b.inv.groups) readVars(b, join(opts.varsDir, 'group_vars'), name, g.vars, opts);
    for (const [name, h] of b.inv.hosts) readVars(b, join(opts.varsDir, 'host_vars'), name, h.vars, opts);
  }
  settleAnsibleVars(b);
  return b.finish();
}

function isDir(p: string): boolean | null {
  try {
    return statSync(p).isDirectory();
  } catch {
    return null;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .filter((e) => !e.startsWith('.'))
    .sort()
    .flatMap((e) => {
      const p = join(dir, e);
      if (isDir(p)) return filesUnder(p);
      return EXTS.has(extname(e).toLowerCase()) ? [p] : [];
    });
}

function readVars(
  b: InventoryBuilder,
  base: string,
  name: string,
  target: HostSettings,
  opts: AnsibleLoadOptions,
): void {
  if (isDir(base) === null) return;
  const files: string[] = [];
  for (const ext of ['', '.yml', '.yaml', '.json']) {
    const p = join(base, name + ext);
    const d = isDir(p);
    if (d === false) files.push(p);
    else if (d === true && ext === '') files.push(...filesUnder(p));
  }
  for (const file of files) {
    let text = readFileSync(file, 'utf8');
    if (isVaultText(text)) {
      if (!opts.vault || opts.vault.length === 0) {
        b.inv.lockedVaultFiles = [...(b.inv.lockedVaultFiles ?? []), file];
        continue;
      }
      text = decryptVault(text, opts.vault, { file, line: 1, column: 1 });
    }
    const src = YamlSource.parse(file, text, 'inventory');
    const data = src.toJS();
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data)) {
      b.issue(src.locate([]), '', `expected a mapping of variables in ${file}`);
      continue;
    }
    for (const [k, v] of Object.entries(data)) recordAnsibleVar(target, k, v, src.locate([k]));
  }
}
