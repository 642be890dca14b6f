/**
 * Where SMTP inspection ("Mailguard") is configured in a running-config (issue #3 §3; asa-cli.md §2.2-§2.4, §3).
 * PIX 6.x: `fixup protocol smtp <port>` lines. ASA/PIX 7+: `inspect esmtp|smtp [map]` under a class of a
 * policy-map, active only when the policy-map is bound by `service-policy P global|interface X`.
 */
import { splitLines } from './text.js';
import type { Finding, InspectionReport } from './types.js';

/** One config line with its position, text exactly as printed (trailing spaces kept). */
interface Line {
  index: number;
  text: string;
  indent: number;
  /** Trimmed both sides, single-spaced. */
  words: string[];
}

interface ClassMap {
  name: string;
  header: Line;
  matches: Line[];
}

interface InspectLine {
  line: Line;
  protocol: 'smtp' | 'esmtp';
  map: string | null;
}

interface PolicyClass {
  name: string;
  header: Line;
  inspects: InspectLine[];
}

interface PolicyMap {
  name: string;
  header: Line;
  classes: PolicyClass[];
}

interface EsmtpMap {
  name: string;
  maskBanner: boolean | null;
  allowTls: boolean | null;
}

export interface ParsedMpf {
  classMaps: Map<string, ClassMap>;
  policyMaps: Map<string, PolicyMap>;
  esmtpMaps: Map<string, EsmtpMap>;
  /** policy-map name → bindings (`global`, `interface:<name>`) with their lines. */
  bindings: Map<string, { binding: string; line: Line }[]>;
}

// Well-known port names ASA prints instead of numbers in `match port tcp eq <name>` (only the mail-relevant ones
// and a few common ones; unknown names leave the port list empty rather than guessing).
const PORT_NAMES: Record<string, number> = { smtp: 25, www: 80, http: 80, https: 443, pop3: 110, imap4: 143 };

function portNumber(token: string | undefined): number | null {
  if (token === undefined) return null;
  if (/^\d+$/.test(token)) return Number(token);
  return PORT_NAMES[token.toLowerCase()] ?? null;
}

function toLines(config: string): Line[] {
  return splitLines(config).map((text, index) => {
    const indent = /^ */.exec(text)![0].length;
    const trimmed = text.trim();
    return { index, text, indent, words: trimmed === '' ? [] : trimmed.split(/\s+/) };
  });
}

/** Parse the MPF parts of an ASA config: class-maps, policy-maps, esmtp inspect maps, service-policy bindings. */
export function parseMpf(config: string): ParsedMpf {
  const lines = toLines(config);
  const out: ParsedMpf = { classMaps: new Map(), policyMaps: new Map(), esmtpMaps: new Map(), bindings: new Map() };
  let cm: ClassMap | null = null;
  let pm: PolicyMap | null = null;
  let pc: PolicyClass | null = null;
  let em: EsmtpMap | null = null;
  let inParams = false;
  for (const line of lines) {
    const w = line.words;
    if (line.indent === 0) {
      cm = null;
      pm = null;
      pc = null;
      em = null;
      inParams = false;
      if (w.length === 0) continue;
      if (w[0] === 'class-map' && w.length === 2) {
        cm = { name: w[1]!, header: line, matches: [] };
        out.classMaps.set(cm.name, cm);
      } else if (w[0] === 'policy-map' && w[1] === 'type' && w[2] === 'inspect' && w[3] === 'esmtp' && w[4]) {
        em = { name: w[4], maskBanner: null, allowTls: null };
        out.esmtpMaps.set(em.name, em);
      } else if (w[0] === 'policy-map' && w.length === 2) {
        pm = { name: w[1]!, header: line, classes: [] };
        out.policyMaps.set(pm.name, pm);
      } else if (w[0] === 'service-policy' && w[1]) {
        const binding = w[2] === 'global' ? 'global' : w[2] === 'interface' && w[3] ? `interface:${w[3]}` : null;
        if (binding) {
          const list = out.bindings.get(w[1]) ?? [];
          list.push({ binding, line });
          out.bindings.set(w[1], list);
        }
      }
      continue;
    }
    if (w.length === 0) continue;
    if (cm && w[0] === 'match') {
      cm.matches.push(line);
    } else if (pm) {
      if (line.indent === 1) {
        pc = w[0] === 'class' && w[1] ? { name: w[1], header: line, inspects: [] } : null;
        if (pc) pm.classes.push(pc);
      } else if (pc && w[0] === 'inspect' && (w[1] === 'esmtp' || w[1] === 'smtp')) {
        pc.inspects.push({ line, protocol: w[1], map: w[2] ?? null });
      }
    } else if (em) {
      if (line.indent === 1) inParams = w[0] === 'parameters';
      else if (inParams) {
        const negated = w[0] === 'no';
        const key = negated ? w[1] : w[0];
        if (key === 'mask-banner') em.maskBanner = !negated;
        if (key === 'allow-tls') em.allowTls = !negated;
      }
    }
  }
  return out;
}

/** TCP ports a class-map matches for SMTP: default-inspection-traffic → 25 (esmtp's default port). */
function classPorts(matches: Line[]): number[] {
  const ports: number[] = [];
  for (const m of matches) {
    const w = m.words;
    if (w[1] === 'default-inspection-traffic') ports.push(25);
    if (w[1] === 'port' && w[2] === 'tcp' && w[3] === 'eq') {
      const p = portNumber(w[4]);
      if (p !== null) ports.push(p);
    }
    if (w[1] === 'port' && w[2] === 'tcp' && w[3] === 'range') {
      // `range 2025 2030` (CLI form) or `range 2025-2030` (7.0 guide form).
      const [a, b] = w[5] !== undefined ? [w[4], w[5]] : (w[4] ?? '').split('-');
      const lo = portNumber(a);
      const hi = portNumber(b);
      if (lo !== null && hi !== null) pushRange(ports, lo, hi);
    }
  }
  return [...new Set(ports)].sort((x, y) => x - y);
}

// A range is listed port by port so that `ports` is always a plain list; cap it so a silly range stays cheap.
const MAX_RANGE = 1024;
function pushRange(ports: number[], lo: number, hi: number): void {
  for (let p = lo; p <= hi && p - lo < MAX_RANGE; p++) ports.push(p);
}

// Defaults of `_default_esmtp_map` (asa-cli.md §2.4): mask-banner, no allow-tls.
const DEFAULT_ESMTP_PARAMS = { maskBanner: true, allowTls: false };

function findAsa(config: string, context: string | null): Finding[] {
  const mpf = parseMpf(config);
  const findings: Finding[] = [];
  for (const pm of mpf.policyMaps.values()) {
    const bound = mpf.bindings.get(pm.name) ?? [];
    for (const pc of pm.classes) {
      for (const ins of pc.inspects) {
        const cm = mpf.classMaps.get(pc.name);
        const lines: string[] = [];
        if (cm) lines.push(cm.header.text, ...cm.matches.map((l) => l.text));
        lines.push(pm.header.text, pc.header.text, ins.line.text, ...bound.map((b) => b.line.text));
        const mapName = ins.map;
        const params =
          mapName === null || mapName === '_default_esmtp_map'
            ? (mpf.esmtpMaps.get('_default_esmtp_map') ?? DEFAULT_ESMTP_PARAMS)
            : (mpf.esmtpMaps.get(mapName) ?? { maskBanner: null, allowTls: null });
        const active = bound.length > 0;
        const finding: Finding = {
          kind: 'inspect',
          protocol: ins.protocol,
          // No class-map (e.g. class-default) → ports unknown: empty list.
          ports: cm ? classPorts(cm.matches) : [],
          policyMap: pm.name,
          class: pc.name,
          inspectMap: mapName,
          binding: bound[0]?.binding ?? null,
          active,
          context,
          lines,
          inspectMapParams: { maskBanner: params.maskBanner, allowTls: params.allowTls },
          classMatch: cm ? cm.matches.map((l) => l.words.join(' ')) : [],
          bindings: bound.map((b) => b.binding),
        };
        if (!active) finding.inactiveReason = `policy-map ${pm.name} is not bound by any service-policy`;
        findings.push(finding);
      }
    }
  }
  return findings;
}

/** PIX fixup lines; a later `no fixup protocol smtp <spec>` cancels an earlier enabling line with the same spec. */
function findPix(config: string, context: string | null): Finding[] {
  const bySpec = new Map<string, string | null>();
  for (const text of splitLines(config)) {
    const m = /^(no )?fixup protocol smtp (\d+)(?:-(\d+))?\s*$/.exec(text);
    if (!m) continue;
    const spec = m[3] ? `${m[2]}-${m[3]}` : m[2]!;
    bySpec.delete(spec); // keep config order of the last mention
    bySpec.set(spec, m[1] ? null : text);
  }
  const findings: Finding[] = [];
  for (const [spec, text] of bySpec) {
    if (text === null) continue;
    const [lo, hi] = spec.split('-').map(Number) as [number, number | undefined];
    const ports: number[] = [];
    pushRange(ports, lo, hi ?? lo);
    findings.push({
      kind: 'fixup',
      protocol: 'smtp',
      ports,
      policyMap: null,
      class: null,
      inspectMap: null,
      binding: 'global',
      active: true,
      context,
      lines: [text],
      portSpec: spec,
    });
  }
  return findings;
}

export interface FindOptions {
  /** The security context this config belongs to (multiple-context mode), else null. */
  context?: string | null;
}

/**
 * Every place SMTP inspection is configured. Tolerates the PIX `Building configuration...`/`[OK]` wrapper, the
 * ASA `: Saved` header, a command echo and a trailing prompt, and `\r\n`.
 */
export function findSmtpInspection(runningConfig: string, options: FindOptions = {}): InspectionReport {
  const context = options.context ?? null;
  const findings = [...findPix(runningConfig, context), ...findAsa(runningConfig, context)];
  return { active: findings.some((f) => f.active), findings };
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
  while (kept.length > 0 && kept[0]!.trim() === '') kept.shift();
  while (kept.length > 0 && kept[kept.length - 1]!.trim() === '') kept.pop();
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}
