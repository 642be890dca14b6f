/** The real layers behind the engine: session (SSH/telnet), platform parsers, plan, outside probe. */
import { setTimeout as delay } from 'node:timers/promises';
import { MailguardError } from '../errors.js';
import { findSmtpInspection } from '../platform/inspection.js';
import { probeAll, resolveTargets } from '../probe/index.js';
import type { EngineDeps } from './deps.js';
import { plan, planRestore } from './plan.js';

// Until the session and probe modules land their exports are looked up at run time (contract: session/types.ts).
async function load<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (e) {
    throw new MailguardError('INTERNAL', `The module ${specifier} is not available: ${(e as Error).message}`, {
      hint: 'Build the project (npm run build).',
      cause: e,
    });
  }
}

export async function defaultDeps(): Promise<EngineDeps> {
  const sessionPath = '../session/index.js';
  return {
    openSession: async (o) => (await load<{ openSession: EngineDeps['openSession'] }>(sessionPath)).openSession(o),
    readDevice: async (s) => (await load<{ readDevice: EngineDeps['readDevice'] }>(sessionPath)).readDevice(s),
    findInspection: (config, context) => findSmtpInspection(config, { context }),
    plan: (input) => plan(input),
    planRestore: (backup, current, dialect, context) => planRestore(backup, current, dialect, { context }),
    probe: async (req) => {
      const hosts = (req.smtp ?? []).map((e) =>
        e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`,
      );
      const targets = await resolveTargets(
        req.domain ? { domain: req.domain, resolver: req.resolver } : { hosts, resolver: req.resolver },
      );
      return probeAll(targets);
    },
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
  };
}
