/** Human output of a probe report: the verdict first, then each address with its evidence lines exactly as received. */
import type { ProbeReport, ProbeResult } from './types.js';

const VERDICT_TEXT: Record<ProbeReport['verdict'], string> = {
  inspected: 'SMTP inspection is active on the path (the firewall rewrites the mail server)',
  clean: 'no SMTP inspection seen: the mail server answers itself',
  'other-proxy': 'another SMTP proxy answers (not Cisco inspection)',
  inconclusive: 'not enough evidence either way',
  unreachable: 'no SMTP server could be talked to',
};

/**
 * Evidence is printed as received, except control characters (a hostile banner could carry terminal escapes), which
 * show as \xNN. The JSON output keeps the exact text.
 */
const printable = (line: string) =>
  line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

function describe(p: ProbeResult): string {
  const where = p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
  const from =
    p.host && p.host !== p.address ? ` (${p.host}${p.preference !== undefined ? `, MX ${p.preference}` : ''})` : '';
  const family = p.family ? ` ${p.family}` : '';
  return `${where}${from}: ${p.verdict}${family}, ${p.confidence} confidence`;
}

export function formatReport(report: ProbeReport): string {
  const out: string[] = [`verdict: ${report.verdict} - ${VERDICT_TEXT[report.verdict]}`];
  if (report.change) out.push(`change: ${report.change}${report.changeReason ? ` - ${report.changeReason}` : ''}`);
  for (const p of report.probes) {
    out.push('', describe(p));
    for (const s of p.signals) {
      out.push(`  [${s.id}] ${s.meaning}`);
      for (const line of s.evidence) out.push(`      ${printable(line)}`);
    }
    if (p.tls) out.push(`  STARTTLS: ${p.tls.negotiated ? 'TLS negotiated' : 'no TLS'} (${p.tls.detail})`);
    const t = p.timings;
    out.push(`  timings: connect ${t.connectMs ?? '-'} ms, greeting ${t.greetingMs ?? '-'} ms, total ${t.totalMs} ms`);
  }
  return `${out.join('\n')}\n`;
}
