/** Pure helpers of the engine: how configs, findings, probes and errors are compared and described. */
import { MailguardError, toMailguardError } from '../errors.js';
import type { InspectionReport } from '../platform/types.js';
import type { ChangeVerdict } from '../probe/types.js';
import { redactSecrets } from './redact.js';
import type { FinalState, ProbeEvidence } from './types.js';

export type ConfigState = 'original' | 'changed' | 'partial';

export function describe(s: ConfigState, mode: 'disable' | 'restore'): string {
  if (s === 'original') return 'as before the change';
  if (s === 'changed') return mode === 'restore' ? 'restored from the backup' : 'disabled as planned';
  return 'partly changed: compare with the backup';
}

export function merge(states: Array<ConfigState>): FinalState['running'] {
  if (states.length === 0) return 'unknown';
  if (states.every((s) => s === 'original')) return 'original';
  if (states.every((s) => s === 'changed')) return 'changed';
  return 'partial';
}

/**
 * A stable key for "same SMTP inspection": the active findings' trimmed lines, sorted. (A finding's place alone
 * is plan.ts's findingKey.)
 */
export function activeInspectionKey(r: InspectionReport): string {
  return r.findings
    .filter((f) => f.active)
    .map((f) => `${f.context ?? ''}|${f.policyMap ?? ''}|${f.class ?? ''}|${f.lines.map((l) => l.trim()).join('/')}`)
    .sort()
    .join('\n');
}

export function probeLine(r: ProbeEvidence): string {
  const first = r.probes[0];
  if (!first) return '';
  const greeting = first.transcript.find((e) => e.dir === 'S');
  return greeting && 'text' in greeting ? ` (${first.address}:${first.port} greeting "${greeting.text}")` : '';
}

export function errJson(e: MailguardError, secrets: Array<string | undefined>) {
  return { code: e.code, message: redactSecrets(e.message, secrets), hint: e.hint };
}

export function toEngineError(e: unknown): MailguardError {
  if (e instanceof Error && e.name === 'AbortError') {
    return new MailguardError('INTERRUPTED', 'Interrupted.', { hint: 'Read the change record for the device state.' });
  }
  return toMailguardError(e);
}

const at = (p: { address: string; port: number }) => `${p.address}:${p.port}`;

/**
 * Before/after for a restore (`rollback`): `verified` only when the inspection was NOT seen before and is seen
 * again after, on the same addresses. Already inspected before means the probe cannot show the restore's effect.
 * (The disable direction is compareProbes in src/probe/compare.ts.)
 */
export function compareRestoreProbes(
  before: ProbeEvidence | undefined,
  after: ProbeEvidence,
): { change: ChangeVerdict; reason: string } {
  const seenAfter = after.probes.filter((p) => p.verdict === 'inspected');
  if (seenAfter.length === 0) {
    return {
      change: 'inconclusive',
      reason: `the inspection is not seen from outside after the restore (${after.verdict})`,
    };
  }
  if (!before) return { change: 'inconclusive', reason: 'no probe before the restore to compare with' };
  const seenBefore = before.probes.filter((p) => p.verdict === 'inspected');
  if (seenBefore.length > 0) {
    return {
      change: 'inconclusive',
      reason: `the inspection was already seen from outside before the restore (${seenBefore.map(at).join(', ')}): the probe cannot show what the restore changed`,
    };
  }
  const b = new Set(before.probes.map(at));
  const a = new Set(after.probes.map(at));
  if (b.size !== a.size || [...b].some((k) => !a.has(k))) {
    return { change: 'inconclusive', reason: 'the addresses probed before and after the restore differ' };
  }
  const unjudged = before.probes.filter((p) => p.verdict !== 'clean');
  if (unjudged.length > 0) {
    return {
      change: 'inconclusive',
      reason: `before the restore, some addresses were not judged clean: ${unjudged.map((p) => `${at(p)} ${p.verdict}`).join(', ')}`,
    };
  }
  const oddAfter = after.probes.filter((p) => p.verdict !== 'inspected' && p.verdict !== 'clean');
  if (oddAfter.length > 0) {
    return {
      change: 'inconclusive',
      reason: `after the restore, some addresses were not judged: ${oddAfter.map((p) => `${at(p)} ${p.verdict}`).join(', ')}`,
    };
  }
  return {
    change: 'verified',
    reason: 'not inspected before, inspected again after the restore, on the same addresses',
  };
}
