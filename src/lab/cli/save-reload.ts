/**
 * `write memory` / `write terminal`, `copy running-config startup-config`, and `reload` with its questions,
 * `reload in N`, `reload cancel`. The device itself (device.ts) does the saving and the down/up cycle.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checksum, configBytes, spacedChecksum } from '../config-text.js';
import type { DeviceEmulator } from '../device.js';
import { showRunning } from '../show.js';
import { output } from './pager.js';
import { CliError, kw, type Token } from './parse.js';
import type { Session } from './session.js';

/** asa_session-transcript_1.txt: shutdown lines after `Proceed with reload? [confirm]` (ASA 9.7). */
const ASA_SHUTDOWN = [
  '',
  '',
  '***',
  '*** --- START GRACEFUL SHUTDOWN ---',
  'Shutting down isakmp',
  'Shutting down webvpn',
  'Shutting down sw-module',
  'Shutting down License Controller',
  'Shutting down File system',
  '',
  '',
  '',
  '***',
  '*** --- SHUTDOWN NOW ---',
  'Process shutdown finished',
  'Rebooting... (status 0x9)',
  '..',
];
/** [unverified] PIX 6.x reload text: no capture. */
const PIX_SHUTDOWN = ['', 'Rebooting...'];

function saveLines(dev: DeviceEmulator, ctx: string): string[] {
  const doc = dev.doc(ctx);
  // asa-cli.md §4.1 (netdev capture): checksum spaced, blank line, byte count, [OK].
  return [`Cryptochecksum: ${spacedChecksum(checksum(doc))}`, '', `${configBytes(doc)} bytes copied in 0.150 secs`];
}

export async function writeCommand(s: Session, t: Token[], filter?: string): Promise<void> {
  const dev = s.device;
  const sub = t[1] ? kw(t[1], ['memory', 'terminal', 'erase', 'standby']) : 'memory';
  if (sub === 'terminal') {
    return output(s, ['Building configuration...', ...showRunning(s.doc(), false, [], false), '[OK]'], filter);
  }
  if (sub !== 'memory') throw new CliError('invalid', t[1]?.pos ?? 0);
  const all = t[2] ? kw(t[2], ['all'], t[1]?.pos ?? 0) === 'all' : false;
  if (all && s.ctx !== 'system') throw new CliError('invalid', t[2]?.pos ?? 0);
  s.write('Building configuration...\r\n');
  if (dev.faults.slowSaveSec) await sleep(dev.faults.slowSaveSec * 1000);
  const ctxs = all ? ['system', ...dev.contextNames()] : [s.ctx];
  for (const c of ctxs) {
    dev.save(c);
    if (dev.isPix) s.lines([`Cryptochecksum: ${spacedChecksum(checksum(dev.doc(c)))}`]);
    else s.lines(saveLines(dev, c));
  }
  s.lines(['[OK]']);
  if (dev.failoverRole?.role === 'active') {
    // asa-cli.md §4.3: the active unit's replication messages (Cisco guide, unicon patterns); printing them right
    // after a save is [unverified] timing, they are asynchronous on a real pair.
    s.lines(['Beginning configuration replication: Sending to mate.', 'End Configuration Replication to mate.']);
  }
}

/** [unverified] `copy running-config startup-config` prompts (asa-cli.md §4.1). */
export async function copyCommand(s: Session, t: Token[]): Promise<void> {
  let i = 1;
  let noconfirm = false;
  if (t[i]?.text.toLowerCase() === '/noconfirm') {
    noconfirm = true;
    i++;
  }
  kw(t[i], ['running-config'], t[i - 1]?.pos ?? 0);
  kw(t[i + 1], ['startup-config'], t[i]?.pos ?? 0);
  if (!noconfirm) {
    s.write('\r\nSource filename [running-config]? ');
    if ((await s.readLine('plain')) === null) return;
    s.write('Destination filename [startup-config]? ');
    if ((await s.readLine('plain')) === null) return;
  }
  s.device.save(s.ctx);
  s.lines(saveLines(s.device, s.ctx));
}

export async function reloadCommand(s: Session, t: Token[]): Promise<void> {
  const dev = s.device;
  if (dev.isPix && t.length > 1 && t[1]?.text.toLowerCase() !== 'noconfirm')
    throw new CliError('invalid', t[1]?.pos ?? 0);
  const opts = t.slice(1).map((x) => x.text.toLowerCase());
  if (opts[0] && 'cancel'.startsWith(opts[0]) && opts[0].length >= 2) {
    // [unverified] cancel banner.
    if (!dev.cancelScheduledReload()) s.lines(['%No reload is scheduled.']);
    else s.lines(['', '***', '*** --- SHUTDOWN ABORTED ---', '***']);
    return;
  }
  let inMinutes: number | undefined;
  let noconfirm = false;
  let saveConfig = false;
  for (let i = 1; i < t.length; i++) {
    const k = kw(t[i], ['noconfirm', 'in', 'save-config', 'quick', 'cancel']);
    if (k === 'noconfirm') noconfirm = true;
    else if (k === 'save-config') saveConfig = true;
    else if (k === 'in') {
      const spec = t[i + 1];
      if (!spec) throw new CliError('incomplete');
      const m = /^(\d+)(?::(\d+))?$/.exec(spec.text);
      if (!m) throw new CliError('invalid', spec.pos);
      inMinutes = m[2] !== undefined ? Number(m[1]) * 60 + Number(m[2]) : Number(m[1]);
      i++;
    }
  }
  if (saveConfig) dev.saveAll();
  if (!noconfirm && dev.isModified()) {
    const multi = dev.opts.contextMode === 'multiple';
    const q = multi
      ? `${s.ctx === 'system' ? 'System' : s.ctx} config has been modified. Save? [Y]es/[N]o/[S]ave all/[C]ancel: `
      : 'System config has been modified. Save? [Y]es/[N]o: ';
    for (;;) {
      s.write(q);
      const a = await s.readLine('plain');
      if (a === null) return;
      const ans = a.trim().toUpperCase();
      if (ans === 'Y' || ans === 'YES') {
        dev.save(s.ctx);
        s.lines(saveLines(dev, s.ctx));
        break;
      }
      if (multi && ans === 'S') {
        dev.saveAll();
        for (const c of dev.contextNames()) s.lines(saveLines(dev, c));
        break;
      }
      if (multi && ans === 'C') return;
      if (ans === 'N' || ans === 'NO') break;
    }
  }
  if (!noconfirm) {
    s.write('Proceed with reload? [confirm]');
    const k = await s.readKey();
    if (k === null) return;
    if (k !== '\r' && k !== 'y' && k !== 'Y') {
      s.write('\r\n');
      return;
    }
  }
  if (inMinutes !== undefined) {
    dev.scheduleReload(inMinutes);
    // [unverified] scheduled-reload banner.
    const h = Math.floor(inMinutes / 60);
    const m = inMinutes % 60;
    s.lines(['', '***', `*** --- SHUTDOWN in ${h}:${String(m).padStart(2, '0')}:00 ---`, '***']);
    return;
  }
  s.write(`\r\n\r${s.prompt()}\r\n`);
  dev.reload(dev.isPix ? PIX_SHUTDOWN : ASA_SHUTDOWN);
}
