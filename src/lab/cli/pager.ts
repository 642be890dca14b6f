/**
 * Output through `| include/exclude/begin/grep` and the pager (`<--- More --->`: space = page, Enter = line,
 * q = quit), and the commands that set the page length: `terminal pager N`, `no terminal pager`, `terminal width N`
 * (ASA), `pager [lines] N` / `no pager` (PIX, also the config line).
 */
import { setTopLine } from '../config-text.js';
import { applyFilter } from '../show.js';
import { CliError, kw, num, type Token, tokenize } from './parse.js';
import type { Session } from './session.js';

const MORE = '<--- More --->';
/** Erases `<--- More --->` (14 columns) after a key, the residue tools strip (asa-cli.md, Variants). */
const MORE_ERASE = `\r${' '.repeat(MORE.length)}\r`;

/** Output with the pager: stops at `<--- More --->`; space = page, Enter = line, q = quit. */
async function paged(s: Session, lines: readonly string[]): Promise<void> {
  const page = s.pagerLines;
  if (page <= 0 || lines.length <= page) {
    s.lines(lines);
    return;
  }
  let i = 0;
  let budget = page;
  while (i < lines.length) {
    const chunk = lines.slice(i, i + budget);
    s.lines(chunk);
    i += chunk.length;
    if (i >= lines.length) return;
    s.write(MORE);
    const k = await s.readKey();
    if (k === null) return;
    s.write(MORE_ERASE);
    if (k === 'q' || k === 'Q') return;
    // [unverified] keys other than space/Enter/q: treated as space.
    budget = k === '\r' ? 1 : page;
  }
}

/** A command's output: the `| ...` filter (text after ` | `), then the pager. */
export async function output(s: Session, lines: string[], filter?: string): Promise<void> {
  let out = lines;
  if (filter !== undefined) {
    const ft = tokenize(filter);
    const kind = kw(ft[0], ['include', 'exclude', 'begin', 'grep']);
    let rest = ft.slice(1);
    let mode: 'include' | 'exclude' | 'begin' = kind === 'grep' ? 'include' : (kind as 'include' | 'exclude' | 'begin');
    if (kind === 'grep' && rest[0]?.text === '-v') {
      mode = 'exclude';
      rest = rest.slice(1);
    }
    if (!rest[0]) throw new CliError('incomplete');
    const pattern = filter.slice(rest[0].pos);
    out = applyFilter(lines, mode, pattern.trim());
  }
  await paged(s, out);
}

/** `terminal ...` (tokens after `terminal`). */
export function terminal(s: Session, t: Token[], lastPos: number): void {
  const pix = s.device.isPix;
  const sub = kw(t[0], pix ? ['width'] : ['pager', 'width', 'no'], lastPos);
  if (sub === 'width') {
    num(t[1], t[0]?.pos ?? 0, 0, 511);
    return;
  }
  if (sub === 'no') {
    kw(t[1], ['pager'], t[0]?.pos ?? 0);
    s.pagerLines = 0;
    return;
  }
  // `terminal pager [lines] N`
  let i = 1;
  if (t[i] && !/^\d+$/.test(t[i]?.text ?? '')) {
    kw(t[i], ['lines'], t[0]?.pos ?? 0);
    i++;
  }
  s.pagerLines = num(t[i], t[i - 1]?.pos ?? 0, 0, 2147483647);
}

/** PIX `pager [lines] N` / `no pager`; in config mode also the running config's `pager` line. */
export function pixPager(s: Session, t: Token[], negate: boolean): void {
  let n = 0;
  if (!negate) {
    let i = 1;
    if (t[i] && !/^\d+$/.test(t[i]?.text ?? '')) {
      kw(t[i], ['lines'], t[0]?.pos ?? 0);
      i++;
    }
    n = t[i] ? num(t[i], 0, 0, 2147483647) : 24;
  }
  s.pagerLines = n;
  if (s.inConfig) {
    setTopLine(s.doc().body, /^(no )?pager( |$)/, n > 0 ? `pager lines ${n}` : 'no pager');
    s.touched();
  }
}
