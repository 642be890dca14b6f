/** What `asa-mailguard detect` does (loaded by its action; the options are declared in detect.ts). */
import { readFileSync } from 'node:fs';
import { MailguardError } from '../../errors.js';
import { findSmtpInspection } from '../../platform/index.js';
import type { Finding, InspectionReport, PlatformInfo } from '../../platform/types.js';
import { toConnectOptions } from '../connection-options.js';
import type { DetectFlags } from './detect.js';

export interface DetectResult {
  target: string;
  platform: {
    family: PlatformInfo['family'];
    version: string;
    model: string | null;
    contextMode: PlatformInfo['contextMode'];
    failover: PlatformInfo['failover'];
    hostname: string | null;
    dialect: PlatformInfo['dialect'];
  } | null;
  inspection: InspectionReport;
  source: 'device' | 'config-file';
}

function describeFinding(f: Finding): string {
  const state = f.active ? 'ACTIVE  ' : 'inactive';
  const where =
    f.kind === 'fixup'
      ? `fixup protocol smtp, port ${f.portSpec ?? f.ports.join(',')}`
      : `inspect ${f.protocol}${f.inspectMap ? ` ${f.inspectMap}` : ''} in policy-map ${f.policyMap} class ${f.class}` +
        (f.classMatch?.length ? ` (${f.classMatch.join('; ')})` : '') +
        `, ${f.binding ? `bound ${f.binding}` : 'not bound'}`;
  const ctx = f.context ? `[${f.context}] ` : '';
  const why = !f.active && f.inactiveReason ? ` (${f.inactiveReason})` : '';
  const params = f.inspectMapParams
    ? ` mask-banner=${f.inspectMapParams.maskBanner ?? '?'} allow-tls=${f.inspectMapParams.allowTls ?? '?'}`
    : '';
  return `  ${state} ${ctx}${where}${params}${why}`;
}

export function renderHuman(r: DetectResult): string {
  const out: string[] = [];
  if (r.platform) {
    const p = r.platform;
    const fo = p.failover.enabled ? `failover ${p.failover.role ?? 'on'}` : 'no failover';
    out.push(
      `${r.target}: Cisco ${p.family.toUpperCase()} ${p.version}${p.model ? ` (${p.model})` : ''}, ${p.contextMode} context mode, ${fo}`,
    );
  } else {
    out.push(`${r.target}: saved configuration (offline)`);
  }
  const n = r.inspection.findings.length;
  out.push(
    r.inspection.active
      ? `SMTP inspection: ON (${r.inspection.findings.filter((f) => f.active).length} active of ${n} configured)`
      : n > 0
        ? `SMTP inspection: OFF (configured in ${n} place(s), none active)`
        : 'SMTP inspection: OFF (not configured)',
  );
  for (const f of r.inspection.findings) {
    out.push(describeFinding(f));
    for (const line of f.lines.slice(0, 6)) out.push(`      | ${line.trimEnd()}`);
    if (f.lines.length > 6) out.push(`      | ... (${f.lines.length - 6} more lines)`);
  }
  return `${out.join('\n')}\n`;
}

async function detectOnline(target: string, flags: DetectFlags): Promise<DetectResult> {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const log = (line: string) => {
    if (!flags.quiet && (!flags.json || line.startsWith('warning'))) process.stderr.write(`${line}\n`);
  };
  const opts = await toConnectOptions(flags, target, { interactive, onLog: log });
  // The session layer (ssh2) only when a device is read: `detect --config` stays light.
  const { openSession, readDevice } = await import('../../session/index.js');
  const session = await openSession(opts);
  try {
    const reading = await readDevice(session);
    const p = reading.platform;
    return {
      target,
      platform: {
        family: p.family,
        version: p.version,
        model: p.model,
        contextMode: p.contextMode,
        failover: p.failover,
        hostname: p.hostname,
        dialect: p.dialect,
      },
      inspection: { active: reading.inspection.active, findings: reading.inspection.findings },
      source: 'device',
    };
  } finally {
    await session.close();
  }
}

function detectOffline(file: string): DetectResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `Cannot read ${file}: ${(e as Error).message}`, {
      hint: 'Give the path of a saved `show running-config` (or PIX `write terminal`) output.',
    });
  }
  if (!/^\s*(?:hostname|ASA Version|PIX Version|fixup |policy-map |: Saved)/m.test(text)) {
    throw new MailguardError('BAD_INPUT', `${file} does not look like a PIX/ASA running-config`, {
      hint: 'Save the output of `show running-config` (ASA) or `write terminal` (PIX) and pass that file.',
    });
  }
  const report = findSmtpInspection(text, { context: null });
  return {
    target: file,
    platform: null,
    inspection: { active: report.active, findings: report.findings },
    source: 'config-file',
  };
}

/** The detect action: exit code 0 when the device (or file) was read, whatever it says. */
export async function detectAction(target: string | undefined, flags: DetectFlags): Promise<number> {
  if (flags.config && target) {
    throw new MailguardError('USAGE', 'Give either a target or --config FILE, not both', {
      hint: 'asa-mailguard detect admin@fw1  or  asa-mailguard detect --config fw1-running.txt',
    });
  }
  if (!flags.config && !target) {
    throw new MailguardError('USAGE', 'detect needs a target [user@]host[:port] or --config FILE', {
      hint: 'asa-mailguard detect admin@fw1  or  asa-mailguard detect --config fw1-running.txt',
    });
  }
  const result = flags.config ? detectOffline(flags.config) : await detectOnline(target as string, flags);
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderHuman(result));
  return 0;
}
