/**
 * TCP port arguments as PIX/ASA print them (`25`, `smtp`, `2525-2526`, `range 2525 2526`), checked against 1-65535.
 * A bad port is reported, never expanded: `fixup protocol smtp 99999999999999999999` once looped until Node ran out
 * of memory (issue #12).
 */

// The names ASA prints instead of numbers (ASA command reference, "TCP and UDP ports" table). Hand-written: no npm
// package carries Cisco's own name table, and a wrong guess would invent ports.
const PORT_NAMES: Readonly<Record<string, number>> = {
  aol: 5190,
  bgp: 179,
  chargen: 19,
  cifs: 3020,
  'citrix-ica': 1494,
  cmd: 514,
  ctiqbe: 2748,
  daytime: 13,
  discard: 9,
  domain: 53,
  echo: 7,
  exec: 512,
  finger: 79,
  ftp: 21,
  'ftp-data': 20,
  gopher: 70,
  h323: 1720,
  hostname: 101,
  http: 80,
  https: 443,
  ident: 113,
  imap4: 143,
  irc: 194,
  kerberos: 88,
  klogin: 543,
  kshell: 544,
  ldap: 389,
  ldaps: 636,
  login: 513,
  lotusnotes: 1352,
  lpd: 515,
  'netbios-ssn': 139,
  nfs: 2049,
  nntp: 119,
  'pcanywhere-data': 5631,
  'pim-auto-rp': 496,
  pop2: 109,
  pop3: 110,
  pptp: 1723,
  rsh: 514,
  rtsp: 554,
  sip: 5060,
  smtp: 25,
  sqlnet: 1521,
  ssh: 22,
  sunrpc: 111,
  tacacs: 49,
  talk: 517,
  telnet: 23,
  uucp: 540,
  whois: 43,
  www: 80,
};

export const MAX_PORT = 65535;

export type PortRead = { ok: true; lo: number; hi: number } | { ok: false; problem: string };

/** One port token: a number in 1-65535 or a known name. */
export function readPort(token: string | undefined): { ok: true; port: number } | { ok: false; problem: string } {
  if (token === undefined || token === '') return { ok: false, problem: 'no port given' };
  if (/^\d+$/.test(token)) {
    // Length first: Number() of a 30-digit token is a float beyond 2^53.
    const n = token.length > 6 ? Number.POSITIVE_INFINITY : Number(token);
    if (n < 1 || n > MAX_PORT) return { ok: false, problem: `port ${token} is outside 1-${MAX_PORT}` };
    return { ok: true, port: n };
  }
  const named = Object.hasOwn(PORT_NAMES, token.toLowerCase()) ? PORT_NAMES[token.toLowerCase()] : undefined;
  if (named === undefined) return { ok: false, problem: `port name "${token}" is not one this tool knows` };
  return { ok: true, port: named };
}

/** A range from two tokens; `lo > hi` is a problem (the device rejects it). */
export function readRange(a: string | undefined, b: string | undefined): PortRead {
  const lo = readPort(a);
  if (!lo.ok) return lo;
  const hi = readPort(b);
  if (!hi.ok) return hi;
  if (lo.port > hi.port) return { ok: false, problem: `range ${a}-${b} runs backwards` };
  return { ok: true, lo: lo.port, hi: hi.port };
}

/** PIX `fixup protocol smtp <spec>`: `25` or `25-26`. */
export function readFixupSpec(spec: string | undefined): PortRead {
  if (spec === undefined) return { ok: false, problem: 'no port given' };
  const dash = spec.indexOf('-');
  if (dash > 0) return readRange(spec.slice(0, dash), spec.slice(dash + 1));
  const one = readPort(spec);
  return one.ok ? { ok: true, lo: one.port, hi: one.port } : one;
}

/**
 * Sorted, de-duplicated ports of some ranges (each within 1-65535), at most `limit` of them: the caller keeps a
 * budget so that a file of many wide ranges cannot grow the answer beyond linear size.
 */
export function expandRanges(ranges: { lo: number; hi: number }[], limit: number): { ports: number[]; cut: boolean } {
  const sorted = [...ranges].sort((x, y) => x.lo - y.lo);
  const ports: number[] = [];
  let next = 1; // first port not yet emitted
  for (const r of sorted) {
    for (let p = Math.max(r.lo, next); p <= r.hi; p++) {
      if (ports.length >= limit) return { ports, cut: true };
      ports.push(p);
    }
    next = Math.max(next, r.hi + 1);
  }
  return { ports, cut: false };
}
