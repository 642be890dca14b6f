/**
 * Shared pieces of the self-contained HTML reports (fleet report, change record, plan): escaping, the page shell
 * with inline CSS (no script, no external resource: the page opens offline and prints on paper), and times shown
 * in a zone and in UTC. Hand-written: a template engine would add a dependency for a few string joins.
 */
import { isoInZone } from '../time-zone.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A cell's text, `-` when empty. */
export const cell = (v: unknown): string => (v === null || v === undefined || v === '' ? '-' : esc(v));

/** `2026-11-28 23:20:01 +01:00` in `tz` (the offset says which wall clock it is). */
export function zoned(at: string | Date | null | undefined, tz: string): string {
  if (!at) return '-';
  const iso = isoInZone(at, tz);
  return iso.replace('T', ' ').replace(/(Z|[+-]\d\d:\d\d)$/, (m) => (m === 'Z' ? ' UTC' : ` ${m}`));
}

/** Two lines: the zone's wall time, then UTC (one line when the zone is UTC). */
export function bothTimes(at: string | Date | null | undefined, tz: string): string {
  if (!at) return '-';
  const utc = zoned(at, 'UTC');
  if (tz === 'UTC') return esc(utc);
  return `${esc(zoned(at, tz))} <span class="tz">${esc(tz)}</span><br><span class="utc">${esc(utc)}</span>`;
}

const CSS = `
:root { --ok:#1a7f37; --warn:#9a6700; --bad:#cf222e; --skip:#6e7781; --line:#d0d7de; --muted:#57606a; --canary:#8250df; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color:#1f2328; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
.meta dt { color: var(--muted); } .meta dd { margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 110px; }
.card b { display: block; font-size: 22px; } .card span { color: var(--muted); font-size: 12px; }
.card.ok b { color: var(--ok); } .card.bad b { color: var(--bad); } .card.warn b { color: var(--warn); } .card.skip b { color: var(--skip); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tr { break-inside: avoid; }
.r-done, .r-nothing-to-do, .v-clean, .v-verified { color: var(--ok); }
.r-rolled-back, .r-failed, .v-inspected, .v-not-verified { color: var(--bad); font-weight: 600; }
.r-interrupted { color: var(--warn); font-weight: 600; }
.r-skipped, .v-unknown { color: var(--skip); }
.mismatch { color: var(--warn); font-weight: 600; }
.stop { border: 2px solid var(--bad); border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.tz, .utc, .note { color: var(--muted); font-size: 12px; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
code { font-size: 12px; }
svg { max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #1f2328; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--muted); margin: 4px 0; }
.legend i { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  .timeline, .stop, .cards { break-inside: avoid; }
  th { background: none; }
}
`;

/** The page: a title, inline CSS, the body. No script and no external resource. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A `<dl>` of label/value pairs (values already HTML). */
export function metaList(rows: Array<[string, string | null | undefined]>): string {
  const items = rows
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`)
    .join('\n');
  return `<dl class="meta">\n${items}\n</dl>`;
}

export function cards(items: Array<{ label: string; value: number | string; tone?: 'ok' | 'bad' | 'warn' | 'skip' }>) {
  return `<div class="cards">${items
    .map(
      (c) => `<div class="card${c.tone ? ` ${c.tone}` : ''}"><b>${esc(c.value)}</b><span>${esc(c.label)}</span></div>`,
    )
    .join('')}</div>`;
}

/** A class name for a verdict or result word (`v-inspected`, `r-done`). */
export const tone = (prefix: 'v' | 'r', word: string | null | undefined): string =>
  word ? `${prefix}-${word.replace(/[^a-z-]/gi, '').toLowerCase()}` : '';

/** `<table>` from a header and rows of HTML cells. */
export function table(head: string[], rows: string[][], attrs = ''): string {
  return `<table${attrs}>\n<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('\n')}\n</tbody>\n</table>`;
}

/** A link from a report in `fromDir` to `target` (relative when both are local paths). */
export function fileHref(target: string, fromDir: string | null, relative: (from: string, to: string) => string) {
  const rel = fromDir ? relative(fromDir, target) : target;
  return rel
    .split(/[\\/]/)
    .map((p) => encodeURIComponent(p))
    .join('/');
}

/** RFC 4180 CSV: quote fields with `,` `"` or newlines; a leading = + @ is prefixed with ' (spreadsheet formulas). */
export function csv(rows: Array<Array<string | number | boolean | null | undefined>>): string {
  const field = (v: string | number | boolean | null | undefined): string => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${rows.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}
