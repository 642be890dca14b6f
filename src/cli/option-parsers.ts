/** Small commander argument parsers shared by the command declarations (kept free of heavy imports). */
import { InvalidArgumentError, Option } from 'commander';
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
