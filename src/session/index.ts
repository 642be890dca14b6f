/** The session layer's entry point: open a transport, log in, reach privileged mode, turn paging off. */
import { openTransport } from '../transport/index.js';
import { AsaCliSession, DEFAULT_TIMEOUTS } from './session.js';
import type { CliSession, ConnectOptions } from './types.js';

export { type ContextReading, type DeviceReading, readDevice } from './read-device.js';
export { AsaCliSession, DEFAULT_TIMEOUTS, NOTICE_ANSWER } from './session.js';
export type * from './types.js';

/**
 * Connect and log in. Resolves with a session at the privileged prompt (`#`) with paging off (or answered).
 * Rejects with a MailguardError: CONNECT_FAILED/CONNECT_TIMEOUT, HOST_KEY_UNKNOWN/CHANGED, AUTH_FAILED,
 * ENABLE_FAILED, LOGIN_TIMEOUT, CONNECTION_LOST.
 */
export async function openSession(opts: ConnectOptions): Promise<AsaCliSession & CliSession> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const transport = await openTransport({
    ...opts,
    connectTimeoutMs: timeouts.connectMs,
    sshAuthMethods: opts.sshAuthMethods,
    log: opts.onLog,
  });
  const session = new AsaCliSession(transport, opts);
  if (opts.dialect) session.setDialect(opts.dialect);
  try {
    await session.login();
  } catch (e) {
    transport.close();
    await session.close();
    throw e;
  }
  return session;
}
