/** The answer `detect --config` gives for a config text, in a comparable shape (tests of the config reader). */
import { platformFromConfig } from '../../src/platform/config-platform.js';
import { readInspection } from '../../src/platform/inspection.js';
import type { Dialect, Family } from '../../src/platform/types.js';

/** [kind, protocol, ports, policy-map, class, binding, active] */
export type FindingRow = [string, string, number[], string | null, string | null, string | null, boolean];

export interface ConfigAnswer {
  active: boolean;
  findings: FindingRow[];
  /** family, version, context mode, failover enabled, dialect; null: the text names no platform. */
  platform: [Family | null, string | null, 'single' | 'multiple', boolean, Dialect | null] | null;
  /** Platform, report and finding warnings, in that order. */
  warnings: string[];
}

export function answerOf(text: string): ConfigAnswer {
  const { model, report } = readInspection(text);
  const { platform, warnings } = platformFromConfig(model);
  return {
    active: report.active,
    findings: report.findings.map(
      (f): FindingRow => [f.kind, f.protocol, f.ports, f.policyMap, f.class, f.binding, f.active],
    ),
    platform: platform && [
      platform.family,
      platform.version,
      platform.contextMode,
      platform.failover.enabled,
      platform.dialect,
    ],
    warnings: [...warnings, ...(report.warnings ?? []), ...report.findings.flatMap((f) => f.warnings ?? [])],
  };
}
