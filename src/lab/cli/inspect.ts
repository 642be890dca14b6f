/**
 * Turning inspection on and off: `inspect P [args]` / `no inspect P` under a policy-map class (ASA MPF), and
 * `fixup protocol P N` / `no fixup protocol P N` (PIX; on ASA 7+ converted to MPF with an INFO line).
 */
import { readFixupSpec } from '../../platform/ports.js';
import { type Block, ensureBlock, ensureChild } from '../config-text.js';
import { CliError, kw, rawFrom, type Token, tokenize } from './parse.js';
import type { Session } from './session.js';

/** PIX 6.x default fixup ports (pix_show-running-config_3.txt). */
const PIX_DEFAULT_FIXUPS: Record<string, string> = {
  ftp: '21',
  http: '80',
  h323: '1720',
  rsh: '514',
  rtsp: '554',
  smtp: '25',
  sqlnet: '1521',
  sip: '5060',
  skinny: '2000',
};

export const INSPECT_PROTOCOLS = [
  'ctiqbe',
  'dcerpc',
  'dns',
  'esmtp',
  'ftp',
  'gtp',
  'h323',
  'http',
  'icmp',
  'ils',
  'im',
  'ip-options',
  'ipsec-pass-thru',
  'mgcp',
  'netbios',
  'pptp',
  'rsh',
  'rtsp',
  'sip',
  'skinny',
  'smtp',
  'snmp',
  'sqlnet',
  'sunrpc',
  'tftp',
  'waas',
  'xdmcp',
];

/** `inspect P [args]` / `no inspect P [args]` under a policy-map class. Lines end with a space (§2.3). */
export function inspect(s: Session, args: Token[], lastPos: number, body: string[], cls: Block, no: boolean): void {
  const proto = kw(args[0], INSPECT_PROTOCOLS, lastPos);
  const words = [proto, ...args.slice(1).map((x) => x.text)];
  const key = (w: string[]) => (w[0] === 'h323' ? `h323 ${w[1] ?? ''}` : w[0] === 'smtp' ? 'esmtp' : (w[0] ?? ''));
  const myKey = key(words);
  const idx: number[] = [];
  for (let i = cls.start + 1; i < cls.end; i++) {
    const m = /^ {2}inspect (.*)$/.exec(body[i] ?? '');
    if (m?.[1] && key(m[1].trim().split(/\s+/)) === myKey) idx.push(i);
  }
  if (no) {
    // [unverified] removing an inspect that is not there: silent.
    for (const i of idx.reverse()) body.splice(i, 1);
  } else {
    const extra = (proto === 'sip' || proto === 'skinny') && words.length === 1 ? ' ' : '';
    const line = `  inspect ${words.join(' ')} ${extra}`;
    if (idx.length) body[idx[0] as number] = line;
    else body.splice(cls.end, 0, line);
  }
  s.touched();
}

/** `[no] fixup protocol P [N]` (tokens of the whole line). */
export function fixup(s: Session, t: Token[], body: string[], no: boolean): boolean {
  const dev = s.device;
  const off = no ? 1 : 0;
  kw(t[1 + off], ['protocol'], t[off]?.pos ?? 0);
  const protoTok = t[2 + off];
  if (!protoTok) throw new CliError('incomplete');
  const proto = protoTok.text.toLowerCase();
  const portTok = t[3 + off];
  const port = portTok?.text;
  if (port !== undefined && !/^\d+(-\d+)?$/.test(port) && !port.startsWith('maximum'))
    throw new CliError('invalid', portTok?.pos ?? 0);
  // A port outside 1-65535 (or a backwards range) is refused, never stored: the real unit's exact message for it is
  // not in any capture [unverified], and a stored `fixup protocol smtp 99999999999999999999` hung the lab (issue #12).
  if (port !== undefined && /^\d/.test(port) && !readFixupSpec(port).ok)
    throw new CliError('invalid', portTok?.pos ?? 0);
  const rest = rawFrom(t, 3 + off);
  if (!dev.isPix) {
    // ASA 7+: converted to MPF (asa-cli.md §3.2: `INFO: converting 'fixup protocol icmp ' to MPF commands`).
    s.lines([`INFO: converting '${no ? 'no ' : ''}fixup protocol ${proto} ${rest}' to MPF commands`]);
    const insp = proto === 'smtp' ? 'esmtp' : proto === 'h323' ? 'h323 h225' : proto;
    const pm = ensureBlock(body, 'policy-map global_policy', 'policy-map ', 'service-policy ');
    const cls = ensureChild(body, pm, 'class inspection_default');
    if (!body.includes('service-policy global_policy global')) {
      const at = body.findIndex((l) => l.startsWith('prompt '));
      body.splice(at >= 0 ? at : body.length, 0, 'service-policy global_policy global');
    }
    inspect(s, tokenize(insp), 0, body, cls, no);
    return true;
  }
  const line = `fixup protocol ${proto}${rest ? ` ${rest}` : ''}`;
  const isDefault = PIX_DEFAULT_FIXUPS[proto] !== undefined && PIX_DEFAULT_FIXUPS[proto] === rest;
  const lastFixup = body.reduce((acc, l, i) => (/^(no )?fixup protocol /.test(l) ? i : acc), -1);
  if (no) {
    const targets = body
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.startsWith(`fixup protocol ${proto}`) && (!rest || l === line));
    for (const { i } of targets.reverse()) {
      const defaultLine = `fixup protocol ${proto} ${PIX_DEFAULT_FIXUPS[proto] ?? ''}`;
      // PIX 6.3 shows a disabled default as `no fixup protocol smtp 25` (asa-cli.md §2.2).
      if (body[i] === defaultLine) body[i] = `no ${defaultLine}`;
      else body.splice(i, 1);
    }
  } else if (!body.includes(line)) {
    const disabled = body.indexOf(`no ${line}`);
    if (disabled >= 0) body[disabled] = line;
    else if (isDefault || lastFixup >= 0) body.splice(lastFixup + 1, 0, line);
    else body.push(line);
  }
  s.touched();
  return true;
}
