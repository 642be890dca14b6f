/**
 * The fleet report as a page and as a spreadsheet: `fleetReportHtml(report)` returns one self-contained HTML
 * document (summary counts, the SVG timeline of the window, the per-device table with device side and outside
 * probe side by side, links to each device's change record); `fleetReportCsv(report)` the same table as CSV.
 * Both take only the FleetReport JSON, so a merged report (several shards) renders the same way.
 */
import { relative } from 'node:path';
import { bothTimes, cards, cell, csv, esc, fileHref, metaList, page, table, tone } from '../report/html.js';
import { describePlace, deviceSideText, MISMATCH_TEXT } from './audit.js';
import { type DeviceRecord, type FleetReport, isSuccess } from './fleet.js';
import { jobName, type MergedFleetReport, vantageText } from './merge.js';
import { budgetText, INTERRUPTED_WORDS, resultCounts } from './report.js';
import { PLAN_CSV_HEADER, planCsvCells, planHtml } from './report-plan.js';
import { timelineSvg } from './report-timeline.js';
import { formatDuration } from './window.js';

export interface FleetHtmlOptions {
  /** Folder the page is written to: links to change records are made relative to it. */
  dir?: string | null;
}

/** The HTML form of a change record written beside its Markdown (record.ts). */
export const recordHtmlPath = (markdownPath: string): string => markdownPath.replace(/\.md$/, '.html');

function resultText(d: DeviceRecord): string {
  const ok = isSuccess(d.result);
  return `${d.result}${d.canary ? ' (canary)' : ''}${ok ? '' : ` (exit ${d.exitCode})`}`;
}

function deviceCell(d: DeviceRecord): string {
  const where = `${d.transport} ${d.host}${d.port ? `:${d.port}` : ''}`;
  const id = [d.hostname, d.serial ? `SN ${d.serial}` : null].filter(Boolean).join(' · ');
  const peer = d.failoverPeer ? `<br><span class="note">failover peer ${esc(d.failoverPeer)}</span>` : '';
  // A merged report (report merge) names the job that ran the device.
  const ranBy = 'ranBy' in d ? `<br><span class="note">${esc(String(d.ranBy))}</span>` : '';
  return `<b>${esc(d.name)}</b><br><span class="note">${esc(where)}${id ? `<br>${esc(id)}` : ''}</span>${peer}${ranBy}`;
}

function deviceSideCell(d: DeviceRecord): string {
  const a = d.audit;
  const head = `<span class="${a?.device ? 'v-inspected' : a?.device === false ? 'v-clean' : 'v-unknown'}">${esc(deviceSideText(a))}</span>`;
  const places = (a?.places ?? []).map((p) => `<br><span class="note">${esc(describePlace(p))}</span>`).join('');
  return head + places;
}

function probeCell(verdict: string | null, family: string | null | undefined): string {
  if (!verdict) return '-';
  return `<span class="${tone('v', verdict)}">${esc(verdict)}</span>${family ? `<br><span class="note">${esc(family)}</span>` : ''}`;
}

function recordCell(d: DeviceRecord, dir: string | null): string {
  if (!d.reportPath) return '-';
  const html = recordHtmlPath(d.reportPath);
  return `<a href="${esc(fileHref(html, dir, relative))}">record</a> · <a href="${esc(fileHref(d.reportPath, dir, relative))}">md</a>`;
}

const probeBefore = (d: DeviceRecord) => d.audit?.probe ?? d.before;

export function fleetReportHtml(r: FleetReport, o: FleetHtmlOptions = {}): string {
  const tz = r.timeZone ?? 'UTC';
  const dir = o.dir ?? null;
  const s = r.summary;
  const a = r.audit;
  const title = `${r.dryRun ? 'Plan' : r.mode === 'audit' ? 'Audit' : 'Fleet report'}: ${r.playbook || r.mode}`;
  const body: string[] = [];
  body.push(`<h1>${esc(title)}</h1>`);
  const p = r.provenance;
  body.push(
    metaList([
      ['Change', cell(r.changeId ?? p?.changeId)],
      ['Mode', `${esc(r.mode)}${r.dryRun ? ' <b>(dry run: nothing was changed)</b>' : ''}`],
      ['Playbook', r.playbookFile ? `<code>${esc(r.playbookFile)}</code>` : null],
      ['Playbook sha256', p?.playbookSha256 ? `<code>${esc(p.playbookSha256)}</code>` : null],
      ['Inventory sha256', p?.inventorySha256 ? `<code>${esc(p.inventorySha256)}</code>` : null],
      ['Operator', p ? esc(p.operator) : null],
      ['Tool', p ? `${esc(p.tool)} ${esc(p.toolVersion)}` : null],
      ['Window', `${esc(r.window)} <span class="tz">(times below: ${esc(tz)} and UTC)</span>`],
      ['Started', bothTimes(r.startedAt, tz)],
      ['Ended', bothTimes(r.endedAt, tz)],
      [
        'Scheduling',
        esc(
          `canary ${r.canary}, ${r.concurrency} at a time, maxFailures ${r.maxFailures}; failover units never together`,
        ),
      ],
      ['Shard', r.shard ? esc(`${r.shard.index}/${r.shard.total}`) : null],
      ['Failure budget', r.budget ? esc(budgetText(r)) : null],
      ['Exit code', `<b>${esc(r.exitCode)}</b>`],
    ]),
  );
  body.push('<h2>Summary</h2>');
  body.push(
    cards([
      { label: 'devices', value: s.total },
      { label: 'done', value: s.done, tone: 'ok' },
      { label: 'nothing to do', value: s['nothing-to-do'], tone: 'ok' },
      { label: 'rolled back', value: s['rolled-back'], tone: s['rolled-back'] ? 'bad' : undefined },
      { label: 'failed', value: s.failed, tone: s.failed ? 'bad' : undefined },
      // Interrupted after `reload`: changed and saved, not verified (shown only when it happened).
      ...(s.interrupted ? [{ label: INTERRUPTED_WORDS, value: s.interrupted, tone: 'warn' as const }] : []),
      { label: 'skipped', value: s.skipped, tone: s.skipped ? 'skip' : undefined },
    ]),
  );
  if (a) {
    body.push(
      cards([
        { label: 'inspection on (device)', value: a.deviceInspected, tone: a.deviceInspected ? 'bad' : 'ok' },
        { label: 'inspected (outside probe)', value: a.probeInspected, tone: a.probeInspected ? 'bad' : 'ok' },
        { label: 'device and probe disagree', value: a.mismatches, tone: a.mismatches ? 'warn' : undefined },
        { label: 'not read', value: a.unknown, tone: a.unknown ? 'skip' : undefined },
      ]),
    );
  }
  if (r.stopped) {
    body.push(
      `<div class="stop"><b>Stopped early (${esc(r.stopped.reason)})</b> at ${bothTimes(r.stopped.at, tz)}: ${esc(r.stopped.message)}</div>`,
    );
  }
  if ('jobs' in r) body.push(...jobsSection(r as MergedFleetReport, tz));
  body.push('<h2>Timeline of the window</h2>');
  body.push(
    `<div class="legend"><span><i style="background:#2da44e"></i>done</span><span><i style="background:#8cc4a0"></i>nothing to do</span><span><i style="background:#cf222e"></i>rolled back</span><span><i style="background:#82071e"></i>failed</span>${r.summary.interrupted ? `<span><i style="background:#bf8700"></i>${INTERRUPTED_WORDS}</span>` : ''}<span><i style="border:2px solid #8250df"></i>canary</span><span>⊏ failover pair</span><span><i style="background:#54aeff"></i>devices in flight</span></div>`,
  );
  body.push(timelineSvg(r));
  body.push('<h2>Devices</h2>');
  const rows = r.devices.map((d) => [
    deviceCell(d),
    cell(d.platform),
    deviceSideCell(d),
    probeCell(probeBefore(d), d.audit?.probeFamily),
    probeCell(d.after, null),
    d.audit?.mismatch ? `<span class="mismatch">${esc(MISMATCH_TEXT[d.audit.mismatch])}</span>` : '-',
    `<span class="${tone('r', d.result)}">${esc(resultText(d))}</span>`,
    `${bothTimes(d.startedAt, tz)}${d.durationMs !== null ? `<br><span class="note">${esc(formatDuration(d.durationMs))}</span>` : ''}`,
    recordCell(d, dir),
    cell(d.message),
  ]);
  body.push(
    table(
      [
        'device',
        'platform',
        'device side',
        'probe before',
        'probe after',
        'mismatch',
        'result',
        'started',
        'change record',
        'note',
      ],
      rows,
      ' class="devices"',
    ),
  );
  body.push(...planHtml(r));
  body.push(
    `<footer>Written by ${esc(p ? `${p.tool} ${p.toolVersion}` : 'asa-mailguard')}. Self-contained: no script, nothing fetched from the network.</footer>`,
  );
  return page(title, body.join('\n'));
}

export const CSV_HEADER = [
  'device',
  'host',
  'port',
  'transport',
  'hostname',
  'serial',
  'failover_peer',
  'canary',
  'platform',
  'device_side',
  'device_places',
  'probe_before',
  'probe_family',
  'probe_after',
  'mismatch',
  'result',
  'exit_code',
  'started_utc',
  'ended_utc',
  'duration_s',
  'backup',
  'change_record',
  'note',
  ...PLAN_CSV_HEADER,
];

export function fleetReportCsv(r: FleetReport): string {
  return csv([
    CSV_HEADER,
    ...r.devices.map((d) => [
      d.name,
      d.host,
      d.port,
      d.transport,
      d.hostname,
      d.serial,
      d.failoverPeer,
      d.canary,
      d.platform,
      d.audit?.device === null || !d.audit ? '' : d.audit.device ? 'on' : 'off',
      (d.audit?.places ?? []).map(describePlace).join('; '),
      probeBefore(d),
      d.audit?.probeFamily,
      d.after,
      d.audit?.mismatch,
      d.result,
      d.exitCode,
      d.startedAt,
      d.endedAt,
      d.durationMs === null ? '' : (d.durationMs / 1000).toFixed(1),
      d.backupPath,
      d.reportPath,
      d.message,
      ...planCsvCells(d),
    ]),
  ]);
}

/** The jobs of a merged report (canary, shards), each with its vantage point. */
function jobsSection(m: MergedFleetReport, tz: string): string[] {
  const out = ['<h2>Jobs</h2>'];
  if (m.missing > 0) {
    out.push(
      `<div class="stop"><b>Incomplete</b>: ${esc(m.missing)} of ${esc(m.fleetTotal)} devices are in no report</div>`,
    );
  }
  const rows = m.jobs.map((j) => [
    esc(jobName(j)),
    esc(vantageText(j.vantage)),
    esc(j.devices),
    esc(`${resultCounts(j.summary)}; exit ${j.exitCode}`),
    bothTimes(j.startedAt, tz),
    bothTimes(j.endedAt, tz),
    j.stopped ? esc(`${j.stopped.reason}: ${j.stopped.message}`) : '-',
    esc(j.budget?.shared ? 'shared' : 'own'),
  ]);
  out.push(table(['job', 'vantage point', 'devices', 'result', 'started', 'ended', 'stopped', 'budget'], rows));
  return out;
}
