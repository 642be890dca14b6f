/**
 * The lab's SSH host key: RSA, as on the real units (PIX/ASA generate RSA keys with `crypto key generate rsa` /
 * `ca generate rsa key`; an ASA 8.x-9.x offers `ssh-rsa` only, asa-cli.md §1.8). Generated once per state folder
 * (kept as `ssh_host_rsa_key`, PKCS#1 PEM, mode 0600) or once per process without one. 1024 bits: the modulus
 * Cisco's key commands of those images default to [unverified per image], the floor OpenSSH 9 still accepts
 * (RequiredRSASize), large enough for SSH-1's host key (bigger than its 768-bit server key), and generated in
 * ~40 ms where 2048 bits take over a second on a loaded 2-core machine (the lab starts in under 2 s).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export interface HostKey {
  /** RSA private key, PKCS#1 PEM (ssh2's `Server` and node:crypto both read it). */
  privateKey: string;
  /** `ssh-rsa AAAA...` */
  publicKey: string;
  /** `SHA256:...` as `ssh-keygen -l` prints it. */
  sha256: string;
}

export const HOST_KEY_FILE = 'ssh_host_rsa_key';

export function generateHostKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

export function describeHostKey(pem: string): HostKey {
  const parsed = ssh2.utils.parseKey(pem);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new Error('no host key');
  const blob = key.getPublicSSH();
  return {
    privateKey: pem,
    publicKey: `${key.type} ${blob.toString('base64')}`,
    sha256: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

let processKey: HostKey | undefined;

export function loadHostKey(stateDir?: string): HostKey {
  if (!stateDir) {
    processKey ??= describeHostKey(generateHostKeyPem());
    return processKey;
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, HOST_KEY_FILE);
  if (existsSync(file)) return describeHostKey(readFileSync(file, 'utf8'));
  const pem = generateHostKeyPem();
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
  return describeHostKey(pem);
}
