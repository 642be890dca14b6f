/**
 * Loading an inventory file in any of the three formats: Ansible INI by extension (.ini, .cfg, none), else YAML,
 * told apart by shape (our format has a top-level `hosts:` mapping; Ansible YAML has group names), and the
 * tool's own YAML format validated with zod.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { safeParseInVoice } from '../config/zod-voice.js';
import { systemErrorWords } from '../errors.js';
import { parseAnsibleIni } from './ansible-ini.js';
import type { AnsibleLoadOptions } from './ansible-vars-dirs.js';
import type { VaultSecret } from './ansible-vault.js';
import { parseAnsibleYaml } from './ansible-yaml.js';
import {
  type CredValue,
  type HostSettings,
  type Inventory,
  InventoryBuilder,
  type InventoryFormat,
} from './inventory.js';
import { InventorySchema, type InventorySettings } from './schema.js';
import { invalidFileError, YamlSource } from './source.js';

export async function loadInventory(
  file: string,
  format: InventoryFormat | 'auto' = 'auto',
  opts: { vault?: VaultSecret[] } = {},
): Promise<Inventory> {
  // Ansible formats read group_vars/ and host_vars/ beside the inventory file.
  const ansible = { varsDir: dirname(file), vault: opts.vault };
  const ext = extname(file).toLowerCase();
  const isYaml = ['.yaml', '.yml', '.json'].includes(ext);
  const fmt = format !== 'auto' ? format : isYaml ? null : 'ansible-ini';
  if (fmt === 'ansible-ini') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw invalidFileError('inventory', [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: `cannot read: ${systemErrorWords(e)}`,
        },
      ]);
    }
    return parseAnsibleIni(file, text, ansible);
  }
  const src = await YamlSource.load(file, 'inventory');
  return inventoryFromYaml(src, fmt ?? 'auto', ansible);
}

/** Parse inventory text (YAML formats detected by their shape; INI when `format` says so). */
export async function parseInventory(
  file: string,
  text: string,
  format: InventoryFormat | 'auto' = 'auto',
): Promise<Inventory> {
  if (format === 'ansible-ini' || (format === 'auto' && !/\.(ya?ml|json)$/i.test(file))) {
    return parseAnsibleIni(file, text);
  }
  return inventoryFromYaml(YamlSource.parse(file, text, 'inventory'), format);
}

async function inventoryFromYaml(
  src: YamlSource,
  format: InventoryFormat | 'auto',
  ansible: AnsibleLoadOptions = {},
): Promise<Inventory> {
  const data = src.toJS();
  const fmt = format === 'auto' ? detectYamlFormat(data) : format;
  if (fmt === 'ansible-yaml') {
    return parseAnsibleYaml(src, data, ansible);
  }
  if (fmt === 'ansible-ini') throw new Error('unreachable: INI handled before YAML parsing');
  return parseOwnInventory(src, data);
}

/** The own format has a top-level `hosts:` mapping; an Ansible YAML inventory has group names at the top. */
export function detectYamlFormat(data: unknown): 'mailguard' | 'ansible-yaml' {
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const keys = Object.keys(data);
    if (keys.includes('hosts') && keys.every((k) => ['$schema', 'vars', 'groups', 'hosts'].includes(k)))
      return 'mailguard';
  }
  return 'ansible-yaml';
}

function parseOwnInventory(src: YamlSource, data: unknown): Inventory {
  const parsed = safeParseInVoice(InventorySchema, data ?? {});
  if (!parsed.success) throw invalidFileError('inventory', src.zodIssues(parsed.error.issues, InventorySchema));
  const b = new InventoryBuilder(src.file, 'mailguard');
  const file = parsed.data;
  const settings = (s: InventorySettings | undefined, base: (string | number)[]): HostSettings =>
    s ? ownSettings(b, src, s, base) : {};
  b.group('all', null).vars = settings(file.vars, ['vars']);
  for (const [name, g] of Object.entries(file.groups ?? {})) {
    const grp = b.group(name, src.locate(['groups', name], name));
    grp.vars = settings(g?.vars ?? undefined, ['groups', name, 'vars']);
    for (const [i, c] of (g?.children ?? []).entries()) {
      if (!(c in (file.groups ?? {})))
        b.issue(
          src.locate(['groups', name, 'children', i]),
          `groups.${name}.children[${i}]`,
          `unknown group "${c}" (define it under groups:)`,
        );
      b.child(name, c, src.locate(['groups', name, 'children', i]));
    }
  }
  for (const [name, h] of Object.entries(file.hosts)) {
    const host = b.host(name, src.locate(['hosts'], name));
    host.vars = settings(h ?? undefined, ['hosts', name]);
    if (h?.failoverPeer)
      host.vars.failoverPeer = { value: h.failoverPeer, at: src.locate(['hosts', name, 'failoverPeer']) };
    for (const [i, g] of (h?.groups ?? []).entries()) {
      if (g === 'all' || g === 'ungrouped') continue;
      if (!(g in (file.groups ?? {}))) b.group(g, src.locate(['hosts', name, 'groups', i]));
      b.host(name, host.at, g);
    }
  }
  return b.finish();
}

function ownSettings(
  b: InventoryBuilder,
  src: YamlSource,
  s: InventorySettings,
  base: (string | number)[],
): HostSettings {
  const at = (k: string) => src.locate([...base, k]);
  const out: HostSettings = {};
  if (s.host) out.host = { value: s.host, at: at('host') };
  if (s.port) out.port = { value: s.port, at: at('port') };
  if (s.transport) out.transport = { value: s.transport, at: at('transport') };
  if (s.legacyAlgorithms !== undefined)
    out.legacyAlgorithms = { value: s.legacyAlgorithms, at: at('legacyAlgorithms') };
  if (s.jump) out.jump = { value: s.jump, at: at('jump') };
  if (s.identity) out.privateKeyFile = { value: s.identity, at: at('identity') };
  if (s.knownHosts) out.knownHosts = { value: s.knownHosts, at: at('knownHosts') };
  if (s.context) out.context = { value: s.context, at: at('context') };
  const cred = (
    lit: string | undefined,
    env: string | undefined,
    key: string,
    secret: boolean,
  ): CredValue | undefined => {
    if (lit !== undefined && env !== undefined) {
      b.issue(at(key), [...base, key].join('.'), `give either ${key} or ${key}Env, not both`);
    }
    if (env !== undefined) return { kind: 'env', name: env, at: at(`${key}Env`) };
    if (lit !== undefined) {
      if (secret) b.plainSecret(`${key} of ${base.join('.')}`, at(key));
      return { kind: 'literal', value: lit, at: at(key) };
    }
    return undefined;
  };
  const u = cred(s.username, s.usernameEnv, 'username', false);
  if (u) out.username = u;
  const p = cred(s.password, s.passwordEnv, 'password', true);
  if (p) out.password = p;
  const e = cred(s.enableSecret, s.enableSecretEnv, 'enableSecret', true);
  if (e) out.enableSecret = e;
  if (s.smtpProbe) out.smtpProbe = { value: s.smtpProbe, at: at('smtpProbe') };
  if (s.mailDomain) out.mailDomain = { value: s.mailDomain, at: at('mailDomain') };
  return out;
}
