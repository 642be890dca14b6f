/**
 * One interruption path for every cause (issue 13): SIGINT, SIGTERM, SIGHUP, a crash in our own code (a renderer
 * included: the change emitter rethrows a listener's error outside the engine) and a closed stdout/stderr.
 *
 * A closed pipe (`| head`, `less` then q) is not a reason to stop: output to it is dropped and the change carries
 * on. Everything else aborts the change: the engine finishes the device command in flight, rolls back, writes the
 * record, settles the safety reload and releases the lock; the process then exits with the cause's code. A second
 * signal says plainly what is left behind and exits at once.
 */
import { MailguardError, systemErrorWords } from '../errors.js';

export interface Guard {
  /** Aborted with the cause (a MailguardError: INTERRUPTED, TERMINATED, HANGUP or INTERNAL). */
  signal: AbortSignal;
  /** The cause, once there is one. */
  cause(): MailguardError | undefined;
  /** Remove the handlers (the change has finished). */
  dispose(): void;
}

export interface GuardOptions {
  /** What happens now, said at once (above any progress display: the caller stops drawing first). */
  announce(text: string, cause: MailguardError): void;
  /** For a second signal: what is left behind (device state, pending reload, record path), one paragraph. */
  leftBehind(): string;
  /** What is being stopped, for the message: "the change", "the fleet run". */
  what?: string;
  /** What follows the current device command, when not the rollback (e.g. the device is already reloading). */
  afterStop?(): string | null;
  /**
   * Writes the second signal's last words to the terminal (default: stderr). For a progress display that holds
   * stderr back while it draws (run's listr2 tree): the process exits right after, and held text would be lost.
   */
  lastWords?(text: string): void;
}

const SIGNALS = {
  SIGINT: { code: 'INTERRUPTED', label: 'Ctrl-C (SIGINT)' },
  SIGTERM: { code: 'TERMINATED', label: 'SIGTERM' },
  SIGHUP: { code: 'HANGUP', label: 'SIGHUP (the terminal or session closed)' },
} as const;
type SignalName = keyof typeof SIGNALS;

/** Writes that cannot fail: a closed pipe or terminal must not turn into a crash. */
export function safeWrite(stream: NodeJS.WritableStream, text: string): void {
  try {
    if (!(stream as { destroyed?: boolean }).destroyed) stream.write(text);
  } catch {
    // The reader is gone: nothing to tell it.
  }
}

let pipesGuarded = false;
/**
 * EPIPE on stdout/stderr: without a listener Node throws it as an uncaught exception at the next write. With this
 * listener the stream is destroyed and later writes go nowhere (the null sink); the work carries on.
 */
export function guardPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
      throw e;
    });
  }
}

/** The `--json` form of an interruption: `{"type":"interrupted",...}` in the stream, `interrupted` in the result. */
export interface InterruptionJson {
  /** SIGINT, SIGTERM or SIGHUP; null for a crash in the tool's own code. */
  signal: SignalName | null;
  /** The error code: INTERRUPTED, TERMINATED, HANGUP or INTERNAL. */
  cause: string;
  /** The cause's exit code (the process ends with it unless a failed rollback says more: 6). */
  exitCode: number;
  message: string;
  /** When the tool learned of it. */
  at: string;
}

export function interruptionJson(cause: MailguardError, at: Date = new Date()): InterruptionJson {
  const signal = cause.details.signal;
  return {
    signal: typeof signal === 'string' && signal in SIGNALS ? (signal as SignalName) : null,
    cause: cause.code,
    exitCode: cause.exitCode,
    message: cause.message,
    at: at.toISOString(),
  };
}

export function guardChange(o: GuardOptions): Guard {
  guardPipes();
  const controller = new AbortController();
  let cause: MailguardError | undefined;
  let exitCode = 0;
  const what = o.what ?? 'the change';
  const stop = (err: MailguardError, why: string) => {
    if (cause) {
      const text = `\n${why} again: quitting now. ${o.leftBehind()}\n`;
      if (o.lastWords) o.lastWords(text);
      else safeWrite(process.stderr, text);
      process.exit(exitCode);
    }
    cause = err;
    exitCode = err.exitCode;
    o.announce(
      `${why}: stopping ${what} after the current device command, then ${o.afterStop?.() ?? 'rolling back what the device holds'} and writing the change record. (Again to quit at once.)`,
      err,
    );
    controller.abort(err);
  };
  const handlers = new Map<string, (...a: unknown[]) => void>();
  for (const name of Object.keys(SIGNALS) as SignalName[]) {
    const s = SIGNALS[name];
    const h = () =>
      stop(
        new MailguardError(s.code, `Interrupted by ${s.label}.`, {
          hint: 'Read the change record for what the device holds.',
          details: { signal: name },
        }),
        `${s.label} received`,
      );
    handlers.set(name, h);
    process.on(name, h);
  }
  // Last resort: a bug in our own code (or a renderer) must not leave the device half-changed.
  const crash = (e: unknown) => {
    const message = systemErrorWords(e);
    if (process.env.DEBUG && e instanceof Error) safeWrite(process.stderr, `${e.stack}\n`);
    stop(
      new MailguardError('INTERNAL', `Internal error: ${message}`, {
        hint: 'This is a bug; please report it with DEBUG=1 output. The change was rolled back.',
        cause: e,
      }),
      `internal error (${message})`,
    );
  };
  handlers.set('uncaughtException', crash);
  handlers.set('unhandledRejection', crash);
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  return {
    signal: controller.signal,
    cause: () => cause,
    dispose() {
      for (const [name, h] of handlers) process.off(name, h);
    },
  };
}
