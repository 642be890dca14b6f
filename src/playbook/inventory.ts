/**
 * The inventory model shared by the three formats (the tool's own YAML, Ansible INI, Ansible YAML): hosts, groups
 * with children, and settings that remember their file:line so a missing environment variable can be located.
 */
import type { TransportKind } from '../session/types.js';
import { invalidFileError, type SourceIssue, type SourcePos } from './source.js';

export interface Positioned<T> {
  value: T;
  at: SourcePos;
}

/** A credential: a literal (plain text in a file) or a reference to an environment variable. */
export type CredValue =
  | { kind: 'literal'; value: string; at: SourcePos }
  | { kind: 'env'; name: string; at: SourcePos }
  /** An Ansible Vault text (`!vault |` value or a variable of a vault-encrypted file), decrypted only when needed. */
  | { kind: 'vault'; text: string; at: SourcePos };

export interface HostSettings {
  host?: Positioned<string>;
  port?: Positioned<number>;
  transport?: Positioned<TransportKind>;
  /** Offer the old SSH-2 algorithms to this host (`--legacy-algorithms`). */
  legacyAlgorithms?: Positioned<boolean>;
  username?: CredValue;
  password?: CredValue;
  enableSecret?: CredValue;
  smtpProbe?: Positioned<string[]>;
  mailDomain?: Positioned<string>;
  failoverPeer?: Positioned<string>;
  /** SSH private key file (ansible_ssh_private_key_file, `identity`). */
  privateKeyFile?: Positioned<string>;
  /** Jump host(s) `[user@]host[:port]`, comma-separated chain (ProxyJump from ansible_ssh_common_args, `jump`). */
  jump?: Positioned<string>;
  context?: Positioned<string>;
  knownHosts?: Positioned<string>;
  /** Ansible formats: every variable as written (for templates and `ansible-inventory --list` parity). */
  ansibleVars?: Record<string, Positioned<unknown>>;
}

export interface InventoryHost {
  name: string;
  /** The host's own settings (group settings are merged by `effectiveSettings`). */
  vars: HostSettings;
  /** Ansible: the variables of host_vars/ files, merged after every inventory-file variable (as Ansible does). */
  fileVars?: Record<string, Positioned<unknown>>;
  /** Groups the host is listed in directly. */
  groups: string[];
  at: SourcePos;
}

export interface InventoryGroup {
  name: string;
  hosts: string[];
  children: string[];
  vars: HostSettings;
  /** Ansible: the variables of group_vars/ files, merged after every group's inventory-file variables. */
  fileVars?: Record<string, Positioned<unknown>>;
  /**
   * Ansible `ansible_group_priority` (set in the inventory source only; default 1): among groups of the same depth
   * the higher priority merges later and so wins.
   */
  priority?: number;
  at: SourcePos | null;
}

export interface InventoryWarning {
  code: 'PLAINTEXT_SECRET' | 'IGNORED_VAR' | 'FILE_MODE' | 'SSH_CONFIG';
  message: string;
  at: SourcePos;
}

/** `file:line:col: warning: message` (never holds a secret value). */
export function formatWarning(w: InventoryWarning): string {
  return `${w.at.file}:${w.at.line}:${w.at.column}: warning: ${w.message}`;
}

export type InventoryFormat = 'mailguard' | 'ansible-ini' | 'ansible-yaml';

export interface Inventory {
  file: string;
  format: InventoryFormat;
  /** In file order (the default run order, as Ansible does). */
  hosts: Map<string, InventoryHost>;
  /** Always holds `all` and `ungrouped`, as in Ansible. */
  groups: Map<string, InventoryGroup>;
  warnings: InventoryWarning[];
  /** group_vars/host_vars files that are vault-encrypted as a whole and were not decrypted (no vault password). */
  lockedVaultFiles?: string[];
}

/** Builds an Inventory while a format parser walks its file; collects issues instead of stopping at the first. */
export class InventoryBuilder {
  readonly inv: Inventory;
  readonly issues: SourceIssue[] = [];

  constructor(file: string, format: InventoryFormat) {
    this.inv = { file, format, hosts: new Map(), groups: new Map(), warnings: [] };
    this.group('all', null);
    this.group('ungrouped', null);
  }

  group(name: string, at: SourcePos | null): InventoryGroup {
    let g = this.inv.groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], vars: {}, at };
      this.inv.groups.set(name, g);
    } else if (!g.at && at) {
      g.at = at;
    }
    return g;
  }

  /** Add (or find) a host; `inGroup` lists it in that group. */
  host(name: string, at: SourcePos, inGroup?: string): InventoryHost {
    let h = this.inv.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, groups: [], at };
      this.inv.hosts.set(name, h);
    }
    if (inGroup && inGroup !== 'all' && !h.groups.includes(inGroup)) {
      h.groups.push(inGroup);
      const g = this.group(inGroup, null);
      if (!g.hosts.includes(name)) g.hosts.push(name);
    }
    return h;
  }

  child(parent: string, child: string, at: SourcePos): void {
    const p = this.group(parent, null);
    this.group(child, at);
    if (!p.children.includes(child)) p.children.push(child);
  }

  issue(at: SourcePos, path: string, message: string): void {
    this.issues.push({ ...at, path, message });
  }

  plainSecret(what: string, at: SourcePos): void {
    this.inv.warnings.push({
      code: 'PLAINTEXT_SECRET',
      at,
      message: `${what} is given in plain text; prefer an environment variable reference`,
    });
  }

  /** Finish: check group cycles and failover peers, fill `all`/`ungrouped`, throw PLAYBOOK_INVALID on any issue. */
  finish(): Inventory {
    const { inv } = this;
    const all = inv.groups.get('all')!;
    const ungrouped = inv.groups.get('ungrouped')!;
    for (const g of inv.groups.values()) {
      if (g.name !== 'all' && !all.children.includes(g.name) && !isChildOfAny(inv, g.name)) all.children.push(g.name);
    }
    for (const h of inv.hosts.values()) {
      if (h.groups.filter((g) => g !== 'ungrouped').length === 0) {
        if (!h.groups.includes('ungrouped')) h.groups.push('ungrouped');
        if (!ungrouped.hosts.includes(h.name)) ungrouped.hosts.push(h.name);
      }
    }
    for (const g of inv.groups.values()) {
      const cycle = findCycle(inv, g.name, []);
      if (cycle) {
        this.issue(g.at ?? { file: inv.file, line: 1, column: 1 }, '', `group cycle: ${cycle.join(' -> ')}`);
        break;
      }
    }
    for (const h of inv.hosts.values()) {
      const peer = effectiveSettings(inv, h.name).failoverPeer;
      if (!peer) continue;
      if (peer.value === h.name) {
        this.issue(peer.at, 'failover_peer', `host ${h.name} names itself as its failover peer`);
      } else if (!inv.hosts.has(peer.value)) {
        this.issue(peer.at, 'failover_peer', `failover peer "${peer.value}" of ${h.name} is not in the inventory`);
      } else {
        const back = effectiveSettings(inv, peer.value).failoverPeer;
        if (back && back.value !== h.name) {
          this.issue(
            back.at,
            'failover_peer',
            `${peer.value} names ${back.value} as its peer, but ${h.name} names ${peer.value}: a pair has two units`,
          );
        }
      }
    }
    if (inv.hosts.size === 0 && this.issues.length === 0) {
      this.issue({ file: inv.file, line: 1, column: 1 }, '', 'the inventory holds no host');
    }
    if (this.issues.length > 0) throw invalidFileError('inventory', this.issues);
    return inv;
  }
}

function isChildOfAny(inv: Inventory, name: string): boolean {
  for (const g of inv.groups.values()) if (g.name !== 'all' && g.children.includes(name)) return true;
  return false;
}

function findCycle(inv: Inventory, name: string, stack: string[]): string[] | null {
  if (stack.includes(name)) return [...stack.slice(stack.indexOf(name)), name];
  const g = inv.groups.get(name);
  if (!g) return null;
  for (const c of g.children) {
    const cyc = findCycle(inv, c, [...stack, name]);
    if (cyc) return cyc;
  }
  return null;
}

/** Longest distance of each group from `all` (all = 0), the depth Ansible orders variable merging by. */
function depthsFromAll(inv: Inventory): Map<string, number> {
  const depth = new Map<string, number>([['all', 0]]);
  const walk = (g: string, d: number, stack: string[]) => {
    if (stack.includes(g)) return; // cycles are reported by finish()
    for (const c of inv.groups.get(g)?.children ?? []) {
      if ((depth.get(c) ?? -1) < d + 1) depth.set(c, d + 1);
      walk(c, d + 1, [...stack, g]);
    }
  };
  walk('all', 0, []);
  return depth;
}

/** Every group a host belongs to, directly or as a descendant, with its depth (all = 0). */
export function groupDepths(inv: Inventory, host: string): Map<string, number> {
  const h = inv.hosts.get(host);
  const out = new Map<string, number>();
  if (!h) return out;
  const depths = depthsFromAll(inv);
  const pending = [...h.groups, 'all'];
  while (pending.length > 0) {
    const g = pending.pop()!;
    if (out.has(g)) continue;
    out.set(g, depths.get(g) ?? 1);
    for (const [pname, p] of inv.groups) if (p.children.includes(g)) pending.push(pname);
  }
  return out;
}

/** All groups of a host (including `all`). */
export function groupsOf(inv: Inventory, host: string): string[] {
  return [...groupDepths(inv, host).keys()];
}

/**
 * The groups of a host in Ansible's merge order (ansible/inventory/helpers.py sort_groups): by depth (`all` first),
 * then `ansible_group_priority` (default 1, higher later), then name compared by code point as Python does.
 */
export function mergeOrder(inv: Inventory, host: string): string[] {
  const depths = groupDepths(inv, host);
  const prio = (g: string) => inv.groups.get(g)?.priority ?? 1;
  return [...depths.entries()]
    .sort((a, b) => a[1] - b[1] || prio(a[0]) - prio(b[0]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([g]) => g);
}

/** Merged settings as Ansible merges variables: groups in `mergeOrder`, then the host's own. */
export function effectiveSettings(inv: Inventory, host: string): HostSettings {
  const out: HostSettings = {};
  for (const g of mergeOrder(inv, host)) Object.assign(out, definedOnly(inv.groups.get(g)?.vars ?? {}));
  Object.assign(out, definedOnly(inv.hosts.get(host)?.vars ?? {}));
  delete out.ansibleVars; // merged key by key by ansibleHostVars, never as one object
  return out;
}

/**
 * A host's Ansible variables merged as Ansible's VariableManager does: the inventory file's group variables (groups
 * in `mergeOrder`, `all` first), then group_vars/ files in the same order, then the host's inventory variables, then
 * host_vars/ files. So a parent's group_vars file wins over a child's `[child:vars]` (checked against
 * `ansible-inventory --list` in test/e2e/run-ansible.test.ts).
 */
export function ansibleHostVars(inv: Inventory, host: string): Record<string, Positioned<unknown>> {
  const order = mergeOrder(inv, host).map((g) => inv.groups.get(g));
  const h = inv.hosts.get(host);
  const out: Record<string, Positioned<unknown>> = {};
  for (const g of order) Object.assign(out, g?.vars.ansibleVars ?? {});
  for (const g of order) Object.assign(out, g?.fileVars ?? {});
  Object.assign(out, h?.vars.ansibleVars ?? {}, h?.fileVars ?? {});
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
