/**
 * Glue shared by `apply`, `rollback` (and usable by the wizard): run the engine with a renderer, ask for
 * confirmation in a terminal, print the plan and the closing summary (or the result as a JSON line).
 * Progress goes to stderr, the plan and the result to stdout (`apply --dry-run > plan.txt` holds only the plan).
 * listr2 and the prompts are imported only when a terminal needs them: a scripted `apply` starts faster.
 */
import { ChangeEngine } from '../../change/engine.js';
import type { ChangeOptions, ChangePlan, ChangeResult } from '../../change/types.js';
import { MailguardError } from '../../errors.js';
import { guardChange, type InterruptionJson, interruptionJson, safeWrite } from '../interrupt.js';
import { JsonLinesRenderer } from './json.js';
import { PlainRenderer } from './plain.js';
import { formatPlan, printResult } from './summary.js';
import type { ChangeRenderer, RenderOptions } from './types.js';

export interface RunChangeOptions {
  json?: boolean;
  /** Confirmed in advance (--yes). */
  yes?: boolean;
  verbose?: boolean;
  /** Default: stdin and stdout are terminals. */
  interactive?: boolean;
  out?: NodeJS.WritableStream;
  /** Where progress goes without --json (default stderr). */
  progress?: NodeJS.WritableStream;
}

/** JSON lines on `out` with --json; else listr2 when stderr is a terminal, plain lines otherwise. */
async function progressRenderer(ui: RunChangeOptions, out: NodeJS.WritableStream): Promise<ChangeRenderer> {
  if (ui.json) return new JsonLinesRenderer({ verbose: ui.verbose, out });
  const progress = ui.progress ?? process.stderr;
  const opts: RenderOptions = { verbose: ui.verbose, out: progress };
  const tty = (progress as { isTTY?: boolean }).isTTY === true && !process.env.CI;
  if (!tty) return new PlainRenderer(opts);
  const { ListrRenderer } = await import('./listr.js');
  // The running step counts its seconds (a save or a reload wait can take minutes on a real unit).
  return new ListrRenderer({ ...opts, elapsed: true });
}

export async function runChangeWithUi(options: ChangeOptions, ui: RunChangeOptions): Promise<ChangeResult> {
  const out = ui.out ?? process.stdout;
  const interactive = ui.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
  if (!options.dryRun && !ui.yes && (!interactive || ui.json)) {
    throw new MailguardError('CONFIRMATION_REQUIRED', 'Refusing to change the device without confirmation.', {
      hint: 'Pass --yes to confirm in advance (or --dry-run to see the plan), or run it in a terminal to be asked.',
    });
  }
  const renderer = await progressRenderer(ui, out);
  const ask = async (plan: ChangePlan): Promise<boolean> => {
    await renderer.suspend();
    out.write(`\n${formatPlan(plan)}\n`);
    try {
      const { confirm } = await import('../../config/prompts.js');
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
  let interruption: InterruptionJson | null = null;
  const guard = guardChange({
    announce: (text, cause) => {
      // With --json the stream says it too (stdout), as soon as it is known.
      interruption = interruptionJson(cause);
      if (ui.json) safeWrite(out, `${JSON.stringify({ type: 'interrupted', ...interruption })}\n`);
      void renderer.suspend().finally(() => safeWrite(process.stderr, `\n${text}\n`));
    },
    leftBehind: () => engine?.leftBehind() ?? 'Nothing was sent to the device.',
    afterStop: () => engine?.afterStop() ?? null,
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
  if (ui.json) {
    const stopped = interruption ? { interrupted: interruptedResult(interruption, result) } : {};
    safeWrite(out, `${JSON.stringify({ type: 'result', ...result, ...stopped })}\n`);
  } else printResult(result, out);
  return result;
}

/**
 * The `interrupted` object of an interrupted run's `--json` result: the cause, and what the device holds at the end
 * (as the record says), where the record is and whether a safety reload is still pending.
 */
export function interruptedResult(i: InterruptionJson, result: ChangeResult) {
  return {
    ...i,
    outcome: result.outcome,
    deviceState: { running: result.finalState.running, startup: result.finalState.startup },
    record: result.reportFiles?.json ?? null,
    pendingReload: result.finalState.pendingReload ?? null,
  };
}
