/**
 * The pure plan (issue #5 §1, §3): from findings and the dialect, the commands that disable each active SMTP
 * inspection, their exact inverse, and the expected running config as a unified diff. Also the plan that puts back
 * the inspection recorded in a backup (`rollback --backup FILE`). No I/O here.
 */
import { createTwoFilesPatch } from 'diff';
import { disableCommands, enableCommands } from '../platform/commands.js';
import { configBody, findSmtpInspection, parseMpf } from '../platform/inspection.js';
import { splitLines } from '../platform/text.js';
import type { Dialect, Finding } from '../platform/types.js';

export interface PlanStep {
  finding: Finding;
  /** Typed inside `configure terminal`, ending back at `(config)#`. */
  commands: string[];
  /** Undoes exactly this step. */
  inverse: string[];
}

/** One context's plan; structurally a superset of `ContextPlan` in change/types.ts. */
export interface PlanResult {
  context: string | null;
  nothingToDo: boolean;
  /** The findings this plan changes (the active ones). */
  findings: Finding[];
  /** Findings reported but not changed (inactive: policy-map not bound). */
  skipped: Finding[];
  steps: PlanStep[];
  /** Flattened, in order: what is typed inside `configure terminal`. */
  commands: string[];
  /** The exact rollback: each step's inverse, steps in reverse order. */
  inverse: string[];
  /** The running config expected afterwards, without volatile lines (see configBody). */
  expectedConfig: string;
  /** Unified diff of configBody(running) against expectedConfig. */
  diff: string;
  /** Things a person should know (e.g. a restore into a policy-map that no longer exists). */
  warnings: string[];
}

export interface PlanInput {
  findings: Finding[];
  dialect: Dialect;
  runningConfig: string;
  /** Plan only this context's findings (multiple-context mode); undefined: all findings given. */
  context?: string | null;
}

const BEFORE = 'running-config (before)';
const AFTER = 'running-config (expected after)';

function unifiedDiff(before: string, after: string): string {
  return createTwoFilesPatch(BEFORE, AFTER, before, after);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Line indexes (in splitLines(config)) of the inspect line a finding names, under its policy-map and class. */
function inspectLineIndex(config: string, f: Finding): number | null {
  const pm = parseMpf(config).policyMaps.get(f.policyMap ?? '');
  const pc = pm?.classes.find((c) => c.name === f.class);
  const ins = pc?.inspects.find((i) => i.protocol === f.protocol && i.map === f.inspectMap);
  return ins ? ins.line.index : null;
}

function fixupLineIndex(lines: string[], spec: string, negated: boolean): number {
  const re = new RegExp(`^${negated ? 'no ' : ''}fixup protocol smtp ${escapeRe(spec)}\\s*$`);
  return lines.findIndex((l) => re.test(l));
}

/** Apply the disabling of `findings` to a config text, as the device would show it afterwards. */
function configWithout(config: string, findings: Finding[]): string {
  const lines = splitLines(config);
  const drop = new Set<number>();
  const replace = new Map<number, string>();
  for (const f of findings) {
    if (f.kind === 'inspect') {
      const i = inspectLineIndex(config, f);
      if (i !== null) drop.add(i);
      continue;
    }
    const spec = f.portSpec ?? String(f.ports[0]);
    const i = fixupLineIndex(lines, spec, false);
    if (i < 0) continue;
    // PIX 6.3 shows a disabled *default* fixup as `no fixup protocol smtp 25` (asa-cli.md §2.2); a non-default
    // port simply disappears.
    if (spec === '25') replace.set(i, 'no fixup protocol smtp 25');
    else drop.add(i);
  }
  const out = lines.flatMap((l, i) => (drop.has(i) ? [] : [replace.get(i) ?? l]));
  return configBody(out.join('\n'));
}

function buildResult(
  context: string | null,
  steps: PlanStep[],
  skipped: Finding[],
  before: string,
  after: string,
  warnings: string[],
): PlanResult {
  return {
    context,
    nothingToDo: steps.length === 0,
    findings: steps.map((s) => s.finding),
    skipped,
    steps,
    commands: steps.flatMap((s) => s.commands),
    inverse: [...steps].reverse().flatMap((s) => s.inverse),
    expectedConfig: after,
    diff: unifiedDiff(before, after),
    warnings,
  };
}

/** Disable every ACTIVE finding; inactive ones are reported in `skipped`. Nothing active → nothingToDo. */
export function plan(input: PlanInput): PlanResult {
  const context = input.context ?? null;
  const mine = input.context === undefined ? input.findings : input.findings.filter((f) => f.context === context);
  const active = mine.filter((f) => f.active);
  const steps = active.map((finding) => ({
    finding,
    commands: disableCommands(finding, input.dialect),
    inverse: enableCommands(finding, input.dialect),
  }));
  const before = configBody(input.runningConfig);
  const after = configWithout(input.runningConfig, active);
  return buildResult(
    context,
    steps,
    mine.filter((f) => !f.active),
    before,
    after,
    [],
  );
}

/** Identity of a finding's place in the config, independent of binding and exact text. */
export function findingKey(f: Finding): string {
  if (f.kind === 'fixup') return `fixup|${f.portSpec ?? f.ports.join(',')}`;
  return `inspect|${f.protocol}|${f.policyMap}|${f.class}|${f.inspectMap ?? ''}`;
}

export interface RestoreOptions {
  context?: string | null;
  /** Also put back inspect lines whose policy-map was unbound in the backup (default false: only active ones). */
  includeInactive?: boolean;
}

/** Insert the restored lines where the device would show them, for the expected config. */
function configWith(config: string, findings: Finding[], warnings: string[]): string {
  let lines = splitLines(config);
  for (const f of findings) {
    const text = f.lines.find((l) => (f.kind === 'fixup' ? /^fixup protocol smtp /.test(l) : /^\s+inspect /.test(l)));
    if (text === undefined) continue;
    if (f.kind === 'fixup') {
      const spec = f.portSpec ?? String(f.ports[0]);
      const neg = fixupLineIndex(lines, spec, true);
      if (neg >= 0) {
        lines[neg] = text;
        continue;
      }
      // Next to the other smtp fixups when there are any, else at the end of the fixup block.
      const lastOf = (re: RegExp) => lines.reduce((acc, l, i) => (re.test(l) ? i : acc), -1);
      const lastSmtp = lastOf(/^(no )?fixup protocol smtp /);
      const lastFixup = lastSmtp >= 0 ? lastSmtp : lastOf(/^(no )?fixup protocol /);
      if (lastFixup < 0) warnings.push(`No fixup block in the current config; "${text.trim()}" is added at the end.`);
      lines.splice(lastFixup < 0 ? lines.length : lastFixup + 1, 0, text);
      continue;
    }
    const joined = lines.join('\n');
    const pm = parseMpf(joined).policyMaps.get(f.policyMap ?? '');
    const pc = pm?.classes.find((c) => c.name === f.class);
    if (!pm || !pc) {
      warnings.push(
        `policy-map ${f.policyMap} / class ${f.class} is not in the current config: the restore commands create it, ` +
          'but the expected config does not show it and its binding (service-policy) is not restored.',
      );
      continue;
    }
    // ASA appends a new action at the end of the class block.
    let end = pc.header.index;
    while (end + 1 < lines.length && /^ {2,}\S/.test(lines[end + 1]!)) end++;
    lines = [...lines.slice(0, end + 1), text, ...lines.slice(end + 1)];
  }
  return configBody(lines.join('\n'));
}

/**
 * The commands that put back the SMTP inspection recorded in `backupConfig` (fixup lines, or inspect lines under
 * the same policy-map and class) that `currentConfig` lacks. `inverse` undoes the restore.
 */
export function planRestore(
  backupConfig: string,
  currentConfig: string,
  dialect: Dialect,
  options: RestoreOptions = {},
): PlanResult {
  const context = options.context ?? null;
  const backup = findSmtpInspection(backupConfig, { context }).findings;
  const current = new Set(findSmtpInspection(currentConfig, { context }).findings.map(findingKey));
  const wanted = backup.filter((f) => f.active || options.includeInactive);
  const missing = wanted.filter((f) => !current.has(findingKey(f)));
  const warnings: string[] = [];
  const steps = missing.map((finding) => ({
    finding,
    commands: enableCommands(finding, dialect),
    inverse: disableCommands(finding, dialect),
  }));
  const before = configBody(currentConfig);
  const after = configWith(currentConfig, missing, warnings);
  return buildResult(
    context,
    steps,
    backup.filter((f) => !wanted.includes(f)),
    before,
    after,
    warnings,
  );
}
