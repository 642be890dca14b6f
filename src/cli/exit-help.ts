/**
 * The "Exit codes:" block of every command's --help, built from ExitCode in src/errors.ts so that a code added
 * there shows up here (a command names the codes it can end with; codes not yet in the table are left out).
 */
import { ExitCode } from '../errors.js';

/** What each exit code means when a command has nothing more specific to say. */
const MEANING: Record<string, string> = {
  ok: 'done',
  failure: 'failed',
  usage: 'usage or bad input (flags, target, file), nothing was done',
  connection: 'connection, host key or login failure (nothing was changed)',
  deviceError: 'device error (a change was rolled back)',
  verifyFailed: 'not verified from outside',
  rollbackFailed: 'rollback failed: a person is needed (read the change record)',
  outsideWindow: 'outside the change window',
  locked: 'another run holds the device lock',
  probeInspected: 'inspected',
  probeOtherProxy: 'other-proxy',
  probeInconclusive: 'inconclusive',
  probeUnreachable: 'unreachable',
  internal: 'internal error (a bug: please report it with the output)',
  interrupted: 'interrupted (Ctrl-C)',
};

/** Codes any command can end with, listed after the command's own. */
const COMMON = ['usage', 'internal', 'interrupted'];

/**
 * `codes`: the ExitCode names this command can end with, each with its meaning for this command (or `true` for
 * the general meaning). Sorted by number; the common codes are added.
 */
export function exitCodesHelp(codes: Record<string, string | true>): string {
  const table = ExitCode as Record<string, number>;
  const names = [...new Set([...Object.keys(codes), ...COMMON])].filter((n) => table[n] !== undefined);
  names.sort((a, b) => (table[a] ?? 0) - (table[b] ?? 0));
  const lines = names.map((n) => {
    const own = codes[n];
    const text = typeof own === 'string' ? own : (MEANING[n] ?? n);
    return `  ${String(table[n]).padStart(3)}  ${text}`;
  });
  return `Exit codes:\n${lines.join('\n')}`;
}
