/**
 * What `asa-mailguard run PLAYBOOK` does (issue #7; loaded by its action, the options are declared in run.ts).
 * Validation, targets, window and scheduling live in src/playbook; this file wires them to the flags, the .env
 * file, the window gate (refuse with exit 7 or wait with a countdown), Ctrl-C, the progress renderers and the
 * fleet report.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse as parseDotenv } from 'dotenv';
import { safeName } from '../../change/backup.js';
import { parseDuration } from '../../config/duration.js';
import { ensureWritableDir } from '../../config/paths.js';
import { ExitCode, MailguardError } from '../../errors.js';
import {
  type DeviceRunner,
  describeWindow,
  engineDeviceRunner,
  type FleetTarget,
  formatDuration,
  formatWarning,
  loadPlaybook,
  outsideWindowError,
  parseShard,
  type RunOverrides,
  type RunSettings,
  resolveFleet,
  runFleet,
  runSettings,
  type WindowSpec,
  windowState,
  writeFleetReport,
} from '../../playbook/index.js';
import { agentSocket, readIdentity } from '../connection-options.js';
import { createFleetRenderer, FleetJsonRenderer, type FleetRenderer, fleetSummary } from '../render/fleet.js';
import type { RunFlags } from './run.js';

const collectInt = (flag: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new MailguardError('USAGE', `${flag} takes a whole number >= ${min} (got "${v}").`, {
      hint: `For example ${flag} ${Math.max(min, 4)}.`,
    });
  }
  return n;
};

const seconds = (flag: string, v: string | undefined): number | undefined =>
  v === undefined ? undefined : parseDuration(v, flag);

/** `.env` under the process environment (the environment wins). Never copied into process.env. */
export function loadEnv(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const path = resolve(file ?? '.env');
  if (!existsSync(path)) {
    if (file) {
      throw new MailguardError('BAD_PATH', `--dotenv ${file} does not exist`, {
        hint: 'Check the path given to --dotenv.',
      });
    }
    return { ...env };
  }
  let parsed: Record<string, string>;
  try {
    parsed = parseDotenv(readFileSync(path));
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `cannot read ${path}: ${(e as Error).message}`, {
      hint: 'Fix or remove the .env file.',
    });
  }
  return { ...parsed, ...env };
}

function overridesFrom(f: RunFlags): RunOverrides {
  const o: RunOverrides = {};
  if (f.dryRun) o.dryRun = true;
  if (f.reportDir) o.reportDir = f.reportDir;
  if (f.knownHosts) o.knownHosts = f.knownHosts;
  if (f.hostKeyPolicy) o.hostKeyPolicy = f.hostKeyPolicy;
  if (f.reload) o.reload = f.reload;
  if (f.backupDir) o.backupDir = f.backupDir;
  const safety = collectInt('--safety-reload', f.safetyReload, 0);
  if (safety !== undefined) o.safetyReloadMin = safety === 0 ? null : safety;
  const conc = collectInt('--concurrency', f.concurrency, 1);
  if (conc !== undefined) o.concurrency = conc;
  const t: NonNullable<RunOverrides['timeouts']> = {};
  const set = (k: keyof typeof t, flag: string, v: string | undefined) => {
    const ms = seconds(flag, v);
    if (ms !== undefined) t[k] = ms;
  };
  set('connectMs', '--connect-timeout', f.connectTimeout);
  set('loginMs', '--login-timeout', f.loginTimeout);
  set('commandMs', '--command-timeout', f.commandTimeout);
  set('saveMs', '--save-timeout', f.saveTimeout);
  set('reloadMs', '--reload-timeout', f.reloadTimeout);
  if (Object.keys(t).length > 0) o.timeouts = t;
  return o;
}

/** Connection flags that apply to every target (key, agent, jump host, legacy algorithms, transcripts). */
async function applyConnectionFlags(
  targets: FleetTarget[],
  f: RunFlags,
  env: Record<string, string | undefined>,
): Promise<void> {
  const key = f.identity ? readIdentity(f.identity) : undefined;
  const agent = agentSocket(f.agent, env);
  if (f.transcriptDir) ensureWritableDir(f.transcriptDir, '--transcript-dir');
  for (const t of targets) {
    const c = t.connect;
    // Inventory names are free text: a `/` or `..` in one must not put its transcript outside the folder.
    if (f.transcriptDir) c.transcriptFile = resolve(f.transcriptDir, `${safeName(t.name)}.log`);
    if (c.transport !== 'ssh') continue;
    if (key && c.privateKey === undefined) {
      c.privateKey = key;
      if (c.passphrase === undefined && env.ASA_PASSPHRASE) c.passphrase = env.ASA_PASSPHRASE;
    }
    if (agent) c.agent = agent;
    if (f.jump) c.jump = f.jump;
    if (f.legacyAlgorithms) c.legacyAlgorithms = true;
  }
}

type Gate = { ok: true; closesAt: Date | null } | { ok: false; opensAt: Date | null; error: MailguardError };

/** May the fleet start at `now`? Inside the window with room for one device (its expected time). */
export function windowGate(w: WindowSpec, now: Date, needMs: number): Gate {
  const s = windowState(w, now);
  if (!s.inside) return { ok: false, opensAt: s.opensAt, error: outsideWindowError(w, now) };
  if (!s.closesAt || now.getTime() + needMs <= s.closesAt.getTime()) return { ok: true, closesAt: s.closesAt };
  const next = windowState(w, s.closesAt);
  const when = next.opensAt ? `the next one opens at ${next.opensAt.toISOString()}` : 'it does not open again';
  return {
    ok: false,
    opensAt: next.opensAt,
    error: new MailguardError(
      'OUTSIDE_WINDOW',
      `too late in the change window (${describeWindow(w)}): it closes at ${s.closesAt.toISOString()} (in ${formatDuration(s.remainingMs)}) and a device may take ${formatDuration(needMs)} (reload timeout included); ${when}`,
      {
        hint: next.opensAt
          ? 'Run again in the next window, or add --wait-for-window to wait for it.'
          : 'Update the window in the playbook, or lower options.expectedDurationSec / timeouts.reloadSec if devices are faster.',
        details: { window: describeWindow(w), closesAt: s.closesAt.toISOString(), needMs },
      },
    ),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => {
    throw new MailguardError('INTERRUPTED', 'interrupted while waiting for the change window');
  });
}

/** Wait (with a countdown) until the gate opens; throws OUTSIDE_WINDOW when it never will. */
async function waitForGate(s: RunSettings, signal: AbortSignal, json: FleetJsonRenderer | null): Promise<void> {
  const tty = !json && process.stderr.isTTY === true;
  let last = 0;
  for (;;) {
    const now = new Date();
    const g = windowGate(s.window, now, s.expectedDurationMs);
    if (g.ok) break;
    if (!g.opensAt) throw g.error;
    const left = g.opensAt.getTime() - now.getTime();
    const text = `waiting for the change window (${describeWindow(s.window)}): opens at ${g.opensAt.toISOString()}, in ${formatDuration(left)}`;
    if (json) {
      if (now.getTime() - last >= 60_000 || last === 0) {
        json.write({ type: 'window:wait', opensAt: g.opensAt.toISOString(), remainingMs: left });
        last = now.getTime();
      }
    } else if (tty) {
      process.stderr.write(`\r\x1b[K${text} (Ctrl-C to give up)`);
    } else if (now.getTime() - last >= 60_000 || last === 0) {
      process.stderr.write(`${text}\n`);
      last = now.getTime();
    }
    // Short ticks keep the countdown live and the start on time (+ a few ms so the window is open when we wake).
    await sleep(Math.min(Math.max(left, 0) + 5, 1000), signal);
  }
  if (tty) process.stderr.write('\r\x1b[K');
}

export async function runPlaybook(file: string, f: RunFlags): Promise<number> {
  const env = loadEnv(f.dotenv);
  const lp = await loadPlaybook(file);
  const settings = runSettings(lp, overridesFrom(f));
  const shard = f.shard !== undefined ? parseShard(f.shard) : undefined;
  const fleet = await resolveFleet(lp, {
    settings,
    env,
    ...(f.inventory ? { inventoryFile: f.inventory } : {}),
    ...(f.limit !== undefined ? { limit: f.limit } : {}),
    ...(shard ? { shard } : {}),
  });
  await applyConnectionFlags(fleet.targets, f, env);

  const renderer: FleetRenderer = await createFleetRenderer({ json: f.json, verbose: f.verbose });
  const json = renderer instanceof FleetJsonRenderer ? renderer : null;
  // Plain-text secrets in the inventory: accepted with a warning (a few shown; all with --verbose).
  const shown = f.verbose ? fleet.warnings : fleet.warnings.slice(0, 3);
  for (const w of shown) renderer.warn(formatWarning(w));
  if (shown.length < fleet.warnings.length) {
    renderer.warn(
      `warning: ${fleet.warnings.length - shown.length} more plain-text secrets in ${fleet.inventory.file} (--verbose lists them); prefer environment variable references`,
    );
  }

  if (f.listHosts) {
    if (json) {
      json.write({
        type: 'hosts',
        hosts: fleet.targets.map((t) => ({
          name: t.name,
          host: t.connect.host,
          port: t.connect.port ?? null,
          transport: t.connect.transport,
          failoverPeer: t.failoverPeer,
        })),
        otherShards: fleet.otherShards,
      });
    } else {
      for (const t of fleet.targets) {
        const where = `${t.connect.transport} ${t.connect.host}${t.connect.port ? `:${t.connect.port}` : ''}`;
        process.stdout.write(`${t.name}  ${where}${t.failoverPeer ? `  (failover peer ${t.failoverPeer})` : ''}\n`);
      }
      if (shard) process.stdout.write(`(${fleet.otherShards.length} more in the other shards)\n`);
    }
    return ExitCode.ok;
  }

  // Ctrl-C: stop starting devices; running ones stop at their next step and roll back. Twice: leave now.
  const abort = new AbortController();
  let interrupts = 0;
  let fleetStarted = false;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    process.stderr.write(
      fleetStarted
        ? '\ninterrupted: no new device is started; running devices stop at their next step and roll back (Ctrl-C again to quit now)\n'
        : '\ninterrupted: no device was started\n',
    );
    abort.abort(new MailguardError('INTERRUPTED', 'Interrupted by the operator.', { hint: 'Read the fleet report.' }));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    // A dry run changes nothing: it may run any time so the plan can be reviewed before the window.
    const enforce = !settings.dryRun;
    let windowNote: string;
    if (enforce) {
      const g = windowGate(settings.window, new Date(), settings.expectedDurationMs);
      if (!g.ok) {
        if (!f.waitForWindow || !g.opensAt) throw g.error;
        await waitForGate(settings, abort.signal, json);
      }
      const s = windowState(settings.window, new Date());
      windowNote = s.closesAt
        ? `open, closes at ${s.closesAt.toISOString()} (in ${formatDuration(s.remainingMs)}); a device may take ${formatDuration(settings.expectedDurationMs)}`
        : 'open';
    } else {
      const s = windowState(settings.window, new Date());
      windowNote =
        settings.window.kind === 'always'
          ? 'dry run'
          : `dry run: not enforced (${s.inside ? 'open now' : s.opensAt ? `opens at ${s.opensAt.toISOString()}` : 'does not open again'})`;
    }

    // Fail before any device is touched if the report cannot be written.
    ensureWritableDir(settings.reportDir, f.reportDir ? '--report-dir' : 'reportDir (playbook)');

    fleetStarted = true;
    renderer.start({
      playbook: settings.name,
      playbookFile: lp.file,
      mode: settings.mode,
      dryRun: settings.dryRun,
      targets: fleet.targets,
      concurrency: settings.concurrency,
      canary: settings.canary,
      maxFailures: settings.maxFailures,
      window: describeWindow(settings.window),
      windowNote,
      shard: shard ?? null,
      otherShards: fleet.otherShards.length,
    });

    // A dry run keeps each device's record (its plan, the inverse, the expected diff) beside the fleet report.
    const planDir = join(
      settings.reportDir,
      `dry-run-${new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')}`,
    );
    const base = engineDeviceRunner({
      settings,
      ...(f.resolver ? { resolver: f.resolver } : {}),
      ...(settings.dryRun ? { reportFileFor: (t: FleetTarget) => join(planDir, safeName(t.name)) } : {}),
    });
    // The transport's own warnings (telnet in clear text, host key not checked) reach the device's progress once.
    const runner: DeviceRunner = (t, signal, emit) => {
      const seen = new Set<string>();
      const onLog = (line: string) => {
        if (!/^warning:/i.test(line) || seen.has(line)) return;
        seen.add(line);
        emit({ type: 'log', line, level: 'warn' });
      };
      return base({ ...t, connect: { ...t.connect, onLog } }, signal, emit);
    };
    let report: Awaited<ReturnType<typeof runFleet>>;
    try {
      report = await runFleet(fleet.targets, runner, {
        concurrency: settings.concurrency,
        canary: settings.canary,
        maxFailures: settings.maxFailures,
        window: enforce ? settings.window : { kind: 'always' },
        now: () => new Date(),
        expectedDurationMs: settings.expectedDurationMs,
        signal: abort.signal,
        onEvent: (ev) => renderer.event(ev),
        meta: {
          playbook: settings.name,
          playbookFile: lp.file,
          mode: settings.mode,
          changeId: settings.changeId,
          shard: shard ?? null,
          dryRun: settings.dryRun,
        },
      });
    } finally {
      await renderer.finish();
    }
    // The window as the playbook states it (a dry run ran with it unenforced).
    report.window = describeWindow(settings.window);
    let files: { json: string; markdown: string } | null = null;
    try {
      files = await writeFleetReport(report, settings.reportDir);
    } catch (e) {
      // The devices ran: show the result anyway, and never exit 0 without the paper trail.
      const msg = `error: cannot write the fleet report to ${settings.reportDir}: ${(e as Error).message}`;
      if (json) json.write({ type: 'warning', message: msg });
      else process.stderr.write(`${msg}\n`);
    }
    if (json) json.write({ type: 'report', files, ...report });
    else process.stdout.write(fleetSummary(report, files));
    return files || report.exitCode !== 0 ? report.exitCode : ExitCode.failure;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
