/** Small commander argument parsers shared by the command declarations (kept free of heavy imports). */

/**
 * A repeatable option: each use appends. No default is declared on the option, so `--help` shows none; an option
 * never given stays undefined and readers use `?? []`.
 */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
