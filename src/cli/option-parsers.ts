/** Small commander argument parsers shared by the command declarations (kept free of heavy imports). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type DurationLimits, durationForms, parseDuration, type TimeUnit } from '../config/duration.js';
import { MailguardError } from '../errors.js';
import { type Endpoint, parseEndpoint } from '../net/endpoint.js';

/**
 * A repeatable option: each use appends. No default is declared on the option, so `--help` shows none; an option
 * never given stays undefined and readers use `?? []`.
 */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--smtp HOST[:PORT]` (apply, rollback, the wizard): the shared endpoint grammar, port 25 by default. */
export function parseSmtpEndpoint(spec: string): Endpoint {
  return parseEndpoint(spec, { defaultPort: 25, what: '--smtp' });
}

/**
 * An option that was renamed: still recognised, hidden from --help, and refused with a usage error (exit 2) that
 * names the new flag. `--env-file` became `--dotenv` because Node reads its own `--env-file` (nodejs/node#54232).
 */
export function renamedOption(old: string, now: string, why: string): Option {
  return new Option(`${old} <value>`).hideHelp().argParser(() => {
    throw new InvalidArgumentError(`${old} was renamed to ${now} (${why}); use ${now}.`);
  });
}

/**
 * `--change-id`: a ticket id goes into file contents and report names, so it is one printable line (no control
 * characters), at most 200 characters.
 */
export function parseChangeId(value: string): string {
  const v = value.trim();
  if (!v || v.length > 200 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new MailguardError(
      'USAGE',
      `--change-id must be one printable line of 1 to 200 characters (got "${value}").`,
      {
        hint: 'For example --change-id CHG-12345.',
      },
    );
  }
  return v;
}

/** The unit of each time option's parser, so a test can walk the program and find every time option. */
const timeParsers = new WeakMap<(value: string) => unknown, TimeUnit>();

/** The unit a time option reads bare numbers in, or undefined when `option` is not a time option. */
export function timeUnitOf(option: Option): TimeUnit | undefined {
  const parse = (option as Option & { parseArg?: (value: string) => unknown }).parseArg;
  return parse ? timeParsers.get(parse) : undefined;
}

/**
 * A time-valued option: `<sec>` (or `<min>`, `<ms>` where the bare number has always meant that) in --help, and
 * one parser for all of them (src/config/duration.ts): a bad value stops before anything runs, with a message
 * naming the flag, what was given and what to give. The value stays the text given (the actions read it with
 * the same parser), so a default such as `15m` reads as typed.
 */
export function timeOption(name: string, description: string, unit: TimeUnit, limits: DurationLimits = {}): Option {
  const parse = (value: string): string => {
    parseDuration(value, name, unit, limits);
    return value.trim();
  };
  timeParsers.set(parse, unit);
  return new Option(`${name} <${unit}>`, description).argParser(parse);
}

/** One line under every --help with time options saying how times are written (after the exit codes). */
export function addTimeHelp(program: Command): void {
  for (const cmd of program.commands) {
    const units = [...new Set(cmd.options.map(timeUnitOf).filter((u): u is TimeUnit => u !== undefined))];
    if (units.length === 0) continue;
    const forms = (['sec', 'min', 'ms'] as const)
      .filter((u) => units.includes(u))
      .map((u) => `<${u}>: ${durationForms(u)}`);
    cmd.addHelpText('after', `\nTimes: ${forms.join('; ')}.`);
  }
}
