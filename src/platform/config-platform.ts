/**
 * Platform facts a configuration text states about itself (issue #12 §2), for `detect --config`: family and version
 * from its `PIX Version` / `ASA Version` / `FWSM Version` line, context mode from `<context>`/`<system>`, `mode
 * multiple` and `context` blocks, failover from `failover` lines, hostname, and the model from a `Hardware:` header.
 */
import type { ConfigModel } from './config-reader.js';
import type { Dialect, FailoverInfo, Family } from './types.js';
import { dialectFor } from './version.js';

export interface ConfigPlatform {
  /** Null only when the file has no version line (e.g. a system configuration without one). */
  family: Family | null;
  version: string | null;
  model: string | null;
  contextMode: 'single' | 'multiple';
  /** `failover` on a line of its own (last of `failover` / `no failover` wins); the role is never in a config. */
  failover: FailoverInfo;
  hostname: string | null;
  dialect: Dialect | null;
  /** `failover lan unit primary|secondary`, when the file says. */
  failoverUnit: 'primary' | 'secondary' | null;
}

/** The platform the text names; null when it has no version line, no context-mode fact and no failover line. */
export function platformFromConfig(model: ConfigModel): { platform: ConfigPlatform | null; warnings: string[] } {
  const f = model.facts;
  const warnings: string[] = [];
  const multiple = f.modeMultiple || f.contexts.length > 0 || (f.version?.space ?? null) !== null;
  if (f.version === null && !multiple && f.failover === null) return { platform: null, warnings };
  let dialect: Dialect | null = null;
  if (f.version) {
    try {
      dialect = dialectFor(f.version.family, f.version.version);
    } catch (e) {
      warnings.push(`line ${f.version.line.index + 1}: ${(e as Error).message} The dialect is left unknown.`);
    }
  }
  return {
    platform: {
      family: f.version?.family ?? null,
      version: f.version?.version ?? null,
      model: f.model,
      contextMode: multiple ? 'multiple' : 'single',
      failover: { enabled: f.failover === true, role: null },
      hostname: f.hostname,
      dialect,
      failoverUnit: f.failoverUnit,
    },
    warnings,
  };
}
