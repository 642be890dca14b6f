/**
 * ssh_config's HostKeyAlgorithms, KexAlgorithms, Ciphers and MACs (with the `+` append, `-` remove and `^` prepend
 * forms) turned into the lists ssh2 negotiates. The default a `+`/`-`/`^` list changes is ssh2's own default
 * (the client that connects), and names ssh2 does not implement are dropped with a warning.
 */
// @ts-expect-error ssh2 keeps its algorithm tables in lib/protocol/constants.js (CommonJS, untyped, not re-exported
// by the package root); a default import (module.exports) works in Node's ESM and in the esbuild bundle.
import ssh2Constants from 'ssh2/lib/protocol/constants.js';
import type { SshAlgorithmLists } from '../transport/types.js';

const C = ssh2Constants as Record<string, string[]>;

export const SSH_CONFIG_ALGORITHM_KEYS = {
  kexalgorithms: 'kex',
  hostkeyalgorithms: 'serverHostKey',
  ciphers: 'cipher',
  macs: 'hmac',
} as const;

const TABLE: Record<keyof SshAlgorithmLists, { def: string[]; supported: string[] }> = {
  kex: { def: C.DEFAULT_KEX ?? [], supported: C.SUPPORTED_KEX ?? [] },
  serverHostKey: { def: C.DEFAULT_SERVER_HOST_KEY ?? [], supported: C.SUPPORTED_SERVER_HOST_KEY ?? [] },
  cipher: { def: C.DEFAULT_CIPHER ?? [], supported: C.SUPPORTED_CIPHER ?? [] },
  hmac: { def: C.DEFAULT_MAC ?? [], supported: C.SUPPORTED_MAC ?? [] },
};

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** One ssh_config algorithm value -> the ssh2 list; `warn` gets each name ssh2 lacks. */
export function resolveAlgorithmList(
  kind: keyof SshAlgorithmLists,
  spec: string,
  warn: (name: string) => void,
): string[] {
  const { def, supported } = TABLE[kind];
  const op = spec[0];
  const names = (/^[+\-^]/.test(spec) ? spec.slice(1) : spec).split(',').filter((n) => n !== '');
  if (op === '-') {
    const res = names.map(wildcard);
    return def.filter((a) => !res.some((r) => r.test(a)));
  }
  const known = names.filter((n) => {
    if (supported.includes(n)) return true;
    warn(n);
    return false;
  });
  if (op === '+') return [...def, ...known.filter((n) => !def.includes(n))];
  if (op === '^') return [...known, ...def.filter((n) => !known.includes(n))];
  return known;
}
