/**
 * Progress of a fleet run (`asa-mailguard run`): a listr2 tree in a terminal (fleet-listr.ts), plain lines
 * prefixed with the device name otherwise, JSON lines with --json. All three see the scheduler's FleetEvents.
 */
import type { DeviceOutcome, FleetEvent, FleetReport, FleetTarget } from '../../playbook/index.js';
import { deviceSideText, formatDuration, INTERRUPTED_WORDS, isSuccess, MISMATCH_TEXT } from '../../playbook/index.js';

export interface FleetRenderer {
  /** The header: what runs where (before any device starts). */
  start(info: FleetStartInfo): void;
  event(ev: FleetEvent): void;
  /** A warning that belongs to no device (inventory, window). */
  warn(line: string): void;
  /**
   * Text that must be seen at once (an interruption's announcement). The caller also writes it to stderr; a renderer
   * that holds stderr back while it draws (listr2 in a terminal) shows it in its drawing.
   */
  notice?(text: string): void;
  /** Write `text` at once, past any holding back, just before the process exits (a second signal). */
  lastWords?(text: string): void;
  /** Stop drawing; resolves once the terminal is free. */
  finish(): Promise<void>;
}

export interface FleetStartInfo {
  playbook: string;
  playbookFile: string;
  mode: string;
  dryRun: boolean;
  targets: readonly FleetTarget[];
  concurrency: number;
  canary: number;
  maxFailures: number | string;
  window: string;
  /** Human text such as "closes in 1h 59m" or "dry run: not enforced". */
  windowNote: string;
  shard: { index: number; total: number } | null;
  otherShards: number;
  /** A stage of a pipeline (canary, rest) or the whole run (all). */
  phase?: 'all' | 'canary' | 'rest';
  /** More header lines: where the shard came from, the failure budget. */
  notes?: string[];
}

export interface FleetRenderOptions {
  json?: boolean;
  /** Default: stdout is a terminal and CI is not set. */
  tty?: boolean;
  verbose?: boolean;
  out?: NodeJS.WritableStream;
}

export async function createFleetRenderer(o: FleetRenderOptions = {}): Promise<FleetRenderer> {
  if (o.json) return new FleetJsonRenderer(o.out);
  const tty = o.tty ?? (process.stdout.isTTY === true && !process.env.CI);
  if (tty) {
    // listr2 is loaded only for terminals.
    const { FleetListrRenderer } = await import('./fleet-listr.js');
    return new FleetListrRenderer(o);
  }
  return new FleetPlainRenderer(o);
}

export function headerLines(i: FleetStartInfo): string[] {
  const lines = [
    `${i.playbook} (${i.playbookFile})`,
    `  mode ${i.mode}${i.dryRun ? ', DRY RUN (no config command is sent)' : ''}; ${i.targets.length} device${i.targets.length === 1 ? '' : 's'}${i.shard ? ` in shard ${i.shard.index}/${i.shard.total} (${i.otherShards} in other shards)` : ''}`,
    `  canary ${i.canary}, ${i.concurrency} at a time, maxFailures ${i.maxFailures}; failover units never together`,
    `  window ${i.window}: ${i.windowNote}`,
    ...(i.phase && i.phase !== 'all' ? [`  phase ${i.phase}`] : []),
    ...(i.notes ?? []).map((n) => `  ${n}`),
  ];
  return lines;
}

const secs = (ms: number | undefined) => (ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`);

/** One line for a finished device: "done, verified (3.2 s)" or "rolled-back (exit 4): why". */
export function outcomeText(o: DeviceOutcome, dryRun: boolean): string {
  const took = secs(o.endedAt.getTime() - o.startedAt.getTime());
  const after = o.after ? `, ${o.after}` : '';
  const ok = isSuccess(o.result);
  const dry = dryRun && o.result === 'done' ? ' (dry run: plan only)' : '';
  const why = o.message ? `: ${o.errorCode && !ok ? `[${o.errorCode}] ` : ''}${o.message}` : '';
  return `${o.result}${dry}${ok ? '' : ` (exit ${o.exitCode})`}${after}${took}${why}`;
}

/** Plain lines, one per event, prefixed with the device: for logs, CI and pipes. */
export class FleetPlainRenderer implements FleetRenderer {
  private readonly out: NodeJS.WritableStream;
  private dryRun = false;

  constructor(private readonly o: FleetRenderOptions = {}) {
    this.out = o.out ?? process.stdout;
  }

  private line(s: string) {
    this.out.write(`${s}\n`);
  }

  start(i: FleetStartInfo): void {
    this.dryRun = i.dryRun;
    for (const l of headerLines(i)) this.line(l);
  }

  warn(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  event(ev: FleetEvent): void {
    switch (ev.type) {
      case 'device:start':
        this.line(`[${ev.name}] start${ev.canary ? ' (canary)' : ''}`);
        return;
      case 'device:skip':
        this.line(`[${ev.name}] skipped: ${ev.reason}`);
        return;
      case 'device:end':
        this.line(`[${ev.name}] ${outcomeText(ev.outcome, this.dryRun)}`);
        return;
      case 'fleet:stop':
        this.line(`STOP (${ev.reason}): ${ev.message}`);
        return;
      case 'device:event': {
        const e = ev.event;
        const p = `[${ev.name}]`;
        // The engine's confirm step has no meaning here (no prompt in a fleet run).
        if (e.type !== 'log' && e.step === 'confirm') return;
        if (e.type === 'step:start') {
          if (this.o.verbose) this.line(`${p} --> ${e.step}: ${e.title ?? ''}`);
        } else if (e.type === 'step:done') {
          this.line(
            e.skipped
              ? `${p}     skip ${e.step}${e.detail ? `: ${e.detail}` : ''}`
              : `${p} ok   ${e.step}${secs(e.durationMs)}${e.detail ? `: ${e.detail}` : ''}`,
          );
        } else if (e.type === 'step:failed') {
          this.line(`${p} FAIL ${e.step}: ${e.code ? `[${e.code}] ` : ''}${e.error}`);
        } else if (e.level === 'warn' || this.o.verbose || this.dryRun) {
          // Info lines (commands, backup hashes) with --verbose, or in a dry run (the plan is what it is for).
          const warn = e.level === 'warn' && !/^warning:/i.test(e.line) ? 'warning: ' : '';
          this.line(`${p}      ${warn}${e.line}`);
        }
      }
    }
  }

  async finish(): Promise<void> {}
}

/** JSON lines on stdout: one object per event with `type` and `device`; dates as ISO-8601. */
export class FleetJsonRenderer implements FleetRenderer {
  private readonly out: NodeJS.WritableStream;

  constructor(out?: NodeJS.WritableStream) {
    this.out = out ?? process.stdout;
  }

  write(obj: object): void {
    this.out.write(`${JSON.stringify(obj)}\n`);
  }

  start(i: FleetStartInfo): void {
    this.write({
      type: 'fleet:start',
      playbook: i.playbook,
      playbookFile: i.playbookFile,
      mode: i.mode,
      dryRun: i.dryRun,
      devices: i.targets.map((t) => t.name),
      concurrency: i.concurrency,
      canary: i.canary,
      maxFailures: i.maxFailures,
      window: i.window,
      shard: i.shard,
      phase: i.phase ?? 'all',
    });
  }

  warn(line: string): void {
    this.write({ type: 'warning', message: line });
  }

  event(ev: FleetEvent): void {
    switch (ev.type) {
      case 'device:event':
        this.write({ ...ev.event, device: ev.name });
        return;
      case 'device:end': {
        const o = ev.outcome;
        this.write({ type: ev.type, device: ev.name, ...o });
        return;
      }
      case 'fleet:stop':
        this.write(ev);
        return;
      default: {
        const { name, ...rest } = ev;
        this.write({ ...rest, device: name });
      }
    }
  }

  async finish(): Promise<void> {}
}

const RESULT_WORDS: Array<[keyof FleetReport['summary'], string]> = [
  ['done', 'done'],
  ['nothing-to-do', 'nothing to do'],
  ['rolled-back', 'rolled back'],
  ['failed', 'failed'],
  ['interrupted', INTERRUPTED_WORDS],
  ['skipped', 'skipped'],
];

/** `run --diff`: each device's running-config diff, in run order (planned in a dry run). */
export function fleetDiffs(r: FleetReport): string {
  const out: string[] = [];
  for (const d of r.devices) {
    if (d.diff === undefined) continue;
    out.push(
      '',
      `--- ${d.name}: ${d.diff ? (r.dryRun ? 'planned running-config diff' : 'running-config diff') : `no diff (${d.result})`}`,
    );
    if (d.diff) out.push(d.diff.trimEnd());
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** The closing summary: counts, a compact table, the report files. */
export function fleetSummary(
  r: FleetReport,
  files: { json: string; markdown: string; html?: string; csv?: string } | null,
): string {
  const s = r.summary;
  const counts = RESULT_WORDS.filter(([k]) => s[k] > 0)
    .map(([k, w]) => `${s[k]} ${w}`)
    .join(', ');
  const rows = [
    ['DEVICE', 'PLATFORM', 'ON DEVICE', 'PROBE BEFORE', 'AFTER', 'RESULT', 'TIME', 'NOTE'],
    ...r.devices.map((d) => [
      d.name,
      d.platform ?? '-',
      deviceSideText(d.audit),
      `${d.before ?? '-'}${d.audit?.mismatch ? ' (!)' : ''}`,
      d.after ?? '-',
      `${d.result}${d.canary ? '*' : ''}${isSuccess(d.result) ? '' : ` (${d.exitCode})`}`,
      d.durationMs === null ? '-' : formatDuration(d.durationMs),
      (d.message ?? (d.audit?.mismatch ? MISMATCH_TEXT[d.audit.mismatch] : '')).slice(0, 90),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const table = rows.map((row) =>
    row
      .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
  const out = [
    '',
    ...table,
    r.devices.some((d) => d.canary) ? '(* canary)' : '',
    r.devices.some((d) => d.audit?.mismatch) ? '(!) device and outside probe disagree: see NOTE' : '',
    `Result: ${s.total} devices: ${counts}${r.dryRun ? ' (dry run)' : ''}; exit ${r.exitCode}`,
  ];
  const a = r.audit;
  if (a && r.mode === 'audit') {
    out.push(
      `Audit: SMTP inspection on ${a.deviceInspected} device${a.deviceInspected === 1 ? '' : 's'} (off on ${a.deviceClean}), seen by the outside probe on ${a.probeInspected}; ${a.mismatches} mismatch${a.mismatches === 1 ? '' : 'es'}; ${a.unknown} not read`,
    );
  }
  if (r.stopped) out.push(`Stopped early (${r.stopped.reason}): ${r.stopped.message}`);
  out.push(
    files ? `Fleet report: ${files.markdown} (and ${files.json})` : 'Fleet report: NOT WRITTEN (see the error above)',
  );
  if (files?.html) out.push(`As a page: ${files.html}${files.csv ? `; as CSV: ${files.csv}` : ''}`);
  if (r.exitCode !== 0) {
    out.push(
      'Next step: read the change record of each device that did not end done (column "change record" of the report).',
    );
  }
  return `${out.filter((l, i) => l !== '' || i === 0).join('\n')}\n`;
}
