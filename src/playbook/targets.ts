/**
 * From a loaded playbook and its inventory to the fleet's targets: pattern selection, `--limit`, `--shard`,
 * credentials from environment variables (playbook entries override inventory settings, field by field, most
 * specific first: host, then deeper groups, then `all`) and the outside probe per host.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { SshConfigFileCache } from '../config/ssh-config.js';
import { MailguardError, systemErrorWords } from '../errors.js';
import { parseEndpoint } from '../net/endpoint.js';
import type { ConnectOptions } from '../session/types.js';
import { decryptVault, type VaultSecret, warnIfOpen } from './ansible-vault.js';
import type { FleetTarget, ProbeTarget } from './fleet.js';
import { type RunConnectionFlags, resolveHostConnection } from './host-connection.js';
import {
  type CredValue,
  effectiveSettings,
  groupDepths,
  groupsOf,
  type Inventory,
  type InventoryWarning,
  mergeOrder,
} from './inventory.js';
import { loadInventory } from './inventory-load.js';
import { globToRegExp, selectHosts } from './patterns.js';
import type { LoadedPlaybook, RunSettings } from './playbook.js';
import type { CredentialRef, ProbeSpec } from './schema.js';
import { type Shard, selectShard } from './shard.js';
import { formatPath, formatPos, invalidFileError, nearest, type SourceIssue, type SourcePos } from './source.js';

export interface ResolveOptions {
  settings: RunSettings;
  /** Environment (with .env already loaded by the caller). */
  env: Record<string, string | undefined>;
  /** `--inventory FILE` (relative to the working directory); default: the playbook's, relative to the playbook. */
  inventoryFile?: string;
  /** An inventory already loaded (tests, or a lab-generated one). */
  inventory?: Inventory;
  /** `--limit PATTERN`. */
  limit?: string;
  shard?: Shard;
  /** How shards split the fleet: a stable hash (default), or the playbook's shards.groups (one per vantage point). */
  shardBy?: 'hash' | 'group';
  /** One stage of a pipeline: only the first `count` hosts (the canaries), or all but the canaries already run. */
  phase?: { kind: 'canary'; count: number } | { kind: 'rest'; exclude: readonly string[] };
  /** Vault passwords for `!vault` values and vault-encrypted group_vars/host_vars files. */
  vault?: VaultSecret[];
  /** false: resolve no credential (`--list-hosts`: the scope can be listed without the secrets). */
  credentials?: boolean;
  /** Connection flags given on the command line (they win over the playbook, the inventory and ssh_config). */
  connection?: RunConnectionFlags;
}

export interface ResolvedFleet {
  inventory: Inventory;
  /** In inventory order, after targets, --limit and --shard. */
  targets: FleetTarget[];
  /** Hosts selected by targets/--limit but left to other shards. */
  otherShards: string[];
  /** Hosts selected by targets/--limit, before --phase and --shard: the whole fleet of this change. */
  fleetTotal: number;
  /** With shards by group: the group(s) of this shard's vantage point. */
  shardGroups: string[] | null;
  warnings: InventoryWarning[];
}

type Field = 'username' | 'password' | 'enableSecret' | 'passphrase';

/** The key that keeps both units of a failover pair in one shard. */
export function pairKey(t: Pick<FleetTarget, 'name' | 'failoverPeer'>): string {
  return t.failoverPeer ? [t.name, t.failoverPeer].sort().join('+') : t.name;
}

export async function resolveFleet(lp: LoadedPlaybook, o: ResolveOptions): Promise<ResolvedFleet> {
  const p = lp.playbook;
  const src = lp.source;
  const inventory =
    o.inventory ??
    (await loadInventory(
      displayPath(o.inventoryFile ? resolve(o.inventoryFile) : resolve(lp.dir, p.inventory)),
      p.inventoryFormat ?? 'auto',
      { vault: o.vault },
    ));
  const wantCreds = o.credentials !== false;
  if (wantCreds && inventory.lockedVaultFiles?.length) {
    throw new MailguardError(
      'BAD_INPUT',
      `${inventory.lockedVaultFiles.join(', ')} ${inventory.lockedVaultFiles.length > 1 ? 'are' : 'is'} vault-encrypted and no vault password was given`,
      { hint: 'Give --vault-password-file FILE or --vault-id label@FILE (or set ANSIBLE_VAULT_PASSWORD_FILE).' },
    );
  }
  const issues: SourceIssue[] = [];
  const names = [...inventory.groups.keys(), ...inventory.hosts.keys()];

  // Keys of credentials/probe must name `all`, a group or a host: a typo must not silently drop a credential.
  for (const section of ['credentials', 'probe'] as const) {
    for (const key of Object.keys(p[section] ?? {})) {
      if (key === 'all' || inventory.groups.has(key) || inventory.hosts.has(key)) continue;
      const near = nearest(key, names);
      issues.push({
        ...src.locate([section], key),
        path: `${section}.${key}`,
        message: `"${key}" is neither "all" nor a group or host of ${inventory.file}${near ? ` (did you mean "${near}"?)` : ''}`,
      });
    }
  }

  const sel = selectHosts(inventory, p.targets);
  for (const prob of sel.problems) {
    const path: (string | number)[] = typeof p.targets === 'string' ? ['targets'] : ['targets', prob.index];
    const body = prob.pattern.replace(/^[!&]/, '');
    const near = nearest(body, names);
    issues.push({
      ...src.locate(path),
      path: formatPath(path),
      message: `${prob.message}${near ? ` (did you mean "${near}"?)` : ''}`,
    });
  }
  if (issues.length === 0 && sel.hosts.length === 0) {
    issues.push({
      ...src.locate(['targets']),
      path: 'targets',
      message: `the target patterns select no host of ${inventory.file}`,
    });
  }
  if (issues.length > 0) throw invalidFileError('playbook', issues);

  let hosts = sel.hosts;
  if (o.limit !== undefined) {
    const lim = selectHosts(inventory, o.limit);
    if (lim.problems.length > 0) {
      throw new MailguardError('USAGE', `--limit "${o.limit}": ${lim.problems.map((x) => x.message).join('; ')}`, {
        hint: 'Use host or group names from the inventory, globs (fw-*), !exclude or &intersect.',
      });
    }
    const allowed = new Set(lim.hosts);
    hosts = hosts.filter((h) => allowed.has(h));
    if (hosts.length === 0) {
      throw new MailguardError(
        'USAGE',
        `--limit "${o.limit}" leaves none of the playbook's ${sel.hosts.length} targets`,
        {
          hint: 'Check the limit against the playbook targets.',
        },
      );
    }
  }

  const targets: FleetTarget[] = [];
  const keyWarnings: string[] = [];
  /** One key file (--identity, a group's key) serves many hosts: read it once per run. */
  const keyTexts = new Map<string, string>();
  const connWarnings: InventoryWarning[] = [];
  const missing = new Map<string, { at: SourcePos; name: string; hosts: string[]; empty: boolean }>();
  const decrypted = new Map<string, string>();
  const sshConfigParsed: SshConfigFileCache = new Map();
  const need = (c: CredValue | undefined, host: string): string | undefined => {
    if (!c || !wantCreds) return undefined;
    if (c.kind === 'literal') return c.value;
    // A wrong vault password throws here: before any device is contacted.
    if (c.kind === 'vault') {
      // A group's vaulted value is shared by its hosts: one key derivation per value, not one per host.
      let plain = decrypted.get(c.text);
      if (plain === undefined) {
        plain = decryptVault(c.text, o.vault ?? [], c.at);
        decrypted.set(c.text, plain);
      }
      return plain;
    }
    const v = o.env[c.name];
    if (v === undefined || v === '') {
      const key = `${c.name}@${formatPos(c.at)}`;
      const m = missing.get(key) ?? { at: c.at, name: c.name, hosts: [], empty: v === '' };
      m.hosts.push(host);
      missing.set(key, m);
      return undefined;
    }
    return v;
  };

  const peers = failoverPeers(inventory, lp, issues);
  if (issues.length > 0) throw invalidFileError('playbook', issues);
  const fleetTotal = hosts.length;
  if (o.phase?.kind === 'canary') hosts = hosts.slice(0, o.phase.count);
  else if (o.phase?.kind === 'rest') {
    const done = new Set(o.phase.exclude);
    hosts = hosts.filter((h) => !done.has(h));
  }
  const prelim = hosts.map((h) => ({ name: h, failoverPeer: peers.get(h) ?? null }));
  let inShard: Set<string> | null = null;
  let shardGroups: string[] | null = null;
  if (o.shard && o.shardBy === 'group') {
    const byGroup = shardsByGroup(inventory, lp, prelim, o.shard, issues);
    if (issues.length > 0) throw invalidFileError('playbook', issues);
    inShard = byGroup.inShard;
    shardGroups = byGroup.groups;
  } else if (o.shard) {
    inShard = new Set(selectShard(prelim, o.shard, pairKey).map((x) => x.name));
  }
  const otherShards = inShard ? hosts.filter((h) => !inShard.has(h)) : [];

  for (const name of hosts) {
    if (inShard && !inShard.has(name)) continue;
    const inv = effectiveSettings(inventory, name);
    const order = specificity(inventory, name);
    const pb = mergePlaybookCreds(lp, p.credentials ?? {}, order);
    const cred = (f: Field, invValue: CredValue | undefined) => need(pb[f] ?? invValue, name);
    const userRef = pb.username ?? inv.username;
    // --list-hosts resolves no credential, but a configured user still beats ssh_config's User: show its reference.
    const username = wantCreds ? need(userRef, name) : credReference(userRef);
    const password = cred('password', inv.password);
    const enableSecret = cred('enableSecret', inv.enableSecret);
    // The playbook's key (relative to the playbook) wins over the inventory's (relative to the inventory, as Ansible).
    const playbookKey = pb.privateKeyFile && { ...pb.privateKeyFile, value: resolve(lp.dir, pb.privateKeyFile.value) };
    const s = o.settings;
    const hc = resolveHostConnection({
      name,
      inv,
      inventoryFile: inventory.file,
      lp,
      settings: s,
      flags: o.connection ?? {},
      env: o.env,
      ...(playbookKey ? { playbookKey } : {}),
      ...(username !== undefined ? { username, usernameAt: userRef?.at } : {}),
      passwordGiven: password !== undefined || (pb.password ?? inv.password) !== undefined,
      sshConfigParsed,
    });
    for (const w of hc.warnings) {
      connWarnings.push({
        code: 'SSH_CONFIG',
        at: inventory.hosts.get(name)?.at ?? inventory.groups.get('all')!.at!,
        message: `${name}: ${w}`,
      });
    }
    let privateKey = hc.identityFile ? keyTexts.get(hc.identityFile) : undefined;
    if (hc.identityFile && wantCreds && privateKey === undefined) {
      try {
        privateKey = await readFile(hc.identityFile, 'utf8');
        keyTexts.set(hc.identityFile, privateKey);
        warnIfOpen(hc.identityFile, 'private key', (line) => keyWarnings.push(line));
      } catch (e) {
        const why = `cannot read the private key file ${hc.identityFile}: ${systemErrorWords(e)}`;
        if (!hc.identityAt)
          throw new MailguardError('BAD_INPUT', why, {
            hint: 'Check the path given to --identity or the IdentityFile line.',
          });
        issues.push({ ...hc.identityAt, path: 'identity', message: why });
      }
    }
    const connect: ConnectOptions = {
      host: hc.host,
      transport: hc.transport,
      hostKeyPolicy: hc.hostKeyPolicy,
      timeouts: definedOnly({
        connectMs: hc.connectTimeoutMs,
        loginMs: s.timeouts.loginMs,
        commandMs: s.timeouts.commandMs,
        saveMs: s.timeouts.saveMs,
      }),
    };
    if (hc.port !== undefined) connect.port = hc.port;
    if (hc.legacyAlgorithms) connect.legacyAlgorithms = true;
    if (hc.algorithms) connect.algorithms = hc.algorithms;
    if (hc.knownHostsFile) connect.knownHostsFile = hc.knownHostsFile;
    if (hc.agent) connect.agent = hc.agent;
    // A key's passphrase: the playbook's passphraseEnv, else ASA_PASSPHRASE (as detect and apply).
    const passphrase =
      cred('passphrase', undefined) ?? (privateKey && wantCreds ? o.env.ASA_PASSPHRASE || undefined : undefined);
    if (hc.jumpHops) {
      connect.jumpHops = hc.jumpHops.map((h) => (h.privateKey && passphrase !== undefined ? { ...h, passphrase } : h));
    }
    if (hc.username !== undefined) connect.username = hc.username;
    if (password !== undefined) connect.password = password;
    if (enableSecret !== undefined) connect.enableSecret = enableSecret;
    if (passphrase !== undefined) connect.passphrase = passphrase;
    if (privateKey !== undefined) connect.privateKey = privateKey;

    targets.push({
      name,
      connect,
      groups: [...groupDepths(inventory, name).keys()],
      failoverPeer: peers.get(name) ?? null,
      probe: probeFor(p.probe ?? {}, order, inv.smtpProbe?.value, inv.mailDomain?.value),
      ...(hc.context !== undefined ? { context: hc.context } : {}),
      connectionSources: hc.sources,
    });
  }
  for (const m of missing.values()) {
    issues.push({
      ...m.at,
      path: '',
      message: `environment variable ${m.name} is ${m.empty ? 'empty' : 'not set'} (needed by ${m.hosts.slice(0, 5).join(', ')}${m.hosts.length > 5 ? ` and ${m.hosts.length - 5} more` : ''})`,
    });
  }
  if (issues.length > 0) {
    throw invalidFileError(
      'playbook',
      issues,
      missing.size > 0 ? 'Set the variables in the environment or in .env (see examples/.env.example).' : undefined,
    );
  }
  const warnings = [...inventory.warnings, ...connWarnings];
  for (const line of new Set(keyWarnings)) {
    warnings.push({
      code: 'FILE_MODE',
      at: { file: inventory.file, line: 1, column: 1 },
      message: line.replace(/^warning: /, ''),
    });
  }
  return { inventory, targets, otherShards, fleetTotal, shardGroups, warnings };
}

/**
 * Shards by vantage point: shard i runs the hosts in `shards.groups[i-1]` (a group, or a list of groups one job
 * reaches). Every host must be in exactly one entry, and both units of a pair in the same one: a device no job can
 * reach, or one two jobs would change, is an error before anything is contacted.
 */
function shardsByGroup(
  inv: Inventory,
  lp: LoadedPlaybook,
  hosts: ReadonlyArray<{ name: string; failoverPeer: string | null }>,
  shard: Shard,
  issues: SourceIssue[],
): { inShard: Set<string>; groups: string[] } {
  const spec = lp.playbook.shards?.groups;
  if (!spec) {
    throw new MailguardError(
      'USAGE',
      '--shard-by group needs shards.groups in the playbook (a group per vantage point)',
      {
        hint: 'List, in shard order, the inventory group(s) each job can reach, e.g. shards: { groups: [site_a, site_b] }.',
      },
    );
  }
  if (spec.length !== shard.total) {
    throw new MailguardError(
      'USAGE',
      `shards.groups names ${spec.length} vantage points but the run has ${shard.total} shards`,
      { hint: `Start one job per entry of shards.groups (--shard auto/${spec.length}, parallel: ${spec.length}).` },
    );
  }
  const entries = spec.map((e) => (typeof e === 'string' ? [e] : e));
  const at = (i: number) => ({ ...lp.source.locate(['shards', 'groups', i]), path: `shards.groups.${i}` });
  entries.forEach((groups, i) => {
    for (const g of groups) {
      if (!inv.groups.has(g)) {
        const near = nearest(g, [...inv.groups.keys()]);
        issues.push({
          ...at(i),
          message: `"${g}" is not a group of ${inv.file}${near ? ` (did you mean "${near}"?)` : ''}`,
        });
      }
    }
  });
  const home = new Map<string, number>();
  const none: string[] = [];
  for (const h of hosts) {
    const mine = new Set(groupsOf(inv, h.name));
    const hits = entries.flatMap((groups, i) => (groups.some((g) => mine.has(g)) ? [i] : []));
    if (hits.length === 0) none.push(h.name);
    else if (hits.length > 1) {
      issues.push({
        ...at(hits[1]!),
        message: `${h.name} is in shards.groups entries ${hits.map((i) => i + 1).join(' and ')}: two jobs would change it`,
      });
    } else home.set(h.name, hits[0]!);
  }
  if (none.length > 0) {
    issues.push({
      ...lp.source.locate(['shards', 'groups']),
      path: 'shards.groups',
      message: `no vantage point reaches ${none.slice(0, 5).join(', ')}${none.length > 5 ? ` and ${none.length - 5} more` : ''}: add their group to shards.groups`,
    });
  }
  for (const h of hosts) {
    const peer = h.failoverPeer;
    const [a, b] = [home.get(h.name), peer ? home.get(peer) : undefined];
    if (peer && a !== undefined && b !== undefined && a !== b && h.name < peer) {
      issues.push({
        ...lp.source.locate(['shards', 'groups']),
        path: 'shards.groups',
        message: `failover pair ${h.name} + ${peer} is split across shards ${a + 1} and ${b + 1}: keep both units in one group`,
      });
    }
  }
  const inShard = new Set(hosts.filter((h) => home.get(h.name) === shard.index - 1).map((h) => h.name));
  return { inShard, groups: entries[shard.index - 1]! };
}

/**
 * Failover peers: each host's `failover_peer` / `failoverPeer`, plus the playbook's `failoverPairGroups` (every
 * matching group holds exactly the two units of one pair). Conflicts are issues at the playbook line.
 */
function failoverPeers(inv: Inventory, lp: LoadedPlaybook, issues: SourceIssue[]): Map<string, string> {
  const peers = new Map<string, string>();
  for (const h of inv.hosts.keys()) {
    const fp = effectiveSettings(inv, h).failoverPeer;
    if (fp) peers.set(h, fp.value);
  }
  const spec = lp.playbook.failoverPairGroups;
  if (spec === undefined) return peers;
  const list = typeof spec === 'string' ? [spec] : spec;
  list.forEach((pattern, i) => {
    const path: (string | number)[] = typeof spec === 'string' ? ['failoverPairGroups'] : ['failoverPairGroups', i];
    const at = { ...lp.source.locate(path), path: formatPath(path) };
    const re = globToRegExp(pattern);
    const groups = [...inv.groups.keys()].filter((g) => g !== 'all' && g !== 'ungrouped' && re.test(g));
    if (groups.length === 0) issues.push({ ...at, message: `"${pattern}" matches no group of ${inv.file}` });
    for (const g of groups) {
      const members = [...inv.hosts.keys()].filter((h) => groupsOf(inv, h).includes(g));
      if (members.length !== 2) {
        issues.push({
          ...at,
          message: `group ${g} holds ${members.length} hosts; a failover pair group holds exactly 2`,
        });
        continue;
      }
      const [a, b] = members as [string, string];
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const) {
        const had = peers.get(x);
        if (had !== undefined && had !== y) {
          issues.push({
            ...at,
            message: `group ${g} pairs ${x} with ${y}, but the inventory names ${had} as its failover peer`,
          });
        }
        peers.set(x, y);
      }
    }
  });
  return peers;
}

/** Keys that apply to a host, least specific first: `all`, groups by depth (then priority, name), the host. */
/** A credential as --list-hosts shows it without resolving it: the literal value, `$VAR`, or `(vault)`. */
function credReference(c: CredValue | undefined): string | undefined {
  if (!c || c.kind === 'literal') return c?.value;
  return c.kind === 'env' ? `$${c.name}` : '(vault)';
}

function specificity(inv: Inventory, host: string): string[] {
  return [...mergeOrder(inv, host), host];
}

type PbCreds = Partial<Record<Field, CredValue>> & { privateKeyFile?: { value: string; at: SourcePos } };

function mergePlaybookCreds(lp: LoadedPlaybook, creds: Record<string, CredentialRef>, order: string[]): PbCreds {
  const out: PbCreds = {};
  const at = (key: string, f: string) => lp.source.locate(['credentials', key, f]);
  for (const key of order) {
    const c = creds[key];
    if (!c) continue;
    if (c.usernameEnv) out.username = { kind: 'env', name: c.usernameEnv, at: at(key, 'usernameEnv') };
    else if (c.username) out.username = { kind: 'literal', value: c.username, at: at(key, 'username') };
    if (c.passwordEnv) out.password = { kind: 'env', name: c.passwordEnv, at: at(key, 'passwordEnv') };
    if (c.enableSecretEnv) out.enableSecret = { kind: 'env', name: c.enableSecretEnv, at: at(key, 'enableSecretEnv') };
    if (c.passphraseEnv) out.passphrase = { kind: 'env', name: c.passphraseEnv, at: at(key, 'passphraseEnv') };
    if (c.privateKeyFile) out.privateKeyFile = { value: c.privateKeyFile, at: at(key, 'privateKeyFile') };
  }
  return out;
}

function probeFor(
  probes: Record<string, ProbeSpec>,
  order: string[],
  invSmtp: string[] | undefined,
  invDomain: string | undefined,
): ProbeTarget | null {
  let smtp = invSmtp;
  let domain = invDomain;
  let enabled = true;
  for (const key of order) {
    const pr = probes[key];
    if (!pr) continue;
    if (pr.smtp) smtp = pr.smtp;
    if (pr.domain) domain = pr.domain;
    if (pr.enabled !== undefined) enabled = pr.enabled;
  }
  if (!enabled || (!smtp?.length && !domain)) return null;
  return {
    smtp: (smtp ?? []).map((e) => parseEndpoint(e, { defaultPort: 25, what: 'SMTP address' })),
    domain: domain ?? null,
  };
}

/** Relative to the working directory when below it (shorter messages), else absolute. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
