/** What `asa-mailguard detect` does (loaded by its action; the options are declared in detect.ts). */
import { readFileSync, statSync } from 'node:fs';
import { ExitCode, MailguardError, systemErrorWords } from '../../errors.js';
import { platformFromConfig, readInspection } from '../../platform/index.js';
import type { Finding, InspectionReport, PlatformInfo } from '../../platform/types.js';
import { toConnectOptions } from '../connection-options.js';
import type { DetectFlags } from './detect.js';

export interface DetectResult {
  target: string;
  /**
   * From the device, or (with --config) from the file's own lines: null only when the file has no version line, no
   * context-mode fact and no failover line; family, version and dialect are null when it has no version line.
   */
  platform: {
    family: PlatformInfo['family'] | null;
    version: string | null;
    model: string | null;
    contextMode: PlatformInfo['contextMode'];
    failover: PlatformInfo['failover'];
    hostname: string | null;
    dialect: PlatformInfo['dialect'] | null;
    /** `failover lan unit primary|secondary` (config file) or `show failover`, when known. */
    failoverUnit?: 'primary' | 'secondary' | null;
  } | null;
  inspection: InspectionReport;
  source: 'device' | 'config-file';
  /**
   * Everything the reading leaves open, in one list: the report's own warnings, each finding's (prefixed with its
   * place), and the platform's. Empty when the text is unambiguous.
   */
  warnings: string[];
}

function findingPlace(f: Finding): string {
  const ctx = f.context ? `[${f.context}] ` : '';
  return f.kind === 'fixup'
    ? `${ctx}fixup smtp ${f.portSpec ?? ''}`
    : `${ctx}policy-map ${f.policyMap} class ${f.class}`;
}

/** All warnings of a report, flattened (finding warnings prefixed with the finding's place). */
export function allWarnings(report: InspectionReport, extra: string[] = []): string[] {
  return [
    ...extra,
    ...(report.warnings ?? []),
    ...report.findings.flatMap((f) => (f.warnings ?? []).map((w) => `${findingPlace(f)}: ${w}`)),
  ];
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
    const what = p.family
      ? `Cisco ${p.family.toUpperCase()} ${p.version}`
      : 'Cisco PIX/ASA/FWSM, version not in the file';
    const offline = r.source === 'config-file' ? ' (saved configuration, offline)' : '';
    out.push(`${r.target}: ${what}${p.model ? ` (${p.model})` : ''}, ${p.contextMode} context mode, ${fo}${offline}`);
  } else {
    out.push(`${r.target}: saved configuration (offline)`);
  }
  const n = r.inspection.findings.length;
  // An OFF with warnings is only what the text says: never let it read as a clean bill.
  const open = !r.inspection.active && r.warnings.length > 0 ? ', but the text leaves it open: see the warnings' : '';
  out.push(
    r.inspection.active
      ? `SMTP inspection: ON (${r.inspection.findings.filter((f) => f.active).length} active of ${n} configured)`
      : n > 0
        ? `SMTP inspection: OFF (configured in ${n} place(s), none active${open})`
        : `SMTP inspection: OFF (not configured${open})`,
  );
  for (const f of r.inspection.findings) {
    out.push(describeFinding(f));
    for (const line of f.lines.slice(0, 6)) out.push(`      | ${line.trimEnd()}`);
    if (f.lines.length > 6) out.push(`      | ... (${f.lines.length - 6} more lines)`);
    for (const w of f.warnings ?? []) out.push(`      warning: ${w}`);
  }
  const own = new Set(r.inspection.findings.flatMap((f) => (f.warnings ?? []).map((w) => `${findingPlace(f)}: ${w}`)));
  for (const w of r.warnings.filter((x) => !own.has(x))) out.push(`warning: ${w}`);
  if (r.warnings.length > 0) {
    out.push('(a warning names what the text leaves open: the answer above is what the text says; check the device)');
  }
  return `${out.join('\n')}\n`;
}

async function detectOnline(target: string, flags: DetectFlags): Promise<DetectResult> {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const log = (line: string) => {
    if (!flags.quiet && (!flags.json || line.startsWith('warning') || line.startsWith('ssh: ')))
      process.stderr.write(`${line}\n`);
  };
  const opts = await toConnectOptions(flags, target, { interactive, onLog: log });
  // The session layer (ssh2) only when a device is read: `detect --config` stays light.
  const { openSession, readDevice } = await import('../../session/index.js');
  const session = await openSession(opts);
  try {
    const reading = await readDevice(session);
    const p = reading.platform;
    // Per-context report warnings, each named by its context.
    const warnings = reading.contexts.flatMap((c) =>
      (c.report.warnings ?? []).map((w) => (c.name ? `[${c.name}] ${w}` : w)),
    );
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
      inspection: { active: reading.inspection.active, findings: reading.inspection.findings, warnings },
      source: 'device',
      warnings: allWarnings({ ...reading.inspection, warnings }),
    };
  } finally {
    await session.close();
  }
}

export function detectOffline(file: string): DetectResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `Cannot read ${file}: ${systemErrorWords(e)}`, {
      hint: 'Give the path of a saved `show running-config` (or PIX `write terminal`) output.',
    });
  }
  if (
    !/^\s*(?:hostname|ASA Version|PIX Version|FWSM Version|fixup |policy-map |class-map |service-policy |: Saved)/m.test(
      text,
    )
  ) {
    throw new MailguardError('BAD_INPUT', `${file} does not look like a PIX/ASA running-config`, {
      hint: 'Save the output of `show running-config` (ASA) or `write terminal` (PIX) and pass that file.',
    });
  }
  const { model, report } = readInspection(text, { context: null });
  const { platform, warnings } = platformFromConfig(model);
  return {
    target: file,
    platform,
    inspection: { active: report.active, findings: report.findings, warnings: report.warnings ?? [] },
    source: 'config-file',
    warnings: allWarnings(report, warnings),
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
  const configs = flags.config ?? [];
  const single = configs.length === 1 && !statSync(configs[0] as string, { throwIfNoEntry: false })?.isDirectory();
  if (configs.length > 0 && !single) {
    // Several files or a folder: the offline fleet audit, exit 10 when inspection is on anywhere (as `run` audit).
    const { detectConfigs, renderConfigsTable } = await import('./detect-configs.js');
    const all = detectConfigs(configs, detectOffline);
    process.stdout.write(flags.json ? `${JSON.stringify(all, null, 2)}\n` : renderConfigsTable(all));
    return all.counts.inspected > 0 ? ExitCode.probeInspected : ExitCode.ok;
  }
  const result = single ? detectOffline(configs[0] as string) : await detectOnline(target as string, flags);
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderHuman(result));
  return 0;
}
