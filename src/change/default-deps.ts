/** The real layers behind the engine: session (SSH/telnet), platform parsers, plan, outside probe. */
import { setTimeout as delay } from 'node:timers/promises';
import { findSmtpInspection } from '../platform/inspection.js';
import { openSession, readDevice } from '../session/index.js';
import type { EngineDeps } from './deps.js';
import { plan, planRestore } from './plan.js';

export async function defaultDeps(): Promise<EngineDeps> {
  return {
    openSession: (o) => openSession(o),
    readDevice: async (s) => {
      const r = await readDevice(s);
      return {
        platform: r.platform,
        contexts: r.contexts.map((c) => ({ context: c.name, runningConfig: c.runningConfig })),
        inspection: r.inspection,
      };
    },
    findInspection: (config, context) => findSmtpInspection(config, { context }),
    plan: (input) => plan(input),
    planRestore: (backup, current, dialect, context) => planRestore(backup, current, dialect, { context }),
    probe: async (req) => {
      // Loaded only when there is something to probe (node:tls and node:dns with it).
      const { probeAll, resolveTargets } = await import('../probe/index.js');
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
