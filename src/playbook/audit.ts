/**
 * The audit view of a device: where SMTP inspection sits on the device (each fixup, or inspect with its
 * policy-map, class, map and binding), what the outside probe saw, and whether the two disagree. Pure functions:
 * the engine runner fills DeviceAudit from an engine result, `detect --config` from saved configs.
 */
import { ExitCode } from '../errors.js';
import type { Finding, InspectionReport } from '../platform/types.js';
import type { ProbeReport } from '../probe/types.js';
import type { AuditCounts, AuditMismatch, DeviceAudit, DeviceRecord, InspectionPlace } from './fleet.js';

export function placeOf(f: Finding): InspectionPlace {
  return {
    kind: f.kind,
    protocol: f.protocol,
    ports: f.ports,
    policyMap: f.policyMap,
    class: f.class,
    inspectMap: f.inspectMap,
    binding: f.binding,
    active: f.active,
    context: f.context,
  };
}

/** `fixup smtp 25`, `inspect esmtp in global_policy/inspection_default (map x, global)`. */
export function describePlace(p: InspectionPlace): string {
  const ctx = p.context ? `[${p.context}] ` : '';
  if (p.kind === 'fixup') return `${ctx}fixup ${p.protocol} ${p.ports.join(',') || '-'}${p.active ? '' : ' (off)'}`;
  const where = [p.policyMap, p.class].filter(Boolean).join('/');
  const extra = [p.inspectMap ? `map ${p.inspectMap}` : null, p.binding ?? 'not bound'].filter(Boolean).join(', ');
  return `${ctx}inspect ${p.protocol}${where ? ` in ${where}` : ''} (${extra})${p.active ? '' : ' (inactive)'}`;
}

export function mismatchOf(device: boolean | null, probe: string | null): AuditMismatch | null {
  if (device === null || probe === null) return null;
  if (probe === 'inspected' && !device) return 'path-inspects';
  if (probe === 'clean' && device) return 'device-only';
  return null;
}

export const MISMATCH_TEXT: Record<AuditMismatch, string> = {
  'path-inspects': 'the probe sees inspection but the device is clean: another box in the mail path inspects',
  'device-only':
    'the device inspects but the probe is clean: the device is not on this mail path, or its map passes everything',
};

export function deviceAudit(inspection: InspectionReport | undefined, probe: ProbeReport | undefined): DeviceAudit {
  const device = inspection ? inspection.active : null;
  const verdict = probe?.verdict ?? null;
  const family = probe?.probes.find((p) => p.family)?.family ?? null;
  return {
    device,
    places: (inspection?.findings ?? []).map(placeOf),
    probe: verdict,
    probeFamily: family,
    mismatch: mismatchOf(device, verdict),
  };
}

/** "on (2 places)", "off", "?" for a table cell. */
export function deviceSideText(a: DeviceAudit | null | undefined): string {
  if (!a || a.device === null) return '?';
  const active = a.places.filter((p) => p.active).length;
  return a.device ? `on (${active} place${active === 1 ? '' : 's'})` : 'off';
}

export function auditCounts(devices: readonly Pick<DeviceRecord, 'audit'>[]): AuditCounts {
  const c: AuditCounts = {
    deviceInspected: 0,
    deviceClean: 0,
    probeInspected: 0,
    probeClean: 0,
    inspected: 0,
    mismatches: 0,
    unknown: 0,
  };
  for (const { audit: a } of devices) {
    if (!a) {
      c.unknown++;
      continue;
    }
    // Not read: the device side is unknown even when the probe ran (an unreachable unit's probe says "unreachable").
    if (a.device === null) c.unknown++;
    if (a.device === true) c.deviceInspected++;
    if (a.device === false) c.deviceClean++;
    if (a.probe === 'inspected') c.probeInspected++;
    if (a.probe === 'clean') c.probeClean++;
    if (a.device === true || a.probe === 'inspected') c.inspected++;
    if (a.mismatch) c.mismatches++;
  }
  return c;
}

/**
 * The exit code of an audit, as `probe`'s: 10 when SMTP inspection was seen anywhere (device or probe), else the
 * fleet's own code (a device that could not be read: 3, ...), else 0.
 */
export function auditExitCode(counts: AuditCounts, fleetCode: number): number {
  if (counts.inspected > 0) return ExitCode.probeInspected;
  return fleetCode;
}
