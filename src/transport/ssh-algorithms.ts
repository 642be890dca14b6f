/**
 * The SSH-2 algorithms the tool adds with `--legacy-algorithms`, and the typed error when a device shares no
 * algorithm with the tool's offer, naming what the device offered (as OpenSSH's "Their offer: ...").
 */
import type { Algorithms } from 'ssh2';
import { MailguardError } from '../errors.js';

/**
 * What ASA 8.x-9.5 images offer and ssh2's default client offer lacks (asa-cli.md §1.8): DH group 1 and group 14
 * with SHA-1, AES-CBC and 3DES-CBC, ssh-rsa signatures, hmac-sha1/hmac-md5. Appended after the modern defaults, so a
 * device that offers a modern algorithm still gets it. ssh-dss and group-exchange-sha1 are kept from the first
 * version of this list (PIX 7.x images) [unverified on a unit].
 */
export const LEGACY_ALGORITHM_NAMES = {
  kex: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1'],
  serverHostKey: ['ssh-rsa', 'ssh-dss'],
  cipher: ['aes256-cbc', 'aes192-cbc', 'aes128-cbc', '3des-cbc'],
  hmac: ['hmac-sha1', 'hmac-md5'],
} as const;

export const LEGACY_ALGORITHMS: Algorithms = {
  kex: { append: [...LEGACY_ALGORITHM_NAMES.kex] },
  cipher: { append: [...LEGACY_ALGORITHM_NAMES.cipher] },
  serverHostKey: { append: [...LEGACY_ALGORITHM_NAMES.serverHostKey] },
  hmac: { append: [...LEGACY_ALGORITHM_NAMES.hmac] },
} as unknown as Algorithms;

/** One line naming the legacy set, for prompts and docs. */
export function describeLegacyAlgorithms(): string {
  const n = LEGACY_ALGORITHM_NAMES;
  return [
    `key exchange ${n.kex.join(', ')}`,
    `ciphers ${n.cipher.join(', ')}`,
    `host keys ${n.serverHostKey.join(', ')}`,
    `MACs ${n.hmac.join(', ')}`,
  ].join('; ');
}

export type AlgorithmCategory = 'kex' | 'serverHostKey' | 'cipher' | 'hmac';

const CATEGORY_NAMES: Record<AlgorithmCategory, string> = {
  kex: 'key exchange method',
  serverHostKey: 'host key type',
  cipher: 'cipher',
  hmac: 'MAC',
};

/**
 * The server's KEXINIT lists, read from ssh2's debug lines (`Handshake: (remote) KEX method: a,b`): ssh2 names the
 * offer only there, and only up to the category that failed. ssh2 has no public event for a failed negotiation.
 */
export class OfferCapture {
  readonly offered: Partial<Record<AlgorithmCategory, string[]>> = {};
  private done = false;

  readonly debug = (line: string): void => {
    if (this.done || !line.startsWith('Handshake: (remote) ')) return;
    const m = /^Handshake: \(remote\) (KEX method|Host key format|C->S cipher|C->S MAC): (.*)$/.exec(line);
    if (!m) return;
    const key: AlgorithmCategory = (
      { 'KEX method': 'kex', 'Host key format': 'serverHostKey', 'C->S cipher': 'cipher', 'C->S MAC': 'hmac' } as const
    )[m[1] as 'KEX method'];
    // Markers such as kex-strict-s-v00@openssh.com and ext-info-s are not algorithms anyone can pick.
    this.offered[key] = (m[2] ?? '').split(',').filter((a) => a && !/^(kex-strict-|ext-info-)/.test(a));
  };

  /** After the handshake: stop recording (ssh2 keeps calling debug for every packet). */
  stop(): void {
    this.done = true;
  }
}

/** `Handshake failed: no matching C->S cipher` -> 'cipher'. */
export function failedCategory(message: string): AlgorithmCategory | null {
  const m = /no matching (key exchange|host key|C->S cipher|S->C cipher|C->S MAC|S->C MAC)/i.exec(message);
  if (!m) return null;
  const what = (m[1] ?? '').toLowerCase();
  if (what.startsWith('key exchange')) return 'kex';
  if (what.startsWith('host key')) return 'serverHostKey';
  return what.endsWith('cipher') ? 'cipher' : 'hmac';
}

export function noCommonAlgorithmError(o: {
  host: string;
  port: number;
  category: AlgorithmCategory;
  offered: Partial<Record<AlgorithmCategory, string[]>>;
  legacyAlgorithms: boolean;
}): MailguardError {
  const theirs = o.offered[o.category] ?? [];
  const legacy: readonly string[] = LEGACY_ALGORITHM_NAMES[o.category];
  const legacyHelps = !o.legacyAlgorithms && theirs.some((a) => legacy.includes(a));
  const offer = theirs.length ? theirs.join(',') : 'unknown';
  const hint = legacyHelps
    ? `The device offers only old algorithms (an ASA 8.x or 9.x before 9.6 does): retry with --legacy-algorithms (inventory or playbook: legacyAlgorithms: true), which also offers ${theirs.filter((a) => legacy.includes(a)).join(', ')}; or configure newer ones on the device (e.g. \`ssh key-exchange group dh-group14-sha256\`).`
    : o.legacyAlgorithms
      ? 'Not even the legacy algorithms match: configure the device to offer a supported one (`ssh key-exchange group`, `ssh cipher encryption medium`), or use --transport telnet.'
      : 'Configure the device to offer a supported algorithm (`ssh key-exchange group`, `ssh cipher encryption medium`), or use --transport telnet.';
  return new MailguardError(
    'SSH_NO_COMMON_ALGORITHM',
    `SSH negotiation with ${o.host}:${o.port} failed: no matching ${CATEGORY_NAMES[o.category]}. Their offer: ${offer}`,
    {
      hint,
      details: {
        host: o.host,
        port: o.port,
        category: o.category,
        offered: o.offered,
        legacyAlgorithms: o.legacyAlgorithms,
        // What the wizard asks on: adding the legacy set would match the device's offer.
        legacyWouldMatch: legacyHelps,
      },
    },
  );
}
