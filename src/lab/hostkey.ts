/**
 * The lab's SSH host keys: one per unit, as in the field (each PIX/ASA generates its own; a shared key would let a
 * known_hosts entry of one unit pass for another, which no real pair of units allows). RSA, as on the real units
 * (PIX/ASA generate RSA keys with `crypto key generate rsa` / `ca generate rsa key`; an ASA 8.x-9.x offers `ssh-rsa`
 * only, asa-cli.md §1.8). With a state folder each unit's key is kept there as `ssh_host_rsa_key-<unit>` (PKCS#1
 * PEM, mode 0600, src/lab/kept-key.ts), so a restarted lab keeps its known_hosts lines; without one it is new for
 * each lab. 1024 bits: the modulus Cisco's key commands of those images default to [unverified per image], the
 * floor OpenSSH 9 still accepts (RequiredRSASize), large enough for SSH-1's host key (bigger than its 768-bit server
 * key), and generated in about 10 ms (off the main thread, in parallel) where 2048 bits take over a second on a
 * loaded 2-core machine.
 */
import { createHash, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import { keptKeyPem } from './kept-key.js';

export interface HostKey {
  /** RSA private key, PKCS#1 PEM (ssh2's `Server` and node:crypto both read it). */
  privateKey: string;
  /** `ssh-rsa AAAA...` */
  publicKey: string;
  /** `SHA256:...` as `ssh-keygen -l` prints it. */
  sha256: string;
}

const generate = promisify(generateKeyPair);

export async function generateHostKeyPem(): Promise<string> {
  const { privateKey } = await generate('rsa', { modulusLength: 1024 });
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

/** One unit's host key: new, or the one kept for this unit in the state folder. */
export async function loadHostKey(unit: string, stateDir?: string): Promise<HostKey> {
  return describeHostKey(await keptKeyPem(stateDir, 'ssh_host_rsa_key', unit, generateHostKeyPem));
}
