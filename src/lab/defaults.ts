/**
 * Per-dialect default configs and `show version` texts, built from the captures in fixtures/captures.ts. Every
 * adaptation of a capture is listed here with its reason; nothing else is invented.
 */

import type { ConfigDoc } from './config-text.js';
import { parseConfig } from './config-text.js';
import {
  ASA9_RUNNING_CONFIG,
  ASA84_SHOW_VERSION,
  ASA912_SHOW_VERSION,
  PIX61_SHOW_VERSION,
  PIX61_WRITE_TERMINAL,
} from './fixtures/captures.js';
import type { LabDialect } from './types.js';

export interface DialectProfile {
  dialect: LabDialect;
  family: 'pix' | 'asa';
  version: string;
  defaultHostname: string;
}

export const PROFILES: Record<LabDialect, DialectProfile> = {
  pix6: { dialect: 'pix6', family: 'pix', version: '6.3(5)', defaultHostname: 'pix' },
  asa8: { dialect: 'asa8', family: 'asa', version: '8.4(1)', defaultHostname: 'asa8' },
  asa9: { dialect: 'asa9', family: 'asa', version: '9.12(4)67', defaultHostname: 'ciscoasa' },
};

export interface DefaultConfigOptions {
  hostname: string;
  username: string;
  /** asa9: leave `no call-home reporting anonymous` out so the first `configure terminal` asks the NOTICE question. */
  askAnonymousReporting: boolean;
}

function replaceLine(lines: string[], re: RegExp, by: string | null): void {
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) return;
  if (by === null) lines.splice(i, 1);
  else lines[i] = by;
}

/** asa_show-running-config_1.txt (9.12(4)67) with the hostname, the local user and call-home answer adapted. */
function asa9Config(o: DefaultConfigOptions): ConfigDoc {
  const doc = parseConfig(ASA9_RUNNING_CONFIG.join('\n'));
  const b = doc.body;
  replaceLine(b, /^hostname /, `hostname ${o.hostname}`);
  replaceLine(b, /^username /, `username ${o.username} password $sha512$5000$AAAAAAAAAABBBBBBBBBBCCCCCCCCCC== pbkdf2`);
  // The capture's device had answered the NOTICE already; a factory-fresh 9.x has neither line and asks.
  if (o.askAnonymousReporting) replaceLine(b, /^no call-home reporting anonymous$/, null);
  return doc;
}

/**
 * ASA 8.4(1): no 8.4 running-config capture exists, so the 9.12 capture is adapted: version line, a short header, MD5 `encrypted` password hashes instead of 9.x pbkdf2, and the 9.x-only
 * `service-module`/`xlate per-session`/`aaa authentication login-history` lines and `ssh version 2` (8.x allows versions 1 and 2 by default, asa-cli.md §1.8) removed. [unverified beyond those edits]
 */
function asa8Config(o: DefaultConfigOptions): ConfigDoc {
  const doc = asa9Config({ ...o, askAnonymousReporting: o.askAnonymousReporting });
  // [unverified] 8.x headers are just `: Saved` / `:` (the Serial Number / Hardware / Written by lines are 9.x).
  doc.header = [': Saved', ':'];
  doc.body = doc.body
    .filter((l) => !/^(service-module|xlate per-session|aaa authentication login-history|ssh version 2$)/.test(l))
    .map((l) => {
      if (l.startsWith('ASA Version ')) return 'ASA Version 8.4(1) ';
      if (l.startsWith('enable password ')) return 'enable password 8Ry2YjIyt7RRXU24 encrypted';
      if (l.startsWith('username ')) return `username ${o.username} password 8Ry2YjIyt7RRXU24 encrypted`;
      if (l.startsWith('boot system ')) return 'boot system disk0:/asa841-k8.bin';
      return l;
    });
  return doc;
}

/**
 * PIX 6.3(5) from pix_show-running-config_3.txt (PIX 6.1(1)): version line; `fixup protocol dns maximum-length 512`
 * added as 6.3 has it (asa-cli.md §2.2, pix2asa fixture); `no pager` replaced by the out-of-box `pager lines 24` so
 * the pager is on as on a fresh device; the TACACS+ console AAA lines removed so telnet asks only the `passwd`.
 */
function pix6Config(o: DefaultConfigOptions): ConfigDoc {
  const doc = parseConfig(PIX61_WRITE_TERMINAL.join('\n'));
  const b = doc.body;
  replaceLine(b, /^PIX Version /, 'PIX Version 6.3(5)');
  replaceLine(b, /^hostname /, `hostname ${o.hostname}`);
  replaceLine(b, /^no pager$/, 'pager lines 24');
  replaceLine(b, /^aaa authentication ssh console /, null);
  replaceLine(b, /^aaa authentication telnet console /, null);
  const ftp = b.indexOf('fixup protocol ftp 21');
  b.splice(ftp, 0, 'fixup protocol dns maximum-length 512');
  return doc;
}

export function defaultConfig(dialect: LabDialect, o: DefaultConfigOptions): ConfigDoc {
  if (dialect === 'pix6') return pix6Config(o);
  if (dialect === 'asa8') return asa8Config(o);
  return asa9Config(o);
}

export interface VersionState {
  hostname: string;
  uptimeSec: number;
  /** null: `Configuration has not been modified since last system restart.` */
  lastModified: { by: string; at: Date } | null;
  /** Multiple-context suffix: ` <system>` / ` <admin>`. */
  contextSuffix?: string;
  /** The unit's serial number (replaces the capture's). */
  serial?: string;
}

function uptime(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  // [unverified] exact short-uptime wording; the captures only show "N days N hours".
  if (d > 0) return `${d} days ${h} hours`;
  if (h > 0) return `${h} hours ${m} mins`;
  return `${m} mins ${sec % 60} secs`;
}

/** `09:40:52.309 UTC Thu Jun 6 2024`, the shape of the `Configuration last modified` line. */
export function ciscoTime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)} UTC ${
    days[d.getUTCDay()]
  } ${months[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()}`;
}

function modifiedLine(s: VersionState): string {
  return s.lastModified
    ? `Configuration last modified by ${s.lastModified.by} at ${ciscoTime(s.lastModified.at)}`
    : 'Configuration has not been modified since last system restart.';
}

/** `show version` text: asa_show-version_10.txt (9.12), asa_show-version_7.txt (8.4), pix_show-version_1.txt (PIX). */
export function showVersion(dialect: LabDialect, s: VersionState): string[] {
  // A user context prints no serial line (asa_show-version_2.txt, asa_show-version_8.txt).
  const inContext = s.contextSuffix === ' <context>';
  const lines = versionLines(dialect, s).filter((l) => !(inContext && l.startsWith('Serial Number:')));
  if (!s.serial) return lines;
  const serial = s.serial;
  return lines.map((l) => {
    if (!l.startsWith('Serial Number:')) return l;
    if (dialect !== 'pix6') return `Serial Number: ${serial}`;
    return `Serial Number: ${serial} (0x${Number(serial).toString(16).padStart(8, '0')})`;
  });
}

function versionLines(dialect: LabDialect, s: VersionState): string[] {
  if (dialect === 'asa9') {
    return ASA912_SHOW_VERSION.map((l, i) => {
      if (i === 1 && s.contextSuffix) return `${l.trimEnd()}${s.contextSuffix}`;
      if (/ up \d+ days/.test(l)) return `${s.hostname} up ${uptime(s.uptimeSec)}`;
      if (l.startsWith('Configuration has not been modified')) return modifiedLine(s);
      return l;
    });
  }
  if (dialect === 'asa8') {
    // Capture booted from "disk0:/tomm_backup.cfg"; a lab device boots from startup-config like the 9.12 capture.
    return ASA84_SHOW_VERSION.map((l, i) => {
      if (i === 0 && s.contextSuffix) return `${l}${s.contextSuffix}`;
      if (l.startsWith('Config file at boot was')) return 'Config file at boot was "startup-config"';
      if (/ up \d+ days/.test(l)) return `${s.hostname} up ${uptime(s.uptimeSec)}`;
      if (l.startsWith('Configuration last modified')) return modifiedLine(s);
      return l;
    });
  }
  // PIX 6.3: the 6.1(1) capture with the 6.3 version line; 6.3's `Running Activation Key:` and
  // `Configuration last modified by ...` lines follow the only 6.3 excerpt found (asa-cli.md §2.0, FS-id 22769727086).
  const out = PIX61_SHOW_VERSION.map((l) => {
    if (l.startsWith('Cisco PIX Firewall Version')) return 'Cisco PIX Firewall Version 6.3(5)';
    if (l.startsWith('Cisco PIX Device Manager Version')) return 'Cisco PIX Device Manager Version 3.0(4)'; // [unverified]
    if (/ up \d+ days/.test(l)) return `${s.hostname} up ${uptime(s.uptimeSec)}`;
    if (l.startsWith('Activation Key:')) return `Running ${l}`;
    return l;
  });
  out.push(
    s.lastModified
      ? `Configuration last modified by ${s.lastModified.by} at ${ciscoTime(s.lastModified.at)}`
      : 'Configuration has not been modified since last system restart.',
  );
  return out;
}
