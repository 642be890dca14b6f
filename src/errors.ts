/**
 * Typed errors with stable codes. Every layer throws a MailguardError; the CLI maps `exitCode` to the process
 * exit status and `code` into --json output. Codes are a contract: add new ones, never rename.
 */

/** Exit codes shared by every command (issues #3, #4, #5, #7). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  connection: 3,
  deviceError: 4,
  verifyFailed: 5,
  rollbackFailed: 6,
  outsideWindow: 7,
  probeInspected: 10,
  probeOtherProxy: 11,
  probeInconclusive: 12,
  probeUnreachable: 13,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Stable error codes, each with its exit code. */
export const errorCodes = {
  USAGE: ExitCode.usage,
  BAD_INPUT: ExitCode.usage,
  PLAYBOOK_INVALID: ExitCode.usage,
  CONFIRMATION_REQUIRED: ExitCode.usage,
  CONNECT_FAILED: ExitCode.connection,
  CONNECT_TIMEOUT: ExitCode.connection,
  HOST_KEY_UNKNOWN: ExitCode.connection,
  HOST_KEY_CHANGED: ExitCode.connection,
  AUTH_FAILED: ExitCode.connection,
  ENABLE_FAILED: ExitCode.connection,
  LOGIN_TIMEOUT: ExitCode.connection,
  CONNECTION_LOST: ExitCode.connection,
  UNEXPECTED_PROMPT: ExitCode.deviceError,
  COMMAND_TIMEOUT: ExitCode.deviceError,
  DEVICE_ERROR: ExitCode.deviceError,
  AUTHORIZATION_FAILED: ExitCode.deviceError,
  SAVE_FAILED: ExitCode.deviceError,
  STANDBY_UNIT: ExitCode.deviceError,
  DEVICE_LOCKED: ExitCode.deviceError,
  RELOAD_TIMEOUT: ExitCode.deviceError,
  BACKUP_FAILED: ExitCode.deviceError,
  VERIFY_FAILED: ExitCode.verifyFailed,
  ROLLBACK_FAILED: ExitCode.rollbackFailed,
  OUTSIDE_WINDOW: ExitCode.outsideWindow,
  INTERRUPTED: ExitCode.interrupted,
  /** Probe (issue #4): DNS gave no address to probe, or the DNS server failed. */
  DNS_NO_ADDRESS: ExitCode.probeUnreachable,
  DNS_FAILED: ExitCode.probeUnreachable,
  INTERNAL: ExitCode.failure,
} as const;
export type ErrorCode = keyof typeof errorCodes;

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

/** Wrap anything thrown into a MailguardError so the CLI can always report a code. */
export function toMailguardError(e: unknown): MailguardError {
  if (e instanceof MailguardError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new MailguardError('INTERNAL', message, {
    cause: e,
    hint: 'This is a bug; please report it with DEBUG=1 output.',
  });
}
