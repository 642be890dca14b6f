/**
 * Ansible host/group variables -> our settings. Shared by the INI and YAML inventory parsers. Variables we do not
 * use (ansible_network_os, custom ones) are ignored, as Ansible itself would keep them for other plays.
 */

import { endpointProblem } from '../net/endpoint.js';
import type { TransportKind } from '../transport/types.js';
import type { CredValue, HostSettings, InventoryBuilder } from './inventory.js';
import type { SourcePos } from './source.js';

/** `{{ lookup('env', 'NAME') }}`: Ansible's way to reference an environment variable; the one template we read. */
const ENV_LOOKUP =
  /^\{\{\s*lookup\(\s*['"](?:ansible\.builtin\.)?env['"]\s*,\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)\s*\}\}$/;

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

const ALIASES: Record<string, keyof HostSettings> = {
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
  smtp_probe: 'smtpProbe',
  mail_domain: 'mailDomain',
  failover_peer: 'failoverPeer',
  legacy_algorithms: 'legacyAlgorithms',
};

/** Apply one Ansible variable to `target`; problems go to the builder as positioned issues. */
export function applyAnsibleVar(
  b: InventoryBuilder,
  target: HostSettings,
  owner: string,
  key: string,
  raw: unknown,
  at: SourcePos,
): void {
  const field = ALIASES[key];
  if (!field) return;
  const value = raw === null || raw === undefined ? '' : String(raw);
  if (typeof raw === 'object' && raw !== null) {
    b.issue(at, key, `expected a single value for ${key}, got a ${Array.isArray(raw) ? 'list' : 'mapping'}`);
    return;
  }
  if (value.startsWith('$ANSIBLE_VAULT')) {
    b.issue(at, key, `${key} is vault-encrypted; asa-mailguard cannot decrypt it: use {{ lookup('env', 'NAME') }}`);
    return;
  }
  const cred = (secret: boolean): CredValue | null => {
    const m = ENV_LOOKUP.exec(value.trim());
    if (m) return { kind: 'env', name: m[1]!, at };
    if (value.includes('{{')) {
      b.issue(at, key, `templates are not evaluated; only {{ lookup('env', 'NAME') }} is supported in ${key}`);
      return null;
    }
    if (secret) b.plainSecret(`${key} of ${owner}`, at);
    return { kind: 'literal', value, at };
  };
  switch (field) {
    case 'host':
    case 'mailDomain':
    case 'failoverPeer':
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
    case 'username':
    case 'password':
    case 'enableSecret': {
      const c = cred(field !== 'username');
      if (c) target[field] = c;
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
