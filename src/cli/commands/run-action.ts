/**
 * What `asa-mailguard run PLAYBOOK` does (issue #7; loaded by its action, the options are declared in run.ts).
 * Validation, targets, window and scheduling live in src/playbook; this file wires them to the flags, the .env
 * file, the window gate (refuse with exit 7 or wait with a countdown), Ctrl-C, the progress renderers and the
 * fleet report.
 */

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse as parseDotenv } from 'dotenv';
import { safeName } from '../../change/backup.js';
import { makeProvenance } from '../../change/provenance.js';
import type { ChangeResult } from '../../change/types.js';
import { parseDuration, parseTimeIn, SAFETY_RELOAD_LIMITS } from '../../config/duration.js';
import { checkWritableDir } from '../../config/paths.js';
import { ExitCode, MailguardError, systemErrorWords } from '../../errors.js';
import { loadVaultSecrets, warnIfOpen } from '../../playbook/ansible-vault.js';
import {
  type CanaryResult,
  canaryResult,
  checkCanary,
  readCanaryResult,
  writeCanaryResult,
} from '../../playbook/canary.js';
import { pipelineRunId, resolveShard, type ShardChoice, vantagePoint } from '../../playbook/ci-env.js';
import { fleetPlan } from '../../playbook/device-plan.js';
import {
  budgetText,
  type DeviceRunner,
  describeWindow,
  engineDeviceRunner,
  type FailureBudgetStore,
  type FleetTarget,
  failureBudget,
  formatDuration,
  formatWarning,
  loadPlaybook,
  outsideWindowError,
  type RunConnectionFlags,
  type RunOverrides,
  type RunSettings,
  resolveFleet,
  runFleet,
  runSettings,
  type WindowSpec,
  windowState,
  writeFleetReport,
} from '../../playbook/index.js';
import { runProvenance } from '../../playbook/provenance.js';
import { SharedFailureBudget } from '../../playbook/shared-budget.js';
import { guardChange, type InterruptionJson, interruptionJson, safeWrite } from '../interrupt.js';
import { parseChangeId } from '../option-parsers.js';
import {
  createFleetRenderer,
  FleetJsonRenderer,
  type FleetRenderer,
  fleetDiffs,
  fleetSummary,
} from '../render/fleet.js';
import { promptVaultPassword } from '../vault-prompt.js';
import type { RunFlags } from './run.js';

const collectInt = (flag: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new MailguardError('USAGE', `${flag}: "${v}" is not a whole number of at least ${min}`, {
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
  warnIfOpen(path, '.env file', (line) => process.stderr.write(`${line}\n`));
  let parsed: Record<string, string>;
  try {
    parsed = parseDotenv(readFileSync(path));
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `cannot read ${path}: ${systemErrorWords(e)}`, {
      hint: 'Fix or remove the .env file.',
    });
  }
  return { ...parsed, ...env };
}

function overridesFrom(f: RunFlags): RunOverrides {
  const o: RunOverrides = {};
  if (f.changeId !== undefined) o.changeId = parseChangeId(f.changeId);
  if (f.dryRun || f.check) o.dryRun = true;
  if (f.reportDir) o.reportDir = f.reportDir;
  if (f.knownHosts) o.knownHosts = f.knownHosts;
  if (f.hostKeyPolicy) o.hostKeyPolicy = f.hostKeyPolicy;
  if (f.reload) o.reload = f.reload;
  if (f.backupDir) o.backupDir = f.backupDir;
  if (f.safetyReload !== undefined) {
    const min = parseTimeIn(f.safetyReload, '--safety-reload', 'min', { ...SAFETY_RELOAD_LIMITS, min: 0 });
    o.safetyReloadMin = min === 0 ? null : min;
  }
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

/**
 * The connection flags as given on the command line: they win over the playbook, the inventory and ssh_config
 * (the layers are resolved per host in src/playbook/host-connection.ts).
 */
function connectionFlags(f: RunFlags): RunConnectionFlags {
  const c: RunConnectionFlags = {};
  if (f.jump !== undefined) c.jump = f.jump;
  if (f.identity !== undefined) c.identity = f.identity;
  if (f.agent) c.agent = f.agent === true ? true : f.agent;
  if (f.knownHosts !== undefined) c.knownHosts = f.knownHosts;
  if (f.hostKeyPolicy) c.hostKeyPolicy = f.hostKeyPolicy;
  if (f.legacyAlgorithms) c.legacyAlgorithms = true;
  const connect = seconds('--connect-timeout', f.connectTimeout);
  if (connect !== undefined) c.connectTimeoutSec = connect / 1000;
  if (f.sshConfig !== undefined) c.sshConfig = f.sshConfig;
  return c;
}

/**
 * One transcript per device under --transcript-dir. The folder is checked here (bad input, before any device) and
 * made by the first device session that opens its transcript: a run stopped before that leaves no empty folder.
 */
function applyTranscripts(targets: FleetTarget[], f: RunFlags): void {
  if (!f.transcriptDir) return;
  checkWritableDir(f.transcriptDir, '--transcript-dir');
  for (const t of targets) {
    // Inventory names are free text: a `/` or `..` in one must not put its transcript outside the folder.
    t.connect.transcriptFile = resolve(f.transcriptDir, `${safeName(t.name)}.log`);
    t.connect.makeTranscriptFolder = true;
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

/** The pipeline stage flags: which phase, which shard (flag or job engine), the canary result to run after. */
async function stageOf(
  f: RunFlags,
  env: Record<string, string | undefined>,
  canaryCount: number,
): Promise<{ phase: 'all' | 'canary' | 'rest'; shard: ShardChoice | undefined; canary: CanaryResult | null }> {
  const phase = f.phase ?? 'all';
  if (phase === 'rest' && !f.after) {
    throw new MailguardError('USAGE', '--phase rest needs --after CANARY_RESULT', {
      hint: 'Pass the canary-result.json that `run --phase canary` wrote in this window.',
    });
  }
  if (f.after && phase !== 'rest') {
    throw new MailguardError('USAGE', '--after goes with --phase rest', { hint: 'Add --phase rest.' });
  }
  const shard = resolveShard(f.shard, env);
  if (phase === 'canary') {
    if (shard) {
      throw new MailguardError(
        'USAGE',
        `--phase canary runs in one job, but this one is shard ${shard.index}/${shard.total} (${shard.source === 'flag' ? '--shard' : shard.source})`,
        { hint: 'Run the canary as a single job (no --shard, no parallel/completions) before the sharded stage.' },
      );
    }
    if (canaryCount === 0) {
      throw new MailguardError('USAGE', '--phase canary: the playbook has canary: 0, so there is nothing to run', {
        hint: 'Set canary: N (N >= 1) in the playbook, or run without --phase.',
      });
    }
  }
  return { phase, shard, canary: f.after ? await readCanaryResult(f.after) : null };
}

/** The shared failure budget's key: one pipeline run of one playbook, inventory and change (and window). */
function budgetKey(parts: Array<string | null>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

export async function runPlaybook(file: string, f: RunFlags): Promise<number> {
  const env = loadEnv(f.dotenv);
  const lp = await loadPlaybook(file);
  const settings = runSettings(lp, overridesFrom(f));
  const stage = await stageOf(f, env, settings.canary);
  const { phase, shard } = stage;
  const shardBy = f.shardBy ?? lp.playbook.shards?.by ?? 'hash';
  const vault = await loadVaultSecrets({
    passwordFiles: f.vaultPasswordFile,
    vaultIds: f.vaultId,
    askVaultPass: f.askVaultPassword === true,
    prompt: promptVaultPassword,
    env,
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  const fleet = await resolveFleet(lp, {
    settings,
    env,
    vault,
    credentials: !f.listHosts,
    connection: connectionFlags(f),
    ...(f.inventory ? { inventoryFile: f.inventory } : {}),
    ...(f.limit !== undefined ? { limit: f.limit } : {}),
    ...(shard ? { shard, shardBy } : {}),
    ...(phase === 'canary' ? { phase: { kind: 'canary' as const, count: settings.canary } } : {}),
    ...(stage.canary ? { phase: { kind: 'rest' as const, exclude: stage.canary.devices.map((d) => d.name) } } : {}),
  });
  applyTranscripts(fleet.targets, f);
  const provenance = runProvenance(lp.file, fleet.inventory.file);
  if (stage.canary && f.after) {
    checkCanary(stage.canary, f.after, {
      ...provenance,
      changeId: settings.changeId,
      dryRun: settings.dryRun,
      window: settings.window,
      now: new Date(),
    });
  }
  const runId = stage.canary?.runId ?? pipelineRunId(env) ?? (phase === 'canary' ? randomUUID() : null);
  const vantage = {
    ...vantagePoint(env),
    shardSource: shard?.source ?? null,
    shardBy: shard ? shardBy : ('hash' as const),
    groups: fleet.shardGroups,
  };

  // Progress on stderr, the fleet summary on stdout; with --json every line is on stdout (the result stream).
  const renderer: FleetRenderer = await createFleetRenderer({
    json: f.json,
    verbose: f.verbose,
    ...(f.json ? {} : { out: process.stderr, tty: process.stderr.isTTY === true && !process.env.CI }),
  });
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
          jump: t.connect.jumpHops?.map((h) => `${h.username}@${h.host}:${h.port}`) ?? [],
          context: t.context ?? null,
          ...(f.verbose ? { sources: t.connectionSources ?? [] } : {}),
        })),
        otherShards: fleet.otherShards,
      });
    } else {
      for (const t of fleet.targets) {
        const where = `${t.connect.transport} ${t.connect.host}${t.connect.port ? `:${t.connect.port}` : ''}`;
        const via = t.connect.jumpHops?.length
          ? `  via ${t.connect.jumpHops.map((h) => `${h.username}@${h.host}:${h.port}`).join(',')}`
          : '';
        process.stdout.write(
          `${t.name}  ${where}${via}${t.failoverPeer ? `  (failover peer ${t.failoverPeer})` : ''}\n`,
        );
        if (f.verbose) for (const line of t.connectionSources ?? []) process.stdout.write(`  ${line}\n`);
      }
      if (shard) process.stdout.write(`(${fleet.otherShards.length} more in the other shards)\n`);
    }
    return ExitCode.ok;
  }

  // Ctrl-C: stop starting devices; running ones stop at their next step and roll back. Twice: leave now.
  let fleetStarted = false;
  // One interruption path (interrupt.ts): no new device is started; running devices finish their current command
  // and roll back; a second signal quits at once.
  let interruption: InterruptionJson | null = null;
  const abort = guardChange({
    what: 'the fleet run (no new device is started)',
    announce: (text, cause) => {
      interruption = interruptionJson(cause);
      // With --json the stream says it too (stdout), as soon as it is known.
      if (json) safeWrite(process.stdout, `${JSON.stringify({ type: 'interrupted', ...interruption })}\n`);
      const said = fleetStarted ? text : 'interrupted: no device was started';
      safeWrite(process.stderr, `\n${said}\n`);
      // In a terminal the progress tree holds stderr back until it is done: it draws the announcement at once.
      if (fleetStarted) renderer.notice?.(said);
    },
    // Without one (the renderer holds nothing back) the guard writes to stderr itself.
    lastWords: renderer.lastWords?.bind(renderer),
    leftBehind: () =>
      'Devices still running keep what they hold now (their change records are not written); their backups are in the backup folder.',
  });
  try {
    // Fail before any device is touched (and before a wait for the window) if the report cannot be written. Checked,
    // not created: the report writers make the folder, so a run stopped before its devices leaves no empty one.
    checkWritableDir(settings.reportDir, f.reportDir ? '--report-dir' : 'reportDir (playbook)');
    // A dry run and an audit change nothing: they may run any time (the plan is reviewed before the window).
    const enforce = !settings.dryRun && settings.mode !== 'audit';
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
      const what = settings.dryRun ? 'dry run' : 'audit';
      windowNote =
        settings.window.kind === 'always'
          ? what
          : `${what}: not enforced (${s.inside ? 'open now' : s.opensAt ? `opens at ${s.opensAt.toISOString()}` : 'does not open again'})`;
    }

    // The shared failure budget, keyed by this pipeline run (after the window wait: the window is part of the key).
    const budgetDir = f.budgetDir
      ? resolve(f.budgetDir)
      : lp.playbook.shards?.budgetDir
        ? resolve(lp.dir, lp.playbook.shards.budgetDir)
        : null;
    let budgetStore: FailureBudgetStore | undefined;
    if (budgetDir) {
      const occurrence = windowState(settings.window, new Date()).closesAt?.toISOString() ?? null;
      budgetStore = await SharedFailureBudget.open(budgetDir, {
        key: budgetKey([
          provenance.playbookSha256,
          provenance.inventorySha256,
          settings.changeId,
          runId ?? occurrence,
          settings.dryRun ? 'dry-run' : 'change',
        ]),
        maxFailures: settings.maxFailures,
        limit: failureBudget(settings.maxFailures, fleet.fleetTotal),
        fleetTotal: fleet.fleetTotal,
        shard: shard ? `shard ${shard.index}/${shard.total} on ${vantage.host}` : `${phase} on ${vantage.host}`,
      });
    }

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
      shard: shard ? { index: shard.index, total: shard.total } : null,
      otherShards: fleet.otherShards.length,
      phase,
      notes: [
        ...(shard
          ? [
              `shard ${shard.index}/${shard.total} from ${shard.source === 'flag' ? '--shard' : shard.source}, by ${shardBy}${fleet.shardGroups ? ` (${fleet.shardGroups.join(', ')})` : ''}`,
            ]
          : []),
        ...(stage.canary ? [`after the canary ${stage.canary.devices.map((d) => d.name).join(', ')} passed`] : []),
        `failure budget: ${budgetText({
          shard: shard ?? null,
          budget: {
            shared: budgetStore !== undefined,
            location: budgetStore?.location ?? null,
            limit: failureBudget(settings.maxFailures, budgetStore ? fleet.fleetTotal : fleet.targets.length),
            failures: 0,
          },
        }).replace(/: 0 failures, /, ': ')}`,
      ],
    });

    // A dry run keeps each device's record (its plan, the inverse, the expected diff) beside the fleet report.
    const planDir = join(
      settings.reportDir,
      `dry-run-${new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z')}`,
    );
    const timeZone = settings.window.kind === 'recurring' ? settings.window.timezone : 'UTC';
    // Every change record says who ran it, with which tool and ticket, from which playbook and inventory.
    const recordProvenance = {
      ...makeProvenance({ changeId: settings.changeId, timeZone }),
      playbookSha256: provenance.playbookSha256,
      inventorySha256: provenance.inventorySha256,
    };
    const base = engineDeviceRunner({
      settings,
      provenance: recordProvenance,
      ...(f.resolver ? { resolver: f.resolver } : {}),
      ...(settings.dryRun ? { reportFileFor: (t: FleetTarget) => join(planDir, safeName(t.name)) } : {}),
      ...(f.diff ? { diff: true } : {}),
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
        // The rest of a pipeline runs after its canary stage: no canary of its own.
        canary: phase === 'rest' ? 0 : settings.canary,
        maxFailures: settings.maxFailures,
        ...(budgetStore ? { budgetStore, budgetTotal: fleet.fleetTotal } : {}),
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
          shard: shard ? { index: shard.index, total: shard.total } : null,
          dryRun: settings.dryRun,
          ...provenance,
          phase,
          runId,
          fleetTotal: fleet.fleetTotal,
          vantage,
          timeZone,
          provenance: recordProvenance,
        },
      });
    } finally {
      await renderer.finish();
    }
    // The window as the playbook states it (a dry run ran with it unenforced).
    report.window = describeWindow(settings.window);
    // A dry run of a change is its implementation plan: the scope above each device's plan.
    if (settings.dryRun && settings.mode !== 'audit') report.plan = fleetPlan({ report, settings, now: new Date() });
    // The devices ran: show the result anyway if a file cannot be written, and never exit 0 without the paper trail.
    const written = async <T>(what: string, write: () => Promise<T>): Promise<T | null> => {
      try {
        return await write();
      } catch (e) {
        const msg = `error: cannot write the ${what} to ${settings.reportDir}: ${systemErrorWords(e)}`;
        if (json) json.write({ type: 'warning', message: msg });
        else process.stderr.write(`${msg}\n`);
        return null;
      }
    };
    const files = await written('fleet report', () => writeFleetReport(report, settings.reportDir));
    let canaryFile: string | null = null;
    if (phase === 'canary') {
      const c = canaryResult(report, {
        runId: runId ?? randomUUID(),
        window: settings.window,
        report: files?.json ?? null,
      });
      canaryFile = await written('canary result', () => writeCanaryResult(c, settings.reportDir));
      if (json) json.write({ type: 'canary-result', file: canaryFile, passed: c.passed, runId: c.runId });
    }
    if (json) {
      // Interrupted: the cause and, per device, how it ended and where its record is.
      const stopped = interruption
        ? {
            interrupted: {
              ...(interruption as InterruptionJson),
              devices: report.devices.map((d) => ({
                name: d.name,
                result: d.result,
                exitCode: d.exitCode,
                record: d.reportPath ?? null,
                ...recordState(d.reportPath),
              })),
            },
          }
        : {};
      json.write({ type: 'report', files, ...report, ...stopped });
    } else {
      if (f.diff) process.stdout.write(fleetDiffs(report));
      process.stdout.write(fleetSummary(report, files));
      if (phase === 'canary') {
        process.stdout.write(
          canaryFile
            ? `Canary result: ${canaryFile} (${report.exitCode === 0 ? 'passed' : 'NOT passed'}); next stage: run --phase rest --after ${canaryFile}\n`
            : 'Canary result: NOT WRITTEN (see the error above)\n',
        );
      }
    }
    if (phase === 'canary' && !canaryFile) return report.exitCode || ExitCode.failure;
    // Interrupted: the signal's own code, unless a rollback failed (a person is needed: that says more).
    const cause = abort.cause();
    if (cause && report.exitCode !== ExitCode.rollbackFailed) return cause.exitCode;
    return files || report.exitCode !== 0 ? report.exitCode : ExitCode.failure;
  } finally {
    abort.dispose();
  }
}

/** What a device's change record says it holds at the end (its JSON beside the `.md`); nulls without a record. */
function recordState(reportPath: string | null): {
  deviceState: { running: string; startup: string } | null;
  pendingReload: { at: string; minutes: number } | null;
} {
  const none = { deviceState: null, pendingReload: null };
  if (!reportPath) return none;
  try {
    const r = JSON.parse(readFileSync(reportPath.replace(/\.md$/, '.json'), 'utf8')) as ChangeResult;
    return {
      deviceState: { running: r.finalState.running, startup: r.finalState.startup },
      pendingReload: r.finalState.pendingReload ?? null,
    };
  } catch {
    return none;
  }
}
