/** Loading a playbook file and turning it (plus CLI overrides) into normalized run settings. */
import { dirname, resolve } from 'node:path';
import type { ReloadPolicy } from '../change/types.js';
import { parseDuration, parseTimeIn } from '../config/duration.js';
import { safeParseInVoice } from '../config/zod-voice.js';
import type { HostKeyPolicy } from '../session/types.js';
import { type Playbook, PlaybookSchema } from './schema.js';
import { invalidFileError, YamlSource } from './source.js';
import { type WindowSpec, windowFromPlaybook } from './window.js';

export interface LoadedPlaybook {
  /** Path as given. */
  file: string;
  /** Directory relative paths in the playbook are resolved against. */
  dir: string;
  playbook: Playbook;
  source: YamlSource;
}

/** Read and validate a playbook; every problem is reported with file:line:column (PLAYBOOK_INVALID, exit 2). */
export async function loadPlaybook(file: string): Promise<LoadedPlaybook> {
  return fromSource(await YamlSource.load(file, 'playbook'));
}

export function parsePlaybook(file: string, text: string): LoadedPlaybook {
  return fromSource(YamlSource.parse(file, text, 'playbook'));
}

function fromSource(source: YamlSource): LoadedPlaybook {
  const data = source.toJS();
  const parsed = safeParseInVoice(PlaybookSchema, data ?? {});
  if (!parsed.success) throw invalidFileError('playbook', source.zodIssues(parsed.error.issues, PlaybookSchema));
  return { file: source.file, dir: dirname(resolve(source.file)), playbook: parsed.data, source };
}

export type Mode = Playbook['mode'];
export type { ReloadPolicy };

/** Everything the `run` command needs, defaults applied; no secrets. */
export interface RunSettings {
  name: string;
  changeId: string | null;
  mode: Mode;
  dryRun: boolean;
  reload: ReloadPolicy;
  /** Minutes for `reload in N`, or null. */
  safetyReloadMin: number | null;
  /** null: the engine's default (on when there is a probe target). */
  rollbackOnVerifyFailure: boolean | null;
  hostKeyPolicy: HostKeyPolicy;
  /** Old SSH-2 algorithms for every host (playbook option or `--legacy-algorithms`); hosts may also set it. */
  legacyAlgorithms: boolean;
  knownHosts: string | null;
  backupDir: string | null;
  context: string | null;
  timeouts: { connectMs?: number; loginMs?: number; commandMs?: number; saveMs?: number; reloadMs: number };
  concurrency: number;
  canary: number;
  maxFailures: number | string;
  reportDir: string;
  window: WindowSpec;
  /** Expected time per device, reload timeout included when a reload may happen. */
  expectedDurationMs: number;
}

/** CLI flags that override the playbook (`--dry-run`, `--report-dir`, `--known-hosts`, `--host-key-policy`, ...). */
export interface RunOverrides {
  /** `--change-id`: replaces the playbook's changeId. */
  changeId?: string;
  dryRun?: boolean;
  reportDir?: string;
  knownHosts?: string;
  hostKeyPolicy?: HostKeyPolicy;
  reload?: ReloadPolicy;
  safetyReloadMin?: number | null;
  backupDir?: string;
  concurrency?: number;
  /** `--connect-timeout`, `--save-timeout`, `--reload-timeout`, ... (ms), over options.timeouts. */
  timeouts?: Partial<RunSettings['timeouts']>;
}

export const DEFAULTS = {
  concurrency: 4,
  /** Per-device time without reload (connect, probe, backup, apply, verify, save): 5 minutes. */
  expectedDurationSec: 300,
  /** issue #5: --reload-timeout default 15 min. */
  reloadSec: 900,
  reportDir: 'reports',
} as const;

export function runSettings(lp: LoadedPlaybook, over: RunOverrides = {}): RunSettings {
  const p = lp.playbook;
  const o = p.options ?? {};
  const t = o.timeouts ?? {};
  const changing = p.mode !== 'audit';
  const dryRun = over.dryRun ?? o.dryRun ?? false;
  const reload = over.reload ?? o.reload ?? 'if-needed';
  // Time fields are numbers in their unit or durations ("15m"), checked by the schema: read them the one way.
  const ms = (v: number | string | undefined) => (v === undefined ? undefined : parseDuration(v, 'time', 'sec'));
  const safety =
    over.safetyReloadMin !== undefined
      ? over.safetyReloadMin
      : o.safetyReload
        ? parseTimeIn(o.safetyReload, 'options.safetyReload', 'min')
        : null;
  const reloadMs = over.timeouts?.reloadMs ?? ms(t.reloadSec) ?? DEFAULTS.reloadSec * 1000;
  const base = ms(o.expectedDurationSec) ?? DEFAULTS.expectedDurationSec * 1000;
  const mayReload = changing && !dryRun && reload !== 'never';
  // A lost session with a safety reload pending reboots the device at +N minutes: that must fit too.
  const expectedDurationMs =
    Math.max(base, changing && !dryRun && safety ? safety * 60_000 : 0) + (mayReload ? reloadMs : 0);
  const rel = (v: string | undefined) => (v === undefined ? null : resolve(lp.dir, v));
  return {
    name: p.name,
    changeId: over.changeId ?? p.changeId ?? null,
    mode: p.mode,
    dryRun,
    reload,
    safetyReloadMin: safety,
    rollbackOnVerifyFailure: o.rollbackOnVerifyFailure ?? null,
    hostKeyPolicy: over.hostKeyPolicy ?? o.hostKeyPolicy ?? 'strict',
    legacyAlgorithms: o.legacyAlgorithms ?? false,
    knownHosts: over.knownHosts ? resolve(over.knownHosts) : rel(o.knownHosts),
    backupDir: over.backupDir ? resolve(over.backupDir) : rel(o.backupDir),
    context: o.context ?? null,
    timeouts: {
      connectMs: over.timeouts?.connectMs ?? ms(t.connectSec),
      loginMs: over.timeouts?.loginMs ?? ms(t.loginSec),
      commandMs: over.timeouts?.commandMs ?? ms(t.commandSec),
      saveMs: over.timeouts?.saveMs ?? ms(t.saveSec),
      reloadMs,
    },
    concurrency: over.concurrency ?? p.concurrency ?? DEFAULTS.concurrency,
    // Changes start with one canary unless the playbook says otherwise; an audit changes nothing.
    canary: p.canary ?? (changing ? 1 : 0),
    // A change stops at the first failure by default; an audit reports every device.
    maxFailures: p.maxFailures ?? (changing ? 0 : '100%'),
    // Paths in a playbook are relative to it; the default report dir is relative to the working directory.
    reportDir: over.reportDir
      ? resolve(over.reportDir)
      : p.reportDir
        ? resolve(lp.dir, p.reportDir)
        : resolve(DEFAULTS.reportDir),
    window: windowFromPlaybook(p.window),
    expectedDurationMs,
  };
}
