/**
 * Device message classes (asa-cli.md §3.5): only errors mean failure; WARNING/INFO lines are reported, not fatal.
 */
import { splitLines } from './text.js';
import type { Dialect } from './types.js';

export interface DeviceOutputClass {
  errors: string[];
  warnings: string[];
  infos: string[];
  /** True when there is no error line. */
  ok: boolean;
}

const ERROR_PATTERNS = [
  /^\s*ERROR:/,
  /^\s*%\s*(?:Invalid input|Incomplete command|Ambiguous command|Unknown command)/i,
  /Command authorization failed/i,
  // caret marker line: spaces then a single `^` (precedes `ERROR: % Invalid input detected at '^' marker.`)
  /^\s*\^\s*$/,
  // unicon ASA ERROR_PATTERN `^Removing.*?failed.*?$` (asa-cli.md §3.5)
  /^Removing .*failed/,
];

// PIX 6.x error format was not found in any capture [unverified]: it is believed to print a usage text or
// "Type help or '?' for a list of available commands." after a bad command, so these count as errors there.
const PIX6_ERROR_PATTERNS = [/^\s*Type help or '\?' for a list of available commands\./, /^\s*Usage:/];

const WARNING_PATTERNS = [/^\s*WARNING:/, /\*+ WARNING \*+/];
const INFO_PATTERNS = [/^\s*INFO:/];

/** Sort each line of a command's output into errors, warnings and infos (trimmed of `\r`, kept otherwise). */
export function classifyDeviceOutput(output: string, options: { dialect?: Dialect } = {}): DeviceOutputClass {
  const errors: string[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const errorPatterns = options.dialect === 'pix6' ? [...ERROR_PATTERNS, ...PIX6_ERROR_PATTERNS] : ERROR_PATTERNS;
  for (const line of splitLines(output)) {
    if (line.trim() === '') continue;
    if (errorPatterns.some((re) => re.test(line))) errors.push(line.trimEnd());
    else if (WARNING_PATTERNS.some((re) => re.test(line))) warnings.push(line.trimEnd());
    else if (INFO_PATTERNS.some((re) => re.test(line))) infos.push(line.trimEnd());
  }
  return { errors, warnings, infos, ok: errors.length === 0 };
}

/** True when the output names an authorization refusal (exit code and hint differ from a syntax error). */
export function isAuthorizationFailure(output: string): boolean {
  return /Command authorization failed/i.test(output);
}
