/**
 * The MPF sub-modes: `policy-map` (config-pmap), its `class` (config-pmap-c), `class-map` (config-cmap) and an
 * inspect map's `parameters` (config-pmap-p). Each handler returns false for a command that is not its own, so the
 * caller can try the parent mode as the device does.
 */
import { ensureBlock, ensureChild, findBlock, findChild } from '../config-text.js';
import { INSPECT_PROTOCOLS, inspect } from './inspect.js';
import { CliError, kw, rawFrom, type Token } from './parse.js';
import type { Mode, ModeKind, Session } from './session.js';

/** `policy-map NAME` / `policy-map type inspect P NAME` in config mode: enters config-pmap. */
export function policyMap(s: Session, t: Token[], body: string[]): boolean {
  const first = t[1];
  if (!first) throw new CliError('incomplete');
  let header: string;
  if (first.text === 'type') {
    kw(t[2], ['inspect'], first.pos);
    const proto = kw(t[3], INSPECT_PROTOCOLS, t[2]?.pos ?? 0);
    const name = t[4];
    if (!name) throw new CliError('incomplete');
    header = `policy-map type inspect ${proto} ${name.text}`;
  } else {
    header = `policy-map ${first.text}`;
  }
  ensureBlock(body, header, 'policy-map ', 'service-policy ');
  s.modes.push({ kind: 'pmap', name: header });
  s.touched();
  return true;
}

/** `class-map NAME` in config mode: enters config-cmap. */
export function classMap(s: Session, t: Token[], body: string[]): boolean {
  const name = t[1];
  if (!name) throw new CliError('incomplete');
  if (name.text === 'type') throw new CliError('invalid', name.pos);
  ensureBlock(body, `class-map ${name.text}`, 'class-map ', 'policy-map ');
  s.modes.push({ kind: 'cmap', name: name.text });
  s.touched();
  return true;
}

/** A command `k` typed in sub-mode `kind` (whose mode entry is `top`). */
export function subModeCommand(
  s: Session,
  kind: Exclude<ModeKind, 'config'>,
  k: string,
  t: Token[],
  body: string[],
  top: Mode,
): boolean {
  switch (kind) {
    case 'pmap':
      return pmapCommand(s, k, t, body, top);
    case 'pmap-c':
      return pmapClassCommand(s, k, t, body, top);
    case 'cmap':
      return cmapCommand(s, k, t, body, top);
    case 'pmap-p':
      return parametersCommand(s, k, t, body, top);
  }
}

function pmapCommand(s: Session, k: string, t: Token[], body: string[], top: Mode): boolean {
  const p0 = t[0]?.pos ?? 0;
  const pm = findBlock(body, top.name ?? '');
  if (!pm) throw new CliError('invalid', p0);
  if (k === 'class') {
    const name = t[1];
    if (!name) throw new CliError('incomplete');
    ensureChild(body, pm, `class ${name.text}`);
    s.modes.push({ kind: 'pmap-c', name: name.text });
    s.touched();
    return true;
  }
  if (k === 'parameters') {
    if (!top.name?.startsWith('policy-map type inspect')) throw new CliError('invalid', p0);
    ensureChild(body, pm, 'parameters');
    s.modes.push({ kind: 'pmap-p', name: top.name });
    return true;
  }
  if (k === 'description') {
    const line = ` description ${rawFrom(t, 1)}`;
    const i = body.findIndex((l, j) => j > pm.start && j < pm.end && l.startsWith(' description '));
    if (i >= 0) body[i] = line;
    else body.splice(pm.start + 1, 0, line);
    s.touched();
    return true;
  }
  if (k === 'no') {
    const sub = kw(t[1], ['class', 'description'], p0);
    if (sub === 'class') {
      const c = t[2] ? findChild(body, pm, `class ${t[2].text}`) : undefined;
      if (!t[2]) throw new CliError('incomplete');
      if (c) body.splice(c.start, c.end - c.start);
      s.touched();
      return true;
    }
    const i = body.findIndex((l, j) => j > pm.start && j < pm.end && l.startsWith(' description '));
    if (i >= 0) body.splice(i, 1);
    return true;
  }
  return false;
}

function pmapClassCommand(s: Session, k: string, t: Token[], body: string[], top: Mode): boolean {
  const p0 = t[0]?.pos ?? 0;
  const parent = s.modes[s.modes.length - 2];
  const pm = findBlock(body, parent?.name ?? '');
  const cls = pm ? findChild(body, pm, `class ${top.name}`) : undefined;
  if (!pm || !cls) throw new CliError('invalid', p0);
  if (k === 'inspect') {
    inspect(s, t.slice(1), p0, body, cls, false);
    return true;
  }
  if (k === 'no') {
    kw(t[1], ['inspect'], p0);
    inspect(s, t.slice(2), t[1]?.pos ?? 0, body, cls, true);
    return true;
  }
  return false;
}

function cmapCommand(s: Session, k: string, t: Token[], body: string[], top: Mode): boolean {
  const cm = findBlock(body, `class-map ${top.name}`);
  if (!cm) throw new CliError('invalid', t[0]?.pos ?? 0);
  if (k === 'match' || (k === 'no' && t[1]?.text === 'match')) {
    const from = k === 'no' ? 2 : 1;
    if (!t[from]) throw new CliError('incomplete');
    const line = ` match ${rawFrom(t, from)}`;
    const i = body.findIndex((l, j) => j > cm.start && j < cm.end && l.trimEnd() === line.trimEnd());
    if (k === 'no') {
      if (i >= 0) body.splice(i, 1);
    } else if (i < 0) body.splice(cm.end, 0, line);
    s.touched();
    return true;
  }
  if (k === 'description') {
    body.splice(cm.start + 1, 0, ` description ${rawFrom(t, 1)}`);
    return true;
  }
  return false;
}

/** pmap-p: parameters of an inspect map. */
function parametersCommand(s: Session, k: string, t: Token[], body: string[], top: Mode): boolean {
  const p0 = t[0]?.pos ?? 0;
  const pm = findBlock(body, top.name ?? '');
  const params = pm ? findChild(body, pm, 'parameters') : undefined;
  if (!pm || !params) throw new CliError('invalid', p0);
  const negate = k === 'no';
  const word = negate ? kw(t[1], ['mask-banner', 'allow-tls', 'mail-relay', 'special-character'], p0) : k;
  const rest = rawFrom(t, negate ? 2 : 1);
  const line = `  ${negate ? 'no ' : ''}${word}${rest ? ` ${rest}` : ''}`;
  const i = body.findIndex(
    (l, j) => j > params.start && j < params.end && l.trim().replace(/^no /, '').split(' ')[0] === word,
  );
  if (i >= 0) body[i] = line;
  else body.splice(params.end, 0, line);
  s.touched();
  return true;
}
