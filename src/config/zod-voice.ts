/**
 * zod's issues in the tool's own words (zod 4 error customization: a per-parse error map). zod's default text
 * ("Invalid input: expected number, received NaN", "Too small: expected string to have >=1 characters") is the
 * validator talking; ours says what was given and what is expected. The caller puts the input's name in front
 * (a flag, or file:line:column and the key path). Messages a schema sets itself (`{ error: '...' }`) win over this.
 */
import type { ZodType, z } from 'zod';

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  null: 'nothing (null)',
  date: 'a date',
  literal: 'a fixed value',
};

/** The expected type in words: `a number`, `a list`. */
export function expectedWords(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

/** A value as the user wrote it: strings quoted, long ones cut, secrets not shown. */
export function shownValue(v: unknown, secret = false): string {
  if (secret) return 'the value (not shown: secret)';
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'number' && Number.isNaN(v)) return 'not a number';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v) : String(v);
  return s;
}

function isSecretPath(path: readonly PropertyKey[] | undefined): boolean {
  return (path ?? []).some((k) => typeof k === 'string' && /pass|secret/i.test(k) && !/Env$/.test(k));
}

function bound(origin: string, n: number | bigint, inclusive: boolean | undefined, least: boolean): string {
  const num = Number(n);
  if (origin === 'string') return `${least ? 'at least' : 'at most'} ${num} character${num === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set')
    return `${least ? 'at least' : 'at most'} ${num} item${num === 1 ? '' : 's'}`;
  if (inclusive === false) return `${least ? 'more' : 'less'} than ${num}`;
  return `${least ? 'at least' : 'at most'} ${num}`;
}

/** The end of a union's message when no schema gave its own (source.ts then reports the closest form). */
export const NO_FORM = 'matches none of the accepted forms';

/** The error map itself: one sentence per issue, never zod's wording. */
export const voiceError: z.core.$ZodErrorMap = (issue) => {
  const secret = isSecretPath(issue.path);
  const given = shownValue(issue.input, secret);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `missing; give ${expectedWords(issue.expected)}`;
      if (typeof issue.input === 'number' && Number.isNaN(issue.input)) return `not a number; give a number`;
      return `${given} is not ${expectedWords(issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'is empty; give a value';
      return `${given} is too small; give ${bound(issue.origin, issue.minimum, issue.inclusive, true)}`;
    case 'too_big':
      return `${given} is too large; give ${bound(issue.origin, issue.maximum, issue.inclusive, false)}`;
    case 'invalid_format':
      return `${given} is not ${issue.format === 'regex' ? 'in the expected form' : `a valid ${issue.format}`}`;
    case 'not_multiple_of':
      return `${given} is not a multiple of ${String(issue.divisor)}`;
    case 'invalid_value':
      return `${given} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      return `${given} ${NO_FORM}`;
    case 'invalid_key':
      return `key ${given} is not valid here`;
    case 'invalid_element':
      return `an entry of ${given} is not valid`;
    default:
      return `${given} is not valid here`;
  }
};

/** `safeParse` with the tool's wording (and the input kept on each issue, for positions and messages). */
export function safeParseInVoice<S extends ZodType>(schema: S, data: unknown): z.ZodSafeParseResult<z.output<S>> {
  return schema.safeParse(data, { error: voiceError, reportInput: true }) as z.ZodSafeParseResult<z.output<S>>;
}

/** `options.timeouts.connectSec`, `targets[1]`: an issue's key path as a person reads it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out === '' ? String(k) : `.${String(k)}`;
  }
  return out;
}
