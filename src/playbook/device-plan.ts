/**
 * The implementation and back-out plan of one device (issue #15 §4), as `run --dry-run` writes it into the fleet
 * report: from what the dry run read on the live device (the engine's plan: commands, their exact inverse, the
 * expected diff), how the change is verified (what is re-read, which SMTP endpoint is probed from outside) and the
 * command that backs it out; above them the scope (devices, window, canary, failure budget, concurrency). Also the
 * per-device config diff of `run --diff` (issue #14 §5). No I/O here.
 */
import { resolve } from 'node:path';
import { deviceAddress, deviceFolderName } from '../change/device-folder.js';
import { findingKey } from '../change/plan.js';
import { redactSecrets } from '../change/redact.js';
import type { ChangeResult } from '../change/types.js';
import type { Finding } from '../platform/types.js';
import { isoInZone } from '../time-zone.js';
import { describePlace, placeOf } from './audit.js';
import type { FleetReport, FleetTarget } from './fleet.js';
import type { RunSettings } from './playbook.js';
import { describeWindow, formatDuration, windowState } from './window.js';

export interface DevicePlanContext {
  /** Multiple-context mode: the context; null on a single-context unit. */
  context: string | null;
  /** The places the commands change (e.g. "fixup smtp 25", "inspect esmtp in global_policy/inspection_default"). */
  changes: string[];
  /** Typed inside `configure terminal`, in this order. */
  commands: string[];
  /** Undoes the commands exactly (each step's inverse, steps in reverse order). */
  inverse: string[];
  /** Unified diff of the running config, before and as expected afterwards (volatile lines left out). */
  diff: string;
  warnings: string[];
}

export interface DevicePlan {
  /** `disable`: take SMTP inspection off; `restore`: put back a backup's (a rollback playbook). */
  mode: 'disable' | 'restore';
  /** CLI dialect the commands are written in (pix6, asa7, asa8, asa9). */
  dialect: string;
  nothingToDo: boolean;
  contexts: DevicePlanContext[];
  /** Places found but left alone (an inspect in a policy-map that is not bound). */
  notChanged: string[];
  verification: {
    /** Steps after the commands, in order, in words. */
    steps: string[];
    /** SMTP endpoints probed from outside before and after (`host:port`), or `MX of DOMAIN`; empty: none. */
    probe: string[];
    rollbackOnVerifyFailure: boolean;
    reload: RunSettings['reload'];
    safetyReloadMin: number | null;
  };
  backout: {
    /** Shell commands (either one) that put the device back once the change has written its backup. */
    commands: string[];
    /** Where the change will file the backup (per unit: hostname and serial). */
    backupFolder: string;
    /** The config commands the back-out sends: the inverse above. */
    note: string;
  };
}

/** The outside probe targets of a device, as the plan names them. */
function probeTargets(t: FleetTarget): string[] {
  const out = (t.probe?.smtp ?? []).map((e) =>
    e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`,
  );
  if (t.probe?.domain) out.push(`MX of ${t.probe.domain}`);
  return out;
}

/** A word for a shell: quoted when it holds anything but safe characters. */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `rollback` arguments that reach the device as the run did (never a secret: those come from the environment). */
function rollbackArgs(t: FleetTarget, s: RunSettings): string[] {
  const c = t.connect;
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  const target = `${c.username ? `${c.username}@` : ''}${host}${c.port ? `:${c.port}` : ''}`;
  const args = [target];
  if (c.transport !== 'ssh') args.push('--transport', c.transport);
  if (c.knownHostsFile) args.push('--known-hosts', c.knownHostsFile);
  if (c.hostKeyPolicy && c.hostKeyPolicy !== 'strict') args.push('--host-key-policy', c.hostKeyPolicy);
  if (c.legacyAlgorithms) args.push('--legacy-algorithms');
  const hops = c.jumpHops?.map((h) => `${h.username}@${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`);
  if (c.jump) args.push('--jump', c.jump);
  else if (hops?.length) args.push('--jump', hops.join(','));
  // The key's content reached the target, not its path: the run's key file is named by its place (placeholder).
  if (c.privateKey !== undefined) args.push('--identity', '<the key file of the run>');
  if (s.context) args.push('--context', s.context);
  for (const e of t.probe?.smtp ?? []) args.push('--smtp', `${e.host}:${e.port}`);
  return args;
}

function verificationSteps(r: ChangeResult, s: RunSettings, probe: string[]): string[] {
  const restore = r.plan?.mode === 'restore';
  const ctx = (r.plan?.contexts ?? []).filter((c) => !c.nothingToDo).map((c) => c.context ?? 'the device');
  const steps = [
    `back up running and startup config of ${ctx.join(', ') || 'the device'} before the first command`,
    `re-read \`show running-config\` of ${ctx.join(', ') || 'the device'}: ${restore ? "the backup's SMTP inspection must be back" : 'no active SMTP inspection may remain'} (else the inverse is sent at once)`,
    '`write memory` must answer [OK] (else the inverse is sent)',
  ];
  if (s.safetyReloadMin) {
    steps.splice(
      1,
      0,
      r.platform?.family === 'pix'
        ? 'no safety reload: PIX 6.x has no `reload in`, the inverse commands are the rollback'
        : `\`reload in ${s.safetyReloadMin}\` before the commands (the device comes back on its startup config if the session is lost), cancelled once saved`,
    );
  }
  if (!restore && s.reload !== 'never') {
    steps.push(
      s.reload === 'after-save'
        ? 'reload the device and wait for it to come back (the change must survive the reload)'
        : probe.length
          ? 'reload only if the outside probe still sees the inspection after the save, then wait for the device'
          : 'no reload (if-needed without a probe target cannot tell)',
    );
  }
  if (probe.length) {
    const expect = restore
      ? 'shows the inspection again'
      : 'no longer shows the inspection (masked banner, missing EHLO features)';
    steps.push(
      `outside probe from this machine to ${probe.join(', ')} (SMTP greeting and EHLO): ${expect}; ${s.rollbackOnVerifyFailure === false ? 'kept when not (rollbackOnVerifyFailure false), exit 5' : 'rolled back when not'}`,
    );
  } else {
    steps.push('no outside probe (no smtp/mail_domain for this host): verified on the device only');
  }
  steps.push('at the end running and startup config are re-read and compared with the backup and the plan');
  return steps;
}

/** The plan of one device from its dry-run result (null when the device was not read: nothing to plan from). */
export function devicePlan(r: ChangeResult, t: FleetTarget, s: RunSettings): DevicePlan | null {
  const p = r.plan;
  if (!p) return null;
  const probe = probeTargets(t);
  const backupDir = resolve(s.backupDir ?? 'backups');
  const folder = resolve(
    backupDir,
    deviceFolderName({
      hostname: r.device.hostname,
      serial: r.device.serial,
      address: deviceAddress(t.connect),
    }),
  );
  const args = rollbackArgs(t, s).map(sh);
  const restore = p.mode === 'restore';
  const backout = restore
    ? [`asa-mailguard apply ${args.join(' ')} --backup-dir ${sh(backupDir)}`]
    : [
        `asa-mailguard rollback ${args.join(' ')} --latest --backup-dir ${sh(backupDir)}`,
        `asa-mailguard rollback ${args.join(' ')} --backup ${sh(`${folder}/<UTC stamp>-backup.json`)}`,
      ];
  const key = (f: Finding) => `${f.context ?? ''}|${findingKey(f)}`;
  const changed = new Set(p.contexts.flatMap((c) => c.findings.map(key)));
  return {
    mode: p.mode,
    dialect: p.dialect,
    nothingToDo: p.nothingToDo,
    contexts: p.contexts.map((c) => ({
      context: c.context,
      changes: c.findings.map((f) => describePlace(placeOf(f))),
      commands: c.commands,
      inverse: c.inverse,
      diff: redactSecrets(c.diff, []),
      warnings: c.warnings ?? [],
    })),
    notChanged: (r.inspection?.findings ?? [])
      .filter((f) => !changed.has(key(f)))
      .map((f) => describePlace(placeOf(f))),
    verification: {
      steps: verificationSteps(r, s, probe),
      probe,
      rollbackOnVerifyFailure: s.rollbackOnVerifyFailure ?? probe.length > 0,
      reload: s.reload,
      safetyReloadMin: s.safetyReloadMin ?? null,
    },
    backout: {
      commands: p.nothingToDo ? [] : backout,
      backupFolder: folder,
      note: p.nothingToDo
        ? 'nothing is changed, so there is nothing to back out'
        : `${restore ? 'apply' : 'rollback'} sends the inverse above inside configure terminal, re-reads, saves; credentials from ASA_USERNAME / ASA_PASSWORD / ASA_ENABLE_SECRET as for the run`,
    },
  };
}

/**
 * `run --diff`: the device's config diff as one text. A dry run: the planned diff of each context; a change: the
 * running config re-read at the end against the backup taken before (FinalState.changeDiff). null: no diff
 * (never read, or nothing changed).
 */
export function deviceDiff(r: ChangeResult): string | null {
  const text = diffText(r);
  // A context line of a diff may be a key or hash line (`enable password ...`): the report is not a backup.
  return text === null ? null : redactSecrets(text, []);
}

function diffText(r: ChangeResult): string | null {
  const label = (ctx: string | null | undefined) => (ctx ? `context ${ctx}:\n` : '');
  if (r.outcome === 'dry-run') {
    const parts = (r.plan?.contexts ?? []).filter((c) => !c.nothingToDo && c.diff.trim());
    return parts.length ? parts.map((c) => `${label(c.context)}${c.diff}`).join('') : null;
  }
  const changes = Object.entries(r.finalState.changeDiff ?? {});
  if (!changes.length) return null;
  return changes.map(([k, d]) => `${label(k === 'device' ? null : k)}${d}`).join('');
}

/** The whole scope of a dry run: what the change request states above the per-device plans. */
export interface FleetPlan {
  devices: number;
  /** Inventory names in run order (canaries first). */
  order: string[];
  canaries: string[];
  concurrency: number;
  failureBudget: { maxFailures: number | string; limit: number; shared: boolean };
  /** Units of a failover pair, never changed at the same time. */
  failoverPairs: string[][];
  window: {
    text: string;
    timeZone: string;
    openNow: boolean;
    /** The next opening (null when open now or never); UTC and wall time in timeZone. */
    opensAt: string | null;
    opensAtLocal: string | null;
    /** The end of the current or next occurrence (null: never closes). */
    closesAt: string | null;
    closesAtLocal: string | null;
  };
  /** Expected time one device takes (reload timeout included when a reload may happen). */
  expectedPerDevice: string;
  /**
   * Only in a merged report (`report merge` of dry-run jobs, plan-merge.ts): the jobs it was made from and the scope
   * fields on which they disagree (a field named there holds the first job's value).
   */
  merged?: { jobs: string[]; differs: PlanDifference[] };
}

/** One scope field the merged jobs disagree on: `concurrency`, `window.openNow`, ... with each job's value. */
export interface PlanDifference {
  field: string;
  values: Array<{ job: string; value: string | number | boolean | null }>;
}

export interface FleetPlanInput {
  report: Pick<FleetReport, 'devices' | 'concurrency' | 'maxFailures' | 'budget' | 'timeZone'>;
  settings: Pick<RunSettings, 'window' | 'expectedDurationMs'>;
  now: Date;
}

export function fleetPlan(i: FleetPlanInput): FleetPlan {
  const { report: r, settings: s } = i;
  const w = windowState(s.window, i.now);
  const closesAt = w.inside ? w.closesAt : w.opensAt ? windowState(s.window, w.opensAt).closesAt : null;
  const local = (d: Date | null) => (d ? isoInZone(d, r.timeZone) : null);
  const pairs: string[][] = [];
  for (const d of r.devices) {
    if (d.failoverPeer && !pairs.some((p) => p.includes(d.name))) pairs.push([d.name, d.failoverPeer]);
  }
  const order = [...r.devices.filter((d) => d.canary), ...r.devices.filter((d) => !d.canary)].map((d) => d.name);
  return {
    devices: r.devices.length,
    order,
    canaries: r.devices.filter((d) => d.canary).map((d) => d.name),
    concurrency: r.concurrency,
    failureBudget: { maxFailures: r.maxFailures, limit: r.budget.limit, shared: r.budget.shared },
    failoverPairs: pairs,
    window: {
      text: describeWindow(s.window),
      timeZone: r.timeZone,
      openNow: w.inside,
      opensAt: w.opensAt?.toISOString() ?? null,
      opensAtLocal: local(w.opensAt),
      closesAt: closesAt?.toISOString() ?? null,
      closesAtLocal: local(closesAt),
    },
    expectedPerDevice: formatDuration(s.expectedDurationMs),
  };
}
