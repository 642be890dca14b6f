/** What the wizard shows of the device, its findings and the outside probe, readable at 80 columns. Pure. */
import type { Finding, PlatformInfo } from '../platform/types.js';
import { formatReport } from '../probe/format.js';
import type { ProbeReport } from '../probe/types.js';

export function platformLines(p: PlatformInfo, fallbackHost: string): string[] {
  const failover = p.failover.enabled
    ? `on, this unit is ${p.failover.role ?? 'of unknown role'}${p.failoverUnit ? ` (${p.failoverUnit})` : ''}`
    : 'off';
  return [
    `hostname      ${p.hostname ?? fallbackHost}`,
    `platform      Cisco ${p.family.toUpperCase()} ${p.version}${p.model ? ` (${p.model})` : ''}`,
    `context mode  ${p.contextMode}`,
    `failover      ${failover}`,
  ];
}

function findingTitle(f: Finding): string {
  const ctx = f.context ? `[context ${f.context}] ` : '';
  if (f.kind === 'fixup') return `${ctx}fixup protocol smtp, port ${f.portSpec ?? f.ports.join(',')}`;
  const bound = f.binding ? `bound ${f.binding}` : 'not bound';
  return `${ctx}inspect ${f.protocol}${f.inspectMap ? ` ${f.inspectMap}` : ''}, policy-map ${f.policyMap}, class ${f.class}, ${bound}`;
}

/** Each finding with its state and the config lines that prove it. */
export function findingLines(findings: Finding[]): string[] {
  const out: string[] = [];
  findings.forEach((f, i) => {
    out.push(`${i + 1}. ${f.active ? 'ACTIVE' : 'inactive'}: ${findingTitle(f)}`);
    if (!f.active && f.inactiveReason) out.push(`   (${f.inactiveReason})`);
    if (f.inspectMapParams) {
      const m = f.inspectMapParams;
      out.push(`   esmtp map: mask-banner ${m.maskBanner ?? '?'}, allow-tls ${m.allowTls ?? '?'}`);
    }
    for (const l of f.lines.slice(0, 8)) out.push(`   | ${l.trimEnd()}`);
    if (f.lines.length > 8) out.push(`   | ... (${f.lines.length - 8} more lines)`);
  });
  return out;
}

/** The probe report as `asa-mailguard probe` prints it (verdict first, then the evidence lines as received). */
export function probeLines(report: ProbeReport): string[] {
  return formatReport(report).trimEnd().split('\n');
}
