/** Waiting for a reloading device: reconnect attempts with exponential backoff until a deadline. */
import { MailguardError } from '../errors.js';
import { toEngineError } from './state.js';

export interface WaitOptions {
  /** One connection attempt; throws while the device is down. */
  attempt: () => Promise<unknown>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  timeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
  signal?: AbortSignal;
  /** Progress after each failed attempt: elapsed ms, fraction of the timeout, the attempt's error code. */
  onWaiting: (elapsedMs: number, fraction: number, code: string) => void;
}

const STOP_WAITING = new Set(['AUTH_FAILED', 'ENABLE_FAILED', 'HOST_KEY_CHANGED', 'INTERRUPTED']);

/** Resolves with the elapsed time and attempts once `attempt` succeeds; RELOAD_TIMEOUT after the deadline. */
export async function waitForDevice(o: WaitOptions): Promise<{ elapsedMs: number; attempts: number }> {
  const t0 = Date.now();
  let wait = o.backoff.initialMs;
  let attempts = 0;
  for (;;) {
    await o.sleep(Math.min(wait, Math.max(0, t0 + o.timeoutMs - Date.now())), o.signal);
    attempts++;
    try {
      await o.attempt();
      return { elapsedMs: Date.now() - t0, attempts };
    } catch (e) {
      const err = toEngineError(e);
      // A wrong password, enable secret or host key will not fix itself by waiting, and each try sends the secret
      // again (AAA locks accounts): the wait stops at the first refusal.
      if (STOP_WAITING.has(err.code)) throw err;
      const elapsed = Date.now() - t0;
      if (elapsed >= o.timeoutMs) {
        throw new MailguardError(
          'RELOAD_TIMEOUT',
          `The device did not come back within ${Math.round(o.timeoutMs / 1000)} s after reload.`,
          { hint: 'Check the console (out-of-band); the saved startup-config holds the change.' },
        );
      }
      o.onWaiting(elapsed, Math.min(0.99, elapsed / o.timeoutMs), err.code);
    }
    wait = Math.min(wait * 2, o.backoff.maxMs);
  }
}
