import type { ChangeEmitter } from '../../change/events.js';
import type { ChangeRenderer, RenderOptions } from './types.js';

/** JSON lines: `{"type":"step:start","step":...}` per event, for scripts and the fleet runner's --json. */
export class JsonLinesRenderer implements ChangeRenderer {
  private readonly out: NodeJS.WritableStream;

  constructor(private readonly opts: RenderOptions = {}) {
    this.out = opts.out ?? process.stdout;
  }

  private write(type: string, payload: object) {
    const target = this.opts.label ? { target: this.opts.label } : {};
    this.out.write(`${JSON.stringify({ type, ...target, ...payload })}\n`);
  }

  attach(engine: ChangeEmitter): void {
    engine.on('step:start', (e) => this.write('step:start', e));
    engine.on('step:done', (e) => this.write('step:done', e));
    engine.on('step:failed', (e) => this.write('step:failed', e));
    engine.on('log', (e) => {
      if (e.level === 'debug' && !this.opts.verbose) return;
      this.write('log', e);
    });
  }

  async suspend(): Promise<void> {}
  async finish(): Promise<void> {}
}
