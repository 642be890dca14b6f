/**
 * group_vars/ and host_vars/ beside an Ansible inventory, as Ansible's host_group_vars plugin reads them: for a
 * group or host NAME, the file NAME, NAME.yml, NAME.yaml or NAME.json, or every such file under the folder NAME/
 * (recursively, in lexical order). They are merged after the inventory file's variables: every group_vars file
 * after every group's inventory variables, host_vars after the host's (inventory.ts ansibleHostVars). A file that is vault-encrypted as a whole is decrypted with the vault passwords; without one it is left
 * locked, which only matters once a credential is needed (`--list-hosts` needs none).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { recordAnsibleVar, settleAnsibleVars } from './ansible-vars.js';
import { decryptVault, isVaultText, type VaultSecret } from './ansible-vault.js';
import type { HostSettings, Inventory, InventoryBuilder, Positioned } from './inventory.js';
import { YamlSource } from './source.js';

export interface AnsibleLoadOptions {
  /** The inventory's folder: group_vars/ and host_vars/ are read from here. */
  varsDir?: string;
  /** Vault passwords for whole-file vaults (values stay encrypted until needed). */
  vault?: VaultSecret[];
}

const EXTS = new Set(['', '.yml', '.yaml', '.json']);

/**
 * `ansible_group_priority` in the inventory source is not a variable but the group's merge priority, an integer
 * as Python's int() reads it (Group.set_variable). In group_vars/ it is an ordinary variable: those files are read
 * after the order is settled, so Ansible documents it as inventory-source only.
 */
function settleGroupPriorities(b: InventoryBuilder): void {
  for (const g of b.inv.groups.values()) {
    const v = g.vars.ansibleVars?.ansible_group_priority;
    if (!v) continue;
    delete g.vars.ansibleVars?.ansible_group_priority;
    const raw = typeof v.value === 'string' ? v.value.trim() : v.value;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n)) {
      b.issue(v.at, 'ansible_group_priority', `expected an integer for ansible_group_priority of group ${g.name}`);
    } else g.priority = n;
  }
}

/** Read group_vars/host_vars, then merge and map every host's variables, then check the inventory. */
export function finishAnsible(b: InventoryBuilder, opts: AnsibleLoadOptions): Inventory {
  settleGroupPriorities(b);
  if (opts.varsDir) {
    for (const [name, g] of b.inv.groups) g.fileVars = readVars(b, join(opts.varsDir, 'group_vars'), name, opts);
    for (const [name, h] of b.inv.hosts) h.fileVars = readVars(b, join(opts.varsDir, 'host_vars'), name, opts);
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
  opts: AnsibleLoadOptions,
): Record<string, Positioned<unknown>> | undefined {
  if (isDir(base) === null) return undefined;
  const target: HostSettings = {};
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
  return target.ansibleVars;
}
