/**
 * The one reading of a time given by a person: every time-valued flag (`--connect-timeout`, `--reload-timeout`,
 * `--safety-reload`, `lab --latency`, ...) and every time field of a playbook goes through here. A duration
 * (`500ms`, `30s`, `15m`, `1h`, `1h30m`) means what it says; a bare number is in the option's historical unit
 * (seconds for most, minutes for `--safety-reload`, milliseconds for `lab --latency`). Hand-written: the npm
 * duration parsers (ms, parse-duration) read a bare number as milliseconds and accept words we do not want.
 * Imports only errors.js: option declarations load it on every start.
 */
import { MailguardError } from '../errors.js';

/** The unit of a bare number, which is also the option's placeholder in --help (`<sec>`, `<min>`, `<ms>`). */
export type TimeUnit = 'sec' | 'min' | 'ms';

const MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
const UNIT_MS: Record<TimeUnit, number> = { ms: 1, sec: 1000, min: 60_000 };
const UNIT_WORD: Record<TimeUnit, [one: string, many: string]> = {
  ms: ['millisecond', 'milliseconds'],
  sec: ['second', 'seconds'],
  min: ['minute', 'minutes'],
};

/** What a value of this unit may look like, for messages and --help: `seconds (30) or a duration (30s, 2m, 1h)`. */
export function durationForms(unit: TimeUnit): string {
  if (unit === 'min') return 'minutes (10) or a duration (10m, 1h)';
  if (unit === 'ms') return 'milliseconds (250) or a duration (250ms, 2s)';
  return 'seconds (30) or a duration (30s, 2m, 1h)';
}

/** `5 seconds`, `1 minute`: an amount in the words of a unit. */
export function inUnit(n: number, unit: TimeUnit): string {
  return `${n} ${UNIT_WORD[unit][n === 1 ? 0 : 1]}`;
}

/** A duration in milliseconds, or null when the text is not one. Numbers are taken in `unit`. */
export function readDuration(value: string | number, unit: TimeUnit = 'sec'): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * UNIT_MS[unit] : null;
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * UNIT_MS[unit];
  // One or more <number><unit> parts, largest first or not: 1h30m, 2m30s, 90s, 1.5h.
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.replace(/\s+(?=\d)/g, '')) return null;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (MS[p[2] as string] ?? 0), 0);
}

export interface DurationLimits {
  /** Smallest accepted value, in `unit` (default: more than 0). */
  min?: number;
  /** Largest accepted value, in `unit`. */
  max?: number;
  /** The value must be a whole number of `unit` (`reload in N` takes whole minutes). */
  whole?: boolean;
}

/**
 * Why `value` is not an acceptable time, in the tool's words, or null when it is. `what` names the input
 * (`--command-timeout`; empty where the caller names it, as file:line:column for a playbook field); the text
 * says what was given and what to give.
 */
export function durationProblem(
  value: string | number,
  unit: TimeUnit,
  what: string,
  limits: DurationLimits = {},
): string | null {
  const ms = readDuration(value, unit);
  const given = `${what ? `${what}: ` : ''}${JSON.stringify(String(value))}`;
  if (ms === null) return `${given} is not a duration; give ${durationForms(unit)}`;
  const n = ms / UNIT_MS[unit];
  if (limits.whole && !Number.isInteger(n)) {
    return `${given} is not a whole number of ${UNIT_WORD[unit][1]}; give ${durationForms(unit)}`;
  }
  if (limits.min !== undefined ? n < limits.min : n <= 0) {
    const least =
      limits.min === undefined ? `more than 0 ${UNIT_WORD[unit][1]}` : `at least ${inUnit(limits.min, unit)}`;
    return `${given} is too short; give ${least}`;
  }
  if (limits.max !== undefined && n > limits.max) {
    return `${given} is too long; give at most ${inUnit(limits.max, unit)}`;
  }
  return null;
}

/** A time given by a person, in milliseconds; bad input is a USAGE error (exit 2) naming `what` and the forms. */
export function parseDuration(
  value: string | number,
  what: string,
  unit: TimeUnit = 'sec',
  limits: DurationLimits = {},
): number {
  const problem = durationProblem(value, unit, what, limits);
  if (problem) {
    throw new MailguardError('USAGE', problem, {
      hint: `For example ${what} ${unit === 'min' ? '10' : unit === 'ms' ? '250ms' : '30s'}.`,
      details: { input: what, given: String(value), unit },
    });
  }
  return Math.round(readDuration(value, unit) as number);
}

/** The same in the option's own unit (`--safety-reload 1h` -> 60 minutes). */
export function parseTimeIn(value: string | number, what: string, unit: TimeUnit, limits: DurationLimits = {}): number {
  return parseDuration(value, what, unit, limits) / UNIT_MS[unit];
}

/** `reload in N`: whole minutes, 1 to 1440 (ASA; the playbook's options.safetyReload has the same range). */
export const SAFETY_RELOAD_LIMITS: DurationLimits = { min: 1, max: 1440, whole: true };
/** Connection timeouts (connect, login, per command): up to an hour. */
export const SESSION_TIMEOUT_LIMITS: DurationLimits = { max: 3600 };
