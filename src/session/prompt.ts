/**
 * PIX/ASA prompt shapes (asa-cli.md §1.4): `\r` + `host[/ctx][/pri/act][(config-xxx)]` + `>`|`#` + one space.
 * Segments are separated by `/` and there may be several (never assume exactly one).
 */
import type { CliMode } from './types.js';

const SEG = "[A-Za-z0-9_.\\-@:%\\[\\]']+";
const SUBMODE = '\\([^()\\s]{1,48}\\)';

/**
 * Any prompt at the very end of the buffer, preceded by CR/LF or the start. Used only before the prompt is
 * learned; a space in the name is not allowed, so banner lines like `### Authorized users only ###` never match.
 */
export const GENERIC_PROMPT = new RegExp(`(?<=^|[\\r\\n])(${SEG}(?:/${SEG})*)(${SUBMODE})?([>#]) ?$`);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The prompt of this device in any mode, context or failover state: hostname fixed, the rest free. */
export function promptRegexFor(hostname: string): RegExp {
  return new RegExp(`(?<=^|[\\r\\n])(${escapeRe(hostname)}(?:/${SEG})*)(${SUBMODE})?([>#]) ?$`);
}

// Values the `prompt` command can add after the hostname besides the context (priority, state).
const FAILOVER_SEGMENT = /^(?:pri|sec|act|stby|actNoFailover|stbyNoFailover|standby|active|failed)$/i;

export interface ParsedPrompt {
  /** Prompt as printed, without the leading CR and the trailing space. */
  text: string;
  hostname: string;
  /** First `/` segment that is not a failover token, else null. */
  context: string | null;
  /** `pri`/`sec`, `act`/`stby` segments in order. */
  failover: string[];
  /** `config`, `config-pmap-c`, ... or null. */
  submode: string | null;
  mode: CliMode;
}

export function parsePromptMatch(m: RegExpExecArray): ParsedPrompt {
  const path = m[1] ?? '';
  const sub = m[2] ? m[2].slice(1, -1) : null;
  const char = m[3];
  const [hostname = '', ...rest] = path.split('/');
  const failover = rest.filter((s) => FAILOVER_SEGMENT.test(s));
  const context = rest.find((s) => !FAILOVER_SEGMENT.test(s)) ?? null;
  let mode: CliMode;
  if (char === '>') mode = 'user';
  else if (sub === null) mode = 'privileged';
  else if (sub === 'config') mode = 'config';
  else mode = 'subconfig';
  return { text: `${path}${m[2] ?? ''}${char}`, hostname, context, failover, submode: sub, mode };
}

/** Parse a prompt string (e.g. `\rasa/admin(config)# `). Returns null when it is not a prompt. */
export function parsePrompt(text: string): ParsedPrompt | null {
  const m = GENERIC_PROMPT.exec(text);
  return m ? parsePromptMatch(m) : null;
}
