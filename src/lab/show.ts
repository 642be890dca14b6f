/**
 * Output of the emulator's `show` commands, built from the running config and the captures. Pure functions.
 */
import { blocks, type ConfigDoc, renderConfig, section } from './config-text.js';
import { ASA_SHOW_FAILOVER_ACTIVE, ASA_SHOW_FAILOVER_OFF } from './fixtures/captures.js';

/** `_default_esmtp_map` as `show running-config all policy-map` shows it (asa-cli.md §2.4, Cisco config guide). */
export const DEFAULT_ESMTP_MAP: readonly string[] = [
  'policy-map type inspect esmtp _default_esmtp_map',
  ' description Default ESMTP policy-map',
  ' parameters',
  '  mask-banner',
  '  no mail-relay',
  '  no special-character',
  '  no allow-tls',
  ' match cmd line length gt 512 ',
  '  drop-connection log',
  ' match cmd RCPT count gt 100 ',
  '  drop-connection log',
  ' match body line length gt 998 ',
  '  log',
  ' match header line length gt 998 ',
  '  drop-connection log',
  ' match sender-address length gt 320 ',
  '  drop-connection log',
  ' match MIME filename length gt 255 ',
  '  drop-connection log',
  ' match ehlo-reply-parameter others ',
  '  mask',
];

/** Sections `show running-config <x>` accepts even when the config has no such line. */
export const KNOWN_SECTIONS = [
  'aaa',
  'access-group',
  'access-list',
  'banner',
  'call-home',
  'class-map',
  'domain-name',
  'fixup',
  'hostname',
  'interface',
  'logging',
  'names',
  'object',
  'pager',
  'policy-map',
  'prompt',
  'route',
  'service-policy',
  'ssh',
  'telnet',
  'username',
];

/** `show running-config [all] [section ...]`. */
export function showRunning(doc: ConfigDoc, all: boolean, words: string[], asa = true): string[] {
  if (words.length === 0) {
    // asa_show-running-config_1.txt: a blank line follows `: end` before the prompt (ASA; PIX ends at `: end`).
    const lines = asa ? [...renderConfig(doc), ''] : renderConfig(doc);
    if (!all) return lines;
    const at = lines.findIndex((l) => l.startsWith('policy-map '));
    if (at >= 0 && !doc.body.some((l) => l.includes('_default_esmtp_map'))) lines.splice(at, 0, ...DEFAULT_ESMTP_MAP);
    return lines;
  }
  let lines = section(doc.body, words.join(' '));
  if (all && words[0] === 'policy-map' && words.length === 1 && !lines.some((l) => l.includes('_default_esmtp_map')))
    lines = [...DEFAULT_ESMTP_MAP, ...lines];
  // [unverified] real 9.x brackets the policy-map and class-map sections with `!` lines.
  if ((words[0] === 'policy-map' || words[0] === 'class-map') && lines.length) return ['!', ...lines, '!'];
  return lines;
}

/** `show fixup` (PIX): the fixup lines of the running config, as Netspoc-Approve parses them (asa-cli.md §3.1). */
export function showFixup(doc: ConfigDoc): string[] {
  return doc.body.filter((l) => /^(no )?fixup protocol /.test(l));
}

const STATS =
  'packet 0, lock fail 0, drop 0, reset-drop 0, 5-min-pkt-rate 0 pkts/sec, v6-fail-close 0 sctp-drop-override 0';
const TCP_PROXY = new Set(['rtsp', 'sunrpc', 'h323 h225', 'sip', 'skinny']);
const IMPLICIT_MAP: Record<string, string> = {
  esmtp: '_default_esmtp_map',
  'h323 h225': '_default_h323_map',
  'h323 ras': '_default_h323_map',
  'ip-options': '_default_ip_options_map',
};

/**
 * `show service-policy [inspect P]`, shaped like asa_show-service-policy_1.txt (genieparser): `Global policy: `,
 * `Service-policy: NAME`, 8-space `Class-map:`/`Inspect:` lines, 16-space `tcp-proxy:` lines.
 */
export function showServicePolicy(doc: ConfigDoc, inspectFilter?: string): string[] {
  const out: string[] = [];
  const bindings = doc.body
    .map((l) => /^service-policy (\S+) (global|interface (\S+))\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  for (const m of bindings) {
    const name = m[1] ?? '';
    out.push(m[2] === 'global' ? 'Global policy: ' : `Interface ${m[3]}: `); // [unverified] interface label
    out.push(`Service-policy: ${name}`);
    const pm = blocks(doc.body).find((b) => doc.body[b.start]?.trim() === `policy-map ${name}`);
    if (!pm) continue;
    for (let i = pm.start + 1; i < pm.end; i++) {
      const l = doc.body[i] ?? '';
      const cls = /^ class (\S+)/.exec(l);
      if (cls) out.push(`        Class-map: ${cls[1]}`);
      const ins = /^ {2}inspect (.*?)\s*$/.exec(l);
      if (!ins?.[1]) continue;
      const words = ins[1].split(/\s+/);
      const proto = words[0] === 'h323' ? `${words[0]} ${words[1] ?? ''}`.trim() : (words[0] ?? '');
      const rest = words.slice(proto.split(' ').length).join(' ');
      if (inspectFilter && proto !== inspectFilter && !(inspectFilter === 'esmtp' && proto === 'smtp')) continue;
      const map = rest || IMPLICIT_MAP[proto];
      const label = map ? `${proto} ${map}` : proto === 'sip' || proto === 'skinny' ? `${proto} ` : proto;
      out.push(`        Inspect: ${label}, ${STATS}`);
      if (TCP_PROXY.has(proto)) out.push('                tcp-proxy: bytes in buffer 0, bytes dropped 0');
    }
  }
  return out;
}

/** `show failover`: asa_show-failover_1.txt (active pair, roles swapped for a standby) or asa_show-failover_9.txt (off). */
export function showFailover(
  role: { role: 'active' | 'standby'; unit: 'primary' | 'secondary' } | null,
  serials: [string | undefined, string | undefined] = [undefined, undefined],
): string[] {
  if (!role) return [...ASA_SHOW_FAILOVER_OFF];
  const me = role.unit === 'primary' ? 'Primary' : 'Secondary';
  const mate = role.unit === 'primary' ? 'Secondary' : 'Primary';
  const myState = role.role === 'active' ? 'Active' : 'Standby Ready';
  const mateState = role.role === 'active' ? 'Standby Ready' : 'Active';
  return ASA_SHOW_FAILOVER_ACTIVE.map((l) => {
    if (l === 'Failover unit Primary') return `Failover unit ${me}`;
    // asa_show-failover_8.txt prints `Mate Unknown` when the mate's serial is not known.
    if (l.startsWith('Serial Number: Ours ') && serials[0])
      return `Serial Number: Ours ${serials[0]}, Mate ${serials[1] ?? 'Unknown'}`;
    if (l.startsWith('This host: ')) return `This host: ${me} - ${myState}`;
    if (l.startsWith('Other host: ')) return `Other host: ${mate} - ${mateState}`;
    return l;
  });
}

/** `show context`, columns as asa_show-context_1.txt (genieparser); `*` marks the admin context. */
export function showContext(contexts: string[]): string[] {
  const out = ['Context Name      Class                Interfaces           Mode         URL'];
  contexts.forEach((c, i) => {
    const name = i === 0 ? `*${c}`.padEnd(18) : c.padEnd(17);
    out.push(`${name}default              ${`GigabitEthernet0/${i}`.padEnd(21)}Routed       disk0:/${c}.cfg`);
  });
  out.push(`Total active Security Contexts: ${contexts.length}`);
  return out;
}

/** Apply `| include|exclude|begin|grep [-v] PATTERN` to output lines. */
export function applyFilter(lines: string[], kind: 'include' | 'exclude' | 'begin', pattern: string): string[] {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
  if (kind === 'include') return lines.filter((l) => re.test(l));
  if (kind === 'exclude') return lines.filter((l) => !re.test(l));
  const i = lines.findIndex((l) => re.test(l));
  return i < 0 ? [] : lines.slice(i);
}
