/**
 * Rendering of change-engine events for every front end (apply, rollback, the wizard, the fleet runner):
 * listr2 in a terminal, plain lines otherwise, JSON lines with --json.
 */
import { JsonLinesRenderer } from './json.js';
import { ListrRenderer } from './listr.js';
import { PlainRenderer } from './plain.js';
import type { ChangeRenderer, RenderOptions } from './types.js';

export { printPlan, printResult } from './summary.js';
export type { ChangeRenderer, RenderOptions } from './types.js';
export { JsonLinesRenderer, ListrRenderer, PlainRenderer };

export function createRenderer(opts: RenderOptions = {}): ChangeRenderer {
  if (opts.json) return new JsonLinesRenderer(opts);
  const tty = opts.tty ?? (process.stdout.isTTY === true && !process.env.CI);
  return tty ? new ListrRenderer(opts) : new PlainRenderer(opts);
}
