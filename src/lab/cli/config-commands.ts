/**
 * Commands of global configuration mode (hostname, banner, policy-map, service-policy, fixup, `no ...`), leaving
 * config modes (`exit`/`quit`/`end`), and the hand-off to the MPF sub-modes.
 */
import { findBlock, setTopLine } from '../config-text.js';
import { CIPHER_LEVELS, INTEGRITY_LEVELS, KEX_KEYWORDS_BY_DIALECT } from '../ssh-algorithms.js';
import { fixup } from './inspect.js';
import { pixPager } from './pager.js';
import { CliError, kw, rawFrom, type Token } from './parse.js';
import { classMap, policyMap, subModeCommand } from './policy-modes.js';
import type { Mode, ModeKind, Session } from './session.js';

/** Returns false when the command does not belong to `kind` (caller tries the parent mode). */
export async function configCommand(s: Session, kind: ModeKind, k: string, t: Token[]): Promise<boolean> {
  const dev = s.device;
  const body = s.doc().body;
  const top = s.modes[s.modes.length - 1] as Mode;
  const p0 = t[0]?.pos ?? 0;
  if (k === 'exit' || k === 'quit') {
    s.modes.pop();
    return true;
  }
  if (k === 'end') {
    // PIX 6.x rejects `end` (Netspoc-Approve PIX.pm leaves config with exit/quit) [unverified text].
    if (dev.isPix) throw new CliError('invalid', p0);
    s.modes = [];
    return true;
  }
  if (kind !== 'config') return subModeCommand(s, kind, k, t, body, top);
  switch (k) {
    case 'hostname': {
      const name = t[1];
      if (!name) throw new CliError('incomplete');
      setTopLine(body, /^hostname /, `hostname ${name.text}`);
      s.touched();
      return true;
    }
    case 'domain-name': {
      if (!t[1]) throw new CliError('incomplete');
      setTopLine(body, /^domain-name /, `domain-name ${t[1].text}`, 'hostname ');
      s.touched();
      return true;
    }
    case 'banner': {
      kw(t[1], ['motd', 'login', 'exec'], p0);
      const text = t[2] ? rawFrom(t, 2) : '';
      const idx = body.reduce((acc, l, i) => (l.startsWith('banner ') ? i : acc), -1);
      const line = `banner ${t[1]?.text} ${text}`;
      if (idx >= 0) body.splice(idx + 1, 0, line);
      else body.push(line);
      s.touched();
      return true;
    }
    case 'enable': {
      kw(t[1], ['password'], p0);
      if (!t[2]) throw new CliError('incomplete');
      dev.opts.enableSecret = t[2].text;
      setTopLine(body, /^enable password /, 'enable password $sha512$5000$lab pbkdf2'); // hash not emulated
      s.touched();
      return true;
    }
    case 'policy-map':
      return policyMap(s, t, body);
    case 'class-map':
      return classMap(s, t, body);
    case 'service-policy': {
      const name = t[1];
      if (!name) throw new CliError('incomplete');
      const scope = kw(t[2], ['global', 'interface'], name.pos);
      const where = scope === 'global' ? 'global' : `interface ${t[3]?.text ?? ''}`;
      if (scope === 'interface' && !t[3]) throw new CliError('incomplete');
      if (!findBlock(body, `policy-map ${name.text}`)) {
        s.lines([`ERROR: policy-map ${name.text} does not exist`]); // [unverified]
        return true;
      }
      const line = `service-policy ${name.text} ${where}`;
      if (!body.includes(line)) {
        const at = body.findIndex((l) => l.startsWith('prompt '));
        if (at >= 0) body.splice(at, 0, line);
        else body.push(line);
      }
      s.touched();
      return true;
    }
    case 'fixup':
      return fixup(s, t, body, false);
    case 'call-home': {
      kw(t[1], ['reporting'], p0);
      kw(t[2], ['anonymous'], t[1]?.pos ?? 0);
      setTopLine(body, /^(no )?call-home reporting anonymous/, 'call-home reporting anonymous', 'prompt ');
      s.touched();
      return true;
    }
    case 'pager':
      pixPager(s, t, false);
      return true;
    case 'prompt': {
      if (!t[1]) throw new CliError('incomplete');
      for (const x of t.slice(1)) kw(x, ['hostname', 'context', 'domain', 'priority', 'state', 'cluster-unit'], p0);
      setTopLine(body, /^prompt /, `prompt ${rawFrom(t, 1)} `);
      s.touched();
      return true;
    }
    case 'ssh':
      return sshConfig(s, t, body, false);
    case 'no':
      return noConfig(s, t, body);
  }
  return false;
}

/**
 * `ssh key-exchange group <kw>`, `ssh cipher encryption|integrity <level>|custom <a:b>`, `ssh version 1|2`: what the
 * SSH server offers to the next connection (src/lab/ssh-algorithms.ts). `ssh cipher` exists from 9.1(7)/9.6(1), so
 * ASA 8.x rejects it; PIX 6.x has none of these (its `ssh <ip> <mask> <if>` access lines are not emulated).
 */
function sshConfig(s: Session, t: Token[], body: string[], negate: boolean): boolean {
  const dev = s.device;
  const at = negate ? 1 : 0;
  const p = t[at]?.pos ?? 0;
  if (dev.isPix) throw new CliError('invalid', t[at + 1]?.pos ?? p);
  const image = dev.dialect === 'asa9' ? 'asa9' : 'asa8';
  const sub = kw(t[at + 1], image === 'asa9' ? ['key-exchange', 'cipher', 'version'] : ['key-exchange', 'version'], p);
  const p1 = t[at + 1]?.pos ?? p;
  let key: RegExp;
  let line: string;
  if (sub === 'key-exchange') {
    kw(t[at + 2], ['group'], p1);
    key = /^ssh key-exchange group /;
    const group = negate ? '' : kw(t[at + 3], KEX_KEYWORDS_BY_DIALECT[image], t[at + 2]?.pos ?? p1);
    line = `ssh key-exchange group ${group}`;
    // ccnpsecuritywannabe 9.16 capture; 9.12's text [unverified]
    if (group === 'dh-group1-sha1' && image === 'asa9') {
      s.lines([
        'WARNING: DH group 2 is considered insecure. This option is deprecated and will be removed in a later version.',
      ]);
    }
  } else if (sub === 'cipher') {
    const which = kw(t[at + 2], ['encryption', 'integrity'], p1);
    key = new RegExp(`^ssh cipher ${which} `);
    const levels = which === 'encryption' ? CIPHER_LEVELS : INTEGRITY_LEVELS;
    const lvl = negate ? '' : kw(t[at + 3], [...Object.keys(levels), 'custom'], t[at + 2]?.pos ?? p1);
    if (lvl === 'custom' && !t[at + 4]) throw new CliError('incomplete');
    line = `ssh cipher ${which} ${lvl}${lvl === 'custom' ? ` ${t[at + 4]?.text}` : ''}`;
  } else {
    key = /^ssh version /;
    const v = negate ? '' : kw(t[at + 2], ['1', '2'], p1);
    line = `ssh version ${v}`;
  }
  setTopLine(body, key, negate ? null : line, 'ssh timeout ');
  s.touched();
  return true;
}

function noConfig(s: Session, t: Token[], body: string[]): boolean {
  const p0 = t[0]?.pos ?? 0;
  const sub = kw(t[1], ['fixup', 'policy-map', 'class-map', 'service-policy', 'call-home', 'pager', 'ssh'], p0);
  const p1 = t[1]?.pos ?? 0;
  switch (sub) {
    case 'ssh':
      return sshConfig(s, t, body, true);
    case 'fixup':
      return fixup(s, t, body, true);
    case 'pager':
      pixPager(s, t, true);
      return true;
    case 'call-home':
      kw(t[2], ['reporting'], p1);
      kw(t[3], ['anonymous'], t[2]?.pos ?? 0);
      setTopLine(body, /^(no )?call-home reporting anonymous/, 'no call-home reporting anonymous', 'prompt ');
      s.touched();
      return true;
    case 'service-policy': {
      if (!t[2] || !t[3]) throw new CliError('incomplete');
      const line = `service-policy ${rawFrom(t, 2)}`;
      const i = body.indexOf(line);
      if (i >= 0) body.splice(i, 1);
      s.touched();
      return true;
    }
    case 'policy-map':
    case 'class-map': {
      if (!t[2]) throw new CliError('incomplete');
      const header = `${sub} ${rawFrom(t, 2)}`;
      if (sub === 'policy-map' && body.some((l) => l.startsWith(`service-policy ${t[2]?.text} `))) {
        // Ansible's stderr pattern `Removing.* not allowed, it is being used` (asa-cli.md §1.4) [unverified text].
        s.lines([`ERROR: Removing policy-map ${t[2].text} not allowed, it is being used.`]);
        return true;
      }
      const b = findBlock(body, header);
      if (b) body.splice(b.start, b.end - b.start);
      s.touched();
      return true;
    }
  }
  return false;
}
