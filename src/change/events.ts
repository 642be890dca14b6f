import { EventEmitter } from 'node:events';
import type { ChangeEvents } from './types.js';

/**
 * The engine's event stream, typed. Listeners (renderers, the wizard, the fleet runner, tests) only observe: a
 * listener that throws must not fail the step that emitted, so its error is rethrown outside the engine, where the
 * CLI's last-resort handler (src/cli/interrupt.ts) stops the change the safe way.
 */
export class ChangeEmitter extends EventEmitter<ChangeEvents> {
  override emit<K extends keyof ChangeEvents>(event: K, ...args: ChangeEvents[K]): boolean {
    const listeners = this.rawListeners(event) as Array<(...a: ChangeEvents[K]) => void>;
    for (const l of listeners) {
      try {
        l.apply(this, args);
      } catch (e) {
        setImmediate(() => {
          throw e;
        });
      }
    }
    return listeners.length > 0;
  }
}
