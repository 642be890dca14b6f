/**
 * The engine's step runner: each named step emits start, then exactly one of done (or skipped) or failed, and
 * leaves its timing for the record. It knows the event stream, not what the steps do.
 */
import type { MailguardError } from '../errors.js';
import type { ChangeEmitter } from './events.js';
import { errJson, toEngineError } from './state.js';
import { type ChangeOutcome, STEP_TITLES, type StepName, type StepTiming } from './types.js';

/** Returned by a step body that had nothing to do (rendered as skipped, with the reason). */
export class StepSkip {
  constructor(readonly summary: string) {}
}

export const skip = (summary: string): StepSkip => new StepSkip(summary);

/** Signals that the engine stopped on purpose with a result already decided (cancel, dry-run...). */
export class Stop {
  constructor(
    readonly outcome: ChangeOutcome,
    readonly exitCode: number,
  ) {}
}

export interface StepRunnerOptions {
  events: ChangeEmitter;
  now: () => Date;
  secrets: () => Array<string | undefined>;
  signal?: AbortSignal;
}

export class StepRunner {
  readonly timings: StepTiming[] = [];

  constructor(private readonly o: StepRunnerOptions) {}

  /** Run one step; a Stop ends it as done and is rethrown, any other error as a MailguardError. */
  async run<T>(
    name: StepName,
    body: () => Promise<T | StepSkip>,
    summarize?: (out: T) => string,
  ): Promise<T | undefined> {
    // An interrupt stops the change, never the rollback or the record that follow it.
    if (name !== 'rollback' && name !== 'report') this.o.signal?.throwIfAborted();
    const started = this.o.now();
    const title = STEP_TITLES[name];
    const events = this.o.events;
    events.emit('step:start', { step: name, title, at: started.toISOString() });
    const timing = (status: StepTiming['status'], summary?: string): number => {
      const durationMs = this.o.now().getTime() - started.getTime();
      this.timings.push({ step: name, status, startedAt: started.toISOString(), durationMs, summary });
      return durationMs;
    };
    try {
      const out = await body();
      // Interrupted while the step ran (a probe, a wait): the step's result does not stand, the change stops here.
      if (name !== 'rollback' && name !== 'report' && this.o.signal?.aborted) throw this.o.signal.reason;
      if (out instanceof StepSkip) {
        const durationMs = timing('skipped', out.summary);
        events.emit('step:done', { step: name, title, durationMs, summary: out.summary, skipped: true });
        return undefined;
      }
      const summary = summarize ? summarize(out) : typeof out === 'string' ? out : undefined;
      const durationMs = timing('done', summary);
      events.emit('step:done', { step: name, title, durationMs, summary });
      return out;
    } catch (e) {
      if (e instanceof Stop) {
        const durationMs = timing('done', e.outcome);
        events.emit('step:done', { step: name, title, durationMs, summary: e.outcome });
        throw e;
      }
      const err: MailguardError = toEngineError(e);
      const durationMs = timing('failed', err.message);
      events.emit('step:failed', { step: name, title, durationMs, error: errJson(err, this.o.secrets()) });
      throw err;
    }
  }
}
