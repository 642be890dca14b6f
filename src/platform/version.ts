/**
 * Platform facts from `show version`, `show mode`, `show failover` and `show context` (asa-cli.md §2.1, §2.6).
 * Pure text parsers; the captures they are tested on live in shared/reference/asa-outputs.
 */
import { MailguardError } from '../errors.js';
import { splitLines } from './text.js';
import type { Dialect, FailoverInfo, Family, PlatformInfo } from './types.js';

export interface ShowVersion {
  family: Family;
  /** e.g. `9.12(4)67`, `6.3(5)` */
  version: string;
  /** `Hardware:` first token (`ASA5512`, `ASAv`, `FPR4K-SM-12`, `PIX-501`), null when absent (boot banner). */
  model: string | null;
  /** `Model Id:` (ASAv10) when present. */
  modelId: string | null;
  /** From the `<hostname> up N days` line. */
  hostname: string | null;
  /**
   * `Serial Number: JMX0938K0C0` (ASA), `Serial Number: 806245458 (0x300e5452)` (PIX: the decimal part); null
   * when not printed (a user context's `show version` has no serial line).
   */
  serial: string | null;
  /** ` <context>` / ` <system>` suffix of the version line: a hint that the device runs multiple-context mode. */
  contextMode: 'single' | 'multiple' | null;
  /** Which execution space printed it in multiple-context mode. */
  space: 'context' | 'system' | null;
  dialect: Dialect;
  /** The version line as printed (trimmed). */
  versionLine: string;
}

// PIX 6.x prints "Cisco PIX Firewall Version"; PIX hardware on 7.x/8.0 prints "Cisco PIX Security Appliance
// Software Version"; ASA prints "Cisco Adaptive Security Appliance Software Version" (asa-cli.md §2.1).
const VERSION_LINE =
  /^\s*Cisco (PIX Firewall|PIX Security Appliance(?: Software)?|Adaptive Security Appliance(?: Software)?) Version (\S+)(?:\s+<([^>\s]+)>)?\s*$/;

/**
 * Dialect from family and version: PIX ≤ 6.x speaks fixup (pix6); 7.x/8.x/9.x speak MPF, PIX hardware included.
 * FWSM: 1.x/2.x are PIX 6 style (fixup), 3.x is PIX 7 style, 4.x PIX/ASA 8 style.
 */
export function dialectFor(family: Family, version: string): Dialect {
  const major = Number.parseInt(version, 10);
  if (!Number.isFinite(major)) {
    throw new MailguardError('BAD_INPUT', `Cannot read a major version from "${version}".`, {
      hint: 'Check that the text is the output of `show version` from a PIX or ASA.',
    });
  }
  if (family === 'fwsm') return major <= 2 ? 'pix6' : major === 3 ? 'asa7' : 'asa8';
  if (major <= 6) {
    if (family === 'asa') {
      throw new MailguardError('BAD_INPUT', `ASA software version ${version} does not exist (ASA starts at 7.0).`, {
        hint: 'Check that the text is the output of `show version`.',
      });
    }
    return 'pix6';
  }
  if (major === 7) return 'asa7';
  if (major === 8) return 'asa8';
  return 'asa9';
}

// asa_show-version_*.txt, pix_show-version_1.txt; `: Serial Number: X` heads a 9.x running config
// (asa_show-running-config_1.txt); `show failover` prints `Serial Number: Ours X, Mate Y` (asa_show-failover_1.txt).
const SERIAL_LINE = /^(?::\s*)?Serial Number:\s*(?:Ours\s+)?([A-Za-z0-9]+)/;

/** The serial number from a `Serial Number:` line of show version, show failover or a saved config's header. */
export function parseSerial(text: string): string | null {
  for (const line of splitLines(text)) {
    const m = SERIAL_LINE.exec(line);
    if (m) return m[1]!;
  }
  return null;
}

export function parseShowVersion(text: string): ShowVersion {
  const lines = splitLines(text);
  let family: Family | null = null;
  let version = '';
  let space: 'context' | 'system' | null = null;
  let versionLine = '';
  for (const line of lines) {
    const m = VERSION_LINE.exec(line);
    if (!m) continue;
    family = m[1]!.startsWith('PIX') ? 'pix' : 'asa';
    version = m[2]!;
    // Captures show the literal ` <context>` / ` <system>`; any other `<name>` is read as a user context too.
    space = m[3] === undefined ? null : m[3] === 'system' ? 'system' : 'context';
    versionLine = line.trim();
    break;
  }
  if (family === null) {
    throw new MailguardError('BAD_INPUT', 'No PIX/ASA version line found in the `show version` output.', {
      hint: 'Expected a line like "Cisco Adaptive Security Appliance Software Version 9.8(4)" or "Cisco PIX Firewall Version 6.3(5)".',
      details: { excerpt: lines.slice(0, 5).join('\n') },
    });
  }
  let model: string | null = null;
  let modelId: string | null = null;
  let hostname: string | null = null;
  let serial: string | null = null;
  for (const line of lines) {
    const sn = SERIAL_LINE.exec(line);
    if (sn && serial === null) serial = sn[1]!;
    const hw = /^Hardware:\s+([^,\s]+)/.exec(line);
    if (hw && model === null) model = hw[1]!;
    const mid = /^Model Id:\s+(\S+)/.exec(line);
    if (mid && modelId === null) modelId = mid[1]!;
    // "asa1 up 41 days 19 hours", "asa1 up 1 year 97 days"; "failover cluster up ..." has two words before "up".
    const up = /^(\S+) up (?:\d+|\d+ \w+)/.exec(line);
    if (up && hostname === null) hostname = up[1]!;
  }
  return {
    family,
    version,
    model,
    modelId,
    hostname,
    serial,
    contextMode: space === null ? null : 'multiple',
    space,
    dialect: dialectFor(family, version),
    versionLine,
  };
}

/** `show mode` → `Security context mode: single` / `multiple`; null when the text does not say. */
export function parseShowMode(text: string): 'single' | 'multiple' | null {
  const m = /Security context mode:\s*(single|multiple)/i.exec(text);
  return m ? (m[1]!.toLowerCase() as 'single' | 'multiple') : null;
}

export interface ShowFailover extends FailoverInfo {
  unit: 'primary' | 'secondary' | null;
  /** This host's state as printed (`Active`, `Standby Ready`, `Failed`), or null. */
  state: string | null;
  /** Active/Active: state per failover group on this host. */
  groups: { group: number; state: string }[];
}

function roleOf(state: string | null): 'active' | 'standby' | null {
  if (state === null) return null;
  if (/\bactive\b/i.test(state)) return 'active';
  if (/standby/i.test(state)) return 'standby';
  return null;
}

/**
 * `show failover`: `Failover On|Off`, `This host: Primary - Active`. Active/Active prints `This host: Primary`
 * and `Group N State: ...`; there the role is group 1's, because configuration is entered on the unit where
 * failover group 1 (system space and admin context) is active.
 */
export function parseShowFailover(text: string): ShowFailover {
  const lines = splitLines(text);
  const onOff = lines.map((l) => /^\s*Failover (On|Off)\b/.exec(l)).find((m) => m);
  const enabled = onOff ? onOff[1] === 'On' : false;
  let unit: 'primary' | 'secondary' | null = null;
  const unitLine = lines.map((l) => /^\s*Failover unit (Primary|Secondary)/.exec(l)).find((m) => m);
  if (unitLine) unit = unitLine[1]!.toLowerCase() as 'primary' | 'secondary';
  let state: string | null = null;
  const groups: { group: number; state: string }[] = [];
  let inThisHost = false;
  for (const line of lines) {
    const host = /^\s*(This|Other) host:\s*(Primary|Secondary)(?:\s*-\s*(.*?))?\s*$/.exec(line);
    if (host) {
      inThisHost = host[1] === 'This';
      if (inThisHost) {
        unit = host[2]!.toLowerCase() as 'primary' | 'secondary';
        state = host[3] ? host[3] : null;
      }
      continue;
    }
    const g = /^\s*Group (\d+) State:\s*(.*?)\s*$/.exec(line);
    if (g && inThisHost) groups.push({ group: Number(g[1]), state: g[2]! });
    if (/^\s*Stateful Failover/.test(line)) inThisHost = false;
  }
  let role = roleOf(state);
  if (state === null && groups.length > 0) {
    const g1 = groups.find((g) => g.group === 1) ?? groups[0]!;
    role = roleOf(g1.state);
  }
  return { enabled, role: enabled ? role : null, unit, state, groups };
}

export interface ContextEntry {
  name: string;
  /** `*` marks the admin context in `show context`; null when the format does not say (`show context detail`). */
  admin: boolean | null;
  className: string | null;
  interfaces: string[];
  mode: string | null;
  url: string | null;
}

export interface ShowContext {
  contexts: ContextEntry[];
  /** `Total active Security Contexts: N`, when printed. */
  total: number | null;
}

/** `show context` (table) and `show context detail` (`Context "x", has been created` blocks). */
export function parseShowContext(text: string): ShowContext {
  const lines = splitLines(text);
  const contexts: ContextEntry[] = [];
  let total: number | null = null;
  let current: ContextEntry | null = null;
  for (const line of lines) {
    const t = /^Total active Security Contexts:\s*(\d+)/.exec(line);
    if (t) {
      total = Number(t[1]);
      continue;
    }
    const detail = /^Context "([^"]+)", (.*)$/.exec(line);
    if (detail) {
      // "is a system resource" (the null context) is not a user context.
      current = /system resource/.test(detail[2]!)
        ? null
        : { name: detail[1]!, admin: null, className: null, interfaces: [], mode: null, url: null };
      if (current) contexts.push(current);
      continue;
    }
    if (current) {
      const url = /^\s+Config URL:\s*(.*?)\s*$/.exec(line);
      if (url) current.url = url[1]!;
      const ri = /^\s+Real Interfaces:\s*(.*?)\s*$/.exec(line);
      if (ri) current.interfaces = ri[1]!.split(/,\s*/).filter(Boolean);
      const cls = /^\s+Class:\s*([^,]+),/.exec(line);
      if (cls) current.className = cls[1]!.trim();
      continue;
    }
    const row = /^(\*?)(\S+)\s+(\S+)\s+(\S+)\s+(Routed|Transparent)\s+(\S+)\s*$/i.exec(line);
    if (row && row[2] !== 'Context') {
      contexts.push({
        name: row[2]!,
        admin: row[1] === '*',
        className: row[3]!,
        interfaces: row[4]!.split(',').filter(Boolean),
        mode: row[5]!,
        url: row[6]!,
      });
    }
  }
  return { contexts, total };
}

export interface PlatformInputs {
  showVersion: string | ShowVersion;
  showMode?: string | null;
  showFailover?: string | null;
}

/** Combine the parsed outputs into the PlatformInfo contract; `show mode` wins over the version-line hint. */
export function buildPlatformInfo(inputs: PlatformInputs): PlatformInfo {
  const v = typeof inputs.showVersion === 'string' ? parseShowVersion(inputs.showVersion) : inputs.showVersion;
  const mode = inputs.showMode ? parseShowMode(inputs.showMode) : null;
  const fo = inputs.showFailover ? parseShowFailover(inputs.showFailover) : null;
  return {
    family: v.family,
    version: v.version,
    model: v.model,
    hostname: v.hostname,
    serial: v.serial,
    contextMode: mode ?? v.contextMode ?? 'single',
    failover: fo ? { enabled: fo.enabled, role: fo.role } : { enabled: false, role: null },
    dialect: v.dialect,
    modelId: v.modelId,
    failoverUnit: fo?.unit ?? null,
  };
}
