import type { ChangeEmitter } from '../../change/events.js';

/**
 * Renders a change engine's event stream. One renderer per engine run; `suspend()` lets a prompt use the terminal
 * (the listr2 renderer stops drawing), `finish()` flushes after the engine returned.
 */
export interface ChangeRenderer {
  attach(engine: ChangeEmitter): void;
  suspend(): Promise<void>;
  finish(): Promise<void>;
}

export interface RenderOptions {
  /** JSON lines on stdout, one per event. */
  json?: boolean;
  /** Draw a listr2 task list (default: stdout is a TTY and not --json). */
  tty?: boolean;
  /** Show debug log lines (the session's conversation). */
  verbose?: boolean;
  /** Prefix for plain lines and `target` field in JSON lines (fleet runs). */
  label?: string;
  out?: NodeJS.WritableStream;
  /** listr2 renderer: the running step's title counts the seconds it has waited (`... 4s`). */
  elapsed?: boolean;
  /** Plain renderer: also print a line when each step starts (default true). */
  showStart?: boolean;
}
