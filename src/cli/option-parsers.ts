/** Small commander argument parsers shared by the command declarations (kept free of heavy imports). */
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
