/**
 * OpenSSH known_hosts reading, matching and appending.
 * Hand-written: ssh2 has no known_hosts support and no maintained npm package parses the format (hashed
 * `|1|salt|hash` names, `[host]:port`, wildcards, negation, @revoked); sshpk parses keys only. Format: sshd(8)
 * "SSH_KNOWN_HOSTS FILE FORMAT".
 */
import { createHmac } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { MailguardError } from '../errors.js';
import { keyTypeOfBlob, sha256Fingerprint } from './fingerprint.js';
import type { HostKeyPolicy } from './types.js';

export interface KnownHostEntry {
  marker: '@revoked' | '@cert-authority' | null;
  /** Raw comma-separated host patterns field. */
  hosts: string;
  /** `rsa1` for an SSH-1 line (`host bits exponent modulus`). */
  keyType: string;
  /** Base64 key blob as written in the file; for `rsa1`, `exponent modulus` in decimal. */
  key: string;
  line: number;
}

/** The key an SSH server presented, in the form known_hosts compares and writes. */
export interface PresentedHostKey {
  /** `ssh-ed25519`, `ssh-rsa`, ... or `rsa1` (SSH-1). */
  type: string;
  /** What an entry's `key` field must equal. */
  key: string;
  /** The key part of a known_hosts line (`type base64`, or SSH-1's `bits exponent modulus`). */
  line: string;
  /** `SHA256:...` */
  fingerprint: string;
  /** `MD5:aa:bb:...` where it helps (PuTTY shows it for SSH-1 keys). */
  md5?: string;
}

/** An SSH-2 key blob as known_hosts sees it. */
export function presentedSsh2Key(keyBlob: Buffer): PresentedHostKey {
  const type = keyTypeOfBlob(keyBlob);
  const b64 = keyBlob.toString('base64');
  return { type, key: b64, line: `${type} ${b64}`, fingerprint: sha256Fingerprint(keyBlob) };
}

const SSH1_KEY_TYPE = 'rsa1';

export function defaultKnownHostsFile(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0];
      fields.shift();
    }
    const [hosts, keyType, key, modulus] = fields;
    if (!hosts || !keyType || !key) return;
    // OpenSSH's SSH-1 form: `host bits exponent modulus`, all decimal.
    if (/^\d+$/.test(keyType) && /^\d+$/.test(key) && modulus && /^\d+$/.test(modulus)) {
      entries.push({ marker, hosts, keyType: SSH1_KEY_TYPE, key: `${key} ${modulus}`, line: i + 1 });
      return;
    }
    entries.push({ marker, hosts, keyType, key, line: i + 1 });
  });
  return entries;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function matchesHashed(pattern: string, name: string): boolean {
  const parts = pattern.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1' || !parts[2] || !parts[3]) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const digest = createHmac('sha1', salt).update(name).digest('base64');
  return digest === parts[3];
}

/** Does the hosts field of an entry match `name` (already in `[host]:port` form when needed)? */
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return matchesHashed(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern === '') continue;
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    // Most patterns are plain names: compare them without compiling a RegExp (every line is checked per connection).
    if (/[*?]/.test(p) ? globToRegExp(p).test(name) : p.toLowerCase() === name.toLowerCase()) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyCheck =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'changed'; knownTypes: string[]; line: number }
  | { status: 'revoked'; line: number };

/** Check a server key (wire-format blob) against known_hosts entries for host:port. */
export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyCheck {
  return checkPresentedKey(entries, host, port, presentedSsh2Key(keyBlob));
}

/**
 * Check a presented key against the entries for host:port. SSH-1 and SSH-2 keys are kept apart, as OpenSSH did:
 * a device that speaks both (ASA 8.x `SSH-1.99`) has one key of each, and neither is a "change" of the other.
 */
export function checkPresentedKey(
  all: KnownHostEntry[],
  host: string,
  port: number,
  presented: PresentedHostKey,
): HostKeyCheck {
  const ssh1 = presented.type === SSH1_KEY_TYPE;
  const entries = all.filter((e) => (e.keyType === SSH1_KEY_TYPE) === ssh1);
  const name = knownHostsName(host, port);
  const keyB64 = presented.key;
  const keyType = presented.type;
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && hostsFieldMatches(e.hosts, name));
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key === keyB64);
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = forHost.filter((e) => e.marker === null);
  if (plain.some((e) => e.key === keyB64)) return { status: 'known' };
  if (plain.length === 0) return { status: 'unknown' };
  // A known key of any type that differs: refuse (OpenSSH refuses a same-type change; a type change is
  // treated the same way here because a firewall does not rotate key types by itself).
  const sameType = plain.find((e) => e.keyType === keyType) ?? plain[0];
  return { status: 'changed', knownTypes: [...new Set(plain.map((e) => e.keyType))], line: sameType?.line ?? 0 };
}

export function readKnownHosts(file: string): KnownHostEntry[] {
  if (!existsSync(file)) return [];
  return parseKnownHosts(readFileSync(file, 'utf8'));
}

/** Append `name keytype key` (plain, like OpenSSH without HashKnownHosts), creating the file 0600. */
export function appendKnownHost(file: string, host: string, port: number, keyBlob: Buffer): string {
  return appendKnownHostLine(file, host, port, presentedSsh2Key(keyBlob).line);
}

/** Append `name <key part>`; the key part is PresentedHostKey.line (SSH-2 or SSH-1 form). */
export function appendKnownHostLine(file: string, host: string, port: number, keyPart: string): string {
  const line = `${knownHostsName(host, port)} ${keyPart}`;
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fresh = !existsSync(file);
  let prefix = '';
  if (!fresh) {
    const text = readFileSync(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
  }
  appendFileSync(file, `${prefix}${line}\n`, { mode: 0o600 });
  if (fresh) chmodSync(file, 0o600);
  return line;
}

export interface HostKeyDecisionInput {
  host: string;
  port: number;
  /** The SSH-2 key blob, or `presented` for any key (SSH-1). */
  keyBlob?: Buffer;
  presented?: PresentedHostKey;
  policy: HostKeyPolicy;
  knownHostsFile: string;
  log?: (line: string) => void;
}

/**
 * Apply the host-key policy. Returns normally when the key is acceptable (recording it under accept-new);
 * throws HOST_KEY_UNKNOWN / HOST_KEY_CHANGED otherwise, with the fingerprint and how to trust it.
 */
export function decideHostKey(input: HostKeyDecisionInput): void {
  const { host, port, policy, knownHostsFile, log } = input;
  const presented = input.presented ?? presentedSsh2Key(input.keyBlob ?? Buffer.alloc(0));
  const fp = presented.fingerprint;
  const type = presented.type;
  const shown = presented.md5 ? `${type} ${fp} (${presented.md5})` : `${type} ${fp}`;
  const target = knownHostsName(host, port);
  if (policy === 'off') {
    log?.(`warning: host key NOT checked (--host-key-policy off) for ${target}: ${shown}`);
    return;
  }
  const result = checkPresentedKey(readKnownHosts(knownHostsFile), host, port, presented);
  const ssh1 = type === SSH1_KEY_TYPE;
  // ssh-keyscan dropped SSH-1 (OpenSSH 7.6): the line to add is given instead.
  const keyscan = ssh1
    ? `echo '${target} ${presented.line}' >> ${knownHostsFile}`
    : `ssh-keyscan -p ${port} ${host} >> ${knownHostsFile}`;
  switch (result.status) {
    case 'known':
      return;
    case 'revoked':
      throw new MailguardError('HOST_KEY_CHANGED', `The host key of ${target} (${type} ${fp}) is marked @revoked`, {
        hint: `Line ${result.line} of ${knownHostsFile} revokes this key; find out why before connecting.`,
        details: { host, port, fingerprint: fp, keyType: type, knownHostsFile },
      });
    case 'changed':
      throw new MailguardError(
        'HOST_KEY_CHANGED',
        `The host key of ${target} has CHANGED: it now presents ${shown}, but ${knownHostsFile} line ${result.line} holds another ${result.knownTypes.join('/')} key. This may be an attack or a replaced device.`,
        {
          hint: `If the device was really replaced or re-keyed, verify ${fp} on its console (${ssh1 ? 'PIX: show ca mypubkey rsa' : 'show crypto key mypubkey rsa'}), remove the old entry (${ssh1 ? `line ${result.line} of ${knownHostsFile}` : `ssh-keygen -R "${target}" -f ${knownHostsFile}`}) and connect again with --host-key-policy accept-new.`,
          details: { host, port, fingerprint: fp, keyType: type, knownHostsFile, line: result.line },
        },
      );
    case 'unknown':
      if (policy === 'accept-new') {
        appendKnownHostLine(knownHostsFile, host, port, presented.line);
        log?.(`Recorded new host key of ${target} in ${knownHostsFile}: ${shown}`);
        return;
      }
      throw new MailguardError('HOST_KEY_UNKNOWN', `The host key of ${target} is not known: ${shown}`, {
        hint: `Check ${fp} against the device (${ssh1 ? 'PIX: show ca mypubkey rsa' : 'show crypto key mypubkey rsa'}), then trust it with --host-key-policy accept-new, or add it with: ${keyscan}`,
        // keyBase64 / knownHostsKey (public, not secret): let the wizard record exactly the key it showed.
        details: {
          host,
          port,
          fingerprint: fp,
          ...(presented.md5 ? { md5: presented.md5 } : {}),
          keyType: type,
          knownHostsFile,
          knownHostsKey: presented.line,
          ...(ssh1 ? {} : { keyBase64: presented.key }),
        },
      });
  }
}
