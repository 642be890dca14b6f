/**
 * Probe contracts (issue #4). `ProbeResult` and `ProbeReport` are what `asa-mailguard probe --json` prints and what the
 * change engine stores as its pre/post probes: add fields, never rename or remove.
 */

export type ProbeVerdict = 'inspected' | 'clean' | 'other-proxy' | 'inconclusive' | 'unreachable';
export type ProbeFamily = 'pix-4' | 'pix-mailguard' | 'asa-esmtp' | 'legacy-cmap';
export type ProbeConfidence = 'high' | 'medium' | 'low';
export type ChangeVerdict = 'verified' | 'not-verified' | 'inconclusive';

/** One address to talk SMTP to. */
export interface ProbeTarget {
  /** The name the address came from (MX exchange, the domain, or the host given), or the address itself. */
  host: string;
  address: string;
  port: number;
  /** How the target was found. */
  source: 'explicit' | 'mx' | 'domain-address';
  /** MX preference when `source` is `mx`. */
  preference?: number;
}

/**
 * One transcript entry. `t` is milliseconds since the connection attempt started (0.1 ms resolution).
 * - `S`: a server line exactly as received, without its line ending (`eol` says which it had).
 * - `C`: a client command exactly as sent, without its CRLF.
 * - `*`: an event (connected, timeout, reset, closed, tls...), `text` says what happened in words; `errno` keeps the
 *   system error's code (ECONNREFUSED, ETIMEDOUT...) when one caused it.
 */
export type TranscriptEntry =
  | { t: number; dir: 'S'; text: string; eol: 'CRLF' | 'LF' | 'none' }
  | { t: number; dir: 'C'; text: string }
  | { t: number; dir: '*'; event: ProbeEventKind; text: string; phase?: ProbePhase; errno?: string };

export type ProbeEventKind =
  | 'connected'
  | 'connect-failed'
  | 'timeout'
  | 'reset'
  | 'closed'
  | 'error'
  | 'tls'
  | 'tls-failed'
  | 'limit';

/** What the probe was waiting for when an event happened. */
export type ProbePhase = 'connect' | 'greeting' | 'reply' | 'tls';

/** Everything one conversation produced: the input of the pure classifier. */
export interface SmtpTranscript {
  address: string;
  port: number;
  /** Name the address came from, when known. */
  host?: string;
  /** ISO time the connection attempt started. */
  startedAt: string;
  entries: TranscriptEntry[];
}

export interface ProbeSignal {
  /** Stable id, e.g. `greeting-masked`, `ehlo-keyword-masked`. */
  id: string;
  /** The exact lines (server lines as received, client lines as sent, or an event in words) the signal rests on. */
  evidence: string[];
  /** What the signal means, one sentence. */
  meaning: string;
  /** Which way it points. `neutral` signals (421, 554, timeouts, resets) are never evidence of inspection. */
  points: 'inspection' | 'clean' | 'other-proxy' | 'neutral';
  confidence: ProbeConfidence;
}

export interface ProbeTimings {
  /** TCP connect time, null when it never connected. */
  connectMs: number | null;
  /** From the connection attempt to the final greeting line, null without a greeting. */
  greetingMs: number | null;
  /** From the connection attempt to the last transcript entry. */
  totalMs: number;
  /** Each command's round trip (command sent to final reply line). */
  commands: { command: string; ms: number | null }[];
}

export interface ProbeResult {
  address: string;
  port: number;
  host?: string;
  /** How the address was found, and its MX preference (set by `probeTarget`). */
  source?: ProbeTarget['source'];
  preference?: number;
  verdict: ProbeVerdict;
  family: ProbeFamily | null;
  confidence: ProbeConfidence;
  signals: ProbeSignal[];
  transcript: TranscriptEntry[];
  timings: ProbeTimings;
  /** STARTTLS outcome when `--starttls` was asked for. */
  tls?: { attempted: boolean; negotiated: boolean; detail: string };
  startedAt: string;
}

export interface ProbeReport {
  probes: ProbeResult[];
  /** The worst verdict over all addresses (see `worstVerdict`). */
  verdict: ProbeVerdict;
  /** Present with `--compare`. */
  change?: ChangeVerdict;
  /** Why `change` is what it is, present with `change`. */
  changeReason?: string;
  /** The domain probed with `--domain`. */
  domain?: string;
}

export interface ConversationOptions {
  /** Whole-greeting timeout (RFC 5321 allows 5 min; default 30 s). */
  greetingTimeoutMs?: number;
  /** Connect timeout and per-reply timeout (default 10 s). */
  timeoutMs?: number;
  /** EHLO/HELO argument: short, no spaces (default `mailguard-probe.invalid`). */
  ehloName?: string;
  /** Try STARTTLS after EHLO and report whether TLS negotiates. */
  starttls?: boolean;
  /** Harmless unknown verb (default `GOODMORNING`): no X in it, so an X-masked echo is unambiguous. */
  unknownVerb?: string;
}
