import { Listr, ListrLogger, type ListrTaskWrapper, ProcessOutput } from 'listr2';
import type { ChangeEmitter } from '../../change/events.js';
import { STEP_NAMES, STEP_TITLES, type StepName } from '../../change/types.js';
import type { ChangeRenderer, RenderOptions } from './types.js';

type Outcome =
  | { kind: 'done'; summary?: string }
  | { kind: 'skip'; summary: string }
  | { kind: 'failed'; message: string };

interface Slot {
  step: StepName;
  started: boolean;
  /** When the engine started the step (for the elapsed seconds in its title). */
  startedAt?: number;
  settled: boolean;
  resolve: (o: Outcome) => void;
  // biome-ignore lint/suspicious/noExplicitAny: listr2's wrapper generics are not needed here.
  task?: ListrTaskWrapper<any, any, any>;
}

/** Steps drawn together; the confirmation prompt runs between the two segments. */
// `confirm` is not drawn: the prompt itself is its display, while no listr is running.
const SEGMENTS: StepName[][] = [
  STEP_NAMES.slice(0, STEP_NAMES.indexOf('confirm')),
  STEP_NAMES.slice(STEP_NAMES.indexOf('confirm') + 1),
];

/**
 * A listr2 task list driven by engine events: every step is a task that waits for the engine to report it.
 * Steps that never run are shown as skipped. listr2 is task-driven, so each task awaits a deferred outcome.
 */
export class ListrRenderer implements ChangeRenderer {
  private slots = new Map<StepName, Slot>();
  private running: Promise<unknown> | null = null;
  private segment = -1;
  private ticker: NodeJS.Timeout | undefined;
  /** After finish(): late events start no new drawing (a prompt may own the terminal by then). */
  private closed = false;

  constructor(private readonly opts: RenderOptions = {}) {}

  private get stream(): NodeJS.WriteStream {
    return (this.opts.out ?? process.stdout) as NodeJS.WriteStream;
  }

  private startSegment(index: number, after: Promise<unknown> | null = null) {
    this.segment = index;
    const steps = SEGMENTS[index] ?? [];
    this.slots = new Map();
    const tasks = steps.map((step) => {
      let resolve!: (o: Outcome) => void;
      const outcome = new Promise<Outcome>((r) => {
        resolve = r;
      });
      const slot: Slot = { step, started: false, settled: false, resolve };
      this.slots.set(step, slot);
      return {
        title: STEP_TITLES[step],
        // biome-ignore lint/suspicious/noExplicitAny: see Slot.task
        task: async (_ctx: unknown, task: ListrTaskWrapper<any, any, any>) => {
          slot.task = task;
          const o = await outcome;
          // The elapsed seconds belonged to the wait; the finished line keeps the plain title.
          if (this.opts.elapsed) task.title = STEP_TITLES[step];
          if (o.kind === 'skip') task.skip(`${STEP_TITLES[step]}: ${o.summary}`);
          else if (o.kind === 'failed') throw new Error(o.message);
          else if (o.summary) task.title = `${STEP_TITLES[step]}: ${o.summary}`;
        },
        rendererOptions: { outputBar: 2, persistentOutput: false },
      };
    });
    const listr = new Listr(tasks, {
      // listr2's own SIGINT handler calls process.exit(127) mid-change; the front ends handle Ctrl-C (rollback).
      registerSignalListeners: false,
      concurrent: false,
      exitOnError: false,
      rendererOptions: {
        collapseSkips: true,
        showSkipMessage: true,
        collapseErrors: false,
        // Draw where the front end asked (apply: stderr, so stdout keeps only the plan and the result).
        ...drawOn(this.stream),
      },
    });
    // Draw only once the previous segment has finished drawing.
    this.running = (after ?? Promise.resolve()).then(() => listr.run()).catch(() => undefined);
  }

  private settle(step: StepName, o: Outcome) {
    const slot = this.slots.get(step);
    if (!slot || slot.settled) return;
    slot.settled = true;
    slot.resolve(o);
  }

  /** Once a second: the running step's title with the seconds it has waited (`Save (write memory) ... 4s`). */
  private tick() {
    if (!this.opts.elapsed || this.ticker) return;
    this.ticker = setInterval(() => {
      for (const s of this.slots.values()) {
        if (s.started && !s.settled && s.task && s.startedAt !== undefined) {
          s.task.title = `${STEP_TITLES[s.step]} ... ${Math.floor((Date.now() - s.startedAt) / 1000)}s`;
        }
      }
    }, 1000);
    this.ticker.unref();
  }

  private async closeSegment(note = 'not run') {
    clearInterval(this.ticker);
    this.ticker = undefined;
    for (const s of this.slots.values()) this.settle(s.step, { kind: 'skip', summary: s.started ? note : 'not run' });
    await this.running;
    this.running = null;
  }

  private onStart(step: StepName) {
    if (this.closed) return;
    const seg = SEGMENTS.findIndex((s) => s.includes(step));
    if (seg < 0) return;
    if (seg !== this.segment) {
      // Synchronous start: the previous segment is settled first, its listr finishes drawing on its own.
      for (const s of this.slots.values()) this.settle(s.step, { kind: 'skip', summary: 'not run' });
      const prev = this.running;
      this.running = null;
      this.startSegment(seg, prev);
    }
    // Everything before this step in the segment that never started did not run.
    for (const s of this.slots.values()) {
      if (s.step === step) break;
      if (!s.started) this.settle(s.step, { kind: 'skip', summary: 'not run' });
    }
    const slot = this.slots.get(step);
    if (slot) {
      slot.started = true;
      slot.startedAt = Date.now();
      this.tick();
    }
  }

  attach(engine: ChangeEmitter): void {
    engine.on('step:start', (e) => this.onStart(e.step));
    engine.on('step:done', (e) =>
      this.settle(
        e.step,
        e.skipped ? { kind: 'skip', summary: e.summary ?? 'skipped' } : { kind: 'done', summary: e.summary },
      ),
    );
    engine.on('step:failed', (e) =>
      this.settle(e.step, { kind: 'failed', message: `[${e.error.code}] ${e.error.message}` }),
    );
    engine.on('log', (e) => {
      if (e.level === 'debug' && !this.opts.verbose) return;
      const slot = e.step ? this.slots.get(e.step) : [...this.slots.values()].find((s) => s.started && !s.settled);
      if (slot?.task) slot.task.output = e.message;
    });
  }

  /** Stop drawing (a prompt needs the terminal). `note` labels a step still running (default "not run"). */
  async suspend(note?: string): Promise<void> {
    await this.closeSegment(note);
  }

  async finish(): Promise<void> {
    this.closed = true;
    await this.closeSegment();
  }
}

/**
 * listr2 options that draw on `stream`. Nothing for stdout (listr2's default); two distinct streams otherwise:
 * listr2 hijacks each stream of its ProcessOutput while drawing, and the same stream twice stays hijacked.
 */
export function drawOn(stream: NodeJS.WriteStream): { logger?: ListrLogger<string> } {
  if (stream === process.stdout) return {};
  return { logger: new ListrLogger({ processOutput: new ProcessOutput(stream, process.stdout) }) };
}
