/**
 * The wizard's terminal: headings, wrapped paragraphs (80 columns) and @inquirer/prompts questions. A prompt
 * left with Ctrl-C (inquirer's ExitPromptError) becomes a WizardExit(130) so every step stops the same way.
 */
import { confirm, input, password, select } from '@inquirer/prompts';
import { ExitCode } from '../errors.js';

export const WIDTH = 80;

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

export function isPromptExit(e: unknown): boolean {
  return e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError');
}

/** Greedy word wrap; lines that cannot break (config lines, fingerprints) are kept whole. */
export function wrap(text: string, width = WIDTH, indent = ''): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = indent;
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line.trim() !== '' && line.length + 1 + word.length > width) {
        out.push(line);
        line = indent + word;
      } else {
        line = line.trim() === '' ? indent + word : `${line} ${word}`;
      }
    }
    out.push(line.trimEnd());
  }
  return out.join('\n');
}

export interface Choice<T> {
  value: T;
  name: string;
  description?: string;
}

export class Ui {
  readonly out: NodeJS.WriteStream;
  private readonly input: NodeJS.ReadStream;

  constructor(opts: { input?: NodeJS.ReadStream; output?: NodeJS.WriteStream } = {}) {
    this.input = opts.input ?? process.stdin;
    this.out = opts.output ?? process.stdout;
  }

  write(text: string): void {
    this.out.write(text);
  }

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  para(text: string, indent = ''): void {
    this.line(wrap(text, WIDTH, indent));
  }

  heading(step: number, title: string): void {
    const label = `Step ${step} of 9 - ${title} `;
    this.line();
    this.line(`${label}${'-'.repeat(Math.max(3, WIDTH - label.length))}`);
  }

  /** Indented block (config lines, evidence); a long line wraps under itself, 2 columns further in. */
  block(lines: string[], indent = '  '): void {
    for (const l of lines) {
      const text = `${indent}${l.trimEnd()}`;
      if (text.length <= WIDTH) {
        this.line(text);
        continue;
      }
      const lead = /^\s*/.exec(text)?.[0] ?? '';
      const words = text.trim().split(/\s+/);
      const first = wrap(words.join(' '), WIDTH - lead.length).split('\n')[0] ?? '';
      const rest = words.slice(first.split(' ').length).join(' ');
      this.line(`${lead}${first}`);
      if (rest) this.line(wrap(rest, WIDTH, `${lead}  `));
    }
  }

  private get ctx() {
    return { input: this.input, output: this.out, clearPromptOnDone: false };
  }

  private async guard<T>(p: () => Promise<T>): Promise<T> {
    try {
      return await p();
    } catch (e) {
      if (isPromptExit(e)) {
        this.line();
        this.line('Stopped (Ctrl-C). Nothing more was done.');
        throw new WizardExit(ExitCode.interrupted, 'interrupted at a prompt');
      }
      throw e;
    }
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
