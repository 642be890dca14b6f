/** Pure helpers of the engine: how configs, findings, probes and errors are compared and described. */
import { MailguardError, toMailguardError } from '../errors.js';
import type { Finding, InspectionReport } from '../platform/types.js';
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

/** Where a finding lives (same identity as plan.ts uses for restores). */
export function placeKey(f: Finding): string {
  if (f.kind === 'fixup') return `fixup|${f.context ?? ''}|${f.portSpec ?? f.ports.join(',')}`;
  return `inspect|${f.context ?? ''}|${f.protocol}|${f.policyMap}|${f.class}|${f.inspectMap ?? ''}`;
}

/** A stable key for "same SMTP inspection": the active findings' trimmed lines, sorted. */
export function findingKey(r: InspectionReport): string {
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
