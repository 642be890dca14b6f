/**
 * classify() on transcripts taken from /work/shared/reference/smtp-inspection.md: §2 captures T-A..T-G (verbatim
 * server lines; the client lines are the capture's own) and the §5 "clean" examples. Where a capture lacks a line the
 * probe would have, the test says which line it adds and why.
 */
import { describe, expect, it } from 'vitest';
import { classify, greetingMask } from '../../src/probe/classify.js';
import type { ProbeResult, SmtpTranscript, TranscriptEntry } from '../../src/probe/types.js';

/** `S: line`, `C: line`, or `*event: text` (event kinds of the transcript). */
function tx(script: string[], opts: { connected?: boolean } = {}): SmtpTranscript {
  const entries: TranscriptEntry[] = [];
  let t = 1;
  if (opts.connected !== false) entries.push({ t: 0.5, dir: '*', event: 'connected', text: 'connected' });
  for (const s of script) {
    t += 1;
    if (s.startsWith('S: ')) entries.push({ t, dir: 'S', text: s.slice(3), eol: 'CRLF' });
    else if (s.startsWith('C: ')) entries.push({ t, dir: 'C', text: s.slice(3) });
    else {
      const m = /^\*([a-z-]+): (.*)$/.exec(s);
      if (!m) throw new Error(`bad script line ${s}`);
      entries.push({ t, dir: '*', event: m[1] as never, text: m[2] as string, phase: 'reply' });
    }
  }
  return { address: '192.0.2.25', port: 25, startedAt: '2026-01-01T00:00:00.000Z', entries };
}

const ids = (r: ProbeResult) => r.signals.map((s) => s.id);
const evidenceOf = (r: ProbeResult, id: string) => r.signals.find((s) => s.id === id)?.evidence;
const stars = (n: number) => `220 ${'*'.repeat(n)}`;

/** The probe's own dialogue: greeting, `EHLO p.invalid` and its reply lines, the unknown verb and what followed it. */
const probeDialogue = (greeting: string, ehloReply: string[], afterVerb: string) => [
  `S: ${greeting}`,
  'C: EHLO p.invalid',
  ...ehloReply.map((l) => `S: ${l}`),
  'C: GOODMORNING',
  afterVerb,
];

/**
 * T-A inside view ([S17]: the same Postfix, no firewall) up to the unknown verb. The capture has no unknown verb; the
 * Postfix 2.x reply to one is the capture's own "502 Error: command not implemented" (§5.3).
 */
const T_A_INSIDE = [
  'S: 220 mail ESMTP Postfix (Debian/GNU)',
  'C: ehlo ammo.com',
  'S: 250-mail',
  'S: 250-PIPELINING',
  'S: 250-SIZE 10240000',
  'S: 250-VRFY',
  'S: 250-ETRN',
  'S: 250-AUTH PLAIN',
  'S: 250 8BITMIME',
  'C: GOODMORNING',
  'S: 502 Error: command not implemented',
];

describe('classify: §2 captures of inspection', () => {
  it('T-A (Postfix behind PIX smtp fixup, 2005 [S17]): masked greeting + EHLO refused -> pix-mailguard', () => {
    const r = classify(
      tx([
        'S: 220 *******************************',
        'C: EHLO ammocomp.com',
        'S: 502 Error: command not implemented',
        'C: ehlo ammocomp.com',
        'S: 502 Error: command not implemented',
        'C: auth plain',
        'S: 502 Error: command not implemented',
        'C: mail from:',
        'S: 501 Syntax: MAIL FROM: <address>',
      ]),
    );
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('pix-mailguard');
    expect(r.confidence).toBe('high');
    expect(ids(r)).toEqual(expect.arrayContaining(['greeting-masked', 'ehlo-refused-masked-greeting']));
    expect(evidenceOf(r, 'greeting-masked')).toEqual(['220 *******************************']);
    expect(evidenceOf(r, 'ehlo-refused-masked-greeting')).toContain('502 Error: command not implemented');
  });

  it('T-A inside view (same Postfix, no firewall [S17]) with a server-style unknown-verb refusal -> clean', () => {
    const r = classify(tx([...T_A_INSIDE, 'C: QUIT', 'S: 221 Bye']));
    expect(r.verdict).toBe('clean');
    expect(r.family).toBeNull();
    expect(ids(r)).toEqual(['greeting-real-text', 'ehlo-unmasked', 'unknown-verb-refused']);
  });

  it('T-B (Sendmail behind ASA, 2013 [S16]): 208 stars, XXXXXXXXA/XXXB -> asa-esmtp, 9-letter mask is not STARTTLS', () => {
    const r = classify(
      tx([
        `S: ${stars(208)}`,
        'C: ehlo mailserver3.domain.com',
        'S: 250-mailserver2.domain.com Hello mailserver3.domain.com [IP Address], pleased to meet you',
        'S: 250-ENHANCEDSTATUSCODES',
        'S: 250-PIPELINING',
        'S: 250-8BITMIME',
        'S: 250-SIZE',
        'S: 250-DSN',
        'S: 250-ETRN',
        'S: 250-AUTH DIGEST-MD5 CRAM-MD5',
        'S: 250-XXXXXXXXA',
        'S: 250 XXXB',
        'C: mail from: user@domain.com',
        'S: 250 2.1.0 user@domain.com... Sender ok',
      ]),
    );
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('asa-esmtp');
    expect(r.confidence).toBe('high');
    expect(evidenceOf(r, 'ehlo-keyword-masked')).toEqual(['250-XXXXXXXXA', '250 XXXB']);
    expect(r.signals.find((s) => s.id === 'ehlo-keyword-masked')?.confidence).toBe('high');
    expect(ids(r)).toContain('ehlo-real-after-masked-greeting');
    expect(ids(r)).not.toContain('starttls-masked');
  });

  it('T-C (Postfix behind ASA, deimos.fr [S18]): XXXXXXXA where STARTTLS belongs -> starttls-masked', () => {
    const r = classify(
      tx([
        `S: ${stars(43)}`,
        'C: ehlo test',
        'S: 250-fire.deimos.fr',
        'S: 250-PIPELINING',
        'S: 250-SIZE 10240000',
        'S: 250-ETRN',
        'S: 250-XXXXXXXA',
        'S: 250-AUTH LOGIN PLAIN',
        'S: 250-AUTH=LOGIN PLAIN',
        'S: 250-ENHANCEDSTATUSCODES',
        'S: 250-8BITMIME',
        'S: 250 DSN',
      ]),
    );
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('asa-esmtp');
    expect(evidenceOf(r, 'starttls-masked')).toEqual(['250-XXXXXXXA']);
    expect(evidenceOf(r, 'ehlo-real-after-masked-greeting')).toEqual([stars(43), '250-fire.deimos.fr']);
  });

  it('T-D (Postfix VPS, 2014 [S19]): masked keyword even with a (hand-added) 250-STARTTLS line', () => {
    const r = classify(
      tx([
        `S: ${stars(36)}`,
        'C: EHLO x',
        'S: 250-metagross',
        'S: 250-PIPELINING',
        'S: 250-SIZE 10240000',
        'S: 250-VRFY',
        'S: 250-ETRN',
        'S: 250-XXXXXXXA',
        'S: 250-ENHANCEDSTATUSCODES',
        'S: 250-8BITMIME',
        'S: 250-STARTTLS',
        'S: 250 DSN',
      ]),
    );
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('asa-esmtp');
    expect(ids(r)).toContain('starttls-masked');
  });

  it('T-E (2006 dialog [S20], greeting lost in the source): masked keywords alone are enough', () => {
    const r = classify(
      tx([
        'C: EHLO x',
        'S: 250-PIPELINING',
        'S: 250-XXXXXXXA',
        'S: 250 XXXB',
        'C: starttls',
        'S: 500 unrecognized command',
        'C: quit',
      ]),
    );
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('asa-esmtp');
    expect(evidenceOf(r, 'ehlo-keyword-masked')).toEqual(['250-XXXXXXXA', '250 XXXB']);
    expect(evidenceOf(r, 'starttls-refused')).toEqual(['STARTTLS', '500 unrecognized command']);
  });

  describe('T-F (PIX 5.1-6.x documentation banners [S1] [S2] [S34] [S12b])', () => {
    const banners: [string, 'stars' | 'stars-20'][] = [
      [
        '220 *********0***************************************************************** ************2*************',
        'stars-20',
      ],
      ['220*******************************0*2******0***********', 'stars-20'],
      ['2002*******2***0*00', 'stars-20'],
      ['220 ****2************************************', 'stars-20'],
      ['220*************', 'stars'],
    ];
    it.each(banners)('%s is a masked greeting (%s)', (banner, kind) => {
      expect(greetingMask(banner)).toBe(kind);
      const r = classify(tx([`S: ${banner}`, 'C: QUIT', 'S: 221 bye']));
      expect(r.verdict).toBe('inspected');
      expect(r.confidence).toBe('high');
      expect(r.family).toBe(kind === 'stars-20' ? 'pix-mailguard' : null);
    });
  });

  it('T-G (Postfix smtp-sink -P [S22d]): "220 ********" is a masked greeting', () => {
    const r = classify(tx(['S: 220 ********', 'C: QUIT', 'S: 221 Bye']));
    expect(r.verdict).toBe('inspected');
    expect(ids(r)).toEqual(['greeting-masked']);
  });

  it('legacy cmap greeting (§1.1 [S2]) -> legacy-cmap, medium', () => {
    const r = classify(tx(['S: 220 SMTP/cmap_____________________________________read', 'C: QUIT']));
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('legacy-cmap');
    expect(r.confidence).toBe('medium');
  });

  it('Sendmail echo of an X-d verb ([S37] "XXXX ME") -> ehlo-verb-masked, pix-mailguard', () => {
    const r = classify(
      tx(['S: 220 mx.example.test ESMTP', 'C: EHLO ME', 'S: 500 5.5.1 Command unrecognized: "XXXX ME"']),
    );
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('pix-mailguard');
    expect(evidenceOf(r, 'ehlo-verb-masked')).toEqual(['EHLO ME', '500 5.5.1 Command unrecognized: "XXXX ME"']);
  });

  it("our unknown verb echoed as X's by Sendmail ([S38] reply format) -> unknown-verb-masked", () => {
    const r = classify(
      tx(
        probeDialogue(
          stars(30),
          ['250-mx.example.test Hello', '250 PIPELINING'],
          'S: 500 5.5.1 Command unrecognized: "XXXXXXXXXXX"',
        ),
      ),
    );
    expect(ids(r)).toContain('unknown-verb-masked');
    expect(r.family).toBe('asa-esmtp');
  });

  it('PIX answering OK to EHLO and to an unknown verb, masked greeting -> pix-4, medium signals', () => {
    const r = classify(
      tx([`S: ${stars(20)}`, 'C: EHLO p.invalid', 'S: 250 OK', 'C: GOODMORNING', 'S: 250 OK', 'C: NOOP', 'S: 250 Ok']),
    );
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('pix-4');
    expect(ids(r)).toEqual(['greeting-masked', 'ehlo-bare-ok', 'unknown-verb-accepted']);
  });
});

describe('classify: §5 clean examples', () => {
  it('Exchange 2016 ([S23]): real greeting, full EHLO, 500 5.3.3 -> clean, high', () => {
    const r = classify(
      tx([
        'S: 220 mail1.fabrikam.com Microsoft ESMTP MAIL Service ready at Fri, 5 Aug 2016 16:24:41 -0700',
        'C: EHLO p.invalid',
        'S: 250-mail1.fabrikam.com Hello [172.16.0.5]',
        'S: 250-SIZE 37748736',
        'S: 250-PIPELINING',
        'S: 250-DSN',
        'S: 250-ENHANCEDSTATUSCODES',
        'S: 250-STARTTLS',
        'S: 250-X-ANONYMOUSTLS',
        'S: 250-AUTH NTLM',
        'S: 250-X-EXPS GSSAPI NTLM',
        'S: 250-8BITMIME',
        'S: 250-BINARYMIME',
        'S: 250-CHUNKING',
        'S: 250 XRDST',
        'C: GOODMORNING',
        'S: 500 5.3.3 Unrecognized command',
        'C: NOOP',
        'S: 250 2.0.0 OK',
        'C: QUIT',
        'S: 221 2.0.0 Service closing transmission channel',
        '*closed: the server closed the connection',
      ]),
    );
    expect(r.verdict).toBe('clean');
    expect(r.confidence).toBe('high');
    expect(r.signals.every((s) => s.points === 'clean')).toBe(true);
  });

  it('Sendmail 8.14.4 ([S26] greeting and list; echo format [S38]) -> clean, the true word echoed', () => {
    const r = classify(
      tx([
        'S: 220 host ESMTP Sendmail 8.14.4/8.14.4; Mon, 31 Aug 2015 19:23:24 +0300',
        'C: EHLO p.invalid',
        'S: 250-host Hello p.invalid [192.0.2.1], pleased to meet you',
        'S: 250-ENHANCEDSTATUSCODES',
        'S: 250-PIPELINING',
        'S: 250-AUTH DIGEST-MD5 CRAM-MD5 LOGIN PLAIN',
        'S: 250-STARTTLS',
        'S: 250-DELIVERBY',
        'S: 250 HELP',
        'C: GOODMORNING',
        'S: 500 5.5.1 Command unrecognized: "GOODMORNING"',
      ]),
    );
    expect(r.verdict).toBe('clean');
    expect(r.signals.find((s) => s.id === 'unknown-verb-refused')?.confidence).toBe('high');
  });
});

describe('classify: not evidence, never over-claim', () => {
  const postfixTail = [
    'C: EHLO p.invalid',
    'S: 250-mx.example.test',
    'S: 250-PIPELINING',
    'S: 250 8BITMIME',
    'C: GOODMORNING',
    'S: 500 5.5.2 Error: command not recognized',
  ];

  const verdictOnly: { name: string; script: string[]; verdict: ProbeResult['verdict'] }[] = [
    {
      name: '554 naming Barracuda Reputation ([S21]) -> inconclusive, not other-proxy',
      script: [
        'S: 554 Service unavailable; Client host [x] blocked using Barracuda Reputation',
        'C: QUIT',
        'S: 221 bye',
      ],
      verdict: 'inconclusive',
    },
    {
      name: 'admin banner with asterisks and words -> clean',
      script: ['S: 220 ***** mx.example.test ESMTP - authorized use only *****', ...postfixTail],
      verdict: 'clean',
    },
    {
      name: 'TIS smap greeting ([S21]) -> other-proxy',
      script: ['S: 220 fw.example.test SMTP/smap Ready.', 'C: QUIT'],
      verdict: 'other-proxy',
    },
    {
      name: 'Cisco ESA unknown-command reply ([S29]) -> other-proxy',
      script: probeDialogue(
        '220 esa.example.test ESMTP',
        ['250-esa.example.test', '250 PIPELINING'],
        'S: 500 #5.5.1 command not recognized',
      ),
      verdict: 'other-proxy',
    },
    {
      name: 'EHLO without PIPELINING/STARTTLS/CHUNKING and no X lines (stripping proxy?) -> inconclusive',
      script: probeDialogue(
        '220 mx.example.test ESMTP',
        ['250-mx.example.test', '250 8BITMIME'],
        'S: 502 5.5.2 Error: command not recognized',
      ),
      verdict: 'inconclusive',
    },
    {
      name: 'an unknown verb accepted with 250 but nothing masked -> inconclusive, never clean',
      script: probeDialogue('220 mx.example.test ESMTP', ['250-mx.example.test', '250 PIPELINING'], 'S: 250 OK'),
      verdict: 'inconclusive',
    },
  ];
  // A loop, not it.each: it.each quotes and truncates `$name`, and the test names stay as they were.
  for (const { name, script, verdict } of verdictOnly) {
    it(name, () => {
      expect(classify(tx(script)).verdict).toBe(verdict);
    });
  }

  /** `ids` is the whole signal list (exact) or, with `idsInclude`, one signal that must be among them. */
  const verdictAndSignals: {
    name: string;
    script: string[];
    connected?: boolean;
    verdict: ProbeResult['verdict'];
    ids?: string[];
    idsInclude?: string;
  }[] = [
    {
      name: '421 at connect (postscreen [S22f]) -> inconclusive',
      script: ['S: 421 4.3.2 All server ports are busy', '*closed: the server closed the connection'],
      verdict: 'inconclusive',
      ids: ['greeting-refused'],
    },
    {
      name: 'greeting timeout (tarpit) -> unreachable',
      script: ['*timeout: no complete greeting within 30000 ms'],
      verdict: 'unreachable',
      ids: ['no-greeting'],
    },
    {
      name: 'no TCP connection -> unreachable',
      script: ['*connect-failed: ECONNREFUSED'],
      connected: false,
      verdict: 'unreachable',
      ids: ['connect-failed'],
    },
    {
      name: 'reset right after EHLO with a real greeting -> inconclusive, reset recorded as its own signal',
      script: probeDialogue(
        '220 mx.example.test ESMTP',
        ['250-mx.example.test', '250 PIPELINING'],
        '*reset: connection reset by peer',
      ),
      verdict: 'inconclusive',
      idsInclude: 'connection-reset',
    },
    {
      name: 'digit-only banner "220 2020" (nmap misreads it as PIX [S21]) -> not inspected, inconclusive',
      script: ['S: 220 2020', ...postfixTail],
      verdict: 'inconclusive',
      idsInclude: 'greeting-no-text',
    },
  ];
  for (const { name, script, connected, verdict, ids: exact, idsInclude } of verdictAndSignals) {
    it(name, () => {
      const r = classify(tx(script, { connected }));
      expect(r.verdict).toBe(verdict);
      if (exact) expect(ids(r)).toEqual(exact);
      else expect(ids(r)).toContain(idsInclude);
    });
  }

  it('Check Point FireWall-1 greeting ([S21]) -> other-proxy', () => {
    const r = classify(tx(['S: 220 CheckPoint FireWall-1 secure ESMTP server', ...postfixTail]));
    expect(r.verdict).toBe('other-proxy');
    expect(evidenceOf(r, 'named-proxy')).toEqual(['220 CheckPoint FireWall-1 secure ESMTP server']);
    expect(ids(r)).not.toContain('greeting-real-text');
  });

  it('timings come from the transcript', () => {
    const r = classify(tx(['S: 220 mx ESMTP', 'C: QUIT', 'S: 221 bye']));
    expect(r.timings).toEqual({ connectMs: 0.5, greetingMs: 2, totalMs: 4, commands: [{ command: 'QUIT', ms: 1 }] });
  });
});

describe('classify: digit-only greeting made up by a true echo', () => {
  it('"220 2020" + Sendmail-style echo of the true verb -> clean, medium', () => {
    const r = classify(
      tx(
        probeDialogue(
          '220 2020',
          ['250-mx.example.test', '250 PIPELINING'],
          'S: 500 5.5.1 Command unrecognized: "GOODMORNING"',
        ),
      ),
    );
    expect(r.verdict).toBe('clean');
    expect(r.confidence).toBe('medium');
  });
});

describe('classify: how sure a clean verdict is', () => {
  it('T-A inside view: only keywords an ASA passes anyway and no echo -> clean, medium only', () => {
    const r = classify(tx(T_A_INSIDE));
    expect(r.verdict).toBe('clean');
    expect(r.confidence).toBe('medium');
  });
});
