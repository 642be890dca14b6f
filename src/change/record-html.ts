/**
 * The change record of one device as a self-contained page (the HTML form of record.ts's Markdown): who, what,
 * when (window time zone and UTC), the device's identity, findings, plan and inverse, backup checksums, outside
 * probe evidence, a bar per step on a time axis, and every command with its response.
 */
import { bothTimes, cell, esc, metaList, page, table, tone } from '../report/html.js';
import { outcomeLabel, outcomeText } from './outcome.js';
import type { ChangeResult, ProbeEvidence } from './types.js';

const pre = (text: string) => `<pre>${esc(text.trimEnd())}</pre>`;

function probeHtml(title: string, p: ProbeEvidence | undefined): string {
  if (!p) return `<h3>${esc(title)}</h3><p>Not probed (no --smtp or --domain).</p>`;
  const out = [`<h3>${esc(title)}: <span class="${tone('v', p.verdict)}">${esc(p.verdict)}</span></h3><ul>`];
  for (const r of p.probes) {
    out.push(
      `<li>${esc(`${r.address}:${r.port}`)}: ${esc(r.verdict)}${r.family ? ` (${esc(r.family)})` : ''}, confidence ${esc(r.confidence)}<ul>${r.signals
        .map((s) => `<li>${esc(s.id)}: ${s.evidence.map((e) => `<code>${esc(e)}</code>`).join(' ')}</li>`)
        .join('')}</ul></li>`,
    );
  }
  out.push('</ul>');
  const lines = p.probes.flatMap((r) =>
    r.transcript.map((e) => (e.dir === '*' ? `* ${e.text}` : `${e.dir}: ${e.text}`)),
  );
  if (lines.length) out.push(pre(lines.join('\n')));
  return out.join('\n');
}

/** One bar per step on a shared time axis. */
function stepsSvg(r: ChangeResult): string {
  const t0 = Date.parse(r.startedAt);
  const t1 = Math.max(Date.parse(r.finishedAt), t0 + 1);
  const W = 900;
  const labelW = 120;
  const plotW = W - labelW - 80;
  const rowH = 18;
  const H = r.steps.length * rowH + 10;
  const x = (t: number) => +(labelW + ((t - t0) / (t1 - t0)) * plotW).toFixed(2);
  const fill = { done: '#2da44e', failed: '#cf222e', skipped: '#afb8c1' } as const;
  const bars = r.steps.map((s, i) => {
    const start = Date.parse(s.startedAt);
    const bx = x(start);
    const bw = Math.max(2, +(x(start + s.durationMs) - bx).toFixed(2));
    const y = 4 + i * rowH;
    return `<text x="${labelW - 6}" y="${y + 12}" text-anchor="end">${esc(s.step)}</text><rect class="step" x="${bx}" y="${y + 3}" width="${bw}" height="11" fill="${fill[s.status]}"><title>${esc(s.step)}: ${esc(s.status)}, ${(s.durationMs / 1000).toFixed(1)} s</title></rect><text x="${bx + bw + 4}" y="${y + 12}" fill="#57606a">${(s.durationMs / 1000).toFixed(1)} s</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Steps over time">${bars.join('')}</svg>`;
}

export function renderRecordHtml(r: ChangeResult): string {
  const tz = r.provenance?.timeZone ?? 'UTC';
  const title = `Change record: ${r.mode === 'restore' ? 'restore SMTP inspection' : 'disable SMTP inspection'} on ${r.target}`;
  const p = r.platform;
  const pv = r.provenance;
  const b: string[] = [`<h1>${esc(title)}</h1>`];
  b.push(
    metaList([
      ['Change', cell(pv?.changeId)],
      ['Outcome', `<b>${esc(outcomeLabel(r))}</b> (exit code ${esc(r.exitCode)}): ${esc(outcomeText(r))}`],
      ['Outside verification', `<span class="${tone('v', r.verification)}">${esc(r.verification)}</span>`],
      [
        'Target',
        `<code>${esc(r.target)}</code>${r.device ? ` <span class="note">(${esc(r.device.address)})</span>` : ''}`,
      ],
      ['Hostname', cell(r.device?.hostname ?? p?.hostname)],
      ['Serial number', cell(r.device?.serial ?? p?.serial)],
      [
        'Platform',
        p
          ? esc(
              `${p.family.toUpperCase()} ${p.version}${p.model ? ` (${p.model})` : ''}, ${p.contextMode} context${p.failover.enabled ? `, failover ${p.failover.role}` : ''}`,
            )
          : null,
      ],
      ['Started', bothTimes(r.startedAt, tz)],
      ['Finished', bothTimes(r.finishedAt, tz)],
      ['Operator', pv ? esc(pv.operator) : null],
      ['Tool', pv ? esc(`${pv.tool} ${pv.toolVersion}`) : null],
      ['Playbook sha256', pv?.playbookSha256 ? `<code>${esc(pv.playbookSha256)}</code>` : null],
      ['Inventory sha256', pv?.inventorySha256 ? `<code>${esc(pv.inventorySha256)}</code>` : null],
      ['Reloaded', r.reloaded ? 'yes' : 'no'],
      ['Backup', r.backup ? `<code>${esc(r.backup.metadataPath)}</code>` : null],
    ]),
  );
  if (r.error) {
    b.push(
      `<div class="stop"><b>Error ${esc(r.error.code)}:</b> ${esc(r.error.message)}${r.error.hint ? `<br><b>Next step:</b> ${esc(r.error.hint)}` : ''}</div>`,
    );
  }
  b.push('<h2>Final state of the device</h2><ul>');
  b.push(`<li>running-config: <b>${esc(r.finalState.running)}</b></li>`);
  b.push(`<li>startup-config: <b>${esc(r.finalState.startup)}</b></li>`);
  for (const n of r.finalState.notes) b.push(`<li>${esc(n)}</li>`);
  b.push('</ul>');
  for (const [ctx, diff] of Object.entries(r.finalState.runningDiff ?? {})) {
    b.push(
      `<p>Running config now, compared with the backup${ctx && ctx !== 'device' ? ` (context ${esc(ctx)})` : ''}:</p>`,
    );
    b.push(pre(diff));
  }
  b.push('<h2>Findings before the change</h2>');
  const findings = r.inspection?.findings ?? [];
  b.push(
    findings.length === 0
      ? '<p>None.</p>'
      : table(
          ['state', 'kind', 'protocol', 'ports', 'policy-map', 'class', 'map', 'binding', 'context', 'lines'],
          findings.map((f) => [
            f.active ? '<b class="v-inspected">ACTIVE</b>' : 'inactive',
            esc(f.kind),
            esc(f.protocol),
            cell(f.ports.join(',')),
            cell(f.policyMap),
            cell(f.class),
            cell(f.inspectMap),
            cell(f.binding),
            cell(f.context),
            f.lines.map((l) => `<code>${esc(l)}</code>`).join('<br>'),
          ]),
        ),
  );
  if (r.plan) {
    b.push('<h2>Plan</h2>');
    for (const c of r.plan.contexts) {
      const where = c.context ? ` (context ${esc(c.context)})` : '';
      if (c.nothingToDo) {
        b.push(`<p>Nothing to do${where}.</p>`);
        continue;
      }
      b.push(`<h3>Commands${where}</h3>`, pre(c.commands.join('\n')));
      b.push(`<h3>Inverse (rollback)${where}</h3>`, pre(c.inverse.join('\n')));
      if (c.diff) b.push(`<h3>Expected config diff${where}</h3>`, pre(c.diff));
    }
  }
  if (r.backup) {
    b.push('<h2>Backup</h2>');
    b.push(
      table(
        ['file', 'kind', 'context', 'bytes', 'sha256'],
        r.backup.files.map((f) => [
          `<code>${esc(f.path)}</code>`,
          esc(f.kind),
          cell(f.context),
          esc(f.bytes),
          `<code>${esc(f.sha256)}</code>`,
        ]),
      ),
    );
  }
  b.push('<h2>Outside probe evidence</h2>', probeHtml('Before', r.preProbe), probeHtml('After', r.postProbe));
  b.push('<h2>Steps</h2>', stepsSvg(r));
  b.push(
    table(
      ['step', 'status', 'started', 'duration', 'note'],
      r.steps.map((s) => [
        esc(s.step),
        esc(s.status),
        bothTimes(s.startedAt, tz),
        `${(s.durationMs / 1000).toFixed(1)} s`,
        cell(s.summary),
      ]),
    ),
  );
  b.push('<h2>Commands sent and responses</h2>');
  if (r.commands.length === 0) b.push('<p>None.</p>');
  for (const c of r.commands) {
    b.push(
      `<p><code>${esc(c.command)}</code>${c.context ? ` [${esc(c.context)}]` : ''} <span class="note">(${esc(c.step)}, ${esc(c.at)}, ${c.ok ? 'ok' : 'FAILED'})</span></p>`,
    );
    if (c.response.trim()) b.push(pre(c.response));
  }
  b.push(
    `<footer>Written by ${esc(pv ? `${pv.tool} ${pv.toolVersion}` : 'asa-mailguard')}. Self-contained: no script, nothing fetched from the network.</footer>`,
  );
  return page(title, b.join('\n'));
}
