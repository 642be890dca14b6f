import { ExitCode, toMailguardError } from '../errors.js';

export interface ActionContext {
  json: boolean;
}

/**
 * Run a command action and turn its outcome into an exit code. Errors print as one clear message with the next
 * step (or as {"error":{...}} with --json); the stack is shown only with DEBUG set.
 */
export async function runAction(ctx: ActionContext, action: () => Promise<number | undefined>): Promise<void> {
  try {
    const code = await action();
    process.exitCode = code ?? ExitCode.ok;
  } catch (e) {
    process.exitCode = reportError(e, ctx.json);
  }
}

/** Print an error as the CLI does (text on stderr, or {"error":{...}} on stdout with --json); its exit code. */
export function reportError(e: unknown, json: boolean): number {
  const err = toMailguardError(e);
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: err.toJSON() })}\n`);
  } else {
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    if (err.hint) process.stderr.write(`next step: ${err.hint}\n`);
    if (process.env.DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
  }
  return err.exitCode;
}
