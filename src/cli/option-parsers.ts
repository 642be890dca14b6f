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

/** `a, b or c`, for messages listing what a flag accepts. */
export function oneOf(choices: readonly string[]): string {
  return choices.length < 2 ? (choices[0] ?? '') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/** A value outside a flag's fixed list, in the tool's words: `--reload: "soon" is not a choice; give never, ...`. */
export function choiceError(flag: string, value: string, choices: readonly string[]): MailguardError {
  return new MailguardError('USAGE', `${flag}: "${value}" is not a choice; give ${oneOf(choices)}`, {
    hint: `For example ${flag} ${choices[0]}; --help says what each one does.`,
    details: { flag, value, choices: [...choices] },
  });
}

/**
 * An option taking one of a fixed list. Commander's `.choices()` keeps the list in --help, but its refusal reads
 * "argument 'x' is invalid. Allowed choices are ..."; the parser set after it refuses in the tool's words instead.
 */
export function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
  const option = new Option(flags, description).choices(choices);
  const flag = option.long ?? flags;
  return option.argParser((value: string) => {
    if (!choices.includes(value)) throw choiceError(flag, value, choices);
    return value;
  });
}

/** `--ehlo-name`: one short name or address literal, since it is sent as the EHLO/HELO argument. */
export function parseEhloName(value: string): string {
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/.test(value) || value.length > 64) {
    throw new MailguardError(
      'USAGE',
      `--ehlo-name: "${value}" is not a host name; give letters, digits, dots and hyphens (at most 64) or an address literal like [192.0.2.1]`,
      { hint: 'For example --ehlo-name probe.example.com.' },
    );
  }
  return value;
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
      `--change-id: "${value}" is not a ticket id; give one printable line of 1 to 200 characters`,
      { hint: 'For example --change-id CHG-12345.' },
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
