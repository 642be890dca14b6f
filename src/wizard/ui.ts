/**
 * The wizard's terminal: headings, paragraphs wrapped to the terminal's width, a spinner with elapsed time while
 * it waits, and Inquirer questions. A question always has the terminal to itself: the spinner is
 * stopped (its line cleared) before it is asked, and lines written while it is open are held until it is
 * answered. A prompt left with Ctrl-C (inquirer's ExitPromptError) becomes a WizardExit(130) so every step stops
 * the same way.
 */
import { Writable } from 'node:stream';
import wrapAnsi from 'wrap-ansi';
import yoctoSpinner, { type Spinner } from 'yocto-spinner';
import { confirm, input, isPromptExit, password, select } from '../config/prompts.js';
import { ExitCode } from '../errors.js';

/** Width when the output is not a terminal (or reports none). */
export const DEFAULT_WIDTH = 80;
/** Below this the text would be mostly line breaks: narrower terminals just wrap what we print. */
const MIN_WIDTH = 40;

/** Thrown to end the wizard with an exit code after the message was already shown. */
export class WizardExit extends Error {
  constructor(
    readonly exitCode: number,
    message = 'wizard stopped',
  ) {
    super(message);
    this.name = 'WizardExit';
  }
}

/** Word wrap (wrap-ansi); words longer than the width (config lines, fingerprints) are kept whole. */
export function wrap(text: string, width = DEFAULT_WIDTH, indent = ''): string {
  return text
    .split('\n')
    .map((para) => {
      const words = para.trim();
      if (!words) return '';
      return wrapAnsi(words.replace(/\s+/g, ' '), Math.max(1, width - indent.length), { hard: false, trim: true })
        .split('\n')
        .map((l) => `${indent}${l}`.trimEnd())
        .join('\n');
    })
    .join('\n');
}

export interface Choice<T> {
  value: T;
  name: string;
  description?: string;
}

/** A running spinner: `update` changes what it waits for, `done` stops it and prints a closing line (if any). */
export interface Waiting {
  update(text: string): void;
  done(final?: string): void;
}

interface ActiveSpin {
  text: string;
  startedAt: number;
  spinner?: Spinner;
  timer?: NodeJS.Timeout;
}

export class Ui {
  readonly out: NodeJS.WriteStream;
  private readonly input: NodeJS.ReadStream;
  private spin: ActiveSpin | null = null;
  /** Output held while a question is open (progress relayed from a running change). */
  private held: string[] | null = null;

  constructor(opts: { input?: NodeJS.ReadStream; output?: NodeJS.WriteStream } = {}) {
    this.input = opts.input ?? process.stdin;
    this.out = opts.output ?? process.stdout;
  }

  /** The terminal's width now (it follows a resize: read at every use). */
  get width(): number {
    const cols = this.out.isTTY ? this.out.columns : 0;
    return cols ? Math.max(MIN_WIDTH, cols) : DEFAULT_WIDTH;
  }

  write(text: string): void {
    if (this.held) this.held.push(text);
    else this.out.write(text);
  }

  /** A stream for renderers that write through the wizard's terminal (held while a question is open). */
  get sink(): NodeJS.WritableStream {
    return new Writable({
      write: (chunk: Buffer | string, _enc, cb) => {
        this.write(chunk.toString());
        cb();
      },
    });
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  para(text: string, indent = ''): void {
    this.line(wrap(text, this.width, indent));
  }

  heading(step: number, title: string): void {
    const label = `Step ${step} of 9 - ${title} `;
    this.line();
    this.line(`${label}${'-'.repeat(Math.max(3, this.width - label.length))}`);
  }

  /** Indented block (config lines, evidence); a long line wraps under itself, 2 columns further in. */
  block(lines: string[], indent = '  '): void {
    const width = this.width;
    for (const l of lines) {
      const text = `${indent}${l.trimEnd()}`;
      if (text.length <= width) {
        this.line(text);
        continue;
      }
      const lead = /^\s*/.exec(text)?.[0] ?? '';
      const words = text.trim().split(/\s+/);
      const first = wrap(words.join(' '), width - lead.length).split('\n')[0] ?? '';
      const rest = words.slice(first.split(' ').length).join(' ');
      this.line(`${lead}${first}`);
      if (rest) this.line(wrap(rest, width, `${lead}  `));
    }
  }

  /**
   * A spinner with the seconds waited (`⠋ Connecting to 127.0.0.1:22 ... 4s`) until `done`. Outside a terminal one
   * plain line instead. One at a time: a new one ends the previous one without a closing line.
   */
  wait(text: string): Waiting {
    this.stopSpin();
    // The same test yocto-spinner makes: where it would not animate, one plain line instead of a line a second.
    if (!this.out.isTTY || process.env.TERM === 'dumb' || 'CI' in process.env) {
      this.line(`${text} ...`);
      return { update: (t) => this.line(`${t} ...`), done: (final) => final && this.line(final) };
    }
    const s: ActiveSpin = { text, startedAt: Date.now() };
    this.spin = s;
    this.startSpin(s);
    return {
      update: (t) => {
        s.text = t;
        if (s.spinner) s.spinner.text = this.label(s);
      },
      done: (final) => {
        if (this.spin === s) this.stopSpin();
        if (final) this.line(final);
      },
    };
  }

  private label(s: ActiveSpin): string {
    const line = `${s.text} ... ${Math.floor((Date.now() - s.startedAt) / 1000)}s`;
    // One terminal line: a wrapped spinner line could not be cleared cleanly.
    return line.length > this.width - 3 ? `${line.slice(0, this.width - 6)}...` : line;
  }

  private startSpin(s: ActiveSpin): void {
    // handleSignals off: Ctrl-C belongs to the wizard (it asks before stopping a change).
    s.spinner = yoctoSpinner({ stream: this.out, text: this.label(s), handleSignals: false }).start();
    s.timer = setInterval(() => {
      if (s.spinner) s.spinner.text = this.label(s);
    }, 1000);
    s.timer.unref();
  }

  /** Stop any spinner (before the wizard ends or exits). */
  idle(): void {
    this.stopSpin();
  }

  /** Clear the spinner's line (no closing line); `keep` leaves it registered so a question can resume it. */
  private stopSpin(keep = false): void {
    const s = this.spin;
    if (!s) return;
    clearInterval(s.timer);
    s.spinner?.stop();
    s.spinner = undefined;
    if (!keep) this.spin = null;
  }

  private get ctx() {
    return { input: this.input, output: this.out, clearPromptOnDone: false };
  }

  /** Every question: the spinner stops first, output is held while it is open, then both resume. */
  private async guard<T>(p: () => Promise<T>): Promise<T> {
    const paused = this.spin;
    this.stopSpin(true);
    const outer = this.held;
    this.held ??= [];
    try {
      return await p();
    } catch (e) {
      if (isPromptExit(e)) {
        this.release(outer);
        this.line();
        this.line('Stopped (Ctrl-C). Nothing more was done.');
        throw new WizardExit(ExitCode.interrupted, 'interrupted at a prompt');
      }
      throw e;
    } finally {
      this.release(outer);
      if (paused && this.spin === paused && !paused.spinner) this.startSpin(paused);
    }
  }

  private release(outer: string[] | null): void {
    if (outer !== null || this.held === null) return;
    const held = this.held;
    this.held = null;
    for (const t of held) this.out.write(t);
  }

  text(message: string, opts: { default?: string; validate?: (v: string) => string | true } = {}): Promise<string> {
    return this.guard(() =>
      input(
        { message, default: opts.default, validate: opts.validate ? (v) => opts.validate!(v.trim()) : undefined },
        this.ctx,
      ),
    ).then((v) => v.trim());
  }

  secret(message: string): Promise<string> {
    return this.guard(() => password({ message, mask: '*' }, this.ctx));
  }

  yesNo(message: string, defaultValue: boolean): Promise<boolean> {
    return this.guard(() => confirm({ message, default: defaultValue }, this.ctx));
  }

  choose<T>(message: string, choices: Choice<T>[], defaultValue?: T): Promise<T> {
    return this.guard(() => select<T>({ message, choices, default: defaultValue, pageSize: 8 }, this.ctx));
  }
}
