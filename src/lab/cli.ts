/**
 * One CLI session on an emulated device: bytes in, bytes out, no sockets. Written as one async coroutine per
 * session (`readLine`/`readKey` await input) so questions, the pager and type-ahead behave as on the device:
 * what is typed while a command runs is echoed only when the CLI reads it again.
 *
 * Texts come from the captures via asa-cli.md; texts no capture shows are marked [unverified].
 */
import { EventEmitter } from 'node:events';
import {
  checksum,
  configBytes,
  ensureBlock,
  ensureChild,
  findBlock,
  findChild,
  setTopLine,
  spacedChecksum,
} from './config-text.js';
import { ciscoTime, showVersion } from './defaults.js';
import type { DeviceEmulator } from './device.js';
import { SINGLE } from './device.js';
import {
  applyFilter,
  KNOWN_SECTIONS,
  showContext,
  showFailover,
  showFixup,
  showRunning,
  showServicePolicy,
} from './show.js';

export interface CliSink {
  write(data: string): void;
  /** End the session (close the channel/socket). Called once. */
  close(): void;
}

export interface CliConnectionOptions {
  transport: 'ssh' | 'telnet' | 'stdio';
  /** Login done by the CLI itself (telnet, stdio --telnet-login) or already done (SSH auth, stdio). */
  login: 'none' | 'username-password' | 'password-only';
  /** The user authenticated by SSH. */
  username?: string;
}

type ModeKind = 'config' | 'pmap' | 'pmap-c' | 'cmap' | 'pmap-p';
interface Mode {
  kind: ModeKind;
  name?: string;
}

interface Token {
  text: string;
  pos: number;
}

class CliError extends Error {
  constructor(
    readonly kind: 'invalid' | 'incomplete' | 'ambiguous',
    readonly pos = 0,
    readonly word = '',
  ) {
    super(kind);
  }
}

const INVALID = "ERROR: % Invalid input detected at '^' marker.";
const HELP_LINE = "Type help or '?' for a list of available commands.";
const MORE = '<--- More --->';
/** Erases `<--- More --->` (14 columns) after a key, the residue tools strip (asa-cli.md, Variants). */
const MORE_ERASE = `\r${' '.repeat(MORE.length)}\r`;

/** asa_session-transcript_1.txt / _2.txt: the NOTICE after the first `configure terminal` on 8.4+/9.x. */
const NOTICE = [
  '',
  '***************************** NOTICE *****************************',
  '',
  'Help to improve the ASA platform by enabling anonymous reporting,',
  'which allows Cisco to securely receive minimal error and health',
  'information from the device. To learn more about this feature,',
  'please visit: http://www.cisco.com/go/smartcall',
  '',
  'Would you like to enable anonymous error reporting to help improve',
];
const NOTICE_QUESTION = 'the product? [Y]es, [N]o, [A]sk later: ';

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

/** PIX 6.x default fixup ports (pix_show-running-config_3.txt). */
const PIX_DEFAULT_FIXUPS: Record<string, string> = {
  ftp: '21',
  http: '80',
  h323: '1720',
  rsh: '514',
  rtsp: '554',
  smtp: '25',
  sqlnet: '1521',
  sip: '5060',
  skinny: '2000',
};

const INSPECT_PROTOCOLS = [
  'ctiqbe',
  'dcerpc',
  'dns',
  'esmtp',
  'ftp',
  'gtp',
  'h323',
  'http',
  'icmp',
  'ils',
  'im',
  'ip-options',
  'ipsec-pass-thru',
  'mgcp',
  'netbios',
  'pptp',
  'rsh',
  'rtsp',
  'sip',
  'skinny',
  'smtp',
  'snmp',
  'sqlnet',
  'sunrpc',
  'tftp',
  'waas',
  'xdmcp',
];

/** Abbreviations the real CLI resolves even when several keywords share the prefix. */
const PREFERRED: Record<string, string> = {
  sh: 'show',
  en: 'enable',
  ex: 'exit',
  conf: 'configure',
  config: 'configure',
  wr: 'write',
  t: 'terminal',
  c: 'configure',
  no: 'no',
};

function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push({ text: m[0], pos: m.index });
  return out;
}

/** Resolve an abbreviated keyword among `candidates`. */
function kw(tok: Token | undefined, candidates: readonly string[], lastPos = 0): string {
  if (!tok) throw new CliError('incomplete', lastPos);
  const w = tok.text.toLowerCase();
  if (candidates.includes(w)) return w;
  const hits = candidates.filter((c) => c.startsWith(w));
  if (hits.length === 1) return hits[0] as string;
  const pref = PREFERRED[w];
  if (hits.length > 1 && pref && hits.includes(pref)) return pref;
  if (hits.length > 1) throw new CliError('ambiguous', tok.pos, tok.text);
  throw new CliError('invalid', tok.pos);
}

function num(tok: Token | undefined, lastPos: number, min = 0, max = 65535): number {
  if (!tok) throw new CliError('incomplete', lastPos);
  if (!/^\d+$/.test(tok.text)) throw new CliError('invalid', tok.pos);
  const n = Number(tok.text);
  if (n < min || n > max) throw new CliError('invalid', tok.pos);
  return n;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class CliConnection extends EventEmitter {
  private inBuf = '';
  private waiter: (() => void) | null = null;
  private inputEnded = false;
  private lastWasCR = false;
  private pendingOut = '';
  private flushScheduled = false;
  private closed = false;
  private privileged = false;
  private modes: Mode[] = [];
  private ctx: string;
  private pagerLines: number;
  private user: string | undefined;
  private lastPrompt = '';

  constructor(
    readonly device: DeviceEmulator,
    readonly id: number,
    readonly options: CliConnectionOptions,
    private readonly sink: CliSink,
  ) {
    super();
    this.ctx = device.defaultContext;
    this.user = options.username;
    this.pagerLines = this.configPagerLines();
  }

  // ---- I/O plumbing -------------------------------------------------------------------------------------

  start(): void {
    this.main().catch(() => this.close());
  }

  /** Bytes typed by the client (telnet option negotiation already removed). */
  feed(data: Buffer | string): void {
    if (this.closed) return;
    this.inBuf += typeof data === 'string' ? data : data.toString('latin1');
    this.wake();
  }

  /** The client closed its side. */
  endInput(): void {
    this.inputEnded = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.sink.close();
    this.wake();
    this.emit('closed');
  }

  /** Print asynchronous lines (reload notices) to this session. */
  notify(lines: string[]): void {
    this.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private write(s: string): void {
    if (this.closed) return;
    this.pendingOut += s;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.pendingOut) return;
    const s = this.pendingOut;
    this.pendingOut = '';
    this.sink.write(s);
  }

  private async nextChar(): Promise<string | null> {
    while (this.inBuf.length === 0) {
      if (this.inputEnded || this.closed) return null;
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
    const c = this.inBuf[0] as string;
    this.inBuf = this.inBuf.slice(1);
    return c;
  }

  /** Next typed char with line ends folded: `\r`, `\n`, `\r\n`, `\r\0` all come back as one `\r`. */
  private async nextKey(): Promise<string | null> {
    for (;;) {
      const c = await this.nextChar();
      if (c === null) return null;
      if ((c === '\n' || c === '\0') && this.lastWasCR) {
        this.lastWasCR = false;
        continue;
      }
      this.lastWasCR = c === '\r';
      return c === '\n' ? '\r' : c;
    }
  }

  /** One line. echo: as typed, nothing (passwords), or `*` per char. */
  private async readLine(echo: 'plain' | 'none' | 'star'): Promise<string | null> {
    let line = '';
    for (;;) {
      const c = await this.nextKey();
      if (c === null) return null;
      if (c === '\r') {
        this.write('\r\n');
        return line;
      }
      if (c === '\x7f' || c === '\b') {
        if (line) {
          line = line.slice(0, -1);
          if (echo !== 'none') this.write('\b \b');
        }
        continue;
      }
      if (c < ' ' && c !== '\t') continue;
      line += c;
      if (echo === 'plain') this.write(c);
      else if (echo === 'star') this.write('*');
    }
  }

  /** One key (pager, [confirm]); Enter comes back as `\r`. */
  private readKey(): Promise<string | null> {
    return this.nextKey();
  }

  private lines(lines: readonly string[]): void {
    this.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  /** Output with the pager: stops at `<--- More --->`; space = page, Enter = line, q = quit. */
  private async paged(lines: readonly string[]): Promise<void> {
    const page = this.pagerLines;
    if (page <= 0 || lines.length <= page) {
      this.lines(lines);
      return;
    }
    let i = 0;
    let budget = page;
    while (i < lines.length) {
      const chunk = lines.slice(i, i + budget);
      this.lines(chunk);
      i += chunk.length;
      if (i >= lines.length) return;
      this.write(MORE);
      const k = await this.readKey();
      if (k === null) return;
      this.write(MORE_ERASE);
      if (k === 'q' || k === 'Q') return;
      // [unverified] keys other than space/Enter/q: treated as space.
      budget = k === '\r' ? 1 : page;
    }
  }

  // ---- session -----------------------------------------------------------------------------------------

  private async main(): Promise<void> {
    if (!(await this.login())) {
      this.close();
      return;
    }
    this.printBanner();
    while (!this.closed) {
      this.lastPrompt = this.prompt();
      this.write(`\r${this.lastPrompt}`);
      const line = await this.readLine('plain');
      if (line === null) break;
      await this.handleLine(line);
    }
    this.close();
  }

  private doc() {
    return this.device.doc(this.ctx);
  }

  private configPagerLines(): number {
    const d = this.device.doc(this.ctx);
    if (d.body.includes('no pager')) return 0;
    const m = d.body.map((l) => /^pager lines (\d+)/.exec(l)).find((x) => x);
    return m ? Number(m[1]) : 24;
  }

  private async login(): Promise<boolean> {
    const dev = this.device;
    if (this.options.login === 'none') {
      if (dev.faults.authFail) return false;
      return true;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      let user: string | undefined;
      if (this.options.login === 'username-password') {
        if (attempt === 0) this.write('\r\n\r\nUser Access Verification\r\n\r\n');
        let u: string | null = '';
        // An empty line (a client's wake-up newline) just asks again, as IOS-family devices do [unverified].
        while (u === '') {
          this.write('Username: ');
          u = await this.readLine('plain');
          if (u === null) return false;
          u = u.trim();
        }
        user = u;
      } else if (attempt === 0) {
        this.write('\r\n');
      }
      this.write('Password: ');
      const p = await this.readLine('none');
      if (p === null) return false;
      if (dev.faults.latencyMs) await sleep(dev.faults.latencyMs);
      if (dev.checkLogin(user, p)) {
        this.user = user ?? (dev.isPix ? 'pix' : dev.opts.username);
        return true;
      }
      // [unverified] failed telnet login text: no capture; IOS-like.
      this.write(this.options.login === 'username-password' ? '\r\nLogin invalid\r\n\r\n' : '\r\nInvalid password\r\n');
    }
    return false;
  }

  private printBanner(): void {
    const dev = this.device;
    const body = this.doc().body;
    const out: string[] = [];
    for (const l of body) if (l.startsWith('banner motd ')) out.push(l.slice('banner motd '.length));
    if (!dev.isPix && this.user && body.includes('aaa authentication login-history')) {
      // Shape of asa_login-banner_1.txt; the numbers are this lab's own.
      const prev = dev.noteLogin(this.user);
      out.push(`User ${this.user} logged in to ${dev.hostname()}`);
      out.push(
        prev
          ? `Logins over the last 1 days: ${prev.count + 1}.  Last login: ${ciscoTime(prev.last)} from 127.0.0.1`
          : 'Logins over the last 1 days: 1.', // [unverified] first-login wording
      );
      out.push('Failed logins since the last login: 0.  ');
    }
    out.push(HELP_LINE);
    this.lines(out);
    if (body.some((l) => /^aaa authorization exec .*auto-enable/.test(l))) this.privileged = true;
  }

  prompt(): string {
    const dev = this.device;
    let p = dev.hostname();
    const promptLine = this.doc().body.find((l) => l.startsWith('prompt ')) ?? 'prompt hostname context';
    if (this.ctx !== SINGLE && this.ctx !== 'system' && promptLine.includes('context')) p += `/${this.ctx}`;
    const fo = dev.failoverRole;
    if (fo) p += `/${fo.unit === 'primary' ? 'pri' : 'sec'}/${fo.role === 'active' ? 'act' : 'stby'}`;
    const mode = this.modes[this.modes.length - 1];
    if (mode) p += mode.kind === 'config' ? '(config)' : `(config-${mode.kind})`;
    return `${p}${this.privileged ? '#' : '>'} `;
  }

  // ---- command dispatch --------------------------------------------------------------------------------

  private async handleLine(line: string): Promise<void> {
    const cmd = line.trim();
    if (!cmd || cmd.startsWith('!') || cmd.startsWith(':')) return;
    const dev = this.device;
    dev.recordCommand(cmd, this.id);
    const f = dev.faults;
    if (f.latencyMs) await sleep(f.latencyMs);
    const matches = (list?: RegExp[]) => list?.some((re) => re.test(cmd)) ?? false;
    if (matches(f.hangAt)) {
      await new Promise<void>((r) => this.once('closed', () => r()));
      return;
    }
    if (matches(f.dropAt)) {
      this.close();
      return;
    }
    if (matches(f.errorAt)) {
      this.error(new CliError('invalid', line.length - line.trimStart().length));
      return;
    }
    if (matches(f.authzFail)) {
      this.lines(['Command authorization failed']);
      return;
    }
    try {
      await this.execute(line);
    } catch (e) {
      if (e instanceof CliError) this.error(e);
      else throw e;
    }
    dev.emit('executed', cmd, this.id);
  }

  private error(e: CliError): void {
    if (this.device.isPix) {
      // [unverified] PIX 6.x has no caret form (arrived with 7.0); it prints the help line.
      this.lines([HELP_LINE]);
      return;
    }
    if (e.kind === 'incomplete') this.lines(['ERROR: % Incomplete command']);
    else if (e.kind === 'ambiguous')
      this.lines([`ERROR: % Ambiguous command:  "${e.word}"`]); // [unverified]
    // Caret column = prompt length + token offset + 1, as in the ansible-modules-extras#3260 capture.
    else this.lines([`${' '.repeat(this.lastPrompt.length + e.pos + 1)}^`, INVALID]);
  }

  private get inConfig(): boolean {
    return this.modes.length > 0;
  }
  private get mode(): ModeKind | 'exec' {
    return this.modes[this.modes.length - 1]?.kind ?? 'exec';
  }

  private execCommands(): string[] {
    const pix = this.device.isPix;
    const user = ['enable', 'exit', 'quit', 'logout', 'login', 'show', 'terminal', 'help'];
    if (pix) user.push('pager');
    if (!this.privileged) return user;
    const priv = [...user, 'disable', 'configure', 'write', 'copy', 'reload', 'more', 'no'];
    if (!pix) priv.push('changeto');
    return priv;
  }

  private modeCommands(kind: ModeKind): string[] {
    switch (kind) {
      case 'config':
        return [
          'hostname',
          'domain-name',
          'policy-map',
          'class-map',
          'service-policy',
          'fixup',
          'no',
          'end',
          'exit',
          'quit',
          'call-home',
          'pager',
          'prompt',
          'banner',
          'enable',
        ];
      case 'pmap':
        return ['class', 'description', 'parameters', 'no', 'exit', 'end', 'quit'];
      case 'pmap-c':
        return ['inspect', 'no', 'exit', 'end', 'quit'];
      case 'cmap':
        return ['match', 'description', 'no', 'exit', 'end', 'quit'];
      case 'pmap-p':
        return ['mask-banner', 'allow-tls', 'mail-relay', 'special-character', 'no', 'exit', 'end', 'quit'];
    }
  }

  private async execute(line: string): Promise<void> {
    const pipe = line.indexOf(' | ');
    const main = pipe >= 0 ? line.slice(0, pipe) : line;
    const filter = pipe >= 0 ? line.slice(pipe + 3) : undefined;
    const t = tokenize(main);
    const mode = this.mode;
    const execSet = this.execCommands();
    if (mode === 'exec') {
      const k = kw(t[0], execSet);
      return this.execExec(k, t, filter);
    }
    // Config modes: the mode's own commands, exec commands, and (like the device, which leaves a sub-mode for a
    // parent-mode command) the config-mode commands.
    const own = this.modeCommands(mode);
    const root = mode === 'config' ? [] : this.modeCommands('config');
    const execOnly = execSet.filter((c) => !['enable', 'exit', 'quit', 'no'].includes(c));
    const k = kw(t[0], [...new Set([...own, ...execOnly, ...root])]);
    let ownError: unknown;
    if (own.includes(k)) {
      try {
        if (await this.configCommand(mode, k, t)) return;
      } catch (e) {
        if (!(e instanceof CliError) || !root.includes(k)) throw e;
        ownError = e;
      }
    } else if (execOnly.includes(k)) {
      return this.execExec(k, t, filter);
    }
    if (root.includes(k)) {
      const saved = this.modes;
      this.modes = [saved[0] as Mode];
      try {
        if (await this.configCommand('config', k, t)) return;
      } catch (e) {
        this.modes = saved;
        throw ownError ?? e;
      }
      this.modes = saved;
    }
    throw ownError ?? new CliError('invalid', t[0]?.pos ?? 0);
  }

  private async execExec(k: string, t: Token[], filter?: string): Promise<void> {
    const dev = this.device;
    switch (k) {
      case 'enable':
        if (this.privileged) throw new CliError('invalid', t[0]?.pos ?? 0); // ansible-modules-extras#3260 capture
        return this.enable();
      case 'disable':
        if (t.length > 1) throw new CliError('invalid', t[1]?.pos ?? 0);
        this.privileged = false;
        this.modes = [];
        return;
      case 'exit':
      case 'quit':
      case 'logout':
        // asa_session-transcript_2.txt: `exit` -> blank line, `Logoff`, session ends.
        this.lines(['', 'Logoff', '']);
        this.close();
        return;
      case 'login':
        return this.loginCommand();
      case 'help':
        this.lines([HELP_LINE]);
        return;
      case 'show':
        return this.show(t, filter);
      case 'more': {
        const target = t[1]?.text.toLowerCase();
        if (!target) throw new CliError('incomplete');
        if (target === 'system:running-config')
          return this.output(showRunning(this.doc(), false, [], !this.device.isPix), filter);
        if (target === 'system:startup-config' || target === 'disk0:/startup-config')
          return this.output(showRunning(dev.startupDoc(this.ctx), false, [], !dev.isPix), filter);
        throw new CliError('invalid', t[1]?.pos ?? 0);
      }
      case 'terminal':
        return this.terminal(t.slice(1), t[0]?.pos ?? 0);
      case 'pager':
        return this.pixPager(t, false);
      case 'no': {
        const sub = kw(t[1], ['terminal', ...(dev.isPix ? ['pager'] : [])], t[0]?.pos);
        if (sub === 'pager') {
          this.pagerLines = 0;
          return;
        }
        kw(t[2], ['pager'], t[1]?.pos);
        this.pagerLines = 0;
        return;
      }
      case 'configure':
        return this.configure(t);
      case 'write':
        return this.writeCommand(t, filter);
      case 'copy':
        return this.copyCommand(t);
      case 'reload':
        return this.reloadCommand(t);
      case 'changeto':
        return this.changeto(t);
    }
    throw new CliError('invalid', t[0]?.pos ?? 0);
  }

  private async enable(): Promise<void> {
    const dev = this.device;
    for (let attempt = 0; attempt < 3; attempt++) {
      this.write('Password: ');
      // The ASA echoes one `*` per typed character (asa_session-transcript_1.txt, oxidized capture).
      const p = await this.readLine('star');
      if (p === null) return;
      if (p === dev.opts.enableSecret) {
        this.privileged = true;
        this.user = 'enable_15';
        return;
      }
    }
    // [unverified] wrong-secret text after three tries (asa-cli.md §1.3 best belief).
    this.lines([dev.isPix ? 'Invalid password' : 'Access denied.']);
  }

  /** netmiko's `asa_login`: `login` asks Username/Password and lands in privileged mode. [unverified] texts. */
  private async loginCommand(): Promise<void> {
    this.write('Username: ');
    const u = await this.readLine('plain');
    if (u === null) return;
    this.write('Password: ');
    const p = await this.readLine('star');
    if (p === null) return;
    if (this.device.checkLogin(u.trim(), p)) {
      this.user = u.trim();
      this.privileged = true;
      return;
    }
    this.lines(['Invalid password']);
  }

  private terminal(t: Token[], lastPos: number): void {
    const pix = this.device.isPix;
    const sub = kw(t[0], pix ? ['width'] : ['pager', 'width', 'no'], lastPos);
    if (sub === 'width') {
      num(t[1], t[0]?.pos ?? 0, 0, 511);
      return;
    }
    if (sub === 'no') {
      kw(t[1], ['pager'], t[0]?.pos ?? 0);
      this.pagerLines = 0;
      return;
    }
    // `terminal pager [lines] N`
    let i = 1;
    if (t[i] && !/^\d+$/.test(t[i]?.text ?? '')) {
      kw(t[i], ['lines'], t[0]?.pos ?? 0);
      i++;
    }
    this.pagerLines = num(t[i], t[i - 1]?.pos ?? 0, 0, 2147483647);
  }

  /** PIX `pager [lines] N` / `no pager`; in config mode also the running config's `pager` line. */
  private pixPager(t: Token[], negate: boolean): void {
    let n = 0;
    if (!negate) {
      let i = 1;
      if (t[i] && !/^\d+$/.test(t[i]?.text ?? '')) {
        kw(t[i], ['lines'], t[0]?.pos ?? 0);
        i++;
      }
      n = t[i] ? num(t[i], 0, 0, 2147483647) : 24;
    }
    this.pagerLines = n;
    if (this.inConfig) {
      setTopLine(this.doc().body, /^(no )?pager( |$)/, n > 0 ? `pager lines ${n}` : 'no pager');
      this.device.touched(this.user ?? 'enable_15');
    }
  }

  private async output(lines: string[], filter?: string): Promise<void> {
    let out = lines;
    if (filter !== undefined) {
      const ft = tokenize(filter);
      const kind = kw(ft[0], ['include', 'exclude', 'begin', 'grep']);
      let rest = ft.slice(1);
      let mode: 'include' | 'exclude' | 'begin' =
        kind === 'grep' ? 'include' : (kind as 'include' | 'exclude' | 'begin');
      if (kind === 'grep' && rest[0]?.text === '-v') {
        mode = 'exclude';
        rest = rest.slice(1);
      }
      if (!rest[0]) throw new CliError('incomplete');
      const pattern = filter.slice(rest[0].pos);
      out = applyFilter(lines, mode, pattern.trim());
    }
    await this.paged(out);
  }

  private async show(t: Token[], filter?: string): Promise<void> {
    const dev = this.device;
    const pix = dev.isPix;
    const user = ['version', 'curpriv', 'pager', 'failover', 'hostname'];
    if (!pix) user.push('mode');
    const priv = [...user, 'running-config', 'startup-config', 'reload'];
    if (pix) priv.push('fixup', 'configure');
    else priv.push('service-policy', 'context');
    const what = kw(t[1], this.privileged ? priv : user, t[0]?.pos ?? 0);
    const rest = t.slice(2);
    switch (what) {
      case 'version': {
        const sys = dev.opts.contextMode === 'multiple';
        const lines = showVersion(dev.dialect, {
          hostname: dev.hostname(),
          uptimeSec: dev.uptimeSec(),
          lastModified: dev.lastModified,
          contextSuffix: sys ? ` <${this.ctx === 'system' ? 'system' : 'context'}>` : undefined,
        });
        return this.output(lines, filter);
      }
      case 'curpriv': {
        // [unverified] shape of `show curpriv` (netmiko only waits for its echo).
        const lvl = this.privileged ? 15 : 1;
        const modeTxt = this.privileged ? (this.inConfig ? 'P_PRIV P_CONF' : 'P_PRIV') : 'P_UNPR';
        return this.output(
          [
            `Username : ${this.privileged ? 'enable_15' : (this.user ?? 'enable_1')}`,
            `Current privilege level : ${lvl}`,
            `Current Mode/s : ${modeTxt}`,
          ],
          filter,
        );
      }
      case 'pager':
        return this.output([this.pagerLines > 0 ? `pager lines ${this.pagerLines}` : 'no pager'], filter); // [unverified]
      case 'hostname':
        return this.output([dev.hostname()], filter);
      case 'mode':
        // oxidized capture: `Security context mode: single ` (trailing space).
        return this.output([`Security context mode: ${dev.opts.contextMode} `], filter);
      case 'failover':
        return this.output(showFailover(dev.failoverRole), filter);
      case 'running-config': {
        let words = rest.map((x) => x.text);
        let all = false;
        if (words[0] === 'all') {
          all = true;
          words = words.slice(1);
        }
        const first = rest[all ? 1 : 0];
        if (first && !KNOWN_SECTIONS.includes(words[0] ?? '')) {
          if (!this.doc().body.some((l) => l.startsWith(`${words[0]} `) || l === words[0]))
            throw new CliError('invalid', first.pos);
        }
        return this.output(showRunning(this.doc(), all, words, !dev.isPix), filter);
      }
      case 'startup-config':
      case 'configure':
        return this.output(showRunning(dev.startupDoc(this.ctx), false, [], !dev.isPix), filter);
      case 'fixup':
        return this.output(showFixup(this.doc()), filter);
      case 'service-policy': {
        let insp: string | undefined;
        if (rest[0]) {
          const sub = kw(rest[0], ['global', 'inspect', 'interface'], t[1]?.pos ?? 0);
          if (sub === 'inspect') {
            insp = kw(rest[1], INSPECT_PROTOCOLS, rest[0].pos);
            // asa-cli.md §2.5: protocols with a sub-keyword are incomplete without it.
            if (insp === 'h323') {
              const s2 = rest[2] ? kw(rest[2], ['h225', 'ras'], rest[1]?.pos ?? 0) : undefined;
              if (!s2) throw new CliError('incomplete');
              insp = `h323 ${s2}`;
            }
          }
        }
        return this.output(showServicePolicy(this.doc(), insp), filter);
      }
      case 'context':
        if (dev.opts.contextMode !== 'multiple') throw new CliError('invalid', t[1]?.pos ?? 0); // [unverified]
        return this.output(showContext(dev.contextNames()), filter);
      case 'reload': {
        // [unverified] wording: no capture of `show reload`.
        const r = dev.scheduledReload;
        if (!r) return this.output(['No reload is scheduled.'], filter);
        const left = Math.max(0, Math.round((r.at.getTime() - Date.now()) / 1000));
        return this.output(
          [`Reload scheduled for ${ciscoTime(r.at)} (in ${Math.floor(left / 60)} minutes and ${left % 60} seconds)`],
          filter,
        );
      }
    }
    throw new CliError('invalid', t[1]?.pos ?? 0);
  }

  private async configure(t: Token[]): Promise<void> {
    const dev = this.device;
    if (this.inConfig) throw new CliError('invalid', t[0]?.pos ?? 0);
    kw(t[1], ['terminal'], t[0]?.pos ?? 0);
    if (t.length > 2) throw new CliError('invalid', t[2]?.pos ?? 0);
    if (dev.faults.configLock) {
      // [unverified] no capture of a configuration lock message exists (asa-cli.md §4.4).
      this.lines(['ERROR: Configuration is locked by another session. Try again later.']);
      return;
    }
    if (dev.faults.standby || dev.failoverRole?.role === 'standby') {
      // asa-cli.md §4.3 (Cisco config guide + unicon mock); printed on entering config mode [unverified placement].
      this.lines([
        '**** WARNING ****',
        '\tConfiguration Replication is NOT performed from Standby unit to Active unit.',
        '\tConfigurations are no longer synchronized.',
      ]);
    }
    this.modes = [{ kind: 'config' }];
    const body = this.doc().body;
    const answered = body.some((l) => /^(no )?call-home reporting anonymous/.test(l));
    if (dev.isPix || !dev.opts.anonymousReportingQuestion || answered) return;
    // The (config)# prompt comes BEFORE the NOTICE (asa_session-transcript_1.txt and _2.txt).
    this.lastPrompt = this.prompt();
    this.write(`\r${this.lastPrompt}\r\n`);
    this.lines(NOTICE);
    for (;;) {
      this.write(NOTICE_QUESTION);
      const a = await this.readLine('plain');
      if (a === null) return;
      const ans = a.trim().toUpperCase();
      if (ans === 'N') {
        setTopLine(body, /^(no )?call-home reporting anonymous/, 'no call-home reporting anonymous', 'prompt ');
        this.lines([
          '',
          'In the future, if you would like to enable this feature,',
          'issue the command "call-home reporting anonymous".',
          '',
          'Please remember to save your configuration.',
          '',
        ]);
        return;
      }
      if (ans === 'Y') {
        setTopLine(body, /^(no )?call-home reporting anonymous/, 'call-home reporting anonymous', 'prompt ');
        this.lines([
          '',
          'Enabling anonymous reporting.',
          'Adding "call-home reporting anonymous" to running configuration...',
          'Creating trustpoint "_SmartCallHome_ServerCA" and installing certificate...',
          '',
          'Trustpoint CA certificate accepted.',
          '',
          'Please remember to save your configuration.',
          '',
        ]);
        return;
      }
      // [unverified] "ask later" (and a bare Enter, so a tool that just presses Enter gets its prompt back): asked
      // again at the next configure terminal.
      if (ans === 'A' || ans === '') {
        this.lines(['']);
        return;
      }
      // [unverified] any other answer repeats the question.
    }
  }

  private saveLines(ctx: string): string[] {
    const doc = this.device.doc(ctx);
    // asa-cli.md §4.1 (netdev capture): checksum spaced, blank line, byte count, [OK].
    return [`Cryptochecksum: ${spacedChecksum(checksum(doc))}`, '', `${configBytes(doc)} bytes copied in 0.150 secs`];
  }

  private async writeCommand(t: Token[], filter?: string): Promise<void> {
    const dev = this.device;
    const sub = t[1] ? kw(t[1], ['memory', 'terminal', 'erase', 'standby']) : 'memory';
    if (sub === 'terminal') {
      return this.output(['Building configuration...', ...showRunning(this.doc(), false, [], false), '[OK]'], filter);
    }
    if (sub !== 'memory') throw new CliError('invalid', t[1]?.pos ?? 0);
    const all = t[2] ? kw(t[2], ['all'], t[1]?.pos ?? 0) === 'all' : false;
    if (all && this.ctx !== 'system') throw new CliError('invalid', t[2]?.pos ?? 0);
    this.write('Building configuration...\r\n');
    if (dev.faults.slowSaveSec) await sleep(dev.faults.slowSaveSec * 1000);
    const ctxs = all ? ['system', ...dev.contextNames()] : [this.ctx];
    for (const c of ctxs) {
      dev.save(c);
      if (dev.isPix) this.lines([`Cryptochecksum: ${spacedChecksum(checksum(dev.doc(c)))}`]);
      else this.lines(this.saveLines(c));
    }
    this.lines(['[OK]']);
    if (dev.failoverRole?.role === 'active') {
      // asa-cli.md §4.3: the active unit's replication messages (Cisco guide, unicon patterns); printing them right
      // after a save is [unverified] timing, they are asynchronous on a real pair.
      this.lines(['Beginning configuration replication: Sending to mate.', 'End Configuration Replication to mate.']);
    }
  }

  /** [unverified] `copy running-config startup-config` prompts (asa-cli.md §4.1). */
  private async copyCommand(t: Token[]): Promise<void> {
    let i = 1;
    let noconfirm = false;
    if (t[i]?.text.toLowerCase() === '/noconfirm') {
      noconfirm = true;
      i++;
    }
    kw(t[i], ['running-config'], t[i - 1]?.pos ?? 0);
    kw(t[i + 1], ['startup-config'], t[i]?.pos ?? 0);
    if (!noconfirm) {
      this.write('\r\nSource filename [running-config]? ');
      if ((await this.readLine('plain')) === null) return;
      this.write('Destination filename [startup-config]? ');
      if ((await this.readLine('plain')) === null) return;
    }
    this.device.save(this.ctx);
    this.lines(this.saveLines(this.ctx));
  }

  private async reloadCommand(t: Token[]): Promise<void> {
    const dev = this.device;
    if (dev.isPix && t.length > 1 && t[1]?.text.toLowerCase() !== 'noconfirm')
      throw new CliError('invalid', t[1]?.pos ?? 0);
    const opts = t.slice(1).map((x) => x.text.toLowerCase());
    if (opts[0] && 'cancel'.startsWith(opts[0]) && opts[0].length >= 2) {
      // [unverified] cancel banner.
      if (!dev.cancelScheduledReload()) this.lines(['%No reload is scheduled.']);
      else this.lines(['', '***', '*** --- SHUTDOWN ABORTED ---', '***']);
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
        ? `${this.ctx === 'system' ? 'System' : this.ctx} config has been modified. Save? [Y]es/[N]o/[S]ave all/[C]ancel: `
        : 'System config has been modified. Save? [Y]es/[N]o: ';
      for (;;) {
        this.write(q);
        const a = await this.readLine('plain');
        if (a === null) return;
        const ans = a.trim().toUpperCase();
        if (ans === 'Y' || ans === 'YES') {
          dev.save(this.ctx);
          this.lines(this.saveLines(this.ctx));
          break;
        }
        if (multi && ans === 'S') {
          dev.saveAll();
          for (const c of dev.contextNames()) this.lines(this.saveLines(c));
          break;
        }
        if (multi && ans === 'C') return;
        if (ans === 'N' || ans === 'NO') break;
      }
    }
    if (!noconfirm) {
      this.write('Proceed with reload? [confirm]');
      const k = await this.readKey();
      if (k === null) return;
      if (k !== '\r' && k !== 'y' && k !== 'Y') {
        this.write('\r\n');
        return;
      }
    }
    if (inMinutes !== undefined) {
      dev.scheduleReload(inMinutes);
      // [unverified] scheduled-reload banner.
      const h = Math.floor(inMinutes / 60);
      const m = inMinutes % 60;
      this.lines(['', '***', `*** --- SHUTDOWN in ${h}:${String(m).padStart(2, '0')}:00 ---`, '***']);
      return;
    }
    this.write(`\r\n\r${this.prompt()}\r\n`);
    dev.reload(dev.isPix ? PIX_SHUTDOWN : ASA_SHUTDOWN);
  }

  private changeto(t: Token[]): void {
    const dev = this.device;
    if (dev.opts.contextMode !== 'multiple') throw new CliError('invalid', t[0]?.pos ?? 0);
    const k = kw(t[1], ['context', 'system'], t[0]?.pos ?? 0);
    if (k === 'system') {
      this.ctx = 'system';
      return;
    }
    const name = t[2];
    if (!name) throw new CliError('incomplete');
    if (name.text === 'system' || !dev.hasContext(name.text)) {
      this.lines([`ERROR: '${name.text}' is not valid`]); // unicon mock (asa-cli.md §4.4)
      return;
    }
    this.ctx = name.text;
  }

  // ---- configuration commands --------------------------------------------------------------------------

  private touched(): void {
    this.device.touched(this.user ?? 'enable_15');
  }

  /** Returns false when the command does not belong to `kind` (caller tries the parent mode). */
  private async configCommand(kind: ModeKind, k: string, t: Token[]): Promise<boolean> {
    const dev = this.device;
    const body = this.doc().body;
    const top = this.modes[this.modes.length - 1] as Mode;
    const p0 = t[0]?.pos ?? 0;
    if (k === 'exit' || k === 'quit') {
      this.modes.pop();
      return true;
    }
    if (k === 'end') {
      // PIX 6.x rejects `end` (Netspoc-Approve PIX.pm leaves config with exit/quit) [unverified text].
      if (dev.isPix) throw new CliError('invalid', p0);
      this.modes = [];
      return true;
    }
    if (kind === 'config') {
      switch (k) {
        case 'hostname': {
          const name = t[1];
          if (!name) throw new CliError('incomplete');
          setTopLine(body, /^hostname /, `hostname ${name.text}`);
          this.touched();
          return true;
        }
        case 'domain-name': {
          if (!t[1]) throw new CliError('incomplete');
          setTopLine(body, /^domain-name /, `domain-name ${t[1].text}`, 'hostname ');
          this.touched();
          return true;
        }
        case 'banner': {
          kw(t[1], ['motd', 'login', 'exec'], p0);
          const text = t[2] ? this.rawFrom(t, 2) : '';
          const idx = body.reduce((acc, l, i) => (l.startsWith('banner ') ? i : acc), -1);
          const line = `banner ${t[1]?.text} ${text}`;
          if (idx >= 0) body.splice(idx + 1, 0, line);
          else body.push(line);
          this.touched();
          return true;
        }
        case 'enable': {
          kw(t[1], ['password'], p0);
          if (!t[2]) throw new CliError('incomplete');
          dev.opts.enableSecret = t[2].text;
          setTopLine(body, /^enable password /, 'enable password $sha512$5000$lab pbkdf2'); // hash not emulated
          this.touched();
          return true;
        }
        case 'policy-map':
          return this.policyMap(t, body);
        case 'class-map': {
          const name = t[1];
          if (!name) throw new CliError('incomplete');
          if (name.text === 'type') throw new CliError('invalid', name.pos);
          ensureBlock(body, `class-map ${name.text}`, 'class-map ', 'policy-map ');
          this.modes.push({ kind: 'cmap', name: name.text });
          this.touched();
          return true;
        }
        case 'service-policy': {
          const name = t[1];
          if (!name) throw new CliError('incomplete');
          const scope = kw(t[2], ['global', 'interface'], name.pos);
          const where = scope === 'global' ? 'global' : `interface ${t[3]?.text ?? ''}`;
          if (scope === 'interface' && !t[3]) throw new CliError('incomplete');
          if (!findBlock(body, `policy-map ${name.text}`)) {
            this.lines([`ERROR: policy-map ${name.text} does not exist`]); // [unverified]
            return true;
          }
          const line = `service-policy ${name.text} ${where}`;
          if (!body.includes(line)) {
            const at = body.findIndex((l) => l.startsWith('prompt '));
            if (at >= 0) body.splice(at, 0, line);
            else body.push(line);
          }
          this.touched();
          return true;
        }
        case 'fixup':
          return this.fixup(t, body, false);
        case 'call-home': {
          kw(t[1], ['reporting'], p0);
          kw(t[2], ['anonymous'], t[1]?.pos ?? 0);
          setTopLine(body, /^(no )?call-home reporting anonymous/, 'call-home reporting anonymous', 'prompt ');
          this.touched();
          return true;
        }
        case 'pager':
          this.pixPager(t, false);
          return true;
        case 'prompt': {
          if (!t[1]) throw new CliError('incomplete');
          for (const x of t.slice(1)) kw(x, ['hostname', 'context', 'domain', 'priority', 'state', 'cluster-unit'], p0);
          setTopLine(
            body,
            /^prompt /,
            `prompt ${t
              .slice(1)
              .map((x) => x.text)
              .join(' ')} `,
          );
          this.touched();
          return true;
        }
        case 'no':
          return this.noConfig(t, body);
      }
      return false;
    }
    if (kind === 'pmap') {
      const pm = findBlock(body, top.name ?? '');
      if (!pm) throw new CliError('invalid', p0);
      if (k === 'class') {
        const name = t[1];
        if (!name) throw new CliError('incomplete');
        ensureChild(body, pm, `class ${name.text}`);
        this.modes.push({ kind: 'pmap-c', name: name.text });
        this.touched();
        return true;
      }
      if (k === 'parameters') {
        if (!top.name?.startsWith('policy-map type inspect')) throw new CliError('invalid', p0);
        ensureChild(body, pm, 'parameters');
        this.modes.push({ kind: 'pmap-p', name: top.name });
        return true;
      }
      if (k === 'description') {
        const line = ` description ${this.rawFrom(t, 1)}`;
        const i = body.findIndex((l, j) => j > pm.start && j < pm.end && l.startsWith(' description '));
        if (i >= 0) body[i] = line;
        else body.splice(pm.start + 1, 0, line);
        this.touched();
        return true;
      }
      if (k === 'no') {
        const sub = kw(t[1], ['class', 'description'], p0);
        if (sub === 'class') {
          const c = t[2] ? findChild(body, pm, `class ${t[2].text}`) : undefined;
          if (!t[2]) throw new CliError('incomplete');
          if (c) body.splice(c.start, c.end - c.start);
          this.touched();
          return true;
        }
        const i = body.findIndex((l, j) => j > pm.start && j < pm.end && l.startsWith(' description '));
        if (i >= 0) body.splice(i, 1);
        return true;
      }
      return false;
    }
    if (kind === 'pmap-c') {
      const parent = this.modes[this.modes.length - 2];
      const pm = findBlock(body, parent?.name ?? '');
      const cls = pm ? findChild(body, pm, `class ${top.name}`) : undefined;
      if (!pm || !cls) throw new CliError('invalid', p0);
      if (k === 'inspect') {
        this.inspect(t.slice(1), p0, body, cls, false);
        return true;
      }
      if (k === 'no') {
        kw(t[1], ['inspect'], p0);
        this.inspect(t.slice(2), t[1]?.pos ?? 0, body, cls, true);
        return true;
      }
      return false;
    }
    if (kind === 'cmap') {
      const cm = findBlock(body, `class-map ${top.name}`);
      if (!cm) throw new CliError('invalid', p0);
      if (k === 'match' || (k === 'no' && t[1]?.text === 'match')) {
        const from = k === 'no' ? 2 : 1;
        if (!t[from]) throw new CliError('incomplete');
        const line = ` match ${this.rawFrom(t, from)}`;
        const i = body.findIndex((l, j) => j > cm.start && j < cm.end && l.trimEnd() === line.trimEnd());
        if (k === 'no') {
          if (i >= 0) body.splice(i, 1);
        } else if (i < 0) body.splice(cm.end, 0, line);
        this.touched();
        return true;
      }
      if (k === 'description') {
        body.splice(cm.start + 1, 0, ` description ${this.rawFrom(t, 1)}`);
        return true;
      }
      return false;
    }
    // pmap-p: parameters of an inspect map
    const pm = findBlock(body, top.name ?? '');
    const params = pm ? findChild(body, pm, 'parameters') : undefined;
    if (!pm || !params) throw new CliError('invalid', p0);
    const negate = k === 'no';
    const word = negate ? kw(t[1], ['mask-banner', 'allow-tls', 'mail-relay', 'special-character'], p0) : k;
    const rest = this.rawFrom(t, negate ? 2 : 1);
    const line = `  ${negate ? 'no ' : ''}${word}${rest ? ` ${rest}` : ''}`;
    const i = body.findIndex(
      (l, j) => j > params.start && j < params.end && l.trim().replace(/^no /, '').split(' ')[0] === word,
    );
    if (i >= 0) body[i] = line;
    else body.splice(params.end, 0, line);
    this.touched();
    return true;
  }

  private rawFrom(t: Token[], i: number): string {
    return t
      .slice(i)
      .map((x) => x.text)
      .join(' ');
  }

  private policyMap(t: Token[], body: string[]): boolean {
    const first = t[1];
    if (!first) throw new CliError('incomplete');
    let header: string;
    if (first.text === 'type') {
      kw(t[2], ['inspect'], first.pos);
      const proto = kw(t[3], INSPECT_PROTOCOLS, t[2]?.pos ?? 0);
      const name = t[4];
      if (!name) throw new CliError('incomplete');
      header = `policy-map type inspect ${proto} ${name.text}`;
    } else {
      header = `policy-map ${first.text}`;
    }
    ensureBlock(body, header, 'policy-map ', 'service-policy ');
    this.modes.push({ kind: 'pmap', name: header });
    this.touched();
    return true;
  }

  /** `inspect P [args]` / `no inspect P [args]` under a policy-map class. Lines end with a space (§2.3). */
  private inspect(args: Token[], lastPos: number, body: string[], cls: { start: number; end: number }, no: boolean) {
    const proto = kw(args[0], INSPECT_PROTOCOLS, lastPos);
    const words = [proto, ...args.slice(1).map((x) => x.text)];
    const key = (w: string[]) => (w[0] === 'h323' ? `h323 ${w[1] ?? ''}` : w[0] === 'smtp' ? 'esmtp' : (w[0] ?? ''));
    const myKey = key(words);
    const idx: number[] = [];
    for (let i = cls.start + 1; i < cls.end; i++) {
      const m = /^ {2}inspect (.*)$/.exec(body[i] ?? '');
      if (m?.[1] && key(m[1].trim().split(/\s+/)) === myKey) idx.push(i);
    }
    if (no) {
      // [unverified] removing an inspect that is not there: silent.
      for (const i of idx.reverse()) body.splice(i, 1);
    } else {
      const extra = (proto === 'sip' || proto === 'skinny') && words.length === 1 ? ' ' : '';
      const line = `  inspect ${words.join(' ')} ${extra}`;
      if (idx.length) body[idx[0] as number] = line;
      else body.splice(cls.end, 0, line);
    }
    this.touched();
  }

  private fixup(t: Token[], body: string[], no: boolean): boolean {
    const dev = this.device;
    const off = no ? 1 : 0;
    kw(t[1 + off], ['protocol'], t[off]?.pos ?? 0);
    const protoTok = t[2 + off];
    if (!protoTok) throw new CliError('incomplete');
    const proto = protoTok.text.toLowerCase();
    const portTok = t[3 + off];
    const port = portTok?.text;
    if (port !== undefined && !/^\d+(-\d+)?$/.test(port) && !port.startsWith('maximum'))
      throw new CliError('invalid', portTok?.pos ?? 0);
    const rest = this.rawFrom(t, 3 + off);
    if (!dev.isPix) {
      // ASA 7+: converted to MPF (asa-cli.md §3.2: `INFO: converting 'fixup protocol icmp ' to MPF commands`).
      this.lines([`INFO: converting '${no ? 'no ' : ''}fixup protocol ${proto} ${rest}' to MPF commands`]);
      const insp = proto === 'smtp' ? 'esmtp' : proto === 'h323' ? 'h323 h225' : proto;
      const pm = ensureBlock(body, 'policy-map global_policy', 'policy-map ', 'service-policy ');
      const cls = ensureChild(body, pm, 'class inspection_default');
      if (!body.includes('service-policy global_policy global')) {
        const at = body.findIndex((l) => l.startsWith('prompt '));
        body.splice(at >= 0 ? at : body.length, 0, 'service-policy global_policy global');
      }
      this.inspect(tokenize(insp), 0, body, cls, no);
      return true;
    }
    const line = `fixup protocol ${proto}${rest ? ` ${rest}` : ''}`;
    const isDefault = PIX_DEFAULT_FIXUPS[proto] !== undefined && PIX_DEFAULT_FIXUPS[proto] === rest;
    const lastFixup = body.reduce((acc, l, i) => (/^(no )?fixup protocol /.test(l) ? i : acc), -1);
    if (no) {
      const targets = body
        .map((l, i) => ({ l, i }))
        .filter(({ l }) => l.startsWith(`fixup protocol ${proto}`) && (!rest || l === line));
      for (const { i } of targets.reverse()) {
        const defaultLine = `fixup protocol ${proto} ${PIX_DEFAULT_FIXUPS[proto] ?? ''}`;
        // PIX 6.3 shows a disabled default as `no fixup protocol smtp 25` (asa-cli.md §2.2).
        if (body[i] === defaultLine) body[i] = `no ${defaultLine}`;
        else body.splice(i, 1);
      }
    } else if (!body.includes(line)) {
      const disabled = body.indexOf(`no ${line}`);
      if (disabled >= 0) body[disabled] = line;
      else if (isDefault || lastFixup >= 0) body.splice(lastFixup + 1, 0, line);
      else body.push(line);
    }
    this.touched();
    return true;
  }

  private noConfig(t: Token[], body: string[]): boolean {
    const p0 = t[0]?.pos ?? 0;
    const sub = kw(t[1], ['fixup', 'policy-map', 'class-map', 'service-policy', 'call-home', 'pager'], p0);
    const p1 = t[1]?.pos ?? 0;
    switch (sub) {
      case 'fixup':
        return this.fixup(t, body, true);
      case 'pager':
        this.pixPager(t, true);
        return true;
      case 'call-home':
        kw(t[2], ['reporting'], p1);
        kw(t[3], ['anonymous'], t[2]?.pos ?? 0);
        setTopLine(body, /^(no )?call-home reporting anonymous/, 'no call-home reporting anonymous', 'prompt ');
        this.touched();
        return true;
      case 'service-policy': {
        if (!t[2] || !t[3]) throw new CliError('incomplete');
        const line = `service-policy ${this.rawFrom(t, 2)}`;
        const i = body.indexOf(line);
        if (i >= 0) body.splice(i, 1);
        this.touched();
        return true;
      }
      case 'policy-map':
      case 'class-map': {
        if (!t[2]) throw new CliError('incomplete');
        const header = `${sub} ${this.rawFrom(t, 2)}`;
        if (sub === 'policy-map' && body.some((l) => l.startsWith(`service-policy ${t[2]?.text} `))) {
          // Ansible's stderr pattern `Removing.* not allowed, it is being used` (asa-cli.md §1.4) [unverified text].
          this.lines([`ERROR: Removing policy-map ${t[2].text} not allowed, it is being used.`]);
          return true;
        }
        const b = findBlock(body, header);
        if (b) body.splice(b.start, b.end - b.start);
        this.touched();
        return true;
      }
    }
    return false;
  }
}
