/**
 * Glue shared by `apply`, `rollback` (and usable by the wizard): run the engine with a renderer, ask for
 * confirmation in a terminal, print the plan and the closing summary (or the result as a JSON line).
 */
import { confirm } from '@inquirer/prompts';
import { ChangeEngine } from '../../change/engine.js';
import type { ChangeOptions, ChangePlan, ChangeResult } from '../../change/types.js';
import { MailguardError } from '../../errors.js';
import { createRenderer } from './index.js';
import { formatPlan, printResult } from './summary.js';

export interface RunChangeOptions {
  json?: boolean;
  /** Confirmed in advance (--yes). */
  yes?: boolean;
  verbose?: boolean;
  /** Default: stdin and stdout are terminals. */
  interactive?: boolean;
  out?: NodeJS.WritableStream;
}

export async function runChangeWithUi(options: ChangeOptions, ui: RunChangeOptions): Promise<ChangeResult> {
  const out = ui.out ?? process.stdout;
  const interactive = ui.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
  if (!options.dryRun && !ui.yes && (!interactive || ui.json)) {
    throw new MailguardError('CONFIRMATION_REQUIRED', 'Refusing to change the device without confirmation.', {
      hint: 'Pass --yes to confirm in advance (or --dry-run to see the plan), or run it in a terminal to be asked.',
    });
  }
  const renderer = createRenderer({ json: ui.json, verbose: ui.verbose, out });
  const ask = async (plan: ChangePlan): Promise<boolean> => {
    await renderer.suspend();
    out.write(`\n${formatPlan(plan)}\n`);
    try {
      return await confirm({
        message: `Apply these commands to ${options.label ?? options.connect.host}?`,
        default: false,
      });
    } catch {
      // Ctrl-C or a closed terminal at the prompt: the same as "no".
      return false;
    }
  };
  // First Ctrl-C: stop at the next step boundary and roll back; second: leave now (the lock file is stale then).
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        '\ninterrupted: stopping after the current command and rolling back (Ctrl-C again to quit now)\n',
      );
      abort.abort(
        new MailguardError('INTERRUPTED', 'Interrupted by the operator.', { hint: 'Read the change record.' }),
      );
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  const engine = new ChangeEngine({
    ...options,
    signal: options.signal ?? abort.signal,
    confirm: options.dryRun || ui.yes ? undefined : ask,
  });
  renderer.attach(engine);
  let result: ChangeResult;
  try {
    result = await engine.run();
  } finally {
    process.off('SIGINT', onSigint);
    await renderer.finish();
  }
  if (ui.json) out.write(`${JSON.stringify({ type: 'result', ...result })}\n`);
  else printResult(result, out);
  return result;
}
