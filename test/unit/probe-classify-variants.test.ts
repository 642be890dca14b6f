/**
 * classify() on variants of each family's signature (issue #12 §4): the legacy `SMTP/cmap` greeting with other counts
 * of underscores and spacing (smtp-inspection.md §1.1: "the exact number of underscores varies by text" [S2]); a
 * masked greeting spread over several `220-` lines (§6: no capture of how PIX/ASA mask continuation lines, so these
 * shapes are unverified: the §2 single-line masks, split); masked EHLO keywords (T-B, T-C: `XXXXXXXA`, `XXXB`) after
 * either. The verdict and family must be the ones the strongest evidence supports, never a stronger family and never
 * none where the evidence names one. Plus a fast-check fuzz: any transcript classifies without throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/probe/classify.js';
import type { ProbeFamily, ProbeVerdict, SmtpTranscript, TranscriptEntry } from '../../src/probe/types.js';

const SEED = Number(process.env.FC_SEED ?? 20261130);

/** `S: line` from the server, `C: line` from the probe, after a connect. */
function tx(script: string[]): SmtpTranscript {
  const entries: TranscriptEntry[] = [{ t: 0.5, dir: '*', event: 'connected', text: 'connected' }];
  script.forEach((s, i) => {
    const t = i + 2;
    if (s.startsWith('S: ')) entries.push({ t, dir: 'S', text: s.slice(3), eol: 'CRLF' });
    else entries.push({ t, dir: 'C', text: s.slice(3) });
  });
  return { address: '192.0.2.25', port: 25, startedAt: '2026-01-01T00:00:00.000Z', entries };
}

// T-C (deimos.fr [S18]) EHLO reply behind an ASA, then the probe's unknown verb and a Postfix ≥3.7 refusal (§5.3).
const ASA_EHLO = [
  'C: EHLO p.invalid',
  'S: 250-fire.deimos.fr',
  'S: 250-PIPELINING',
  'S: 250-SIZE 10240000',
  'S: 250-ETRN',
  'S: 250-XXXXXXXA',
  'S: 250-AUTH LOGIN PLAIN',
  'S: 250-ENHANCEDSTATUSCODES',
  'S: 250-8BITMIME',
  'S: 250 DSN',
  'C: GOODMORNING',
  'S: 500 5.5.2 Error: command not recognized',
];
// T-B (Sendmail behind ASA [S16]): two masked keywords counting A, B.
const ASA_EHLO_TB = [
  'C: EHLO p.invalid',
  'S: 250-mailserver2.domain.com Hello mailserver3.domain.com [IP Address], pleased to meet you',
  'S: 250-ENHANCEDSTATUSCODES',
  'S: 250-PIPELINING',
  'S: 250-XXXXXXXXA',
  'S: 250 XXXB',
];
// T-A outside view [S17]: EHLO refused by the server after the fixup overwrote it.
const EHLO_REFUSED = ['C: EHLO p.invalid', 'S: 502 Error: command not implemented'];

type Case = [string, string[], ProbeVerdict, ProbeFamily | null];

describe('the legacy SMTP/cmap greeting, any count of underscores and spacing', () => {
  const cases: Case[] = [
    [
      '[S2] as printed (37 underscores)',
      ['S: 220 SMTP/cmap_____________________________________read'],
      'inspected',
      'legacy-cmap',
    ],
    ['5 underscores', ['S: 220 SMTP/cmap_____read'], 'inspected', 'legacy-cmap'],
    ['80 underscores', [`S: 220 SMTP/cmap${'_'.repeat(80)}read`], 'inspected', 'legacy-cmap'],
    ['no underscore, one space', ['S: 220 SMTP/cmap read'], 'inspected', 'legacy-cmap'],
    ['spaced underscores', ['S: 220 SMTP/cmap _ _ _ read'], 'inspected', 'legacy-cmap'],
    ['two spaces after the code', ['S: 220  SMTP/cmap__read'], 'inspected', 'legacy-cmap'],
    ['a tab', ['S: 220 SMTP/cmap\tread'], 'inspected', 'legacy-cmap'],
    ['lower case', ['S: 220 smtp/cmap___read'], 'inspected', 'legacy-cmap'],
    ['over two lines', ['S: 220-SMTP/cmap____read', 'S: 220 SMTP/cmap____read'], 'inspected', 'legacy-cmap'],
  ];
  it.each(cases)('%s', (_name, greeting, verdict, family) => {
    const r = classify(tx([...greeting, 'C: QUIT']));
    expect([r.verdict, r.family, r.confidence]).toEqual([verdict, family, 'medium']);
  });

  it('not every "cmap" is the signature: "SMTP/cmapper ready" stays inconclusive', () => {
    const r = classify(tx(['S: 220 SMTP/cmapper ready', 'C: QUIT']));
    expect(r.family).toBeNull();
    expect(r.verdict).not.toBe('inspected');
  });
});

describe('a masked greeting spread over several lines [unverified shape, §6]', () => {
  const cases: Case[] = [
    ['three lines of stars', ['S: 220-*****************', 'S: 220-*****', 'S: 220 ******'], 'inspected', null],
    ['a one-star continuation line', ['S: 220-**************', 'S: 220-*', 'S: 220 ***'], 'inspected', null],
    ['an empty continuation line', ['S: 220-**************', 'S: 220-', 'S: 220 *****'], 'inspected', null],
    ['one star per line, three lines', ['S: 220-*', 'S: 220-*', 'S: 220 *'], 'inspected', null],
    ['2 and 0 kept (PIX 5.1-6.x, T-F style)', ['S: 220-****2****0**', 'S: 220 ***0**'], 'inspected', 'pix-mailguard'],
    ['a single star in all is too little', ['S: 220-', 'S: 220 *'], 'inconclusive', null],
    [
      'a real line among masked ones is not a mask',
      ['S: 220-*****', 'S: 220 mail.example.com ESMTP'],
      'inconclusive',
      null,
    ],
  ];
  it.each(cases)('%s', (_name, greeting, verdict, family) => {
    const r = classify(tx([...greeting, 'C: QUIT']));
    expect([r.verdict, r.family]).toEqual([verdict, family]);
  });

  it('masked over several lines, then EHLO refused (T-A): pix-mailguard, high', () => {
    const r = classify(tx(['S: 220-*****************', 'S: 220-*', 'S: 220 ******', ...EHLO_REFUSED]));
    expect([r.verdict, r.family, r.confidence]).toEqual(['inspected', 'pix-mailguard', 'high']);
  });
});

describe('masked EHLO keywords after either greeting: the strongest evidence names the family', () => {
  const cases: Case[] = [
    [
      'after the [S2] cmap greeting (T-C keywords)',
      ['S: 220 SMTP/cmap_____________________________________read', ...ASA_EHLO],
      'inspected',
      'asa-esmtp',
    ],
    [
      'after a spaced cmap greeting (T-B keywords)',
      ['S: 220 SMTP/cmap _ _ read', ...ASA_EHLO_TB],
      'inspected',
      'asa-esmtp',
    ],
    [
      'after a masked greeting over three lines (T-C)',
      ['S: 220-*************', 'S: 220-*', 'S: 220 *****', ...ASA_EHLO],
      'inspected',
      'asa-esmtp',
    ],
    [
      'after a masked greeting over two lines (T-B)',
      ['S: 220-************', 'S: 220 ', ...ASA_EHLO_TB],
      'inspected',
      'asa-esmtp',
    ],
  ];
  it.each(cases)('%s', (_name, script, verdict, family) => {
    const r = classify(tx(script));
    expect([r.verdict, r.family, r.confidence]).toEqual([verdict, family, 'high']);
  });

  it('the cmap greeting and a refused EHLO with a masked greeting elsewhere never claim ASA', () => {
    const r = classify(tx(['S: 220 SMTP/cmap____read', ...EHLO_REFUSED]));
    expect(r.verdict).toBe('inspected');
    expect(r.family).toBe('legacy-cmap');
  });
});

describe('fuzz (fast-check): the signature survives any spacing, and no transcript throws', () => {
  it('cmap with any run of underscores, spaces and tabs stays legacy-cmap; then masked keywords give asa-esmtp', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[_ \t]{0,60}$/), fc.boolean(), (fill, withEhlo) => {
        const r = classify(tx([`S: 220 SMTP/cmap${fill}read`, ...(withEhlo ? ASA_EHLO : ['C: QUIT'])]));
        expect(r.verdict).toBe('inspected');
        expect(r.family).toBe(withEhlo ? 'asa-esmtp' : 'legacy-cmap');
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a run of stars split over any number of lines stays masked; then masked keywords give asa-esmtp', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (counts, withEhlo) => {
          fc.pre(counts.reduce((a, b) => a + b, 0) >= 2);
          const greeting = counts.map((n, i) => `S: 220${i === counts.length - 1 ? ' ' : '-'}${'*'.repeat(n)}`);
          const r = classify(tx([...greeting, ...(withEhlo ? ASA_EHLO : ['C: QUIT'])]));
          expect(r.verdict).toBe('inspected');
          // Stars alone cannot tell ASA from PIX: no family without more evidence.
          expect(r.family).toBe(withEhlo ? 'asa-esmtp' : null);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  const line = fc.oneof(
    fc.constantFrom(
      '220 ****',
      '220-',
      '250-XXXXXXXA',
      '250 XXXB',
      '502 Error',
      '220 SMTP/cmap__read',
      '250 OK',
      '421 busy',
    ),
    fc.string({ maxLength: 40 }),
  );
  const entry = fc.oneof(
    line.map((text): TranscriptEntry => ({ t: 1, dir: 'S', text, eol: 'CRLF' })),
    fc
      .constantFrom('EHLO p.invalid', 'GOODMORNING', 'STARTTLS', 'QUIT', '')
      .map((text): TranscriptEntry => ({ t: 1, dir: 'C', text })),
    fc
      .constantFrom('connected', 'reset', 'closed', 'timeout', 'error', 'tls', 'tls-failed')
      .map((event): TranscriptEntry => ({ t: 1, dir: '*', event: event as never, text: event })),
  );
  it('random transcripts classify without throwing, into a known verdict', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 25 }), (entries) => {
        const r = classify({ address: '192.0.2.25', port: 25, startedAt: '2026-01-01T00:00:00.000Z', entries });
        expect(['clean', 'inspected', 'other-proxy', 'inconclusive', 'unreachable']).toContain(r.verdict);
        if (r.family !== null) expect(r.verdict).toBe('inspected');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
