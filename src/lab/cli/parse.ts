/**
 * Command-line parsing as the device does it: tokens, keyword abbreviations (`conf t`, `sh run`, `wr mem`) and the
 * error forms (caret line + invalid input, incomplete, ambiguous; PIX 6.x's help line).
 */

export interface Token {
  text: string;
  pos: number;
}

/** A parse error; rendered by `errorLines`. `pos` is the offending token's column in the typed line. */
export class CliError extends Error {
  constructor(
    readonly kind: 'invalid' | 'incomplete' | 'ambiguous',
    readonly pos = 0,
    readonly word = '',
  ) {
    super(kind);
  }
}

const INVALID = "ERROR: % Invalid input detected at '^' marker.";
export const HELP_LINE = "Type help or '?' for a list of available commands.";

/** Abbreviations the real CLI resolves even when several keywords share the prefix. */
const PREFERRED: Record<string, string> = {
  sh: 'show',
  en: 'enable',
  ex: 'exit',
  conf: 'configure',
  config: 'configure',
  wr: 'write',
  t: 'terminal',
  c: 'configure',
  no: 'no',
};

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push({ text: m[0], pos: m.index });
  return out;
}

/** Resolve an abbreviated keyword among `candidates`. */
export function kw(tok: Token | undefined, candidates: readonly string[], lastPos = 0): string {
  if (!tok) throw new CliError('incomplete', lastPos);
  const w = tok.text.toLowerCase();
  if (candidates.includes(w)) return w;
  const hits = candidates.filter((c) => c.startsWith(w));
  if (hits.length === 1) return hits[0] as string;
  const pref = PREFERRED[w];
  if (hits.length > 1 && pref && hits.includes(pref)) return pref;
  if (hits.length > 1) throw new CliError('ambiguous', tok.pos, tok.text);
  throw new CliError('invalid', tok.pos);
}

export function num(tok: Token | undefined, lastPos: number, min = 0, max = 65535): number {
  if (!tok) throw new CliError('incomplete', lastPos);
  if (!/^\d+$/.test(tok.text)) throw new CliError('invalid', tok.pos);
  const n = Number(tok.text);
  if (n < min || n > max) throw new CliError('invalid', tok.pos);
  return n;
}

/** The words from token `i` on, joined by one space. */
export function rawFrom(t: Token[], i: number): string {
  return t
    .slice(i)
    .map((x) => x.text)
    .join(' ');
}

/** What the device prints for a parse error, given the length of the prompt the line was typed after. */
export function errorLines(e: CliError, pix: boolean, promptLength: number): string[] {
  // [unverified] PIX 6.x has no caret form (arrived with 7.0); it prints the help line.
  if (pix) return [HELP_LINE];
  if (e.kind === 'incomplete') return ['ERROR: % Incomplete command'];
  if (e.kind === 'ambiguous') return [`ERROR: % Ambiguous command:  "${e.word}"`]; // [unverified]
  // Caret column = prompt length + token offset + 1, as in the ansible-modules-extras#3260 capture.
  return [`${' '.repeat(promptLength + e.pos + 1)}^`, INVALID];
}
