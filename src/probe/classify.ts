/**
 * The probe's judgement: a pure function from a transcript to a verdict with evidence (smtp-inspection.md §7).
 * No I/O, no clock: the change engine calls it on transcripts it already holds. Rules lean to `inconclusive`: a wrong
 * `clean` sends someone home thinking mail is fixed.
 */
import { isFinalReplyLine, replyCode } from './conversation.js';
import type {
  ProbeConfidence,
  ProbeFamily,
  ProbePhase,
  ProbeResult,
  ProbeSignal,
  ProbeTimings,
  ProbeVerdict,
  SmtpTranscript,
  TranscriptEntry,
} from './types.js';

/** Verbs the probe (or any SMTP client) may send on purpose; any other verb is "the unknown verb". */
const KNOWN_VERBS = new Set([
  'EHLO',
  'HELO',
  'MAIL',
  'RCPT',
  'DATA',
  'RSET',
  'NOOP',
  'QUIT',
  'VRFY',
  'EXPN',
  'HELP',
  'STARTTLS',
  'AUTH',
  'ETRN',
]);

/** Greetings (or connect replies) of SMTP proxies that are not Cisco inspection (§4, nmap-service-probes [S21]). */
const NAMED_PROXIES: { re: RegExp; name: string; anyCode?: boolean }[] = [
  { re: /check ?point|firewall-1/i, name: 'Check Point FireWall-1' },
  { re: /SMTP\/smap\b/i, name: 'TIS fwtk smap' },
  { re: /barracuda/i, name: 'Barracuda' },
  { re: /ironport|cisco esa\b/i, name: 'Cisco ESA (IronPort)' },
  { re: /No SMTPd here/i, name: 'SonicWALL Email Security', anyCode: true },
  { re: /network-box/i, name: 'Network Box' },
  { re: /smtprelay service ready/i, name: 'GeNUGate' },
  { re: /BorderWare|MXtreme/i, name: 'BorderWare MXtreme' },
];
/** Cisco ESA's own unknown-command reply [S29]: the server we talk to is an ESA, not the mail server. */
const ESA_UNKNOWN_REPLY = /^500 #5\.5\.1 command not recognized/i;
/**
 * The legacy greeting `SMTP/cmap` + underscores + `read` [S2]; texts print it with other counts of underscores, with
 * spaces between them, or with none (smtp-inspection.md §1.1: "the exact number of underscores varies by text").
 */
const CMAP_GREETING = /SMTP\/cmap[_\s]*read/i;
/**
 * EHLO keywords a default ASA passes unmasked (`match ehlo-reply-parameter`, smtp-inspection.md §1.3; AUTH=... seen
 * in T-C). Any other keyword seen unmasked shows that no ASA masks this path.
 */
const ASA_PASSED_KEYWORDS = new Set([
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
/** ESMTP keywords whose absence (all three) hints at an extension-stripping proxy (§7, F-Secure style). */
const COMMON_EXTENSIONS = ['PIPELINING', 'STARTTLS', 'CHUNKING'];

type ServerLine = { t: number; text: string };
/** A command (null for the greeting) and what came back until the next command. */
interface Exchange {
  command: string | null;
  sentAt: number | null;
  lines: ServerLine[];
  code: number | null;
  doneAt: number | null;
  events: Extract<TranscriptEntry, { dir: '*' }>[];
}

function segment(entries: TranscriptEntry[]): Exchange[] {
  const out: Exchange[] = [];
  let cur: Exchange = { command: null, sentAt: null, lines: [], code: null, doneAt: null, events: [] };
  out.push(cur);
  for (const e of entries) {
    if (e.dir === 'C') {
      cur = { command: e.text, sentAt: e.t, lines: [], code: null, doneAt: null, events: [] };
      out.push(cur);
    } else if (e.dir === 'S') {
      if (cur.doneAt === null) {
        cur.lines.push({ t: e.t, text: e.text });
        if (isFinalReplyLine(e.text)) {
          cur.doneAt = e.t;
          cur.code = replyCode(e.text);
        }
      }
    } else {
      cur.events.push(e);
    }
  }
  return out;
}

const verbOf = (command: string) => command.split(' ')[0]?.toUpperCase() ?? '';
/** Reply text after `NNN-`/`NNN `. */
const textOf = (line: string) => (/^\d{3}[ -]/.test(line) ? line.slice(4) : /^\d{3}/.test(line) ? line.slice(3) : line);

type GreetingMask = 'stars' | 'stars-20' | null;

/**
 * A whole greeting (one or several lines) as masked: every line holds only `*`, `2`, `0` and blanks after its code
 * (a `220-` continuation may be short or empty), with at least two `*` in all. `stars-20` when any line keeps a `2`,
 * `0` or inner space (PIX 5.1-6.x); `stars` when the text is only `*` (ASA mask-banner, PIX fixup).
 */
export function greetingMaskOf(lines: string[]): GreetingMask {
  if (lines.length === 0) return null;
  let stars = 0;
  let kept20 = false;
  for (const line of lines) {
    if (!/^2\d\d/.test(line)) return null;
    const rest = textOf(line);
    if (!/^[*20 \t]*$/.test(rest)) return null;
    stars += rest.match(/\*/g)?.length ?? 0;
    const text = rest.trimEnd();
    if (text !== '' && !/^\*+$/.test(text)) kept20 = true;
  }
  if (stars < 2) return null;
  return kept20 ? 'stars-20' : 'stars';
}

/** §7 rows 1-2: only `*` (at least two), or `*` with `2`, `0`, spaces, after the code. */
export function greetingMask(line: string): GreetingMask {
  if (!/^2\d\d/.test(line)) return null;
  const rest = textOf(line);
  if (!/^[*20 \t]+$/.test(rest) || (rest.match(/\*/g)?.length ?? 0) < 2) return null;
  return /^\*+$/.test(rest.trimEnd()) ? 'stars' : 'stars-20';
}

const sig = (
  id: string,
  points: ProbeSignal['points'],
  confidence: ProbeConfidence,
  meaning: string,
  evidence: string[],
): ProbeSignal => ({ id, evidence, meaning, points, confidence });

const PHASE_WORDS: Record<ProbePhase, string> = {
  connect: 'while connecting',
  greeting: 'while waiting for the greeting',
  reply: 'while waiting for a reply',
  tls: 'during the TLS handshake',
};
const eventText = (e: { text: string; phase?: ProbePhase }) =>
  `(${e.text}${e.phase ? `, ${PHASE_WORDS[e.phase]}` : ''})`;

function timingsOf(entries: TranscriptEntry[], exchanges: Exchange[]): ProbeTimings {
  const connected = entries.find((e) => e.dir === '*' && e.event === 'connected');
  const greeting = exchanges[0];
  return {
    connectMs: connected ? connected.t : null,
    greetingMs: greeting?.doneAt ?? null,
    totalMs: entries.length > 0 ? (entries[entries.length - 1] as TranscriptEntry).t : 0,
    commands: exchanges
      .filter((x) => x.command !== null)
      .map((x) => ({
        command: x.command as string,
        ms: x.doneAt !== null && x.sentAt !== null ? Math.round((x.doneAt - x.sentAt) * 10) / 10 : null,
      })),
  };
}

/** Classifies one conversation. Pure. */
export function classify(transcript: SmtpTranscript): ProbeResult {
  const entries = transcript.entries;
  const exchanges = segment(entries);
  const greeting = exchanges[0] as Exchange;
  const commands = exchanges.slice(1);
  const signals: ProbeSignal[] = [];
  const connected = entries.some((e) => e.dir === '*' && e.event === 'connected');

  const timings = timingsOf(entries, exchanges);
  const tls = tlsOf(entries);
  // Key order is the JSON contract's: address, port, verdict, family, confidence, signals, transcript, timings.
  const result = (verdict: ProbeVerdict, family: ProbeFamily | null, confidence: ProbeConfidence): ProbeResult => ({
    address: transcript.address,
    port: transcript.port,
    ...(transcript.host ? { host: transcript.host } : {}),
    verdict,
    family,
    confidence,
    signals,
    transcript: entries,
    timings,
    ...tls,
    startedAt: transcript.startedAt,
  });

  if (!connected) {
    const failed = entries.filter((e) => e.dir === '*').map(eventText);
    signals.push(sig('connect-failed', 'neutral', 'high', 'No TCP connection to this address.', failed));
    return result('unreachable', null, 'high');
  }

  // ---- greeting ----
  const gLines = greeting.lines.map((l) => l.text);
  const gCode = greeting.code;
  const gComplete = greeting.doneAt !== null;
  const mask = greetingMaskOf(gLines);
  const greetingMasked = mask !== null;
  const greeting20 = mask === 'stars-20';
  if (!gComplete) {
    const ev = greeting.events.map(eventText);
    signals.push(
      sig(
        'no-greeting',
        'neutral',
        'high',
        'No complete SMTP greeting (tarpit, timeout, reset or close before it): not evidence either way; retry or try another MX.',
        [...gLines, ...ev],
      ),
    );
  } else if (gCode === null || gCode >= 400) {
    signals.push(
      sig(
        'greeting-refused',
        'neutral',
        'high',
        'The greeting is not a 2xx welcome (421 busy, 554 no service, or not SMTP): not evidence of inspection; retry or try another MX.',
        gLines,
      ),
    );
  }
  if (greetingMasked) {
    signals.push(
      greeting20
        ? sig(
            'greeting-masked-20',
            'inspection',
            'high',
            'The greeting holds only "*", "2", "0" and spaces: the PIX 5.1-6.x fixup mask (nmap: "Cisco PIX sanitized smtpd").',
            gLines,
          )
        : sig(
            'greeting-masked',
            'inspection',
            'high',
            'The greeting text is only "*": the firewall masked the banner (ASA mask-banner, PIX fixup).',
            gLines,
          ),
    );
  }
  const cmapLine = gLines.find((l) => CMAP_GREETING.test(l));
  if (cmapLine) {
    signals.push(
      sig(
        'greeting-cmap',
        'inspection',
        'medium',
        'The legacy "SMTP/cmap" greeting of very old PIX (or fwtk-style proxy).',
        [cmapLine],
      ),
    );
  }
  let proxyNamed = false;
  for (const p of NAMED_PROXIES) {
    const line = gLines.find((l) => p.re.test(l) && (p.anyCode || /^2/.test(l)));
    if (line) {
      proxyNamed = true;
      signals.push(
        sig(
          'named-proxy',
          'other-proxy',
          'medium',
          `The greeting names ${p.name}: another SMTP proxy answers, not Cisco inspection.`,
          [line],
        ),
      );
    }
  }
  // A proxy's own greeting is real text, but not the mail server's.
  const greetingReal = gComplete && gCode !== null && gCode < 400 && !greetingMasked && !cmapLine && !proxyNamed;
  const greetingHasText = greetingReal && gLines.some((l) => /[A-Za-z]/.test(textOf(l)));
  if (greetingReal && greetingHasText) {
    signals.push(sig('greeting-real-text', 'clean', 'high', "The greeting is the server's own text.", gLines));
  } else if (greetingReal) {
    signals.push(
      sig(
        'greeting-no-text',
        'neutral',
        'low',
        'The greeting has no letters (digits only?): no hostname to check; nmap would misread it as a PIX mask.',
        gLines,
      ),
    );
  }

  // ---- EHLO ----
  const ehlo = commands.find((x) => x.command !== null && verbOf(x.command) === 'EHLO');
  let ehloFull = false;
  let ehloBeyondAsa = false;
  let ehloAdvertisesStarttls = false;
  let asaEhlo = false;
  let pixEhloRefused = false;
  let ehloBareOk = false;
  const maskedKeywords: { line: string; token: string }[] = [];
  if (ehlo && ehlo.doneAt !== null && ehlo.code !== null) {
    const lines = ehlo.lines.map((l) => l.text);
    if (ehlo.code >= 200 && ehlo.code < 300) {
      const ext = lines.slice(1);
      for (const line of ext) {
        const token = textOf(line).split(' ')[0] ?? '';
        if (/^X{2,}[A-Z]$/.test(token)) maskedKeywords.push({ line, token });
      }
      const keywords = ext.map((l) => (textOf(l).split(/[ =]/)[0] ?? '').toUpperCase());
      ehloAdvertisesStarttls = keywords.includes('STARTTLS');
      if (maskedKeywords.length > 0) {
        asaEhlo = true;
        const letters = maskedKeywords.map((k) => k.token.slice(-1)).join('');
        const counting = letters === 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, letters.length);
        signals.push(
          sig(
            'ehlo-keyword-masked',
            'inspection',
            counting ? 'high' : 'medium',
            counting
              ? 'EHLO keywords are masked as X\'s ending in a counting letter (A, B, ...): ASA/PIX 7+ "ehlo-reply-parameter mask".'
              : "EHLO keywords look masked as X's, but the last letters do not count A, B, ...",
            maskedKeywords.map((k) => k.line),
          ),
        );
        const tlsLike = maskedKeywords.filter((k) => k.token.length === 8);
        if (tlsLike.length > 0) {
          signals.push(
            sig(
              'starttls-masked',
              'inspection',
              'high',
              'A masked keyword has the 8 letters of STARTTLS, where STARTTLS belongs: TLS is stripped ("no allow-tls").',
              tlsLike.map((k) => k.line),
            ),
          );
        }
      } else if (ext.length === 0) {
        ehloBareOk = true;
        if (greetingMasked) {
          signals.push(
            sig(
              'ehlo-bare-ok',
              'inspection',
              'medium',
              'EHLO got a single OK line with no extensions while the greeting is masked: PIX answering OK itself (4.x) or turning EHLO into NOOP.',
              lines,
            ),
          );
        }
      } else if (keywords.some((k) => COMMON_EXTENSIONS.includes(k))) {
        ehloFull = true;
        // STARTTLS does not count: an ASA passes it too when `allow-tls` is set.
        const beyondAsa = keywords.filter((k) => k !== '' && k !== 'STARTTLS' && !ASA_PASSED_KEYWORDS.has(k));
        ehloBeyondAsa = beyondAsa.length > 0;
        signals.push(
          ehloBeyondAsa
            ? sig(
                'ehlo-unmasked',
                'clean',
                'high',
                `The EHLO reply lists extensions with no masking, including ones an ASA would mask (${beyondAsa.join(', ')}).`,
                lines,
              )
            : sig(
                'ehlo-unmasked',
                'clean',
                'medium',
                'The EHLO reply lists extensions with no masking, but only ones an ASA passes anyway.',
                lines,
              ),
        );
      } else {
        signals.push(
          sig(
            'ehlo-extensions-missing',
            'neutral',
            'low',
            'The EHLO reply has none of PIPELINING, STARTTLS, CHUNKING and no X lines: a stripping proxy or the server configuration.',
            lines,
          ),
        );
      }
      if (greetingMasked && ext.length > 0 && /[A-Za-z]/.test(textOf(lines[0] ?? ''))) {
        asaEhlo = true;
        signals.push(
          sig(
            'ehlo-real-after-masked-greeting',
            'inspection',
            'high',
            'The greeting is masked but the EHLO reply shows the real host: ASA inspection (greeting masked, EHLO passed).',
            [gLines[gLines.length - 1] as string, lines[0] as string],
          ),
        );
      }
    } else if (ehlo.code >= 500) {
      const echoed = lines.find((l) => /XXXX/.test(l));
      if (echoed) {
        pixEhloRefused = true;
        signals.push(
          sig(
            'ehlo-verb-masked',
            'inspection',
            'high',
            "The server's refusal echoes EHLO as X's: the verb was overwritten in transit (PIX Mailguard).",
            [ehlo.command as string, echoed],
          ),
        );
      }
      if (greetingMasked) {
        pixEhloRefused = true;
        signals.push(
          sig(
            'ehlo-refused-masked-greeting',
            'inspection',
            'high',
            'EHLO is refused while the greeting is masked: PIX Mailguard lets only the RFC 821 verbs through.',
            [gLines[gLines.length - 1] as string, ...lines],
          ),
        );
      } else if (!echoed) {
        signals.push(
          sig(
            'ehlo-refused',
            'neutral',
            'low',
            'EHLO is refused: the server does not speak ESMTP, or EHLO was rewritten.',
            lines,
          ),
        );
      }
    }
  }

  // ---- the unknown verb ----
  const unknown = commands.find((x) => x.command !== null && !KNOWN_VERBS.has(verbOf(x.command)));
  let verbRefused = false;
  let verbEchoedTrue = false;
  let verbMasked = false;
  if (unknown && unknown.doneAt !== null && unknown.code !== null) {
    const cmd = unknown.command as string;
    const verb = verbOf(cmd);
    const lines = unknown.lines.map((l) => l.text);
    const esa = lines.find((l) => ESA_UNKNOWN_REPLY.test(l));
    const xRun = !/X/i.test(verb) && verb.length >= 4 ? 'X'.repeat(verb.length) : null;
    const echoX = xRun ? lines.find((l) => l.includes(xRun)) : undefined;
    if (unknown.code >= 200 && unknown.code < 300) {
      signals.push(
        sig(
          'unknown-verb-accepted',
          'inspection',
          'low',
          'An unknown verb got an OK: something answers OK to anything (PIX 4.x) or rewrote it to NOOP; a real server refuses it.',
          [cmd, ...lines],
        ),
      );
    } else if (echoX) {
      verbMasked = true;
      signals.push(
        sig(
          'unknown-verb-masked',
          'inspection',
          'high',
          "The server's refusal echoes our verb as X's: the command was rewritten in transit.",
          [cmd, echoX],
        ),
      );
    } else if (esa) {
      signals.push(
        sig(
          'named-proxy',
          'other-proxy',
          'medium',
          "The unknown-command reply is Cisco ESA's: an ESA answers, not the mail server.",
          [cmd, esa],
        ),
      );
    } else if (unknown.code >= 500) {
      verbRefused = true;
      const echoesTrue = lines.some((l) => l.toUpperCase().includes(verb));
      verbEchoedTrue = echoesTrue;
      signals.push(
        sig(
          'unknown-verb-refused',
          'clean',
          echoesTrue ? 'high' : 'medium',
          echoesTrue
            ? 'The unknown verb is refused by the server, which echoes the true word.'
            : 'The unknown verb is refused with a server-style 5xx.',
          [cmd, ...lines],
        ),
      );
    }
  }

  // ---- STARTTLS ----
  const starttls = commands.find((x) => x.command !== null && verbOf(x.command) === 'STARTTLS');
  if (starttls && starttls.doneAt !== null && starttls.code !== null && starttls.code >= 500) {
    const lines = starttls.lines.map((l) => l.text);
    if (ehloAdvertisesStarttls) {
      signals.push(
        sig(
          'starttls-verb-masked',
          'inspection',
          'medium',
          'STARTTLS is advertised but refused as unknown: the verb was rewritten in transit.',
          ['STARTTLS', ...lines],
        ),
      );
    } else {
      signals.push(
        sig('starttls-refused', 'neutral', 'low', 'STARTTLS is refused (not offered, or stripped on the way).', [
          'STARTTLS',
          ...lines,
        ]),
      );
    }
  }

  // ---- resets, closes and timeouts after the greeting: never evidence of inspection ----
  for (const x of commands) {
    for (const e of x.events) {
      if (e.event === 'reset' || e.event === 'closed' || e.event === 'timeout' || e.event === 'error') {
        const cmd = x.command as string;
        if (e.event === 'closed' && verbOf(cmd) === 'QUIT') continue;
        signals.push(
          sig(
            `connection-${e.event}`,
            'neutral',
            'low',
            e.event === 'reset'
              ? `Connection reset right after "${verbOf(cmd)}": possibly a firewall drop action; not evidence by itself.`
              : `The conversation stopped after "${verbOf(cmd)}": not evidence either way.`,
            [cmd, ...x.lines.map((l) => l.text), eventText(e)],
          ),
        );
      }
    }
  }

  // ---- verdict ----
  const inspection = signals.filter((s) => s.points === 'inspection');
  const strongest = (list: ProbeSignal[]): ProbeConfidence | null =>
    list.some((s) => s.confidence === 'high')
      ? 'high'
      : list.some((s) => s.confidence === 'medium')
        ? 'medium'
        : list.length > 0
          ? 'low'
          : null;
  const inspConf = strongest(inspection);
  let verdict: ProbeVerdict;
  let confidence: ProbeConfidence;
  let family: ProbeFamily | null = null;
  if (inspConf === 'high' || inspConf === 'medium') {
    verdict = 'inspected';
    confidence = inspConf;
    // The family the strongest evidence names (issue #12): a legacy cmap greeting (medium) does not outrank ASA's
    // masked EHLO keywords (high); on a tie, the earlier entry wins.
    const confOf = (...idList: string[]) => strongest(signals.filter((x) => idList.includes(x.id)));
    const ehloOk = ehlo?.code !== null && ehlo?.code !== undefined && ehlo.code < 300;
    const candidates: [ProbeFamily, ProbeConfidence | null][] = [
      ['legacy-cmap', cmapLine ? confOf('greeting-cmap') : null],
      [
        'asa-esmtp',
        asaEhlo ? confOf('ehlo-keyword-masked', 'starttls-masked', 'ehlo-real-after-masked-greeting') : null,
      ],
      ['pix-mailguard', pixEhloRefused ? confOf('ehlo-verb-masked', 'ehlo-refused-masked-greeting') : null],
      [greeting20 ? 'pix-mailguard' : 'pix-4', ehloBareOk && greetingMasked ? confOf('ehlo-bare-ok') : null],
      ['pix-mailguard', greeting20 ? confOf('greeting-masked-20') : null],
      ['asa-esmtp', verbMasked && ehloOk ? confOf('unknown-verb-masked') : null],
    ];
    const rank = (c: ProbeConfidence | null) => (c === 'high' ? 3 : c === 'medium' ? 2 : c === 'low' ? 1 : 0);
    let best = 0;
    for (const [fam, conf] of candidates) {
      if (rank(conf) > best) {
        best = rank(conf);
        family = fam;
      }
    }
  } else if (signals.some((s) => s.points === 'other-proxy')) {
    verdict = 'other-proxy';
    confidence = 'medium';
  } else if (!gComplete && gLines.length === 0) {
    verdict = 'unreachable';
    confidence = 'high';
  } else if (
    inspConf === null &&
    gComplete &&
    greetingReal &&
    // A greeting without letters (e.g. "220 2020") could be a PIX mask that kept 2 and 0: only an echo of the true
    // verb (nothing rewritten in transit) makes up for it.
    (greetingHasText || verbEchoedTrue) &&
    ehloFull &&
    verbRefused &&
    !signals.some((s) => s.id === 'ehlo-extensions-missing')
  ) {
    verdict = 'clean';
    const neutral = signals.some((s) => s.points === 'neutral');
    // High only with proof that nothing rewrites: a keyword an ASA would mask, or our verb echoed intact.
    confidence = greetingHasText && !neutral && (ehloBeyondAsa || verbEchoedTrue) ? 'high' : 'medium';
  } else {
    verdict = 'inconclusive';
    confidence = 'low';
  }
  return result(verdict, family, confidence);
}

function tlsOf(entries: TranscriptEntry[]): Pick<ProbeResult, 'tls'> {
  if (!entries.some((e) => e.dir === 'C' && verbOf(e.text) === 'STARTTLS')) return {};
  const ok = entries.find((e) => e.dir === '*' && e.event === 'tls');
  const failed = entries.find((e) => e.dir === '*' && e.event === 'tls-failed');
  const detail = ok?.text ?? failed?.text ?? 'STARTTLS was not accepted';
  return { tls: { attempted: true, negotiated: ok !== undefined, detail } };
}

const RANK: Record<ProbeVerdict, number> = {
  clean: 0,
  unreachable: 1,
  inconclusive: 2,
  'other-proxy': 3,
  inspected: 4,
};

/**
 * The verdict that must worry the user most: inspected > other-proxy > inconclusive > unreachable > clean. One clean
 * address never hides an inspected one; an empty list is `inconclusive` (nothing was proven).
 */
export function worstVerdict(verdicts: ProbeVerdict[]): ProbeVerdict {
  if (verdicts.length === 0) return 'inconclusive';
  return verdicts.reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
}
