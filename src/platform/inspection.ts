/**
 * Where SMTP inspection ("Mailguard") is configured in a running-config (issue #3 §3; asa-cli.md §2.2-§2.4, §3),
 * read mode by mode by config-reader.ts (issue #12). PIX ≤ 6.x: `fixup protocol smtp <port>` lines. ASA/PIX 7+/FWSM
 * 3+: `inspect esmtp|smtp [map]` under a class of a policy-map, active only when the policy-map is bound by
 * `service-policy P global|interface X`. What the text leaves open is a warning on the finding or the report.
 */
import {
  type BindingDef,
  type ClassMapDef,
  type ConfigLine,
  type ConfigModel,
  type InspectDef,
  type PolicyClassDef,
  type PolicyMapDef,
  readConfig,
} from './config-reader.js';
import { expandRanges, readFixupSpec, readPort, readRange } from './ports.js';
import { splitLines } from './text.js';
import type { Dialect, Finding, InspectionReport } from './types.js';
import { dialectFor } from './version.js';

/** The MPF view of a config (plan.ts finds the inspect line of a finding here). */
export interface ParsedMpf {
  classMaps: Map<string, ClassMapDef>;
  policyMaps: Map<string, PolicyMapDef>;
  esmtpMaps: Map<string, { name: string; maskBanner: boolean | null; allowTls: boolean | null }>;
  /** policy-map name → bindings (`global`, `interface:<name>`) with their lines. */
  bindings: Map<string, { binding: string; line: ConfigLine }[]>;
}

function mpfOf(model: ConfigModel): ParsedMpf {
  const esmtpMaps = new Map<string, { name: string; maskBanner: boolean | null; allowTls: boolean | null }>();
  for (const m of model.inspectMaps.values()) if (m.protocol === 'esmtp') esmtpMaps.set(m.name, m);
  const bindings = new Map<string, { binding: string; line: ConfigLine }[]>();
  for (const b of model.bindings) {
    const list = bindings.get(b.policyMap) ?? [];
    list.push({ binding: b.binding, line: b.line });
    bindings.set(b.policyMap, list);
  }
  return { classMaps: model.classMaps, policyMaps: model.policyMaps, esmtpMaps, bindings };
}

/** Parse the MPF parts of an ASA config, mode by mode (config-reader.ts). */
export function parseMpf(config: string): ParsedMpf {
  return mpfOf(readConfig(config));
}

const lineNo = (l: ConfigLine) => `line ${l.index + 1}`;

// A finding's evidence stays small whatever the input: a class-map with thousands of match lines or a policy-map
// bound on thousands of interfaces must not make every finding that large (output linear in the input).
const MAX_MATCH_LINES = 64;
const MAX_BINDING_LINES = 32;
// Ports listed over all findings; beyond it a finding's list is cut and says so.
const PORT_BUDGET = 1 << 20;

interface PortBudget {
  left: number;
}

/** TCP ports a class-map matches for SMTP: default-inspection-traffic → 25 (esmtp's default port). */
function classPorts(cm: ClassMapDef, budget: PortBudget, warnings: string[]): number[] {
  const ranges: { lo: number; hi: number }[] = [];
  for (const m of cm.matches) {
    const w = m.words;
    const what = w.slice(1).join(' ');
    if (w[1] === 'default-inspection-traffic') ranges.push({ lo: 25, hi: 25 });
    else if (w[1] === 'port' && w[2] === 'tcp' && w[3] === 'eq') {
      const p = readPort(w[4]);
      if (p.ok) ranges.push({ lo: p.port, hi: p.port });
      else
        warnings.push(`${lineNo(m)}: "match ${what}": ${p.problem}; the device rejects this line, so it adds no port.`);
    } else if (w[1] === 'port' && w[2] === 'tcp' && w[3] === 'range') {
      // `range 2025 2030` (CLI form) or `range 2025-2030` (7.0 guide form).
      const dash = (w[4] ?? '').indexOf('-');
      const r =
        w[5] !== undefined || dash <= 0
          ? readRange(w[4], w[5])
          : readRange(w[4]!.slice(0, dash), w[4]!.slice(dash + 1));
      if (r.ok) ranges.push({ lo: r.lo, hi: r.hi });
      else
        warnings.push(`${lineNo(m)}: "match ${what}": ${r.problem}; the device rejects this line, so it adds no port.`);
    } else if (w[1] === 'port' && w[2] === 'udp') {
      // UDP ports carry no SMTP.
    } else {
      warnings.push(
        `${lineNo(m)}: class-map ${cm.name} matches by "match ${what}": the TCP ports it covers are not read from it.`,
      );
    }
  }
  const { ports, cut } = expandRanges(ranges, Math.max(0, budget.left));
  budget.left -= ports.length;
  if (cut) warnings.push(`class-map ${cm.name}: the port list is cut short (too many ports in this file to list).`);
  return ports;
}

// Defaults of `_default_esmtp_map` (asa-cli.md §2.4): mask-banner, no allow-tls.
const DEFAULT_ESMTP_PARAMS = { maskBanner: true, allowTls: false };

function inspectFinding(
  model: ConfigModel,
  pm: PolicyMapDef,
  pc: PolicyClassDef,
  ins: InspectDef,
  context: string | null,
  budget: PortBudget,
  bound: BindingDef[],
): Finding {
  const warnings: string[] = [];
  const cm = model.classMaps.get(pc.name);
  const lines: string[] = [];
  if (cm) {
    lines.push(cm.header.text, ...cm.matches.slice(0, MAX_MATCH_LINES).map((l) => l.text));
  }
  lines.push(
    pm.header.text,
    pc.header.text,
    ins.line.text,
    ...bound.slice(0, MAX_BINDING_LINES).map((b) => b.line.text),
  );
  let ports: number[] = [];
  if (pc.name === 'class-default') {
    warnings.push(`class class-default in policy-map ${pm.name} matches all traffic: SMTP is inspected on any port.`);
  } else if (!cm) {
    warnings.push(
      `${lineNo(pc.header)}: class ${pc.name} is used in policy-map ${pm.name} but this file defines no "class-map ${pc.name}": ` +
        `its ports are unknown${pc.name === 'inspection_default' ? ' (the factory inspection_default matches default-inspection-traffic: port 25 for esmtp)' : ''}.`,
    );
  } else {
    if (cm.matches.length === 0) {
      warnings.push(
        `${lineNo(cm.header)}: class-map ${cm.name} has no match line in this file: its ports are unknown.`,
      );
    }
    ports = classPorts(cm, budget, warnings);
  }
  if (ins.doubt) {
    warnings.push(
      `${lineNo(ins.line)}: read as part of policy-map ${pm.name} class ${pc.name}, although ${lineNo(ins.doubt)} ` +
        `("${ins.doubt.words.join(' ')}") before it is neither a class command nor a known top-level command.`,
    );
  }
  const mapName = ins.map;
  let params: { maskBanner: boolean | null; allowTls: boolean | null };
  if (mapName === null || mapName === '_default_esmtp_map') {
    params = model.inspectMaps.get('esmtp _default_esmtp_map') ?? DEFAULT_ESMTP_PARAMS;
  } else {
    const def = model.inspectMaps.get(`esmtp ${mapName}`);
    params = def ?? { maskBanner: null, allowTls: null };
    if (!def) {
      warnings.push(
        `${lineNo(ins.line)}: inspect map ${mapName} is not defined in this file: its mask-banner and allow-tls settings are unknown.`,
      );
    }
  }
  const active = bound.length > 0;
  const finding: Finding = {
    kind: 'inspect',
    protocol: ins.protocol,
    ports,
    policyMap: pm.name,
    class: pc.name,
    inspectMap: mapName,
    binding: bound[0]?.binding ?? null,
    active,
    context,
    lines,
    inspectMapParams: { maskBanner: params.maskBanner, allowTls: params.allowTls },
    classMatch: cm ? cm.matches.slice(0, MAX_MATCH_LINES).map((l) => l.words.join(' ')) : [],
    bindings: bound.map((b) => b.binding),
  };
  if (!active) finding.inactiveReason = `policy-map ${pm.name} is not bound by any service-policy`;
  if (warnings.length > 0) finding.warnings = warnings;
  return finding;
}

function findAsa(model: ConfigModel, context: string | null, budget: PortBudget): Finding[] {
  const findings: Finding[] = [];
  const byPolicyMap = new Map<string, BindingDef[]>();
  for (const b of model.bindings) {
    const list = byPolicyMap.get(b.policyMap) ?? [];
    list.push(b);
    byPolicyMap.set(b.policyMap, list);
  }
  for (const pm of model.policyMaps.values()) {
    const bound = byPolicyMap.get(pm.name) ?? [];
    for (const pc of pm.classes) {
      for (const ins of pc.inspects) findings.push(inspectFinding(model, pm, pc, ins, context, budget, bound));
    }
  }
  return findings;
}

/** PIX fixup lines still in effect; a bad port makes an inactive finding with a warning, never a loop. */
function findPix(model: ConfigModel, context: string | null, mpf: boolean, budget: PortBudget): Finding[] {
  const findings: Finding[] = [];
  for (const def of model.fixups.values()) {
    const r = readFixupSpec(def.spec);
    const warnings: string[] = [];
    const finding: Finding = {
      kind: 'fixup',
      protocol: 'smtp',
      ports: [],
      policyMap: null,
      class: null,
      inspectMap: null,
      binding: 'global',
      active: r.ok,
      context,
      lines: [def.line.text],
      portSpec: def.spec ?? '',
    };
    if (r.ok) {
      const { ports, cut } = expandRanges([r], Math.max(0, budget.left));
      budget.left -= ports.length;
      finding.ports = ports;
      if (cut) warnings.push(`${lineNo(def.line)}: the port list is cut short (too many ports in this file to list).`);
    } else {
      finding.inactiveReason = `the device rejects this line (${r.problem})`;
      warnings.push(
        `${lineNo(def.line)}: "${def.line.words.join(' ')}": ${r.problem}; the device rejects it, so it enables nothing.`,
      );
    }
    if (mpf) {
      warnings.push(
        `${lineNo(def.line)}: ASA and PIX/FWSM 7+ convert "fixup protocol smtp" into "inspect esmtp" in global_policy (asa-cli.md §3.2); the device's running-config shows that instead.`,
      );
    }
    if (warnings.length > 0) finding.warnings = warnings;
    findings.push(finding);
  }
  return findings;
}

export interface FindOptions {
  /** The security context this config belongs to (multiple-context mode), else null. */
  context?: string | null;
  /** The dialect when known from `show version` (live path); otherwise taken from the config's version line. */
  dialect?: Dialect | null;
}

/** The dialect a config's own version line names, null when it has none (or an unreadable one). */
export function configDialect(model: ConfigModel): Dialect | null {
  const v = model.facts.version;
  if (!v) return null;
  try {
    return dialectFor(v.family, v.version);
  } catch {
    return null;
  }
}

/** Warnings about the file as a whole: what it binds but does not define, what a whole config always shows. */
function fileWarnings(model: ConfigModel, dialect: Dialect | null, findings: Finding[]): string[] {
  const out = model.warnings.map((w) => `${lineNo(w.line)}: ${w.message}`);
  const facts = model.facts;
  const system = facts.modeMultiple || facts.contexts.length > 0 || facts.version?.space === 'system';
  if (system) {
    const list = facts.contexts.map((c) => (c.configUrl ? `${c.name} (${c.configUrl})` : c.name)).join(', ');
    out.push(
      `This is the system configuration of a multiple-context device: SMTP inspection is set in each context's own configuration${list ? ` (${list})` : ''}. Run detect on each context's file, or on the device.`,
    );
  }
  for (const b of model.bindings) {
    if (!model.policyMaps.has(b.policyMap)) {
      out.push(
        `${lineNo(b.line)}: service-policy binds policy-map ${b.policyMap}, which this file does not define: what it inspects is not in this text${b.policyMap === 'global_policy' ? ' (the factory global_policy inspects esmtp on port 25)' : ''}. Check the device.`,
      );
    }
  }
  const globals = new Set(model.bindings.filter((b) => b.binding === 'global').map((b) => b.policyMap));
  if (globals.size > 1) {
    out.push(`More than one policy-map is bound globally (${[...globals].join(', ')}): a device accepts only one.`);
  }
  const mpf = dialect !== null && dialect !== 'pix6';
  if (mpf && !system && model.bindings.length === 0 && findings.every((f) => f.kind !== 'fixup')) {
    out.push(
      'No service-policy in this ASA/PIX 7+ configuration: nothing inspects SMTP per this text. A factory configuration binds global_policy (with inspect esmtp); if this file is an excerpt rather than a whole running-config, check the device.',
    );
  }
  if (dialect === 'pix6' && model.fixupLinesSeen === 0) {
    out.push(
      'PIX 6 and earlier always list the SMTP fixup, on ("fixup protocol smtp 25") or off ("no fixup protocol smtp 25"); this file shows neither, so it is not a whole running-config. The factory default is on, port 25: check the device.',
    );
  }
  return out;
}

export interface ConfigReading {
  model: ConfigModel;
  report: InspectionReport;
  /** The config's own dialect (version line), null when it names none. */
  dialect: Dialect | null;
}

/** Read a config once: the model (for the platform) and the inspection report. */
export function readInspection(runningConfig: string, options: FindOptions = {}): ConfigReading {
  const context = options.context ?? null;
  const model = readConfig(runningConfig);
  const dialect = options.dialect ?? configDialect(model);
  const budget: PortBudget = { left: PORT_BUDGET };
  const mpf = dialect !== null && dialect !== 'pix6';
  const findings = [...findPix(model, context, mpf, budget), ...findAsa(model, context, budget)];
  const warnings = fileWarnings(model, dialect, findings);
  return { model, dialect, report: { active: findings.some((f) => f.active), findings, warnings } };
}

/**
 * Every place SMTP inspection is configured, read mode by mode (config-reader.ts). Tolerates the PIX `Building
 * configuration...`/`[OK]` wrapper, the ASA `: Saved` header, a command echo and a trailing prompt, any
 * indentation and any line endings. `warnings` names what the text leaves open.
 */
export function findSmtpInspection(runningConfig: string, options: FindOptions = {}): InspectionReport {
  return readInspection(runningConfig, options).report;
}

/** `Cryptochecksum:<32 hex>` (show run) or `Cryptochecksum: xxxxxxxx xxxxxxxx ...` (write memory), lower-case. */
export function parseChecksum(text: string): string | null {
  const m = /Cryptochecksum:\s*((?:[0-9a-f]{8}\s?){3}[0-9a-f]{8})/i.exec(text);
  return m ? m[1]!.replace(/\s/g, '').toLowerCase() : null;
}

// Lines that change without a configuration change (headers, checksums, write wrapper, NTP drift).
const VOLATILE = [/^Building configuration\.\.\./, /^\[OK\]\s*$/, /^:/, /^Cryptochecksum:/i, /^ntp clock-period /];

/**
 * The configuration without its volatile lines, for diffs and comparisons: drops the `: Saved`/`: Written by`
 * header, `Cryptochecksum:`, `: end`, the `Building configuration...`/`[OK]` wrapper and `ntp clock-period`,
 * plus leading/trailing blank lines. Newlines become `\n`; trailing spaces inside lines are kept.
 */
export function configBody(text: string): string {
  const kept = splitLines(text).filter((l) => !VOLATILE.some((re) => re.test(l)));
  // Indexes, not shift(): shift() per leading blank line was quadratic on a file of blank lines.
  let from = 0;
  let to = kept.length;
  while (from < to && kept[from]!.trim() === '') from++;
  while (to > from && kept[to - 1]!.trim() === '') to--;
  return from === to ? '' : `${kept.slice(from, to).join('\n')}\n`;
}
