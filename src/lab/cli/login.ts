/**
 * Who the session is: the telnet/stdio login (Username/Password as ASA AAA, Password only as PIX `passwd`), the
 * banner after it, `enable` and netmiko's `login` command.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DO, OPT_ECHO as ECHO, IAC, OPT_SGA as SGA, OPT_TTYPE as TTYPE, WILL } from '../../transport/telnet.js';
import { ciscoTime } from '../defaults.js';
import { HELP_LINE } from './parse.js';
import type { Session } from './session.js';

export type LoginKind = 'none' | 'username-password' | 'password-only';

/** WILL SGA, WILL ECHO, twice: the first bytes of a PIX without AAA and of an ASA (asa-cli.md §1.8, nmap). */
const OFFER_TWICE = [IAC, WILL, SGA, IAC, WILL, ECHO, IAC, WILL, SGA, IAC, WILL, ECHO];

/**
 * The greeting byte for byte as asa-cli.md §1.8 gives it (nmap service-probe captures): a PIX without AAA asks
 * `PIX passwd: `; a PIX 6.3 with AAA offers ECHO only and ends lines with CR CR LF; an ASA may send
 * IAC DO TERMINAL-TYPE right before `Username: ` (`telnetTerminalType`, default on). The telnet bytes go out only
 * over telnet (`s.telnet` is a no-op over stdio).
 */
function greeting(s: Session, kind: 'username-password' | 'password-only'): { eol: string; password: string } {
  const dev = s.device;
  if (dev.isPix && kind === 'password-only') {
    s.telnet(OFFER_TWICE);
    s.write('\r\n\r\n');
    return { eol: '\r\n', password: 'PIX passwd: ' };
  }
  if (dev.isPix) {
    s.telnet([IAC, WILL, ECHO]);
    s.write('\r\r\nUser Access Verification\r\r\n\r\r\n');
    return { eol: '\r\r\n', password: 'Password: ' };
  }
  s.telnet(OFFER_TWICE);
  s.write(kind === 'username-password' ? '\r\n\r\nUser Access Verification\r\n\r\n' : '\r\n');
  if (kind === 'username-password' && dev.opts.telnetTerminalType) s.telnet([IAC, DO, TTYPE]);
  return { eol: '\r\n', password: 'Password: ' };
}

/** The login before the banner; false when it failed (three tries) or the input ended. */
export async function login(s: Session, kind: LoginKind): Promise<boolean> {
  const dev = s.device;
  if (kind === 'none') {
    if (dev.faults.authFail) return false;
    return true;
  }
  const g = greeting(s, kind);
  for (let attempt = 0; attempt < 3; attempt++) {
    let user: string | undefined;
    if (kind === 'username-password') {
      let u: string | null = '';
      // An empty line (a client's wake-up newline) just asks again, as IOS-family devices do [unverified].
      while (u === '') {
        s.write('Username: ');
        u = await s.readLine('plain');
        if (u === null) return false;
        u = u.trim();
      }
      user = u;
    }
    s.write(g.password);
    const p = await s.readLine('none');
    if (p === null) return false;
    if (dev.faults.latencyMs) await sleep(dev.faults.latencyMs);
    if (dev.checkLogin(user, p)) {
      s.user = user ?? (dev.isPix ? 'pix' : dev.opts.username);
      return true;
    }
    // [unverified] failed telnet login text: no capture; IOS-like.
    s.write(kind === 'username-password' ? `${g.eol}Login invalid${g.eol}${g.eol}` : '\r\nInvalid password\r\n');
  }
  return false;
}

/** MOTD banner, the 9.x login history, the help line; auto-enable when AAA says so. */
export function printBanner(s: Session): void {
  const dev = s.device;
  const body = s.doc().body;
  const out: string[] = [];
  for (const l of body) if (l.startsWith('banner motd ')) out.push(l.slice('banner motd '.length));
  if (!dev.isPix && s.user && body.includes('aaa authentication login-history')) {
    // Shape of asa_login-banner_1.txt; the numbers are this lab's own.
    const prev = dev.noteLogin(s.user);
    out.push(`User ${s.user} logged in to ${dev.hostname()}`);
    out.push(
      prev
        ? `Logins over the last 1 days: ${prev.count + 1}.  Last login: ${ciscoTime(prev.last)} from 127.0.0.1`
        : 'Logins over the last 1 days: 1.', // [unverified] first-login wording
    );
    out.push('Failed logins since the last login: 0.  ');
  }
  out.push(HELP_LINE);
  s.lines(out);
  if (body.some((l) => /^aaa authorization exec .*auto-enable/.test(l))) s.privileged = true;
}

export async function enable(s: Session): Promise<void> {
  const dev = s.device;
  for (let attempt = 0; attempt < 3; attempt++) {
    s.write('Password: ');
    // The ASA echoes one `*` per typed character (asa_session-transcript_1.txt, oxidized capture).
    const p = await s.readLine('star');
    if (p === null) return;
    if (p === dev.opts.enableSecret) {
      s.privileged = true;
      s.user = 'enable_15';
      return;
    }
  }
  // [unverified] wrong-secret text after three tries (asa-cli.md §1.3 best belief).
  s.lines([dev.isPix ? 'Invalid password' : 'Access denied.']);
}

/** netmiko's `asa_login`: `login` asks Username/Password and lands in privileged mode. [unverified] texts. */
export async function loginCommand(s: Session): Promise<void> {
  s.write('Username: ');
  const u = await s.readLine('plain');
  if (u === null) return;
  s.write('Password: ');
  const p = await s.readLine('star');
  if (p === null) return;
  if (s.device.checkLogin(u.trim(), p)) {
    s.user = u.trim();
    s.privileged = true;
    return;
  }
  s.lines(['Invalid password']);
}
