/**
 * What an emulated unit's SSH-2 server says and offers, from its image and its running config (asa-cli.md §1.8).
 * Pure: the SSH server asks it at every new connection, so `ssh key-exchange group ...`, `ssh cipher ...` and
 * `ssh version 2` take effect for the next session, as on the real units.
 *
 * Sources: the kex default per image and the `ssh key-exchange group` keywords (nat0.net 9.5(2) capture,
 * ccnpsecuritywannabe 9.16 capture), the cipher levels (layer77.net `show ssh ciphers` of 9.4(3)12), the
 * identification strings (gomjabbar.com: 8.x allows versions 1 and 2 -> `SSH-1.99`; netmiko #2139 `SSH-2.0-Cisco-1.25`).
 * Marked [unverified] where no capture was found.
 */
import type { LabDialect } from './types.js';

export interface SshAlgorithmSet {
  kex: string[];
  cipher: string[];
  hmac: string[];
  serverHostKey: string[];
}

export interface SshServerProfile extends SshAlgorithmSet {
  /** Full identification line without CRLF, e.g. `SSH-1.99-Cisco-1.25`. */
  ident: string;
}

/** `ssh key-exchange group <keyword>` -> the one method offered (a unit offers only the configured group). */
export const KEX_GROUP_KEYWORDS: Record<string, string> = {
  'dh-group1-sha1': 'diffie-hellman-group1-sha1',
  'dh-group14-sha1': 'diffie-hellman-group14-sha1',
  'dh-group14-sha256': 'diffie-hellman-group14-sha256',
  'ecdh-sha2-nistp256': 'ecdh-sha2-nistp256',
  'curve25519-sha256': 'curve25519-sha256',
};

/** Keywords each image accepts: 8.x knows group1 and group14-sha1 [unverified which 8.4 release added group14]. */
export const KEX_KEYWORDS_BY_DIALECT: Record<'asa8' | 'asa9', string[]> = {
  asa8: ['dh-group1-sha1', 'dh-group14-sha1'],
  asa9: Object.keys(KEX_GROUP_KEYWORDS),
};

/** `show ssh ciphers` Encryption Algorithms of 9.4(3)12 (layer77.net); `all` = every one [unverified]. */
export const CIPHER_LEVELS: Record<string, string[]> = {
  all: ['3des-cbc', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  low: ['3des-cbc', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  medium: ['aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  fips: ['aes128-cbc', 'aes256-cbc'],
  high: ['aes256-cbc', 'aes256-ctr'],
};

/**
 * Integrity levels: the keywords and "low = low, medium and high MACs; medium = medium and high (default)" are from
 * the 9.6(1) help text (nat0.net); which MAC sits at which level is [unverified] best belief.
 */
export const INTEGRITY_LEVELS: Record<string, string[]> = {
  all: ['hmac-sha1', 'hmac-sha1-96', 'hmac-md5', 'hmac-md5-96', 'hmac-sha2-256'],
  low: ['hmac-sha1', 'hmac-sha1-96', 'hmac-md5', 'hmac-md5-96', 'hmac-sha2-256'],
  medium: ['hmac-sha1', 'hmac-sha1-96', 'hmac-sha2-256'],
  fips: ['hmac-sha1', 'hmac-sha2-256'],
  high: ['hmac-sha2-256'],
};

/**
 * The image defaults. ASA 8.4(1): group1-sha1 only, AES-CBC and 3DES-CBC [unverified: no AES-CTR before the
 * `ssh cipher` levels of 9.1(7)], hmac-sha1/hmac-md5, ssh-rsa. ASA 9.12: dh-group14-sha256 [unverified: recalled as the
 * 9.12(1) default; §1.8 only bounds it to "dh-group14-sha1 or newer"], the `medium` ciphers and MACs, ssh-rsa.
 */
export const IMAGE_DEFAULTS: Record<'asa8' | 'asa9', SshAlgorithmSet> = {
  asa8: {
    kex: ['diffie-hellman-group1-sha1'],
    cipher: ['aes128-cbc', 'aes192-cbc', 'aes256-cbc', '3des-cbc'],
    hmac: ['hmac-sha1', 'hmac-md5'],
    serverHostKey: ['ssh-rsa'],
  },
  asa9: {
    kex: ['diffie-hellman-group14-sha256'],
    cipher: CIPHER_LEVELS.medium as string[],
    hmac: INTEGRITY_LEVELS.medium as string[],
    serverHostKey: ['ssh-rsa'],
  },
};

const CISCO_SOFTWARE = 'Cisco-1.25';

function lastValue(body: string[], prefix: string): string | undefined {
  const line = [...body].reverse().find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

/** `custom` takes a colon-separated list: `ssh cipher encryption custom aes128-ctr:aes256-ctr`. */
function level(levels: Record<string, string[]>, value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const [name, list] = value.split(/\s+/, 2);
  if (name === 'custom') return list ? list.split(':').filter(Boolean) : undefined;
  return name ? levels[name] : undefined;
}

/**
 * The profile of `dialect` with `body` (its running config) applied, then `override` (the lab's per-device switch).
 * Null for PIX 6.x: it has no SSH-2 server at all (its port speaks SSH-1.5, issue 11 part A).
 */
export function sshServerProfile(
  dialect: LabDialect,
  body: string[],
  override: Partial<SshAlgorithmSet> = {},
): SshServerProfile | null {
  if (dialect === 'pix6') return null;
  const image = dialect;
  const base = IMAGE_DEFAULTS[image];
  const group = lastValue(body, 'ssh key-exchange group ');
  const kex = group && KEX_GROUP_KEYWORDS[group] ? [KEX_GROUP_KEYWORDS[group] as string] : base.kex;
  const cipher = (image === 'asa9' && level(CIPHER_LEVELS, lastValue(body, 'ssh cipher encryption '))) || base.cipher;
  const hmac = (image === 'asa9' && level(INTEGRITY_LEVELS, lastValue(body, 'ssh cipher integrity '))) || base.hmac;
  // 8.x allows versions 1 and 2 unless `ssh version 2` is configured; 9.12's config carries `ssh version 2`.
  const version = lastValue(body, 'ssh version ');
  const protocol = image === 'asa8' && version !== '2' ? '1.99' : '2.0';
  return {
    ident: `SSH-${protocol}-${CISCO_SOFTWARE}`,
    kex: override.kex ?? kex,
    cipher: override.cipher ?? cipher,
    hmac: override.hmac ?? hmac,
    serverHostKey: override.serverHostKey ?? base.serverHostKey,
  };
}
