/**
 * Pure, in-place SMTP rewriting rules of the Cisco Mailguard / ESMTP-inspection families
 * (shared/reference/smtp-inspection.md §1 and §8). Every function keeps the byte length of what it rewrites and never
 * touches CR or LF. Strings are latin1 views of the wire bytes (one char = one byte), so lengths are byte lengths.
 */
import type { MailguardFamily, SmtpInspectionPolicy } from '../types.js';

/** The seven RFC 821 §4.5.1 verbs: all that PIX 4.x and PIX 5.1-6.x Mailguard let through (§1.1, §1.2). */
export const RFC821_VERBS: ReadonlySet<string> = new Set(['HELO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'NOOP', 'QUIT']);

/** ASA 7.x-9.x `inspect esmtp`: the 7 plus AUTH EHLO ETRN HELP SAML SEND SOML VRFY (§1.3, §8). */
export const ASA_ESMTP_VERBS: ReadonlySet<string> = new Set([
  ...RFC821_VERBS,
  'AUTH',
  'EHLO',
  'ETRN',
  'HELP',
  'SAML',
  'SEND',
  'SOML',
  'VRFY',
]);

/**
 * EHLO keywords an ASA passes (`match ehlo-reply-parameter` set, §1.3 and §8; AUTH=... observed in T-C).
 * STARTTLS passes only with `allow-tls`.
 */
export const ASA_EHLO_KEYWORDS: ReadonlySet<string> = new Set([
  '8BITMIME',
  'AUTH',
  'BINARYMIME',
  'CHECKPOINT',
  'DSN',
  'ENHANCEDSTATUSCODES',
  'ETRN',
  'PIPELINING',
  'SIZE',
  'VRFY',
]);

/** ASA `match cmd line length gt 512` (default map, §3). Counted with the CRLF, as RFC 5321's 512-octet limit is. */
export const ASA_MAX_COMMAND_LINE = 512;
/** ASA `match sender-address length gt 320` (default map, §3): the address in MAIL FROM, without `<>`. */
export const ASA_MAX_SENDER_ADDRESS = 320;
/** ASA `match header line length gt 998` (default map, §3), CRLF not counted (RFC 5322 §2.1.1). */
export const ASA_MAX_HEADER_LINE = 998;
/** ASA `match cmd RCPT count gt 100` (default map, §3), counted per mail transaction. */
export const ASA_MAX_RCPT = 100;
/** PIX 4.x answers non-RFC-821 verbs itself with "an OK" whose exact bytes are unknown (§1.1) [unverified]. */
export const PIX4_DEFAULT_OK_REPLY = '250 OK\r\n';

/** The part of a policy the pure rewriting rules read. */
export type RewritePolicy = Pick<SmtpInspectionPolicy, 'family' | 'maskBanner' | 'allowTls'>;

/** Splits a line into its content and its terminator (`\r\n`, `\n`, or '' when unterminated). */
export function splitTerminator(line: string): { body: string; eol: string } {
  if (line.endsWith('\r\n')) return { body: line.slice(0, -2), eol: '\r\n' };
  if (line.endsWith('\n')) return { body: line.slice(0, -1), eol: '\n' };
  return { body: line, eol: '' };
}

/** Reply code and separator (`220 `, `220-`) at the start of a reply line, or null. */
function replyPrefixLength(body: string): number {
  return /^\d{3}[ -]/.test(body) ? 4 : /^\d{3}$/.test(body) ? 3 : 0;
}

/**
 * Masks one line of the server greeting as the family does. `maskBanner` only matters for `asa-esmtp`
 * (`no mask-banner` passes the greeting).
 * - pix-4: the code and its separator stay, every other byte becomes `*` (§1.1, §8).
 * - pix-mailguard: the code and separator stay; after them `2` and `0` stay, every other byte becomes `*` (§1.2, §8).
 * - asa-esmtp: the code and separator stay, every other byte becomes `*`: what every ASA-era capture shows
 *   (T-B, T-C), not what the doc says (§1.3).
 * Continuation lines (`220-`) get the same rule [unverified: no capture, §10].
 */
export function maskGreeting(line: string, family: MailguardFamily, opts: { maskBanner?: boolean } = {}): string {
  if (family === 'asa-esmtp' && opts.maskBanner === false) return line;
  const { body, eol } = splitTerminator(line);
  const keep = replyPrefixLength(body);
  const rest = body.slice(keep);
  const masked = family === 'pix-mailguard' ? rest.replace(/[^20]/g, '*') : '*'.repeat(rest.length);
  return body.slice(0, keep) + masked + eol;
}

/** The sequence letter of the n-th (0-based) masked EHLO keyword: A, B, C... (wraps after Z [unverified]). */
function sequenceLetter(n: number): string {
  return String.fromCharCode(65 + (n % 26));
}

/** Whether an EHLO reply line's keyword passes the ASA's `ehlo-reply-parameter` filter. */
export function ehloKeywordAllowed(keyword: string, allowTls: boolean): boolean {
  const k = keyword.toUpperCase();
  if (ASA_EHLO_KEYWORDS.has(k) || k.startsWith('AUTH=')) return true;
  return k === 'STARTTLS' && allowTls;
}

/**
 * Masks one EHLO reply as `inspect esmtp` does (§1.3, §8; T-B, T-C): the first line passes; each later line whose
 * keyword is not allowed keeps its `250-`/`250 ` prefix and the rest of its text (keyword and any arguments, which is
 * the unverified default of §8) becomes `X`s ending in a sequence letter counted per reply, same length.
 * Only `asa-esmtp` masks EHLO replies; the PIX families never let EHLO reach the server.
 */
export function maskEhloReply(lines: readonly string[], policy: Pick<SmtpInspectionPolicy, 'allowTls'>): string[] {
  let masked = 0;
  return lines.map((line, i) => {
    if (i === 0) return line;
    const { body, eol } = splitTerminator(line);
    const keep = replyPrefixLength(body);
    const text = body.slice(keep);
    const keyword = text.split(' ')[0] ?? '';
    if (keep === 0 || text.length === 0 || ehloKeywordAllowed(keyword, policy.allowTls)) return line;
    const letter = sequenceLetter(masked++);
    return body.slice(0, keep) + 'X'.repeat(text.length - 1) + letter + eol;
  });
}

/** The verb of a command line (first token, upper-cased), '' for an empty line. */
export function commandVerb(line: string): string {
  const { body } = splitTerminator(line);
  return (body.split(' ')[0] ?? '').toUpperCase();
}

/** What the front does with one client command line. */
export type ClientLineAction =
  | { action: 'forward'; line: string; changed: boolean; reason?: 'verb-masked' | 'special-character' }
  /** PIX 4.x: the firewall answers itself and the server never sees the line. */
  | { action: 'reply'; reply: string }
  /** ASA drop-connection: the connection is closed with no SMTP reply. */
  | { action: 'drop'; reason: 'command-line-length' | 'sender-address-length' };

/** The address of a `MAIL FROM:` line (inside `<>` when present), or null for another verb. */
export function senderAddress(line: string): string | null {
  const m = /^MAIL\s+FROM:\s*(<[^>]*>|\S*)/i.exec(splitTerminator(line).body);
  if (!m) return null;
  const raw = m[1] ?? '';
  return raw.startsWith('<') ? raw.slice(1, -1) : raw;
}

/** Overwrites the verb (the bytes before the first space) with `X`s of the same length. */
function maskVerb(line: string): string {
  const { body, eol } = splitTerminator(line);
  const sp = body.indexOf(' ');
  const verbLen = sp < 0 ? body.length : sp;
  return 'X'.repeat(verbLen) + body.slice(verbLen) + eol;
}

/**
 * Rewrites one client command line (with its terminator) per family (§8):
 * - pix-4: verbs outside the seven are not forwarded; the firewall replies `opts.pix4Reply` (default `250 OK`).
 * - pix-mailguard: verbs outside the seven are overwritten with `X` and forwarded (mode (a) of §8), so the server
 *   answers its unknown-command error (T-A: `502 Error: command not implemented` to `EHLO`).
 * - asa-esmtp: a line longer than 512 bytes, or a MAIL FROM address longer than 320, drops the connection; verbs outside the fifteen (STARTTLS too unless
 *   allow-tls) are X'd (verb only, as [S37] `XXXX ME`); in MAIL/RCPT `|` becomes a space.
 * The RCPT count limit is stateful and is kept by the front's session, not here.
 */
export function rewriteClientLine(
  line: string,
  policy: RewritePolicy,
  opts: { pix4Reply?: string } = {},
): ClientLineAction {
  const verb = commandVerb(line);
  if (policy.family === 'asa-esmtp') {
    if (line.length > ASA_MAX_COMMAND_LINE) return { action: 'drop', reason: 'command-line-length' };
    if ((senderAddress(line)?.length ?? 0) > ASA_MAX_SENDER_ADDRESS) {
      return { action: 'drop', reason: 'sender-address-length' };
    }
    const allowed = ASA_ESMTP_VERBS.has(verb) || (verb === 'STARTTLS' && policy.allowTls);
    if (!allowed) return { action: 'forward', line: maskVerb(line), changed: true, reason: 'verb-masked' };
    if ((verb === 'MAIL' || verb === 'RCPT') && line.includes('|')) {
      return { action: 'forward', line: line.replaceAll('|', ' '), changed: true, reason: 'special-character' };
    }
    return { action: 'forward', line, changed: false };
  }
  if (RFC821_VERBS.has(verb)) return { action: 'forward', line, changed: false };
  if (policy.family === 'pix-4') return { action: 'reply', reply: opts.pix4Reply ?? PIX4_DEFAULT_OK_REPLY };
  return { action: 'forward', line: maskVerb(line), changed: true, reason: 'verb-masked' };
}
