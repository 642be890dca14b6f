/**
 * The config reader on any input (issue #12 §5-§6): reindenting (0, 1, 2, 4 spaces, tabs) and changing line endings
 * of every config in test/fixtures/configs, the running-config captures and shared/reference/real-configs changes no
 * answer; random whitespace, line-ending and comment changes (fast-check) change no answer; random bytes and token
 * soup never throw and stay fast. Runs are bounded (fixed seed, FC_SEED=<n> to explore) so this file takes seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readInspection } from '../../src/platform/inspection.js';
import { capture, configFixture, configFixtureNames, realConfigNames, realConfigsDir } from '../fixtures/load.js';
import { answerOf, type ConfigAnswer } from '../helpers/config-answer.js';

const SEED = Number(process.env.FC_SEED ?? 20261130);

const realDir = realConfigsDir();
const CONFIGS: [string, string][] = [
  ...configFixtureNames().map((n): [string, string] => [`fixtures/configs/${n}`, configFixture(n)]),
  ...[
    'asa_show-running-config_1.txt',
    'pix_show-running-config_1.txt',
    'pix_show-running-config_2.txt',
    'pix_show-running-config_3.txt',
  ].map((n): [string, string] => [`asa-outputs/${n}`, capture(n)]),
  ...(realDir
    ? realConfigNames(realDir).map((n): [string, string] => [
        `real-configs/${n}`,
        readFileSync(join(realDir, n), 'utf8'),
      ])
    : []),
];

/**
 * Line numbers in warnings depend on how blank lines are delimited (`a\r` + `\n` of an empty line is one break):
 * the answer is the same when only the numbers differ.
 */
function comparable(a: ConfigAnswer): ConfigAnswer {
  return { ...a, warnings: a.warnings.map((w) => w.replace(/\bline \d+/g, 'line N')) };
}

/** Split on any line ending, keeping the line texts (what a mutation may re-delimit). */
const linesOf = (text: string) => text.split(/\r\n|\r|\n/);

const INDENTS: [string, string][] = [
  ['0 spaces', ''],
  ['1 space', ' '],
  ['2 spaces', '  '],
  ['4 spaces', '    '],
  ['tabs', '\t'],
];
const ENDINGS: [string, (i: number) => string][] = [
  ['LF', () => '\n'],
  ['CRLF', () => '\r\n'],
  ['CR', () => '\r'],
  ['mixed', (i) => ['\n', '\r\n', '\r'][i % 3]!],
];

/** Each line's leading whitespace (its level: one per character) re-made with `unit`, joined with `ending`. */
function reindent(text: string, unit: string, ending: (i: number) => string): string {
  return linesOf(text)
    .map((l, i) => {
      const body = l.replace(/^[ \t]+/, '');
      return `${unit.repeat(l.length - body.length)}${body}${ending(i)}`;
    })
    .join('');
}

describe('reindenting and line endings change no answer', () => {
  it(`covers the fixtures, the captures${realDir ? ' and the 41 real configs' : ' (real configs absent: ../shared not beside this clone)'}`, () => {
    expect(CONFIGS.length).toBeGreaterThanOrEqual(realDir ? 55 : 14);
  });

  for (const [name, text] of CONFIGS) {
    it(name, () => {
      const want = comparable(answerOf(text));
      for (const [iname, unit] of INDENTS) {
        for (const [ename, ending] of ENDINGS) {
          expect(comparable(answerOf(reindent(text, unit, ending))), `${iname}, ${ename}`).toEqual(want);
        }
      }
    });
  }
});

// One mutation per line: new indentation, extra spaces/tabs between words, trailing blanks, an ending, and maybe a
// comment or blank line after it.
const lineMutation = fc.record({
  indent: fc.stringMatching(/^[ \t]{0,6}$/),
  gap: fc.constantFrom(' ', '  ', '\t', ' \t '),
  trail: fc.constantFrom('', ' ', '  ', '\t'),
  ending: fc.constantFrom('\n', '\r\n', '\r'),
  extra: fc.constantFrom(null, null, null, '!', '! a comment', ':', ': a comment', '', '   '),
});

type LineMutation = typeof lineMutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, muts: LineMutation[]): string {
  return linesOf(text)
    .map((l, i) => {
      const m = muts[i % muts.length]!;
      const words = l.trim().split(/\s+/).join(m.gap);
      const out = `${m.indent}${words}${words === '' ? '' : m.trail}${m.ending}`;
      return m.extra === null ? out : `${out}${m.extra}${m.ending}`;
    })
    .join('');
}

describe('random whitespace, line-ending and comment changes (fast-check)', () => {
  it('change no answer of any config', () => {
    const answers = new Map(CONFIGS.map(([n, t]) => [n, comparable(answerOf(t))]));
    fc.assert(
      fc.property(
        fc.constantFrom(...CONFIGS),
        fc.array(lineMutation, { minLength: 1, maxLength: 17 }),
        ([name, text], muts) => {
          expect(comparable(answerOf(mutate(text, muts)))).toEqual(answers.get(name));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

// Words the reader reacts to, numbers that once looped, and noise.
const TOKENS = [
  'policy-map',
  'class-map',
  'class',
  'inspect',
  'esmtp',
  'smtp',
  'match',
  'port',
  'tcp',
  'eq',
  'range',
  'default-inspection-traffic',
  'service-policy',
  'global',
  'interface',
  'fixup',
  'protocol',
  'no',
  'exit',
  'end',
  'parameters',
  'mask-banner',
  'allow-tls',
  'type',
  'context',
  'mode',
  'multiple',
  'failover',
  'ASA',
  'PIX',
  'FWSM',
  'Version',
  '9.8(4)',
  '0.1',
  '25',
  '0',
  '65536',
  '2525-2526',
  '1-65535',
  '99999999999999999999',
  '9007199254740993',
  '-1',
  '!',
  ':',
  '#',
  '<context>',
  'global_policy',
  'inspection_default',
  'class-default',
  '__proto__',
  'constructor',
];
const tokenLine = fc
  .tuple(
    fc.stringMatching(/^[ \t]{0,3}$/),
    fc.array(fc.constantFrom(...TOKENS), { minLength: 0, maxLength: 7 }),
    fc.constantFrom('\n', '\r\n', '\r'),
  )
  .map(([i, w, e]) => `${i}${w.join(' ')}${e}`);

describe('any input: never throws, stays fast', () => {
  it('token soup (config words, huge and negative ports, modes in any order)', () => {
    fc.assert(
      fc.property(fc.array(tokenLine, { maxLength: 60 }), (lines) => {
        const r = readInspection(lines.join(''));
        for (const f of r.report.findings) {
          expect(f.ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)).toBe(true);
        }
        answerOf(lines.join(''));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('random bytes and random unicode', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('latin1')),
          fc.string({ unit: 'binary', maxLength: 500 }),
        ),
        (text) => {
          answerOf(text);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('512 KB of blank lines, of CRs, of CRLFs, of one long line, of spaces: each read in linear time', () => {
    const size = 512 * 1024;
    for (const text of [
      '\n'.repeat(size),
      '\r'.repeat(size),
      '\r\n'.repeat(size / 2),
      'x'.repeat(size),
      ' '.repeat(size),
    ]) {
      const t0 = performance.now();
      answerOf(text);
      // Generous for a loaded 2-core CI machine: the old quadratic reader took minutes on such input; the figure
      // for a 10 MB config is in the benchmark (bench/config-read.mjs).
      expect(performance.now() - t0).toBeLessThan(5000);
    }
  });

  it('a config of 5 000 distinct wide fixup ranges: the answer stays bounded (port budget)', () => {
    let text = 'PIX Version 6.3(5)\n';
    for (let i = 0; i < 5_000; i++) text += `fixup protocol smtp 1-${65535 - i}\n`;
    const t0 = performance.now();
    const r = readInspection(text).report;
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(r.findings).toHaveLength(5_000);
    expect(r.findings.reduce((n, f) => n + f.ports.length, 0)).toBeLessThanOrEqual(1 << 20);
    expect(r.findings.some((f) => f.warnings?.some((w) => /cut short/.test(w)))).toBe(true);
  });
});
