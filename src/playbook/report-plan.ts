/**
 * The implementation and back-out plan of a dry run (issue #15 §4) as sections of the fleet report: Markdown for
 * the change ticket, HTML for the page (report-html.ts), and the CSV columns. Only the report JSON goes in, so a
 * merged report renders the same way.
 */
import { cell, esc, metaList, zoned } from '../report/html.js';
import type { FleetPlan, PlanDifference } from './device-plan.js';
import type { DeviceRecord, FleetReport } from './fleet.js';

const hasPlan = (r: FleetReport) => r.plan !== undefined || r.devices.some((d) => d.plan !== undefined);

function whenText(utc: string | null, local: string | null, tz: string): string {
  if (!utc) return '-';
  return tz === 'UTC' ? zoned(utc, 'UTC') : `${zoned(local ?? utc, tz)} (${tz}) = ${zoned(utc, 'UTC')}`;
}

/** A merged plan: "differs between jobs: shard 1/2 @ a: 4; shard 2/2 @ b: 2" for the fields under `prefix`. */
function differsText(p: FleetPlan, prefix: string): string | null {
  const diffs = (p.merged?.differs ?? []).filter((d) => d.field === prefix || d.field.startsWith(`${prefix}.`));
  if (!diffs.length) return null;
  const one = (d: PlanDifference) =>
    `${d.field === prefix ? '' : `${d.field.slice(prefix.length + 1)} `}${d.values.map((v) => `${v.job}: ${v.value ?? '-'}`).join('; ')}`;
  return `DIFFERS between jobs: ${diffs.map(one).join(' | ')}`;
}

/** The scope lines (window, canary, budget, concurrency) as label/value pairs. */
function scopeRows(r: FleetReport): Array<[string, string]> {
  const p = r.plan;
  if (!p) return [];
  const w = p.window;
  const jobs = p.merged?.jobs.length ?? 1;
  const rows: Array<[string, string]> = [];
  if (p.merged) rows.push(['Merged from', `${p.merged.jobs.join('; ')} (each job planned its own devices)`]);
  const plan = differsText(p, 'plan');
  if (plan) rows.push(['Plan', plan]);
  rows.push(
    ['Devices', `${p.devices}, in this order${jobs > 1 ? ' (job by job)' : ''}: ${p.order.join(', ') || '-'}`],
    [
      'Window',
      differsText(p, 'window') ??
        `${w.text}; ${w.openNow ? 'open now' : `opens ${whenText(w.opensAt, w.opensAtLocal, w.timeZone)}`}${w.closesAt ? `, closes ${whenText(w.closesAt, w.closesAtLocal, w.timeZone)}` : ''}`,
    ],
    [
      'Canary',
      p.canaries.length
        ? `${p.canaries.join(', ')} first${jobs > 1 ? ' in their jobs' : ''}, one at a time; a canary failure stops the run`
        : 'none',
    ],
    [
      'Concurrency',
      differsText(p, 'concurrency') ??
        `${p.concurrency} at a time after the canary${jobs > 1 ? ` in each job (${jobs} jobs)` : ''}; failover units never together`,
    ],
    ['Failover pairs', p.failoverPairs.length ? p.failoverPairs.map((x) => x.join(' + ')).join('; ') : 'none'],
    [
      'Failure budget',
      differsText(p, 'failureBudget') ??
        `maxFailures ${p.failureBudget.maxFailures} (${p.failureBudget.limit} allowed${p.failureBudget.shared ? ', shared by every shard' : ''}); beyond it no new device is started`,
    ],
    [
      'Expected per device',
      differsText(p, 'expectedPerDevice') ??
        `${p.expectedPerDevice} (no device is started that would cross the end of the window)`,
    ],
  );
  return rows;
}

function status(d: DeviceRecord): string {
  const p = d.plan;
  if (!p)
    return `not read (${d.result}${d.message ? `: ${d.message}` : ''}): no plan; it will be read again in the window`;
  const n = p.contexts.reduce((sum, c) => sum + c.commands.length, 0);
  return p.nothingToDo ? 'nothing to change' : `${n} command${n === 1 ? '' : 's'}`;
}

const fence = (lang: string, lines: string[]) => [`\`\`\`${lang}`, ...lines, '```'];

function deviceMarkdown(d: DeviceRecord): string[] {
  const p = d.plan;
  const out = [
    `### ${d.name}`,
    '',
    `- Reached at: ${d.transport} ${d.host}${d.port ? `:${d.port}` : ''}; ${d.platform ?? 'platform unknown'}${d.hostname ? `; hostname ${d.hostname}` : ''}${d.serial ? `, serial ${d.serial}` : ''}`,
    `- Plan: ${status(d)}`,
  ];
  if (!p) return [...out, ''];
  if (p.notChanged.length) out.push(`- Left as is: ${p.notChanged.join('; ')}`);
  for (const c of p.contexts) {
    if (!c.commands.length) continue;
    const where = c.context ? ` (context ${c.context})` : '';
    out.push(`- Changes${where}: ${c.changes.join('; ')}`);
    for (const w of c.warnings) out.push(`- Warning${where}: ${w}`);
    out.push('', `Commands${where}, inside \`configure terminal\`:`, '', ...fence('', c.commands));
    out.push('', `Inverse${where} (the back-out, same mode):`, '', ...fence('', c.inverse));
    if (c.diff.trim())
      out.push('', `Expected running-config diff${where}:`, '', ...fence('diff', c.diff.trimEnd().split('\n')));
    out.push('');
  }
  if (!p.nothingToDo) {
    out.push('Verification:', '', ...p.verification.steps.map((x, i) => `${i + 1}. ${x}`), '');
    out.push(`Back-out (${p.backout.note}):`, '', ...fence('sh', p.backout.commands));
    out.push(`Backups of this unit go to \`${p.backout.backupFolder}\`.`);
  }
  out.push('');
  return out;
}

export function planMarkdown(r: FleetReport): string[] {
  if (!hasPlan(r)) return [];
  const out = ['## Implementation and back-out plan', ''];
  for (const [k, v] of scopeRows(r)) out.push(`- ${k}: ${v}`);
  out.push('');
  for (const d of r.devices) out.push(...deviceMarkdown(d));
  return out;
}

/** A unified diff with added and removed lines coloured (inline styles: the page has no script or external CSS). */
function diffHtml(diff: string): string {
  const lines = diff
    .trimEnd()
    .split('\n')
    .map((l) => {
      if (/^(\+\+\+|---)/.test(l)) return `<b>${esc(l)}</b>`;
      if (l.startsWith('+')) return `<span style="color:#1a7f37;background:#dafbe1">${esc(l)}</span>`;
      if (l.startsWith('-')) return `<span style="color:#cf222e;background:#ffebe9">${esc(l)}</span>`;
      return esc(l);
    });
  return `<pre>${lines.join('\n')}</pre>`;
}

/** Escaped text with Markdown's `code` spans as <code> (the steps are written once for both forms). */
const codeSpans = (text: string) => esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const pre = (lines: string[]) => `<pre>${esc(lines.join('\n'))}</pre>`;

function deviceHtml(d: DeviceRecord): string {
  const p = d.plan;
  const head = `<h3>${esc(d.name)} <span class="note">${esc(`${d.transport} ${d.host}${d.port ? `:${d.port}` : ''}`)} · ${cell(d.platform)}${d.hostname ? ` · ${esc(d.hostname)}` : ''}${d.serial ? ` · SN ${esc(d.serial)}` : ''}</span></h3>`;
  const out = [head, `<p>Plan: <b>${esc(status(d))}</b></p>`];
  if (p) {
    if (p.notChanged.length) out.push(`<p class="note">Left as is: ${esc(p.notChanged.join('; '))}</p>`);
    for (const c of p.contexts) {
      if (!c.commands.length) continue;
      const where = c.context ? ` (context ${c.context})` : '';
      out.push(`<p>Changes${esc(where)}: ${esc(c.changes.join('; '))}</p>`);
      for (const w of c.warnings) out.push(`<p class="mismatch">${esc(w)}</p>`);
      out.push(`<p>Commands${esc(where)}, inside <code>configure terminal</code>:</p>`, pre(c.commands));
      out.push(`<p>Inverse${esc(where)} (the back-out, same mode):</p>`, pre(c.inverse));
      if (c.diff.trim()) out.push(`<p>Expected running-config diff${esc(where)}:</p>`, diffHtml(c.diff));
    }
    if (!p.nothingToDo) {
      out.push(`<p>Verification:</p><ol>${p.verification.steps.map((x) => `<li>${codeSpans(x)}</li>`).join('')}</ol>`);
      out.push(`<p>Back-out (${esc(p.backout.note)}):</p>`, pre(p.backout.commands));
      out.push(`<p class="note">Backups of this unit go to <code>${esc(p.backout.backupFolder)}</code>.</p>`);
    }
  }
  // One device's plan stays on one printed page where it fits.
  return `<section style="break-inside:avoid-page">${out.join('\n')}</section>`;
}

export function planHtml(r: FleetReport): string[] {
  if (!hasPlan(r)) return [];
  return [
    '<h2>Implementation and back-out plan</h2>',
    metaList(scopeRows(r).map(([k, v]) => [k, esc(v)])),
    ...r.devices.map(deviceHtml),
  ];
}

/** CSV columns of the plan (empty cells outside a dry run): header, then one row's values. */
export const PLAN_CSV_HEADER = ['planned_commands', 'inverse_commands', 'backout_command'];

export function planCsvCells(d: DeviceRecord): string[] {
  const p = d.plan;
  if (!p) return ['', '', ''];
  const all = (k: 'commands' | 'inverse') =>
    p.contexts.flatMap((c) => c[k].map((x) => (c.context ? `[${c.context}] ${x}` : x))).join('\n');
  return [all('commands'), all('inverse'), p.backout.commands[0] ?? ''];
}
