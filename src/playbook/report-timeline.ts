/**
 * The change window as an SVG timeline: one bar per device over time (the span it held a slot), the canary
 * outlined, failover units on adjacent rows joined by a bracket (their bars visibly never overlap), a lower panel
 * with the number of devices in flight against the concurrency limit, and the stop point when the run stopped
 * early. Pure string building; coordinates are plain numbers so a test can check them.
 */
import { esc, zoned } from '../report/html.js';
import type { DeviceRecord, FleetReport } from './fleet.js';

/** Report order, but each failover unit right after its peer. */
export function timelineOrder(devices: readonly DeviceRecord[]): DeviceRecord[] {
  const byName = new Map(devices.map((d) => [d.name, d]));
  const seen = new Set<string>();
  const out: DeviceRecord[] = [];
  for (const d of devices) {
    if (seen.has(d.name)) continue;
    out.push(d);
    seen.add(d.name);
    const peer = d.failoverPeer ? byName.get(d.failoverPeer) : undefined;
    if (peer && !seen.has(peer.name)) {
      out.push(peer);
      seen.add(peer.name);
    }
  }
  return out;
}

const FILL: Record<DeviceRecord['result'], string> = {
  done: '#2da44e',
  'nothing-to-do': '#8cc4a0',
  'rolled-back': '#cf222e',
  failed: '#82071e',
  // Changed and saved, not verified: neither good nor a failure.
  interrupted: '#bf8700',
  skipped: '#afb8c1',
};

const STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400].map(
  (s) => s * 1000,
);

const ms = (s: string | null) => (s ? Date.parse(s) : Number.NaN);

export function timelineSvg(r: FleetReport): string {
  const rows = timelineOrder(r.devices);
  const tz = r.timeZone ?? 'UTC';
  const W = 1000;
  const labelW = 180;
  const plotW = W - labelW - 90;
  const rowH = 20;
  const barH = 12;
  const top = 30;
  const starts = rows.map((d) => ms(d.startedAt)).filter(Number.isFinite);
  const ends = rows.map((d) => ms(d.endedAt)).filter(Number.isFinite);
  const t0 = Math.min(ms(r.startedAt), ...starts);
  const t1 = Math.max(ms(r.endedAt), ...ends, r.stopped ? ms(r.stopped.at) : Number.NEGATIVE_INFINITY, t0 + 1000);
  const span = t1 - t0;
  const x = (t: number) => +(labelW + ((t - t0) / span) * plotW).toFixed(2);
  const step = STEPS_MS.find((s) => span / s <= 8) ?? 86_400_000;
  const tickFmt = (t: number) => {
    const z = zoned(new Date(t), tz);
    return step >= 60_000 ? z.slice(11, 16) : z.slice(11, 19);
  };
  const rowsH = rows.length * rowH;
  const panelTop = top + rowsH + 36;
  const panelH = 70;
  const H = panelTop + panelH + 30;
  const out: string[] = [];
  out.push(
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Timeline of the change window: one bar per device">`,
  );
  // Grid and time axis (top), in the window's time zone.
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const gx = x(t);
    out.push(
      `<line class="grid" x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${panelTop + panelH}" stroke="#eaeef2"/>`,
      `<text x="${gx}" y="${top - 10}" text-anchor="middle">${esc(tickFmt(t))}</text>`,
    );
  }
  out.push(
    `<text x="${labelW + plotW}" y="12" text-anchor="end" class="axis-zone">${esc(tz === 'UTC' ? 'UTC' : `${tz} time`)}</text>`,
  );
  rows.forEach((d, i) => {
    const y = top + i * rowH;
    const cy = y + rowH / 2;
    if (i % 2 === 1) out.push(`<rect x="0" y="${y}" width="${W}" height="${rowH}" fill="#f6f8fa"/>`);
    out.push(
      `<text x="${labelW - 14}" y="${cy + 4}" text-anchor="end">${esc(d.name)}${d.canary ? ' (canary)' : ''}</text>`,
    );
    const s = ms(d.startedAt);
    const e = ms(d.endedAt);
    if (!Number.isFinite(s) || !Number.isFinite(e)) {
      out.push(
        `<text class="not-started" x="${labelW + 4}" y="${cy + 4}" fill="#6e7781">not started${d.skipReason ? ` (${esc(d.skipReason)})` : ''}</text>`,
      );
      return;
    }
    const bx = x(s);
    const bw = Math.max(2, +(x(e) - bx).toFixed(2));
    const canary = d.canary ? ` stroke="#8250df" stroke-width="2.5"` : '';
    out.push(
      `<rect class="bar r-${d.result}${d.canary ? ' canary' : ''}" data-device="${esc(d.name)}" data-start="${esc(d.startedAt)}" data-end="${esc(d.endedAt)}" x="${bx}" y="${y + (rowH - barH) / 2}" width="${bw}" height="${barH}" rx="2" fill="${FILL[d.result]}"${canary}><title>${esc(d.name)}: ${esc(d.result)}, ${esc(zoned(d.startedAt, tz))} to ${esc(zoned(d.endedAt, tz))}</title></rect>`,
    );
    if (d.canary) out.push(`<text x="${bx + bw + 4}" y="${cy + 4}" fill="#8250df">canary</text>`);
  });
  // Failover pairs: a bracket joining the two adjacent rows.
  rows.forEach((d, i) => {
    const next = rows[i + 1];
    if (!next || d.failoverPeer !== next.name) return;
    const y1 = top + i * rowH + rowH / 2;
    const y2 = y1 + rowH;
    const bx = labelW - 8;
    out.push(
      `<path class="pair" data-pair="${esc(d.name)} ${esc(next.name)}" d="M${bx + 4} ${y1} H${bx} V${y2} H${bx + 4}" fill="none" stroke="#57606a" stroke-width="1.5"><title>failover pair: never in flight together</title></path>`,
    );
  });
  // Devices in flight over time, against the concurrency limit.
  const evs: Array<[number, number]> = [];
  for (const d of rows) {
    const s = ms(d.startedAt);
    const e = ms(d.endedAt);
    if (Number.isFinite(s) && Number.isFinite(e)) evs.push([s, 1], [e, -1]);
  }
  evs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let peak = 0;
  const pts: Array<[number, number]> = [[t0, 0]];
  for (const [t, dn] of evs) {
    pts.push([t, n]);
    n += dn;
    peak = Math.max(peak, n);
    pts.push([t, n]);
  }
  pts.push([t1, n]);
  const cmax = Math.max(r.concurrency, peak, 1);
  const py = (v: number) => +(panelTop + panelH - (v / cmax) * panelH).toFixed(2);
  out.push(
    `<text x="${labelW - 14}" y="${panelTop + panelH / 2}" text-anchor="end">in flight</text>`,
    `<text x="${labelW - 14}" y="${panelTop + panelH / 2 + 14}" text-anchor="end" fill="#57606a">peak ${peak}</text>`,
    `<line x1="${labelW}" y1="${panelTop + panelH}" x2="${labelW + plotW}" y2="${panelTop + panelH}" stroke="#8c959f"/>`,
    `<path class="inflight" d="M${pts.map(([t, v]) => `${x(t)} ${py(v)}`).join(' L')} L${x(t1)} ${py(0)} Z" fill="#54aeff" fill-opacity="0.35" stroke="#0969da" stroke-width="1"/>`,
    `<line class="limit" x1="${labelW}" y1="${py(r.concurrency)}" x2="${labelW + plotW}" y2="${py(r.concurrency)}" stroke="#9a6700" stroke-dasharray="4 3"/>`,
    `<text x="${labelW + plotW + 4}" y="${py(r.concurrency) + 4}" fill="#9a6700">limit ${r.concurrency}</text>`,
  );
  if (r.stopped) {
    const sx = x(ms(r.stopped.at));
    out.push(
      `<line class="stop-line" x1="${sx}" y1="${top - 4}" x2="${sx}" y2="${panelTop + panelH}" stroke="#cf222e" stroke-width="2" stroke-dasharray="6 3"/>`,
      `<text x="${sx + 4}" y="${panelTop + panelH + 18}" fill="#cf222e">stopped: ${esc(r.stopped.reason)}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
