/**
 * The fleet run as a listr2 tree in a terminal: a progress line, then one task per device (appearing when the
 * device starts or is skipped) with the change steps as subtasks. listr2 is task-driven while the fleet is
 * event-driven, so every task awaits a deferred that the events settle. A task without a title is not drawn:
 * devices not started yet and steps that never run stay invisible.
 */
import { Listr, type ListrTaskWrapper, type ProcessOutput } from 'listr2';
import { STEP_NAMES } from '../../change/types.js';
import { isSignalStop } from '../../errors.js';
import { type DeviceOutcome, type FleetEvent, isFailure } from '../../playbook/index.js';
import { safeWrite } from '../interrupt.js';
import { type FleetRenderer, type FleetRenderOptions, type FleetStartInfo, headerLines, outcomeText } from './fleet.js';
import { drawOn } from './listr.js';

// biome-ignore lint/suspicious/noExplicitAny: listr2's wrapper generics are not needed here.
type Wrapper = ListrTaskWrapper<any, any, any>;

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  settled: boolean;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const d: Deferred<T> = { promise: new Promise<T>((r) => (resolve = r)), resolve: () => {}, settled: false };
  d.resolve = (v) => {
    if (d.settled) return;
    d.settled = true;
    resolve(v);
  };
  return d;
}

type StepOutcome =
  | { kind: 'done'; title: string }
  | { kind: 'skip'; title: string | null }
  | { kind: 'failed'; message: string };

interface StepSlot {
  step: string;
  title: string | null;
  started: boolean;
  outcome: Deferred<StepOutcome>;
  task?: Wrapper;
  /**
   * Stopped by a signal (INTERRUPTED, TERMINATED, HANGUP): drawn by how the device ends, which is not known yet. A
   * device the report calls `interrupted` (stopped after `reload`) or `skipped` (stopped before anything was sent)
   * did not fail, so neither does its step; one that is rolled back or failed keeps the failure mark.
   */
  stopped?: { skip: string; failed: string };
}

interface DeviceSlot {
  name: string;
  begin: Deferred<{ kind: 'start'; canary: boolean } | { kind: 'skip'; reason: string }>;
  end: Deferred<DeviceOutcome>;
  steps: StepSlot[];
}

// `confirm` never runs in a fleet (no prompt); the others in the engine's order.
const STEPS = STEP_NAMES.filter((s) => s !== 'confirm');

export class FleetListrRenderer implements FleetRenderer {
  private devices = new Map<string, DeviceSlot>();
  private running: Promise<unknown> | null = null;
  private progress = deferred<void>();
  private progressTask?: Wrapper;
  private counts = { running: 0, finished: 0, total: 0 };
  private dryRun = false;
  private stopNote = '';
  /** An interruption's announcement: listr2 holds stderr back until the tree is done, so it is drawn here too. */
  private noticeText = '';
  /** The stream listr2 draws on (and holds back while drawing); its own write still reaches the terminal. */
  private output: ProcessOutput | undefined;
  private warnings: string[] = [];

  constructor(private readonly o: FleetRenderOptions = {}) {}

  start(i: FleetStartInfo): void {
    this.dryRun = i.dryRun;
    this.counts.total = i.targets.length;
    const out = this.o.out ?? process.stdout;
    const stream = out as NodeJS.WriteStream;
    out.write(`${headerLines(i).join('\n')}\n`);
    for (const t of i.targets) {
      this.devices.set(t.name, {
        name: t.name,
        begin: deferred(),
        end: deferred(),
        steps: STEPS.map((step) => ({ step, title: null, started: false, outcome: deferred<StepOutcome>() })),
      });
    }
    const draw = drawOn(stream);
    this.output = draw.logger?.process;
    const list = new Listr(
      [
        {
          title: this.progressTitle(),
          task: async (_ctx: unknown, task: Wrapper) => {
            this.progressTask = task;
            task.title = this.progressTitle();
            await this.progress.promise;
            task.title = this.progressTitle();
          },
        },
        ...[...this.devices.values()].map((d) => ({
          // No title until the device starts: not drawn while queued.
          task: (_ctx: unknown, task: Wrapper) => this.deviceTask(d, task),
          rendererOptions: { outputBar: 1, persistentOutput: false },
        })),
      ],
      {
        concurrent: true,
        exitOnError: false,
        // The run command handles Ctrl-C (stop starting, roll back); listr2's handler would exit(127) mid-change.
        registerSignalListeners: false,
        // truncate, not wrap: wrapping measures every word on every redraw, which costs seconds on a busy fleet.
        rendererOptions: {
          collapseSubtasks: true,
          collapseSkips: true,
          showSkipMessage: true,
          collapseErrors: false,
          formatOutput: 'truncate',
          // Draw where the run command asked (stderr: stdout keeps the fleet summary).
          ...draw,
        },
      },
    );
    this.running = list.run().catch(() => undefined);
  }

  private progressTitle(): string {
    const { running, finished, total } = this.counts;
    const queued = total - running - finished;
    const head = `Fleet: ${finished}/${total} finished, ${running} running, ${queued} queued${this.stopNote}`;
    return this.noticeText ? `${head}\n${this.noticeText}` : head;
  }

  lastWords(text: string): void {
    // The process exits next: no redraw comes after this, and listr2 hid the cursor.
    safeWrite(this.output?.stdout ?? process.stderr, `\x1b[?25h${text}`);
  }

  notice(text: string): void {
    this.noticeText = text.trim();
    this.bump();
  }

  private bump() {
    if (this.progressTask) this.progressTask.title = this.progressTitle();
  }

  private async deviceTask(d: DeviceSlot, task: Wrapper): Promise<unknown> {
    const begin = await d.begin.promise;
    if (begin.kind === 'skip') {
      task.title = d.name;
      task.skip(`${d.name}: not started (${begin.reason})`);
      return;
    }
    const name = `${d.name}${begin.canary ? ' (canary)' : ''}`;
    task.title = name;
    const steps = d.steps.map((s) => ({
      // A failed step is drawn as failed; the device's result is decided by the last (untitled) task.
      exitOnError: false,
      task: async (_ctx: unknown, st: Wrapper) => {
        s.task = st;
        if (s.started && s.title) st.title = s.title;
        const o = await s.outcome.promise;
        if (o.kind === 'skip') {
          if (o.title) st.skip(o.title);
          else st.skip();
        } else if (o.kind === 'failed') {
          throw new Error(o.message);
        } else {
          st.title = o.title;
        }
      },
    }));
    const result = {
      task: async () => {
        const o = await d.end.promise;
        task.title = `${name}: ${outcomeText(o, this.dryRun)}`;
        // Throwing here marks the device task failed (the sub-list exits on this task's error only).
        if (isFailure(o.result)) throw new Error(o.message ?? o.result);
        // Stopped by a signal after `reload` (changed and saved) or before anything was sent: what the final table
        // and the report say, with no failure mark (a skipped task keeps its title and is not counted as done).
        if (o.result === 'interrupted' || o.result === 'skipped') task.skip(task.title);
      },
    };
    return task.newListr([...steps, result], { concurrent: false, exitOnError: true });
  }

  private closeDevice(d: DeviceSlot, o: DeviceOutcome) {
    const failed = isFailure(o.result);
    for (const s of d.steps) {
      this.settleStopped(s, failed);
      s.outcome.resolve({ kind: 'skip', title: null });
    }
    d.end.resolve(o);
  }

  private settleStopped(s: StepSlot, failed: boolean) {
    if (!s.stopped) return;
    s.outcome.resolve(failed ? { kind: 'failed', message: s.stopped.failed } : { kind: 'skip', title: s.stopped.skip });
  }

  event(ev: FleetEvent): void {
    switch (ev.type) {
      case 'device:start': {
        const d = this.devices.get(ev.name);
        d?.begin.resolve({ kind: 'start', canary: ev.canary });
        this.counts.running++;
        this.bump();
        return;
      }
      case 'device:skip': {
        this.devices.get(ev.name)?.begin.resolve({ kind: 'skip', reason: ev.reason });
        this.counts.finished++;
        this.bump();
        return;
      }
      case 'device:end': {
        const d = this.devices.get(ev.name);
        this.counts.running--;
        this.counts.finished++;
        this.bump();
        if (d) this.closeDevice(d, ev.outcome);
        return;
      }
      case 'fleet:stop':
        this.stopNote = `; STOPPED: ${ev.message}`;
        this.bump();
        return;
      case 'device:event': {
        const d = this.devices.get(ev.name);
        if (!d) return;
        const e = ev.event;
        // A step stopped by a signal waits for the device's ending, unless a real rollback starts (it logs its cause
        // and commands, or ends not skipped): that device is rolled back or failed, and its rollback is drawn live.
        const held = d.steps.find((s) => s.stopped && !s.outcome.settled);
        const rollback = d.steps.find((s) => s.step === 'rollback');
        if (
          held &&
          rollback?.started &&
          !rollback.outcome.settled &&
          (e.type === 'log' ||
            (e.type !== 'step:start' && e.step === 'rollback' && !(e.type === 'step:done' && e.skipped)))
        )
          this.settleStopped(held, true);
        if (e.type === 'log') {
          // Warnings only: every output change redraws the whole tree.
          if (e.level !== 'warn' && !this.o.verbose) return;
          const cur = d.steps.find((s) => s.started && !s.outcome.settled);
          if (cur?.task) cur.task.output = e.line;
          return;
        }
        const idx = d.steps.findIndex((s) => s.step === e.step);
        const slot = d.steps[idx];
        if (!slot) return;
        if (e.type === 'step:start') {
          // Steps before this one that never started did not run: settle them untitled (not drawn).
          for (const s of d.steps.slice(0, idx)) if (!s.started) s.outcome.resolve({ kind: 'skip', title: null });
          slot.started = true;
          slot.title = e.title ?? e.step;
          if (slot.task) slot.task.title = slot.title;
        } else if (e.type === 'step:done') {
          const title = `${e.title ?? e.step}${e.detail ? `: ${e.detail}` : ''}`;
          slot.outcome.resolve(e.skipped ? { kind: 'skip', title } : { kind: 'done', title });
        } else {
          const failed = `${e.title ?? e.step}: [${e.code ?? 'ERROR'}] ${e.error}`;
          if (isSignalStop(e.code))
            slot.stopped = {
              failed,
              skip: `${e.title ?? e.step}: interrupted${/^interrupted\.?$/i.test(e.error) ? '' : `: ${e.error}`}`,
            };
          else slot.outcome.resolve({ kind: 'failed', message: failed });
        }
      }
    }
  }

  warn(line: string): void {
    // While the tree is drawn, printed once it is done: stderr lines would be overwritten by the redraws.
    if (this.running) this.warnings.push(line);
    else process.stderr.write(`${line}\n`);
  }

  async finish(): Promise<void> {
    // Devices the scheduler never reported (interrupted): close them so listr2 can finish.
    for (const d of this.devices.values()) d.begin.resolve({ kind: 'skip', reason: 'not run' });
    this.progress.resolve();
    await this.running;
    for (const w of this.warnings) process.stderr.write(`${w}\n`);
  }
}
