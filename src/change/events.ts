import { EventEmitter } from 'node:events';
import type { ChangeEvents } from './types.js';

/** The engine's event stream, typed. Listeners (renderers, the wizard, the fleet runner, tests) only observe. */
export class ChangeEmitter extends EventEmitter<ChangeEvents> {}
