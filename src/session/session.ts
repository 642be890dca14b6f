/**
 * The prompt-driven CLI conversation over a Transport (architecture.md: session layer). Every wait is driven by
 * arriving bytes: the tail of the buffer is searched for the prompt or a question after each chunk, and a
 * deadline timer turns silence into COMMAND_TIMEOUT. There is no fixed sleep.
 */
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { DeviceCommandError, MailguardError, secondsWords } from '../errors.js';
import { classifyDeviceOutput, execCommands, isAuthorizationFailure } from '../platform/index.js';
import type { Dialect } from '../platform/types.js';
import type { Transport } from '../transport/types.js';
import { cleanOutput } from './output.js';
import { GENERIC_PROMPT, type ParsedPrompt, parsePromptMatch, promptRegexFor } from './prompt.js';
import { Transcript } from './transcript.js';
import {
  type CliMode,
  type CliSession,
  type ConnectOptions,
  holdsAnonymousReporting,
  type SendOptions,
  type Timeouts,
} from './types.js';

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, loginMs: 20_000, commandMs: 30_000, saveMs: 120_000 };

/** How far back from the end of the buffer prompts and questions are searched (scrapli uses 1000 bytes). */
const SEARCH_DEPTH = 2048;

/** Default bound on one command's captured output (ConnectOptions.maxOutputChars). */
export const DEFAULT_MAX_OUTPUT_CHARS = 16 * 1024 * 1024;

const MORE_RE = /<--- More --->\s*$/;
/** asa-cli.md §1.6, unicon pattern. */
export const NOTICE_QUESTION_RE = /\[Y\]es, \[N\]o, \[A\]sk later:\s*$/;
/**
 * `A` (ask later) is the answer that changes nothing on the device: `N` writes `no call-home reporting anonymous`
 * into the running config and `Y` enables reporting (asa-cli.md §1.6). unicon answers `A` too.
 */
export const NOTICE_ANSWER = 'A';
const USERNAME_RE = /(?:user ?name|login)\s*:\s*$/i;
/** `Password:`, and a PIX without AAA's `PIX passwd: ` (asa-cli.md §1.8). */
const PASSWORD_RE = /pass(?:word|code|wd)\s*:\s*$/i;
const LOGIN_FAILED_RE =
  /(?:Invalid password|Access denied|Login invalid|Authentication failed|Login failed|Permission denied)/i;
/** How long to wait for the NOTICE question after the first `(config)#` when the config says it will come. */
const NOTICE_GRACE_MS = 3000;

interface Pattern {
  id: string;
  re: RegExp;
}

interface Hit {
  id: string;
  match: RegExpExecArray;
  /** Text before the match. */
  before: string;
}

interface Waiter {
  patterns: Pattern[];
  resolve: (hit: Hit) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  onClose: () => void;
}

export class AsaCliSession extends EventEmitter implements CliSession {
  hostname = '';
  prompt = '';
  mode: CliMode = 'user';
  context: string | null = null;
  closed = false;
  /** Known after `setDialect` (readDevice calls it after `show version`). */
  dialect: Dialect | null = null;
  /** False when paging could not be turned off and `<--- More --->` is answered instead. */
  pagerDisabled = false;
  /** The first `configure terminal` of this session showed that this device does not ask the NOTICE. */
  private noticeNeverAsked = false;
  /**
   * Whether the last whole `show running-config` this session read (since the last `configure terminal` or
   * `changeto`) held a `call-home reporting anonymous` line: the next `configure terminal` predicts the NOTICE from
   * it instead of asking the device again (one round trip less on every change).
   */
  private seenAnonymousReporting: boolean | undefined;
  /** Failover segments of the last prompt (`pri`, `act`...). */
  failoverState: string[] = [];
  readonly timeouts: Timeouts;
  private buf = '';
  private readonly decoder = new StringDecoder('utf8');
  private waiter: Waiter | null = null;
  private promptRe: RegExp = GENERIC_PROMPT;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly record: Transcript;
  private readonly log: (line: string) => void;
  private closeReason = '';
  private readonly maxOutput: number;
  /** Characters already taken into the running command's output (bounded together with the buffer). */
  private captured = 0;

  constructor(
    private readonly transport: Transport,
    private readonly opts: ConnectOptions,
  ) {
    super();
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.maxOutput = opts.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    this.record = new Transcript(opts.transcriptFile, this.maxOutput, opts.makeTranscriptFolder === true);
    for (const s of [opts.password, opts.enableSecret, opts.passphrase]) this.record.addSecret(s);
    this.log = opts.onLog ?? (() => {});
    transport.on('data', (chunk: Buffer) => this.onData(this.decoder.write(chunk)));
    transport.on('close', (reason?: string) => this.onClose(reason));
  }

  // ---- byte handling -------------------------------------------------------------------------------------

  private onData(text: string): void {
    if (text === '') return;
    this.record.append(text);
    this.buf += text;
    this.check();
    if (this.captured + this.buf.length <= this.maxOutput) return;
    const w = this.waiter;
    if (w) {
      // A stream without a prompt: stop reading it into memory; the caller decides what happens next.
      this.finishWait();
      w.reject(this.tooLargeError());
    }
    // Unsolicited output between commands: only the tail a prompt match needs is kept.
    this.buf = this.buf.slice(-SEARCH_DEPTH);
  }

  private tooLargeError(): MailguardError {
    return new MailguardError(
      'OUTPUT_TOO_LARGE',
      `${this.opts.host} sent more than ${this.maxOutput} characters for one command without a prompt`,
      {
        hint: 'The device streams output without ending it (a runaway command or a stuck terminal); the session was closed. Raise the limit only if a real output is that large.',
        details: { host: this.opts.host, limitChars: this.maxOutput },
      },
    );
  }

  private check(): void {
    const w = this.waiter;
    if (!w) return;
    const offset = Math.max(0, this.buf.length - SEARCH_DEPTH);
    const tail = this.buf.slice(offset);
    for (const p of w.patterns) {
      const m = p.re.exec(tail);
      if (m) {
        const start = offset + m.index;
        const before = this.buf.slice(0, start);
        this.buf = this.buf.slice(start + m[0].length);
        this.finishWait();
        w.resolve({ id: p.id, match: m, before });
        return;
      }
    }
  }

  private finishWait(): void {
    const w = this.waiter;
    if (!w) return;
    clearTimeout(w.timer);
    this.off('transport-close', w.onClose);
    this.waiter = null;
  }

  private onClose(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason ?? 'connection closed';
    const rest = this.decoder.end();
    if (rest) this.record.append(rest);
    this.record.close();
    this.emit('transport-close');
    this.emit('close');
  }

  /** Wait until one pattern matches the tail of the buffer (checked now and after each chunk). */
  private waitFor(patterns: Pattern[], timeoutMs: number, onTimeout: () => Error): Promise<Hit> {
    return new Promise<Hit>((resolve, reject) => {
      if (this.closed) {
        reject(this.lostError());
        return;
      }
      const onClose = () => {
        this.finishWait();
        reject(this.lostError());
      };
      const timer = setTimeout(() => {
        this.finishWait();
        reject(onTimeout());
      }, timeoutMs);
      this.waiter = { patterns, resolve, reject, timer, onClose };
      this.on('transport-close', onClose);
      this.check();
    });
  }

  private lostError(command?: string): MailguardError {
    return new MailguardError(
      'CONNECTION_LOST',
      `The connection to ${this.opts.host} was lost${command ? ` while running "${command}"` : ''} (${this.closeReason || 'closed'})`,
      {
        hint: 'Check the device (reload, session limit, idle timeout) and run again; nothing after the last confirmed command is known to have happened.',
        details: { host: this.opts.host, command },
      },
    );
  }

  private writeLine(text: string): void {
    this.transport.write(`${text}${this.transport.eol}`);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private setPrompt(p: ParsedPrompt): void {
    this.prompt = p.text;
    this.hostname = p.hostname;
    this.mode = p.mode;
    this.failoverState = p.failover;
    this.context = p.context;
  }

  // ---- login ---------------------------------------------------------------------------------------------

  /** Log in (telnet: Username/Password or Password only), learn the prompt, reach `#`, turn paging off. */
  async login(): Promise<void> {
    const deadline = Date.now() + this.timeouts.loginMs;
    const left = () => Math.max(1, deadline - Date.now());
    const loginTimeout = () =>
      new MailguardError(
        'LOGIN_TIMEOUT',
        `${this.opts.host} did not show a CLI prompt within ${secondsWords(this.timeouts.loginMs)}`,
        {
          hint: 'Check that this is a PIX/ASA CLI and the transport (--transport ssh|telnet) and port are right; raise --login-timeout for slow AAA servers.',
          details: { host: this.opts.host },
        },
      );
    // A telnet line may stay silent until it gets a newline (unicon's escape handler): one wake-up, only if silent.
    let wake: NodeJS.Timeout | null = null;
    if (this.transport.kind === 'telnet' && this.buf === '') {
      wake = setTimeout(() => {
        if (this.buf === '' && !this.closed) this.transport.write(this.transport.eol);
      }, 2000);
    }
    let sentUser = false;
    let sentPassword = false;
    let candidate: RegExpExecArray | null = null;
    try {
      while (!candidate) {
        let hit: Hit;
        try {
          hit = await this.waitFor(
            [
              { id: 'prompt', re: GENERIC_PROMPT },
              { id: 'user', re: USERNAME_RE },
              { id: 'password', re: PASSWORD_RE },
            ],
            left(),
            loginTimeout,
          );
        } catch (e) {
          if ((e as MailguardError).code === 'CONNECTION_LOST' && sentPassword) {
            throw this.authFailed('the device closed the connection after the password');
          }
          throw e;
        }
        if (wake) clearTimeout(wake);
        if (hit.id === 'prompt') candidate = hit.match;
        else if (hit.id === 'user') {
          if (sentUser || sentPassword || LOGIN_FAILED_RE.test(hit.before))
            throw this.authFailed('the login was refused');
          if (!this.opts.username) throw this.authFailed('the device asks for a username and none was given');
          this.writeLine(this.opts.username);
          sentUser = true;
        } else {
          if (sentPassword) throw this.authFailed('the device asked for the password again');
          if (this.opts.password === undefined)
            throw this.authFailed('the device asks for a password and none was given');
          this.writeLine(this.opts.password);
          sentPassword = true;
        }
      }
    } finally {
      if (wake) clearTimeout(wake);
    }
    await this.learnPrompt(parsePromptMatch(candidate), left());
    await this.becomePrivileged(left());
    await this.disablePager();
  }

  private authFailed(why: string): MailguardError {
    return new MailguardError('AUTH_FAILED', `Login to ${this.opts.host} failed: ${why}`, {
      hint: 'Check the username and password (--username/--password, ASA_USERNAME/ASA_PASSWORD); the tool tries once and never retries, because retries lock AAA accounts.',
      details: { host: this.opts.host, transport: this.transport.kind },
    });
  }

  /**
   * Banners may hold lines that look like prompts, so the candidate is confirmed by an empty line whose answer
   * is a prompt by definition (Netspoc-Approve does the same). If the candidate was a banner line cut at a chunk
   * end, the device still prints its real prompt after the banner and then answers the empty line: two prompts.
   */
  private async learnPrompt(candidate: ParsedPrompt, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const timeout = () =>
      new MailguardError('LOGIN_TIMEOUT', `${this.opts.host} did not answer an empty line with its prompt`, {
        hint: 'Check that this is a PIX/ASA CLI; raise --login-timeout for slow devices.',
        details: { host: this.opts.host },
      });
    this.writeLine('');
    let hit = await this.waitFor([{ id: 'prompt', re: GENERIC_PROMPT }], Math.max(1, deadline - Date.now()), timeout);
    let parsed = parsePromptMatch(hit.match);
    if (parsed.hostname !== candidate.hostname) {
      this.log(`The banner line "${candidate.text}" looked like a prompt; the prompt is "${parsed.text}"`);
      const re = promptRegexFor(parsed.hostname);
      hit = await this.waitFor([{ id: 'prompt', re }], Math.max(1, deadline - Date.now()), timeout);
      parsed = parsePromptMatch(hit.match);
    }
    this.promptRe = promptRegexFor(parsed.hostname);
    this.setPrompt(parsed);
    this.log(`Logged in to ${this.opts.host}; prompt "${this.prompt}"`);
  }

  private enableFailed(why: string): MailguardError {
    return new MailguardError('ENABLE_FAILED', `Could not reach privileged mode on ${this.opts.host}: ${why}`, {
      hint: 'Check the enable secret (--enable-secret or ASA_ENABLE_SECRET); it was sent once and not retried, because retries lock AAA accounts.',
      details: { host: this.opts.host },
    });
  }

  private async becomePrivileged(timeoutMs: number): Promise<void> {
    if (this.mode !== 'user') return; // auto-enable landed in `#`: sending `enable` would be an error
    let secret = this.opts.enableSecret;
    if (secret === undefined && this.opts.askSecret) {
      secret = await this.opts.askSecret('enableSecret');
      this.record.addSecret(secret);
    }
    const timeout = () =>
      new MailguardError('LOGIN_TIMEOUT', `${this.opts.host} did not answer while entering privileged mode`, {
        hint: 'Raise --login-timeout for slow AAA servers.',
        details: { host: this.opts.host },
      });
    const prompt: Pattern = { id: 'prompt', re: this.promptRe };
    const pw: Pattern = { id: 'password', re: PASSWORD_RE };
    const user: Pattern = { id: 'user', re: USERNAME_RE };
    if (secret === undefined) {
      // No enable secret: ASA `login` re-authenticates with the login user against the local database.
      if (!this.opts.username || this.opts.password === undefined) {
        throw this.enableFailed('the login landed in user mode (>) and no enable secret was given');
      }
      this.log('No enable secret given: using `login` with the login credentials');
      this.buf = '';
      this.writeLine('login');
      let sentUser = false;
      let sentPw = false;
      for (;;) {
        const hit = await this.waitFor([user, pw, prompt], timeoutMs, timeout);
        if (hit.id === 'user') {
          if (sentUser) throw this.enableFailed('`login` was refused');
          this.writeLine(this.opts.username);
          sentUser = true;
        } else if (hit.id === 'password') {
          if (sentPw) throw this.enableFailed('`login` was refused');
          this.writeLine(this.opts.password);
          sentPw = true;
        } else {
          this.setPrompt(parsePromptMatch(hit.match));
          if (this.mode === 'user')
            throw this.enableFailed('`login` did not give privileged mode; give --enable-secret');
          return;
        }
      }
    }
    this.buf = '';
    this.writeLine('enable');
    let sent = false;
    for (;;) {
      const hit = await this.waitFor([pw, prompt], timeoutMs, timeout);
      if (hit.id === 'password') {
        // A second `Password:` means the secret was wrong: never retry (AAA lockout, prior-art §3 item 9).
        if (sent) {
          this.transport.write('\x03');
          throw this.enableFailed('the enable secret was refused');
        }
        this.writeLine(secret);
        sent = true;
        continue;
      }
      this.setPrompt(parsePromptMatch(hit.match));
      if (this.mode === 'user') throw this.enableFailed('the enable secret was refused');
      this.log('Privileged mode reached');
      return;
    }
  }

  /** `terminal pager 0` (ASA) / `no pager` (PIX); if refused, `<--- More --->` is answered with a space instead. */
  private async disablePager(): Promise<void> {
    const candidates = this.dialect
      ? execCommands(this.dialect).pagerOff
      : ['terminal pager 0', ...execCommands('pix6').pagerOff];
    for (const cmd of candidates) {
      const out = await this.send(cmd, { allowErrors: true });
      // Before `show version` the dialect is unknown: PIX 6.x answers an unknown command with only the help line.
      const cls = classifyDeviceOutput(out, { dialect: this.dialect ?? 'pix6' });
      if (cls.ok) {
        this.pagerDisabled = true;
        this.log(`Paging off (${cmd})`);
        return;
      }
      if (isAuthorizationFailure(out)) {
        this.log(
          `warning: command authorization refused "${cmd}"; answering <--- More ---> with a space and stripping it from the output`,
        );
        this.emit('warning', { command: cmd, lines: cls.errors });
        return;
      }
    }
    this.log('warning: could not turn paging off; answering <--- More ---> with a space instead');
  }

  // ---- commands ------------------------------------------------------------------------------------------

  setDialect(dialect: Dialect): void {
    this.dialect = dialect;
  }

  send(command: string, options: SendOptions = {}): Promise<string> {
    return this.serial(async () => {
      const output = await this.runCommand(command, options, 0);
      if (command === 'show running-config') this.seenAnonymousReporting = holdsAnonymousReporting(output);
      return output;
    });
  }

  private async runCommand(command: string, options: SendOptions, noticeGraceMs: number): Promise<string> {
    if (this.closed) throw this.lostError(command);
    const timeoutMs = options.timeoutMs ?? this.timeouts.commandMs;
    const deadline = Date.now() + timeoutMs;
    const answers = [...(options.answers ?? [])];
    for (const a of answers) if (a.secret) this.record.addSecret(a.reply);
    this.buf = ''; // anything unsolicited since the last prompt is in the transcript, not in this output
    this.captured = 0;
    this.writeLine(command);
    let collected = '';
    let noticeAnswered = false;
    const timeout = () => {
      // The device may answer later and desynchronise everything after: the session is closed.
      this.transport.close();
      return new MailguardError(
        'COMMAND_TIMEOUT',
        `${this.opts.host} did not answer "${command}" within ${secondsWords(timeoutMs)}`,
        {
          hint: 'The device stopped answering: check its CPU/console, or raise --command-timeout if the command is slow. The session was closed.',
          details: {
            host: this.opts.host,
            command,
            timeoutMs,
            partialOutput: this.record.redact(collected + this.buf).slice(-500),
          },
        },
      );
    };
    for (;;) {
      const patterns: Pattern[] = answers.map((a, i) => ({ id: `answer:${i}`, re: a.match }));
      if (options.expect) patterns.push({ id: 'expect', re: options.expect });
      patterns.push(
        { id: 'more', re: MORE_RE },
        { id: 'notice', re: NOTICE_QUESTION_RE },
        { id: 'prompt', re: this.promptRe },
      );
      let hit: Hit;
      try {
        hit = await this.waitFor(patterns, Math.max(1, deadline - Date.now()), timeout);
      } catch (e) {
        if ((e as MailguardError).code === 'CONNECTION_LOST') {
          if (options.expectClose) return cleanOutput(collected + this.buf, command);
          throw this.lostError(command);
        }
        if ((e as MailguardError).code === 'OUTPUT_TOO_LARGE') {
          // Like a timeout: what the device sends next would desynchronise every later command.
          this.buf = '';
          this.transport.close();
          (e as MailguardError).details.command = command;
        }
        throw e;
      }
      collected += hit.before + hit.match[0];
      this.captured = collected.length;
      if (hit.id === 'more') {
        this.transport.write(' ');
        continue;
      }
      if (hit.id === 'notice') {
        this.answerNotice();
        noticeAnswered = true;
        continue;
      }
      if (hit.id.startsWith('answer:')) {
        const i = Number(hit.id.slice(7));
        const a = answers[i];
        if (a) {
          this.writeLine(a.reply);
          if (a.once !== false) answers.splice(i, 1);
        }
        continue;
      }
      if (hit.id === 'expect') return cleanOutput(collected, command);
      // prompt
      this.setPrompt(parsePromptMatch(hit.match));
      if (noticeGraceMs > 0 && !noticeAnswered) {
        // The NOTICE comes *after* the first `(config)#` (asa-cli.md §1.6): the config said it will be asked.
        try {
          const n = await this.waitFor(
            [{ id: 'notice', re: NOTICE_QUESTION_RE }],
            noticeGraceMs,
            () => new Error('no notice'),
          );
          collected += n.before + n.match[0];
          this.captured = collected.length;
          this.answerNotice();
          noticeAnswered = true;
          continue;
        } catch (e) {
          if ((e as MailguardError).code === 'CONNECTION_LOST') throw this.lostError(command);
          this.log('The anonymous-reporting NOTICE was expected but not asked');
          this.noticeNeverAsked = true; // not asked now, not asked later in this session
        }
      }
      const output = cleanOutput(collected.slice(0, collected.length - hit.match[0].length), command);
      this.checkOutput(command, output, options);
      return output;
    }
  }

  private answerNotice(): void {
    this.writeLine(NOTICE_ANSWER);
    this.log(
      `Answered the anonymous-reporting NOTICE with "${NOTICE_ANSWER}" (ask later): this leaves the running config unchanged`,
    );
    this.emit('notice', { answer: NOTICE_ANSWER });
  }

  private checkOutput(command: string, output: string, options: SendOptions): void {
    const cls = classifyDeviceOutput(output, { dialect: this.dialect ?? undefined });
    if (cls.warnings.length > 0) {
      for (const w of cls.warnings) this.log(`device warning after "${command}": ${w.trim()}`);
      this.emit('warning', { command, lines: cls.warnings });
    }
    if (cls.ok || options.allowErrors) return;
    const authz = isAuthorizationFailure(output);
    throw new DeviceCommandError(authz ? 'AUTHORIZATION_FAILED' : 'DEVICE_ERROR', command, output, {
      hint: authz
        ? 'Your AAA command authorization does not allow this command; ask for the privilege or run with an account that has it.'
        : 'Check the command against the device version; see the output in the error details.',
      details: { host: this.opts.host },
    });
  }

  async enterConfig(): Promise<void> {
    return this.serial(async () => {
      if (this.mode === 'config' || this.mode === 'subconfig') return;
      let grace = 0;
      const known = this.opts.anonymousReportingConfigured ?? this.seenAnonymousReporting;
      this.seenAnonymousReporting = undefined; // configuration mode may change it (an answer of Y or N does)
      if (this.dialect !== 'pix6' && this.dialect !== 'asa7' && !this.noticeNeverAsked) {
        // Predict the NOTICE (asa-cli.md §1.6): once answered Y or N the config holds the call-home line and the
        // question is not asked again; otherwise (first time, or after `A`) it comes after the first `(config)#`.
        // The caller may know already from a config it read (no read here then).
        if (known !== undefined) grace = known ? 0 : NOTICE_GRACE_MS;
        else {
          const out = await this.runCommand(
            'show running-config | include call-home reporting anonymous',
            { allowErrors: true },
            0,
          );
          const cls = classifyDeviceOutput(out);
          if (cls.ok && !holdsAnonymousReporting(out)) grace = NOTICE_GRACE_MS;
        }
      }
      await this.runCommand(this.dialect ? execCommands(this.dialect).configure : 'configure terminal', {}, grace);
      const now = this.mode as CliMode; // changed by runCommand
      if (now !== 'config' && now !== 'subconfig') {
        throw new MailguardError(
          'UNEXPECTED_PROMPT',
          `"configure terminal" left ${this.opts.host} at "${this.prompt}"`,
          {
            hint: 'Check the account privilege level; configuration needs level 15.',
            details: { host: this.opts.host, prompt: this.prompt },
          },
        );
      }
    });
  }

  async exitConfig(): Promise<void> {
    return this.serial(async () => {
      if (this.dialect !== 'pix6') {
        if (this.mode === 'config' || this.mode === 'subconfig') await this.runCommand('end', {}, 0);
        if (this.mode === 'privileged') return;
      }
      // PIX 6.x "doesn't like end" (asa-cli.md §1.5): one `exit` per level.
      for (let i = 0; i < 5 && (this.mode === 'config' || this.mode === 'subconfig'); i++) {
        await this.runCommand('exit', {}, 0);
      }
    });
  }

  async changeTo(context: string): Promise<void> {
    const cmd = context === 'system' ? 'changeto system' : `changeto context ${context}`;
    await this.send(cmd);
    this.seenAnonymousReporting = undefined; // that read was of another context
    // The prompt regex keeps the hostname and takes any `/context` segment, so the new prompt was already read.
    if (context === 'system') this.context = null;
    else if (this.context !== context) this.context = context;
    this.log(`Now in ${context === 'system' ? 'the system execution space' : `context ${context}`} ("${this.prompt}")`);
  }

  transcript(): string {
    return this.record.text();
  }

  /** Note a line in the transcript (e.g. what the tool is about to do); redacted like everything else. */
  note(line: string): void {
    this.record.append(`\n! mailguard: ${line}\n`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.transport.close();
        resolve();
      }, 1000);
      this.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        if (this.mode === 'config' || this.mode === 'subconfig')
          this.writeLine(this.dialect === 'pix6' ? 'exit' : 'end');
        this.writeLine('exit');
      } catch {
        this.transport.close();
      }
    });
    if (!this.closed) this.onClose('closed by the tool');
  }
}
