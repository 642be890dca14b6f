/**
 * Glue shared by `apply`, `rollback` (and usable by the wizard): run the engine with a renderer, ask for
 * confirmation in a terminal, print the plan and the closing summary (or the result as a JSON line).
 */
import { confirm } from '@inquirer/prompts';
import { ChangeEngine } from '../../change/engine.js';
import type { ChangeOptions, ChangePlan, ChangeResult } from '../../change/types.js';
import { MailguardError } from '../../errors.js';
import { guardChange, safeWrite } from '../interrupt.js';
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
  // Signals, a crash in our code, a closed pipe: one path (interrupt.ts). The first stops after the current device
  // command and rolls back; a second says what is left behind and quits.
  let engine: ChangeEngine | null = null;
  const guard = guardChange({
    announce: (text) => {
      void renderer.suspend().finally(() => safeWrite(process.stderr, `\n${text}\n`));
    },
    leftBehind: () => engine?.leftBehind() ?? 'Nothing was sent to the device.',
  });
  engine = new ChangeEngine({
    ...options,
    signal: options.signal ?? guard.signal,
    confirm: options.dryRun || ui.yes ? undefined : ask,
  });
  renderer.attach(engine);
  let result: ChangeResult;
  try {
    result = await engine.run();
  } finally {
    await renderer.finish().catch(() => undefined);
    guard.dispose();
  }
  if (ui.json) safeWrite(out, `${JSON.stringify({ type: 'result', ...result })}\n`);
  else printResult(result, out);
  return result;
}
