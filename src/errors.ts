/**
 * Typed errors with stable codes. Every layer throws a MailguardError; the CLI maps `exitCode` to the process
 * exit status and `code` into --json output. Codes are a contract: add new ones, never rename.
 */

/** Exit codes shared by every command (issues #3, #4, #5, #7, #13). `exitCodeTable` below says what each means. */
export const ExitCode = {
  ok: 0,
  /** `run` only: devices were skipped (canary failed, failure budget). */
  failure: 1,
  usage: 2,
  connection: 3,
  deviceError: 4,
  verifyFailed: 5,
  rollbackFailed: 6,
  outsideWindow: 7,
  locked: 8,
  probeInspected: 10,
  probeOtherProxy: 11,
  probeInconclusive: 12,
  probeUnreachable: 13,
  internal: 70,
  /** 128 + the signal number: SIGHUP 1, SIGINT 2, SIGTERM 15. */
  hangup: 129,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type CommandName =
  | 'probe'
  | 'detect'
  | 'apply'
  | 'rollback'
  | 'run'
  | 'wizard'
  | 'lab'
  | 'demo'
  | 'report'
  | 'backups';
const CHANGE: CommandName[] = ['apply', 'rollback', 'run', 'wizard'];
const ALL: CommandName[] = [
  'probe',
  'detect',
  'apply',
  'rollback',
  'run',
  'wizard',
  'lab',
  'demo',
  'report',
  'backups',
];
/** `report merge` ends with the merged fleet's code, as `run` would have. */
const FLEET: CommandName[] = ['run', 'report'];

/**
 * The one table of exit codes: the README's table and every command's `--help` are built from (and tested
 * against) it. `commands` lists who can end with the code.
 */
export const exitCodeTable: ReadonlyArray<{ codes: number[]; meaning: string; commands: CommandName[] }> = [
  {
    codes: [ExitCode.ok],
    meaning: 'done, verified or nothing to do (`probe`: clean; `detect`: read fine, inspection on or off)',
    commands: ALL,
  },
  {
    codes: [ExitCode.failure],
    meaning:
      '`run`, `report merge`: devices were skipped (canary failed, failure budget) or a shard report is missing; `demo`: the demo did not verify (a bug)',
    commands: [...FLEET, 'demo'],
  },
  {
    codes: [ExitCode.usage],
    meaning:
      'bad input caught before anything was contacted: flags, target, playbook or inventory (with file:line:column), bad paths (missing folder, a folder where a file is wanted, unwritable), no confirmation',
    commands: ALL,
  },
  {
    codes: [ExitCode.connection],
    meaning: 'connection, host key or login failure (nothing was changed)',
    commands: ['probe', 'detect', ...CHANGE, 'report'],
  },
  {
    codes: [ExitCode.deviceError],
    meaning:
      'the device refused or failed and nothing is left changed: rolled back, or refused before any config command (standby unit, config changed since the plan)',
    commands: ['detect', ...CHANGE, 'report'],
  },
  {
    codes: [ExitCode.verifyFailed],
    meaning: 'not verified from outside (rolled back, or kept with `--no-rollback-on-verify-failure`)',
    commands: [...CHANGE, 'report'],
  },
  {
    codes: [ExitCode.rollbackFailed],
    meaning: 'rollback failed: a person is needed; the change record says what the device holds and what to do',
    commands: [...CHANGE, 'report'],
  },
  { codes: [ExitCode.outsideWindow], meaning: '`run`: outside the change window', commands: FLEET },
  {
    codes: [ExitCode.locked],
    meaning: 'the device is locked by another live run (the message names its pid, host, start and command)',
    commands: CHANGE,
  },
  {
    codes: [ExitCode.probeInspected, ExitCode.probeOtherProxy, ExitCode.probeInconclusive, ExitCode.probeUnreachable],
    meaning: '`probe`: inspected, other-proxy, inconclusive, unreachable',
    commands: ['probe'],
  },
  {
    codes: [ExitCode.probeInspected],
    meaning:
      '`run` in mode audit, `detect` of several configs: SMTP inspection is on somewhere (device or outside probe); the table says where',
    commands: ['run', 'detect'],
  },
  {
    codes: [ExitCode.internal],
    meaning:
      'internal error (a bug): the change was still rolled back and recorded; also a damaged install (the program file beside the bin missing or of another build), before anything is contacted',
    commands: ALL,
  },
  {
    codes: [ExitCode.hangup, ExitCode.interrupted, ExitCode.terminated],
    meaning:
      'interrupted by SIGHUP, SIGINT (Ctrl-C) or SIGTERM: the current command finished, the change was rolled back (or was already saved) and recorded',
    commands: ALL,
  },
];

/** `Exit codes:` lines for one command's `--help`, from exitCodeTable. */
export function exitCodeHelp(command: CommandName): string {
  const rows = exitCodeTable.filter((r) => r.commands.includes(command));
  const indent = ' '.repeat(16);
  const lines = rows.map((r) => `  ${r.codes.join(', ').padEnd(14)}${wrap(r.meaning, 96).join(`\n${indent}`)}`);
  return `\nExit codes:\n${lines.join('\n')}`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...out, line];
}

/** Stable error codes, each with its exit code: the one place an error class gets its exit code. */
export const errorCodes = {
  USAGE: ExitCode.usage,
  BAD_INPUT: ExitCode.usage,
  /** A path given cannot be used: missing folder, a folder where a file is wanted, not writable. */
  BAD_PATH: ExitCode.usage,
  PLAYBOOK_INVALID: ExitCode.usage,
  CONFIRMATION_REQUIRED: ExitCode.usage,
  CONNECT_FAILED: ExitCode.connection,
  CONNECT_TIMEOUT: ExitCode.connection,
  HOST_KEY_UNKNOWN: ExitCode.connection,
  HOST_KEY_CHANGED: ExitCode.connection,
  /** SSH-2 negotiation: no key exchange, host key, cipher or MAC in common (issue 11). */
  SSH_NO_COMMON_ALGORITHM: ExitCode.connection,
  AUTH_FAILED: ExitCode.connection,
  ENABLE_FAILED: ExitCode.connection,
  LOGIN_TIMEOUT: ExitCode.connection,
  CONNECTION_LOST: ExitCode.connection,
  /** The peer broke the SSH protocol (an SSH-1 packet with a bad length or CRC, an unknown message, a weak key). */
  PROTOCOL_ERROR: ExitCode.connection,
  /** `--transport ssh` met a server that speaks SSH protocol 1 only (PIX 5.2-6.3: `SSH-1.5-Cisco-1.25`). */
  SSH1_ONLY: ExitCode.connection,
  UNEXPECTED_PROMPT: ExitCode.deviceError,
  COMMAND_TIMEOUT: ExitCode.deviceError,
  /** The device sent more than the session keeps for one command (a stream without a prompt). */
  OUTPUT_TOO_LARGE: ExitCode.deviceError,
  DEVICE_ERROR: ExitCode.deviceError,
  AUTHORIZATION_FAILED: ExitCode.deviceError,
  SAVE_FAILED: ExitCode.deviceError,
  STANDBY_UNIT: ExitCode.deviceError,
  /** The running config changed between the plan and the first config command (someone else is at work). */
  CONFIG_CHANGED: ExitCode.deviceError,
  /** `reload cancel` was refused or failed: a reload is still pending. */
  RELOAD_CANCEL_FAILED: ExitCode.deviceError,
  RELOAD_TIMEOUT: ExitCode.deviceError,
  BACKUP_FAILED: ExitCode.deviceError,
  VERIFY_FAILED: ExitCode.verifyFailed,
  ROLLBACK_FAILED: ExitCode.rollbackFailed,
  OUTSIDE_WINDOW: ExitCode.outsideWindow,
  /** Another live run of this tool holds the device's lock (the device's own config lock is a DEVICE_ERROR). */
  DEVICE_LOCKED: ExitCode.locked,
  /** issue #17: `run --phase rest --after` with a canary result of another playbook/inventory/change, or unreadable. */
  CANARY_MISMATCH: ExitCode.usage,
  /** The canary result says it failed (or was a dry run, for a real change). */
  CANARY_NOT_PASSED: ExitCode.usage,
  /** The canary ran in a change window that has closed since. */
  CANARY_EXPIRED: ExitCode.outsideWindow,
  /** `report merge` given shard reports of different runs, or the same device twice. */
  REPORT_MISMATCH: ExitCode.usage,
  /** SIGINT (Ctrl-C). */
  INTERRUPTED: ExitCode.interrupted,
  /** SIGTERM (a cancelled CI job, `timeout`). */
  TERMINATED: ExitCode.terminated,
  /** SIGHUP (the terminal or the jump-host session closed). */
  HANGUP: ExitCode.hangup,
  /** Probe (issue #4): DNS gave no address to probe, or the DNS server failed. */
  DNS_NO_ADDRESS: ExitCode.probeUnreachable,
  DNS_FAILED: ExitCode.probeUnreachable,
  INTERNAL: ExitCode.internal,
} as const;
export type ErrorCode = keyof typeof errorCodes;

/** The codes of a stop asked by a signal (SIGINT, SIGTERM, SIGHUP): the change ends the safe way, not a fault. */
const SIGNAL_STOPS: ReadonlySet<string> = new Set<ErrorCode>(['INTERRUPTED', 'TERMINATED', 'HANGUP']);
/** Their exit codes (130, 143, 129). */
const SIGNAL_EXITS: ReadonlySet<number> = new Set([ExitCode.interrupted, ExitCode.terminated, ExitCode.hangup]);

/** An error code (of a MailguardError or an event) that says a signal stopped the work. */
export function isSignalStop(code: string | undefined): boolean {
  return code !== undefined && SIGNAL_STOPS.has(code);
}

/** An exit code a signal's stop ends with. */
export function isSignalExit(exitCode: number): boolean {
  return SIGNAL_EXITS.has(exitCode);
}

export interface MailguardErrorOptions {
  /** What the user should do next, one sentence. */
  hint?: string;
  /** Machine-readable context (command, output excerpt, host...). Never put secrets here. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class MailguardError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: MailguardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MailguardError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  get exitCode(): number {
    return errorCodes[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

/** A device answered a command with an error (`ERROR:`, `% Invalid`, `Command authorization failed`, ...). */
export class DeviceCommandError extends MailguardError {
  readonly command: string;
  readonly output: string;

  constructor(
    code: 'DEVICE_ERROR' | 'AUTHORIZATION_FAILED',
    command: string,
    output: string,
    options: MailguardErrorOptions = {},
  ) {
    const firstError = output.split(/\r?\n/).find((l) => /ERROR:|^%|authorization failed/i.test(l.trim())) ?? output;
    super(code, `The device rejected "${command}": ${firstError.trim()}`, {
      ...options,
      details: { ...options.details, command, output },
    });
    this.name = 'DeviceCommandError';
    this.command = command;
    this.output = output;
  }
}

export function isMailguardError(e: unknown): e is MailguardError {
  return e instanceof MailguardError;
}

/** What Node's system error codes mean, for messages (the code itself stays in --json details.errno). */
const SYSTEM_ERROR_WORDS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'exists already',
  ENOTEMPTY: 'the folder is not empty',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ECONNRESET: 'the connection was reset by the other end',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRINUSE: 'the address is in use (another process listens on that port)',
  EADDRNOTAVAIL: 'the address is not on this machine',
  ENOTFOUND: 'the name is not known to DNS',
  EAI_AGAIN: 'DNS did not answer (try again later)',
  EPIPE: 'the other end closed',
  ECONNABORTED: 'the connection was aborted',
  EHOSTDOWN: 'the host is down',
  ENETDOWN: 'the network is down',
  EPROTO: 'protocol error',
  // node:dns codes (a resolver's answer, not the OS's).
  ESERVFAIL: 'the DNS server failed (SERVFAIL)',
  EREFUSED: 'the DNS server refused the query',
  ETIMEOUT: 'the DNS server did not answer in time',
  EBADRESP: 'the DNS server sent a malformed answer',
  EFORMERR: 'the DNS server found the query malformed',
  ENOTIMP: 'the DNS server does not answer that kind of query',
};

type SystemError = Error & { code?: unknown; path?: unknown; address?: unknown; port?: unknown; syscall?: unknown };

function systemCode(e: unknown): string | undefined {
  const code = (e as SystemError | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z_]+$/.test(code) ? code : undefined;
}

/**
 * A time limit in messages, in the unit the flags take (`<sec>`): `10 seconds`, `0.5 seconds`, `1 second`.
 * Here beside the other words for messages: every layer may use errors.ts.
 */
export function secondsWords(ms: number): string {
  const sec = Math.round(ms) / 1000;
  return `${sec} ${sec === 1 ? 'second' : 'seconds'}`;
}

/**
 * A thrown error in words: `no such file or folder` for ENOENT, `connection refused ...` for ECONNREFUSED; other
 * errors keep their message. Callers name the path or host around it.
 */
export function systemErrorWords(e: unknown): string {
  const code = systemCode(e);
  const words = code ? SYSTEM_ERROR_WORDS[code] : undefined;
  if (words) return words;
  const message = e instanceof Error ? e.message : String(e);
  // Node's own form is "ENOENT: no such file or directory, open '/x'": keep the words, drop code and call.
  return code ? message.replace(/^E[A-Z_]+: /, '').replace(/, \w+ '[^']*'( -> '[^']*')?$/, '') : message;
}

/** The file or address a system error concerns (`path`, else `address[:port]`), if it names one. */
function placeOf(s: SystemError): string | undefined {
  if (typeof s.path === 'string') return s.path;
  if (typeof s.address !== 'string') return undefined;
  return typeof s.port === 'number' ? `${s.address}:${s.port}` : s.address;
}

/** Wrap anything thrown into a MailguardError so the CLI can always report a code. */
export function toMailguardError(e: unknown): MailguardError {
  if (e instanceof MailguardError) return e;
  const code = systemCode(e);
  if (code) {
    // A system error nobody caught: still say it in words, with the path or address it concerns.
    const s = e as SystemError;
    const where = placeOf(s);
    return new MailguardError('INTERNAL', `${where ? `${where}: ` : ''}${systemErrorWords(e)}`, {
      cause: e,
      hint: `Check ${where ?? 'the files and addresses given'}; if that is not it, this is a bug: please report it with DEBUG=1 output.`,
      details: { errno: code, syscall: s.syscall },
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new MailguardError('INTERNAL', message, {
    cause: e,
    hint: 'This is a bug; please report it with DEBUG=1 output.',
  });
}
