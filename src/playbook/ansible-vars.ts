/**
 * Ansible host/group variables -> our settings. The INI and YAML parsers and group_vars/host_vars record every
 * variable as written (`recordAnsibleVar`); once all are read, `settleAnsibleVars` merges them per host as Ansible
 * does, resolves the two template forms we read (`{{ lookup('env', 'NAME') }}` and `{{ variable }}`) and maps the
 * variables we use to settings. Variables we do not use (ansible_network_os, custom ones) are kept for templates only.
 */
import { jumpFromProxyCommand } from '../config/ssh-host.js';
import { endpointProblem } from '../net/endpoint.js';
import type { TransportKind } from '../transport/types.js';
import { shellSplit } from './ansible-ini.js';
import { VaultText } from './ansible-vault.js';
import {
  ansibleHostVars,
  type CredValue,
  type HostSettings,
  type InventoryBuilder,
  type Positioned,
} from './inventory.js';
import type { SourcePos } from './source.js';

const ENV_LOOKUP = /^lookup\(\s*['"](?:ansible\.builtin\.)?env['"]\s*,\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)$/;
const VAR_REF = /^[A-Za-z_][A-Za-z0-9_]*$/;

const CONNECTIONS: Record<string, TransportKind> = {
  network_cli: 'ssh',
  'ansible.netcommon.network_cli': 'ssh',
  ssh: 'ssh',
  'ansible.builtin.ssh': 'ssh',
  paramiko: 'ssh',
  paramiko_ssh: 'ssh',
  libssh: 'ssh',
  telnet: 'telnet',
  'ansible.netcommon.telnet': 'telnet',
};

/**
 * `mailguard_transport`: this tool's own host variable, for what no Ansible connection plugin speaks (ssh1: PIX 6.x
 * over SSH protocol 1). Ansible ignores it; set it instead of, not next to, ansible_connection.
 */
const OWN_TRANSPORTS: Record<string, TransportKind> = { ssh: 'ssh', telnet: 'telnet', ssh1: 'ssh1' };

type Field = Exclude<keyof HostSettings, 'ansibleVars'> | 'sshArgs';

const ALIASES: Record<string, Field> = {
  ansible_host: 'host',
  ansible_ssh_host: 'host',
  ansible_port: 'port',
  ansible_ssh_port: 'port',
  ansible_user: 'username',
  ansible_ssh_user: 'username',
  ansible_password: 'password',
  ansible_ssh_pass: 'password',
  ansible_ssh_password: 'password',
  ansible_become_password: 'enableSecret',
  ansible_become_pass: 'enableSecret',
  ansible_connection: 'transport',
  mailguard_transport: 'transport',
  ansible_ssh_private_key_file: 'privateKeyFile',
  ansible_private_key_file: 'privateKeyFile',
  ansible_ssh_common_args: 'sshArgs',
  ansible_ssh_extra_args: 'sshArgs',
  smtp_probe: 'smtpProbe',
  mail_domain: 'mailDomain',
  failover_peer: 'failoverPeer',
  legacy_algorithms: 'legacyAlgorithms',
  // this tool's own host variables for what Ansible has no word for (Ansible ignores them)
  mailguard_context: 'context',
  mailguard_known_hosts: 'knownHosts',
};

/** Record one variable as written (the parsers and group_vars/host_vars call this). */
export function recordAnsibleVar(target: HostSettings, key: string, raw: unknown, at: SourcePos): void {
  target.ansibleVars ??= {};
  target.ansibleVars[key] = { value: raw, at };
}

/** Kept name for the parsers: record now, map in settleAnsibleVars. */
export function applyAnsibleVar(
  _b: InventoryBuilder,
  target: HostSettings,
  _owner: string,
  key: string,
  raw: unknown,
  at: SourcePos,
): void {
  recordAnsibleVar(target, key, raw, at);
}

type Resolved = { kind: 'literal'; value: unknown } | CredValue;

class TemplateError extends Error {}

/** Resolve `{{ ... }}` in a value against the host's merged variables. */
function resolveValue(
  key: string,
  v: Positioned<unknown>,
  vars: Record<string, Positioned<unknown>>,
  stack: string[],
): Resolved {
  const raw = v.value;
  if (raw instanceof VaultText) return { kind: 'vault', text: raw.text, at: v.at };
  if (typeof raw !== 'string' || !raw.includes('{{')) return { kind: 'literal', value: raw };
  const parts = [...raw.matchAll(/\{\{\s*(.*?)\s*\}\}/g)];
  const whole = parts.length === 1 && parts[0]?.[0] === raw.trim();
  const one = (expr: string, offset: number): Resolved => {
    const env = ENV_LOOKUP.exec(expr);
    if (env) return { kind: 'env', name: env[1] as string, at: v.at };
    if (VAR_REF.test(expr)) {
      if (stack.includes(expr)) throw new TemplateError(`${key}: template loop ${[...stack, expr].join(' -> ')}`);
      const ref = vars[expr];
      if (!ref) throw new TemplateError(`${key} refers to the undefined variable "${expr}"`);
      return resolveValue(expr, ref, vars, [...stack, expr]);
    }
    throw new TemplateError(
      `${key}: the template {{ ${expr} }} (column ${offset + 1} of the value) is not evaluated; only {{ lookup('env', 'NAME') }} and {{ variable }} are`,
    );
  };
  if (whole) return one(parts[0]?.[1] as string, parts[0]?.index ?? 0);
  let out = '';
  let last = 0;
  for (const m of parts) {
    out += raw.slice(last, m.index);
    const r = one(m[1] as string, m.index ?? 0);
    if (r.kind !== 'literal' || typeof r.value === 'object') {
      throw new TemplateError(
        `${key}: {{ ${m[1]} }} is a secret reference; it may only stand alone as the whole value`,
      );
    }
    out += String(r.value);
    last = (m.index ?? 0) + m[0].length;
  }
  return { kind: 'literal', value: out + raw.slice(last) };
}

/** ProxyJump from `-J X`, `-o ProxyJump=X` or `-o ProxyCommand="ssh -W %h:%p X"` in ansible_ssh_*_args. */
export function jumpFromSshArgs(args: string): string | null | undefined {
  const words = shellSplit(args).map((w) => w.text);
  let jump: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    let opt: string | undefined;
    if (w === '-J') jump = words[++i];
    else if (w.startsWith('-J')) jump = w.slice(2);
    else if (w === '-o') opt = words[++i];
    else if (w.startsWith('-o')) opt = w.slice(2);
    if (opt === undefined) continue;
    const m = /^(\w+)\s*[= ]\s*(.*)$/s.exec(opt);
    if (!m) continue;
    const name = (m[1] as string).toLowerCase();
    if (name === 'proxyjump') jump = m[2];
    if (name === 'proxycommand') {
      const j = jumpFromProxyCommand(shellSplit(m[2] as string).map((x) => x.text));
      if (j === null) return null;
      jump = j;
    }
  }
  return jump;
}

/** Merge, resolve and map the variables of every host; problems are positioned issues on the builder. */
export function settleAnsibleVars(b: InventoryBuilder): void {
  const inv = b.inv;
  for (const [name, host] of inv.hosts) {
    const vars = ansibleHostVars(inv, name);
    const out: HostSettings = { ansibleVars: host.vars.ansibleVars };
    if (host.vars.port) out.port = host.vars.port;
    const sshArgs: string[] = [];
    for (const key of Object.keys(vars).sort((a, c) =>
      a === 'ansible_ssh_extra_args' ? 1 : c === 'ansible_ssh_extra_args' ? -1 : 0,
    )) {
      const v = vars[key] as Positioned<unknown>;
      if (key === 'ansible_network_cli_ssh_type') {
        if (!inv.warnings.some((w) => w.code === 'IGNORED_VAR' && w.at.file === v.at.file && w.at.line === v.at.line)) {
          inv.warnings.push({
            code: 'IGNORED_VAR',
            at: v.at,
            message: 'ansible_network_cli_ssh_type is ignored: asa-mailguard always uses its own SSH client',
          });
        }
        continue;
      }
      const field = ALIASES[key];
      if (!field) continue;
      let r: Resolved;
      try {
        r = resolveValue(key, v, vars, [key]);
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        b.issue(v.at, key, `${e.message} (host ${name})`);
        continue;
      }
      mapField(b, out, name, key, field, r, v.at, sshArgs);
    }
    if (sshArgs.length > 0) {
      const at = (vars.ansible_ssh_common_args ?? vars.ansible_ssh_extra_args)?.at as SourcePos;
      let j: string | null | undefined;
      try {
        j = jumpFromSshArgs(sshArgs.join(' '));
      } catch (e) {
        b.issue(at, 'ansible_ssh_common_args', (e as Error).message);
      }
      if (j === null) {
        b.issue(
          at,
          'ansible_ssh_common_args',
          'only ProxyCommand="ssh -W %h:%p JUMPHOST" can be followed; use -o ProxyJump=JUMPHOST',
        );
      } else if (j) out.jump = { value: j, at };
    }
    host.vars = out;
  }
  for (const g of inv.groups.values()) g.vars = { ansibleVars: g.vars.ansibleVars };
}

function mapField(
  b: InventoryBuilder,
  target: HostSettings,
  owner: string,
  key: string,
  field: Field,
  r: Resolved,
  at: SourcePos,
  sshArgs: string[],
): void {
  if (field === 'username' || field === 'password' || field === 'enableSecret') {
    if (r.kind !== 'literal') {
      target[field] = r;
      return;
    }
    if (typeof r.value === 'object' && r.value !== null) {
      b.issue(at, key, `expected a single value for ${key}, got a ${Array.isArray(r.value) ? 'list' : 'mapping'}`);
      return;
    }
    const value = r.value === null || r.value === undefined ? '' : String(r.value);
    if (field !== 'username') b.plainSecret(`${key} of ${owner}`, at);
    target[field] = { kind: 'literal', value, at };
    return;
  }
  if (r.kind !== 'literal') {
    b.issue(
      at,
      key,
      `${key} of ${owner} is ${r.kind === 'vault' ? 'vault-encrypted' : 'an environment lookup'}; only credentials may be`,
    );
    return;
  }
  if (typeof r.value === 'object' && r.value !== null) {
    b.issue(at, key, `expected a single value for ${key}, got a ${Array.isArray(r.value) ? 'list' : 'mapping'}`);
    return;
  }
  const value = r.value === null || r.value === undefined ? '' : String(r.value);
  switch (field) {
    case 'sshArgs':
      sshArgs.push(value);
      return;
    case 'host':
    case 'mailDomain':
    case 'failoverPeer':
    case 'privateKeyFile':
    case 'context':
    case 'knownHosts':
      if (value === '') b.issue(at, key, `expected a value for ${key}`);
      else target[field] = { value, at };
      return;
    case 'port': {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > 65535)
        b.issue(at, key, `expected a TCP port (1-65535) for ${key}, got "${value}"`);
      else target.port = { value: n, at };
      return;
    }
    case 'transport': {
      const table = key === 'mailguard_transport' ? OWN_TRANSPORTS : CONNECTIONS;
      const t = table[value];
      if (!t) {
        b.issue(
          at,
          key,
          `unsupported ${key} "${value}"; expected one of ${Object.keys(table).join(', ')}${key === 'ansible_connection' ? ' (for SSH protocol 1, set mailguard_transport: ssh1)' : ''}`,
        );
      } else target.transport = { value: t, at };
      return;
    }
    case 'legacyAlgorithms': {
      const v = value.trim().toLowerCase();
      if (['true', 'yes', '1', 'on'].includes(v)) target.legacyAlgorithms = { value: true, at };
      else if (['false', 'no', '0', 'off'].includes(v)) target.legacyAlgorithms = { value: false, at };
      else b.issue(at, key, `expected true or false for legacy_algorithms, got "${value}"`);
      return;
    }
    case 'smtpProbe': {
      const list = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const bad = list.find((s) => endpointProblem(s) !== null);
      if (list.length === 0 || bad !== undefined) {
        b.issue(at, key, `expected comma-separated HOST[:PORT] for smtp_probe, got "${bad ?? value}"`);
      } else target.smtpProbe = { value: list, at };
      return;
    }
  }
}
