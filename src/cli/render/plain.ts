import type { ChangeEmitter } from '../../change/events.js';
import type { ChangeRenderer, RenderOptions } from './types.js';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One readable line per event, for logs, CI and pipes (no cursor movement, no colour). */
export class PlainRenderer implements ChangeRenderer {
  private readonly out: NodeJS.WritableStream;
  private readonly prefix: string;

  constructor(private readonly opts: RenderOptions = {}) {
    this.out = opts.out ?? process.stdout;
    this.prefix = opts.label ? `[${opts.label}] ` : '';
  }

  private line(text: string) {
    this.out.write(`${this.prefix}${text}\n`);
  }

  attach(engine: ChangeEmitter): void {
    engine.on('step:start', (e) => {
      if (this.opts.showStart !== false) this.line(`--> ${e.step}: ${e.title}`);
    });
    engine.on('step:done', (e) =>
      this.line(
        e.skipped
          ? `    skip ${e.step}${e.summary ? `: ${e.summary}` : ''}`
          : `ok  ${e.step} (${secs(e.durationMs)})${e.summary ? `: ${e.summary}` : ''}`,
      ),
    );
    engine.on('step:failed', (e) => {
      this.line(`FAIL ${e.step} (${secs(e.durationMs)}): [${e.error.code}] ${e.error.message}`);
    });
    engine.on('log', (e) => {
      if (e.level === 'debug' && !this.opts.verbose) return;
      this.line(`    ${e.level === 'warn' ? 'warning: ' : ''}${e.message}`);
    });
  }

  async suspend(): Promise<void> {}
  async finish(): Promise<void> {}
}
