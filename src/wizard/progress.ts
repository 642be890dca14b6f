/**
 * Steps 7 and 8: the change engine with listr2 progress (Ctrl-C asks whether to roll back), and after a failure
 * the rollback offer, which runs the engine in restore mode from the backup.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { ChangeEngine } from '../change/engine.js';
import { ChangeEmitter } from '../change/events.js';
import type { ChangeOptions, ChangeResult } from '../change/types.js';
import { ListrRenderer, PlainRenderer } from '../cli/render/index.js';
import { formatResult } from '../cli/render/summary.js';
import { ExitCode, MailguardError } from '../errors.js';
import type { Ui } from './ui.js';

/** A path under the current directory, shown relative (readable at 80 columns). */
export function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** The engine names `apply`'s flags; in the wizard these were answers to its questions. */
const FLAG_WORDING: Array<[string, string]> = [
  ['not asked (--safety-reload MIN)', 'not chosen'],
  ['no --smtp or --domain: no outside proof', 'skipped: no outside proof'],
  ['not asked (--reload never)', 'not chosen'],
  ['not asked (--no-rollback-on-verify-failure)', 'the wizard asks first (below)'],
  [' (--no-rollback-on-verify-failure)', ' until you answer below'],
  ['The change was kept (--no-rollback-on-verify-failure); ', 'The change is kept until you answer below; '],
];

/** The same text with paths under the current directory shown relative, and the wizard's wording. */
export function shortPaths(text: string): string {
  let out = text.split(`${process.cwd()}${sep}`).join('');
  for (const [from, to] of FLAG_WORDING) out = out.split(from).join(to);
  return out;
}

/**
 * Run the engine with listr2 progress. Ctrl-C asks whether to stop and roll back (default yes); the progress then
 * continues as plain lines, because listr2 owns the terminal while it draws.
 */
export async function runWithProgress(
  ui: Ui,
  options: ChangeOptions,
): Promise<{ result: ChangeResult; interrupted: boolean }> {
  const controller = new AbortController();
  const engine = new ChangeEngine({ ...options, signal: controller.signal });
  let relay = new ChangeEmitter();
  // The running step counts its seconds: saves and reload waits take minutes on real units.
  const listr = new ListrRenderer({ elapsed: true });
  listr.attach(relay);
  engine.on('step:start', (e) => relay.emit('step:start', e));
  engine.on('step:done', (e) => relay.emit('step:done', { ...e, summary: e.summary && shortPaths(e.summary) }));
  engine.on('step:failed', (e) =>
    relay.emit('step:failed', { ...e, error: { ...e.error, message: shortPaths(e.error.message) } }),
  );
  engine.on('log', (e) => relay.emit('log', { ...e, message: shortPaths(e.message) }));
  let asking: Promise<void> | null = null;
  let interrupted = false;
  let finished = false;
  const ask = async () => {
    relay = new ChangeEmitter();
    // Through the wizard's terminal: the engine goes on while the question is open, its lines wait for the answer.
    new PlainRenderer({ out: ui.sink }).attach(relay);
    await listr.suspend('interrupted: see below');
    ui.line();
    let stop = true;
    try {
      stop = await ui.yesNo('Stop the change and roll back what was done?', true);
    } catch {
      stop = true; // a second Ctrl-C: take the default
    }
    if (stop && finished) {
      // The engine ended while the question was open: there is nothing left to stop; the result below says how.
      ui.line('The change had ended before the answer: nothing was stopped (the result is below).');
    } else if (stop) {
      interrupted = true;
      ui.line('Stopping after the current step; the engine rolls back any config command sent.');
      controller.abort(
        new MailguardError('INTERRUPTED', 'Interrupted by the operator.', { hint: 'Read the change record.' }),
      );
    } else ui.line('Continuing.');
  };
  const onSigint = () => {
    if (asking || controller.signal.aborted) return;
    asking = ask().finally(() => {
      asking = null;
    });
  };
  process.on('SIGINT', onSigint);
  // SIGTERM and SIGHUP (the terminal is gone): nobody can answer a question; stop and roll back at once.
  const onOther = (name: 'SIGTERM' | 'SIGHUP') => () => {
    if (controller.signal.aborted) return;
    interrupted = true;
    controller.abort(
      new MailguardError(name === 'SIGTERM' ? 'TERMINATED' : 'HANGUP', `Interrupted by ${name}.`, {
        hint: 'Read the change record.',
      }),
    );
  };
  const onTerm = onOther('SIGTERM');
  const onHup = onOther('SIGHUP');
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  try {
    const result = await engine.run();
    finished = true;
    await listr.finish();
    // An open Ctrl-C question keeps the terminal: the wizard goes on only after it was answered.
    if (asking) await asking;
    return { result, interrupted };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
  }
}

export async function afterFailure(ui: Ui, r: ChangeResult, base: ChangeOptions): Promise<number> {
  const keptAfterProbe = r.error?.code === 'VERIFY_FAILED' && r.finalState.running !== 'original';
  if (
    r.outcome === 'failed' ||
    (!keptAfterProbe && r.outcome === 'rolled-back' && r.finalState.running === 'original')
  ) {
    ui.para(
      r.outcome === 'failed'
        ? 'No config command had been sent: the device is as it was.'
        : 'The engine rolled the change back: the device holds its SMTP inspection as before.',
    );
    return r.exitCode;
  }
  if (!r.backup) {
    ui.para('There is no backup to roll back from: read the change record and restore by hand.');
    return r.exitCode;
  }
  ui.para(
    keptAfterProbe
      ? 'The change is on the device (saved) but the outside check does not prove it: the inspection may sit elsewhere on the path, or the change did not take effect. The backup can put the SMTP inspection back.'
      : 'The rollback did not finish: the device may hold part of the change. It can be tried again from the backup.',
  );
  const question = keptAfterProbe ? 'Roll back to the backup now?' : 'Try the rollback again now?';
  if (!(await ui.yesNo(question, true))) {
    ui.para(`Left as it is. To roll back later: asa-mailguard rollback ${r.target} --backup ${r.backup.metadataPath}`);
    return r.exitCode;
  }
  const back = await runWithProgress(ui, {
    ...base,
    mode: 'restore',
    restoreFrom: r.backup.metadataPath,
    reload: 'never',
  });
  ui.line();
  ui.block(shortPaths(formatResult(back.result)).trimEnd().split('\n'), '');
  if (back.result.exitCode !== ExitCode.ok) return ExitCode.rollbackFailed;
  return keptAfterProbe ? ExitCode.verifyFailed : ExitCode.deviceError;
}
