/**
 * The session layer's contract (issue #3), written before its implementation so that the change engine, the
 * wizard and the playbook runner can be built at the same time. The implementation may add members; it must not
 * remove or rename these.
 */
import type { EventEmitter } from 'node:events';
import type { TransportConnectOptions } from '../transport/types.js';

/** Owned by the transport layer; re-exported so the layers above keep one import for the session contract. */
export type { HostKeyPolicy, TransportKind } from '../transport/types.js';
export type CliMode = 'user' | 'privileged' | 'config' | 'subconfig';

export interface Timeouts {
  /** TCP + SSH handshake. */
  connectMs: number;
  /** From connected to the first prompt (and through enable). */
  loginMs: number;
  /** Default for each command. */
  commandMs: number;
  /** `write memory` (issue #5: 120 s). */
  saveMs: number;
}

/**
 * Whether a config text holds the line an answered anonymous-reporting NOTICE leaves (`call-home reporting
 * anonymous`, or with `no` before it): then `configure terminal` asks no NOTICE.
 */
export function holdsAnonymousReporting(config: string): boolean {
  return /call-home reporting anonymous/.test(config);
}

export interface ConnectOptions extends TransportConnectOptions {
  enableSecret?: string;
  timeouts?: Partial<Timeouts>;
  /** Write the whole conversation, secrets replaced by `***`. */
  transcriptFile?: string;
  /**
   * Make the transcript's folder (0700) when the session opens the file: `run --transcript-dir` checks the folder at
   * start and leaves it to the first device reached, so a run stopped before any device leaves no empty folder.
   */
  makeTranscriptFolder?: boolean;
  /**
   * Most characters one command's output may hold (default 16 MiB, far above any real `show running-config`);
   * past it the command fails with OUTPUT_TOO_LARGE and the session is closed.
   */
  maxOutputChars?: number;
  /**
   * Whether the running config holds a `call-home reporting anonymous` line, when a config read before already
   * said so: `configure terminal` then skips its own read that predicts the anonymous-reporting NOTICE. For a
   * rollback whose reads fail (a `show running-config` that hangs or floods): the inverse must not need one.
   */
  anonymousReportingConfigured?: boolean;
  /** Called with human-readable log lines (never containing secrets). */
  onLog?: (line: string) => void;
  /**
   * Asked lazily for a secret the device turns out to need (only `enableSecret` today: the login landed in `>`
   * and no enable secret was given). Return undefined to fall back to `login`.
   */
  askSecret?: (kind: 'enableSecret') => Promise<string | undefined>;
  /** Dialect when already known (skips probing pager commands); readDevice sets it after `show version`. */
  dialect?: 'pix6' | 'asa7' | 'asa8' | 'asa9';
  /** Restrict/order SSH auth methods (default agent, publickey, password, keyboard-interactive; one password try). */
  sshAuthMethods?: Array<'agent' | 'publickey' | 'password' | 'keyboard-interactive'>;
}

/** A reply to an interactive question the device asks while a command runs. */
export interface Answer {
  match: RegExp;
  /** Sent followed by the transport's line terminator. */
  reply: string;
  /** Redact `reply` from the transcript. */
  secret?: boolean;
  /** Answer at most once (default true). */
  once?: boolean;
}

export interface SendOptions {
  timeoutMs?: number;
  answers?: Answer[];
  /** Do not throw DeviceCommandError on `ERROR:` output; return it instead. */
  allowErrors?: boolean;
  /** Resolve when this matches instead of the prompt (e.g. a reload that ends in a disconnect). */
  expect?: RegExp;
  /** The connection closing counts as success (reload). */
  expectClose?: boolean;
}

export interface CliSession extends EventEmitter {
  readonly hostname: string;
  /** Current prompt without the trailing space, e.g. `asa/pri/act(config-pmap-c)#`. */
  readonly prompt: string;
  readonly mode: CliMode;
  /** Current security context in multiple-context mode, else null. */
  readonly context: string | null;
  readonly closed: boolean;
  /** Run one command, return its output without the echo and the final prompt. Throws DeviceCommandError. */
  send(command: string, options?: SendOptions): Promise<string>;
  /** `configure terminal`, answering the anonymous-reporting NOTICE without changing anything else. */
  enterConfig(): Promise<void>;
  /** Back to privileged mode (`end` on ASA, `exit` per level on PIX 6.x). */
  exitConfig(): Promise<void>;
  /** `changeto context X` / `changeto system`. */
  changeTo(context: string): Promise<void>;
  /** The conversation so far with secrets redacted. */
  transcript(): string;
  /** Log out and close. Never throws. */
  close(): Promise<void>;
}
