/**
 * The mode-following config reader (issue #12): CLI modes decide where a line belongs, not indentation; what the
 * device would reject or what the text leaves open is a warning; bad ports never loop. Cases are small edits of the
 * MPF block of asa_show-running-config_1.txt (asa-cli.md §2.3) and of the PIX fixup block (§2.2), named per test.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/platform/config-reader.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { splitLines } from '../../src/platform/text.js';
import { answerOf } from '../helpers/config-answer.js';

const MPF = [
  'ASA Version 9.12(4)67 ',
  'hostname asa1',
  'class-map inspection_default',
  ' match default-inspection-traffic',
  '!',
  'policy-map type inspect dns preset_dns_map',
  ' parameters',
  '  message-length maximum 512',
  'policy-map global_policy',
  ' class inspection_default',
  '  inspect dns preset_dns_map ',
  '  inspect esmtp ',
  '  inspect sip  ',
  '!',
  'service-policy global_policy global',
  'prompt hostname context ',
];
const cfg = (lines: string[]) => `${lines.join('\n')}\n`;
const on25 = ['inspect', 'esmtp', [25], 'global_policy', 'inspection_default', 'global', true];

describe('splitLines', () => {
  it.each([
    ['LF', 'a\nb', ['a', 'b']],
    ['CRLF', 'a\r\nb', ['a', 'b']],
    ['CR only', 'a\rb', ['a', 'b']],
    ['device \\r\\n\\r', 'a\r\n\rb', ['a', 'b']],
    ['\\r\\r\\n', 'a\r\r\nb', ['a', 'b']],
    ['blank CR lines', 'a\r\rb', ['a', '', 'b']],
    ['LF then CR', 'a\n\rb', ['a', 'b']],
    ['LF, CRLF', 'a\n\r\nb', ['a', '', 'b']],
    ['trailing spaces kept', 'a  \r\n', ['a  ', '']],
  ])('%s', (_name, text, lines) => {
    expect(splitLines(text)).toEqual(lines);
  });

  it('a run of 200 000 CRs is split in linear time (the regex form took seconds)', () => {
    const t0 = performance.now();
    expect(splitLines(`${'\r'.repeat(200_000)}x`)).toHaveLength(200_001);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('modes, not indentation, place a line', () => {
  const variants: [string, (l: string) => string][] = [
    ['as printed', (l) => l],
    ['flat', (l) => l.trimStart()],
    ['4 spaces per level', (l) => l.replace(/^ +/, (s) => '    '.repeat(s.length))],
    ['tabs', (l) => l.replace(/^ +/, (s) => '\t'.repeat(s.length))],
    ['everything indented one more', (l) => ` ${l}`],
  ];
  it.each(variants)('%s: inspect esmtp under inspection_default, bound globally', (_name, f) => {
    expect(answerOf(cfg(MPF.map(f))).findings).toEqual([on25]);
  });

  it('`exit` leaves one mode: a class after `exit` still belongs to the policy-map', () => {
    const text = cfg([
      'class-map mail',
      ' match port tcp eq 587',
      'exit',
      'policy-map global_policy',
      '  class inspection_default',
      '    inspect dns',
      '  exit',
      '  class mail',
      '    inspect esmtp',
      '  exit',
      'exit',
      'service-policy global_policy global',
    ]);
    expect(answerOf(text).findings).toEqual([['inspect', 'esmtp', [587], 'global_policy', 'mail', 'global', true]]);
  });

  it('a top-level command closes the policy-map: an inspect after it is not counted, and a warning says why', () => {
    const text = cfg([
      'policy-map global_policy',
      ' class inspection_default',
      '  inspect ftp',
      'hostname asa1',
      '  inspect esmtp',
      'service-policy global_policy global',
    ]);
    const a = answerOf(text);
    expect(a.findings).toEqual([]);
    expect(a.warnings).toEqual([expect.stringMatching(/^line 5: "inspect esmtp" outside any class-map or policy-map/)]);
  });

  it('an inspect in a policy-map before any class is a warning (the device rejects it)', () => {
    const a = answerOf(cfg(['policy-map global_policy', 'inspect esmtp', 'service-policy global_policy global']));
    expect(a.findings).toEqual([]);
    expect(a.warnings).toEqual([expect.stringMatching(/policy-map global_policy names no class before it/)]);
  });

  it('a line neither the class nor the top level knows stays in the class, and the finding says so', () => {
    const a = answerOf(
      cfg([
        'policy-map global_policy',
        ' class inspection_default',
        '  frobnicate 7',
        '  inspect esmtp',
        'service-policy global_policy global',
      ]),
    );
    expect(a.findings).toEqual([['inspect', 'esmtp', [], 'global_policy', 'inspection_default', 'global', true]]);
    expect(a.warnings).toEqual([
      expect.stringMatching(/defines no "class-map inspection_default"/),
      expect.stringMatching(
        /line 4: read as part of policy-map global_policy class inspection_default, although line 3/,
      ),
    ]);
  });

  it('`no inspect esmtp` in a later block removes it (a command script), `no service-policy` unbinds', () => {
    const base = [...MPF, 'policy-map global_policy', ' class inspection_default', '  no inspect esmtp'];
    expect(answerOf(cfg(base)).findings).toEqual([]);
    const unbound = answerOf(cfg([...MPF, 'no service-policy global_policy global']));
    expect(unbound.findings).toEqual([['inspect', 'esmtp', [25], 'global_policy', 'inspection_default', null, false]]);
  });

  it('the esmtp inspect map parameters are read in their own mode, any indentation', () => {
    const text = cfg([
      'policy-map type inspect esmtp my_map',
      'parameters',
      'no mask-banner',
      'allow-tls',
      'match cmd line length gt 512',
      'drop-connection log',
      'policy-map global_policy',
      'class inspection_default',
      'inspect esmtp my_map',
      'service-policy global_policy global',
    ]);
    const f = findSmtpInspection(text).findings;
    expect(f.map((x) => x.inspectMapParams)).toEqual([{ maskBanner: false, allowTls: true }]);
  });

  it('nested `service-policy child` under a class is not a binding; a top-level one is', () => {
    const m = readConfig(
      cfg([
        'policy-map parent',
        ' class class-default',
        '  shape average 1000000',
        '  service-policy child',
        'service-policy parent interface outside',
      ]),
    );
    expect(m.bindings.map((b) => [b.policyMap, b.binding])).toEqual([['parent', 'interface:outside']]);
  });
});

describe('ports: bad numbers are warnings, never loops', () => {
  it('fixup protocol smtp 99999999999999999999: an inactive finding with a warning', () => {
    const r = findSmtpInspection('PIX Version 6.3(5)\nfixup protocol smtp 99999999999999999999\n');
    expect(r.active).toBe(false);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ kind: 'fixup', active: false, ports: [] });
    expect(r.findings[0]!.warnings![0]).toMatch(/outside 1-65535; the device rejects it/);
  });

  it('fixup ranges: 25-26 is two ports, 26-25 and 0-5 are rejected, 1-65535 is bounded', () => {
    const ports = (spec: string) => findSmtpInspection(`fixup protocol smtp ${spec}\n`).findings[0]!;
    expect(ports('25-26').ports).toEqual([25, 26]);
    expect(ports('26-25')).toMatchObject({ active: false, ports: [] });
    expect(ports('0-5')).toMatchObject({ active: false, ports: [] });
    expect(ports('1-65535').ports).toHaveLength(65535);
  });

  it('match port range 1 99999999999 in the class-map: no port from it, a warning on the finding', () => {
    const text = cfg([
      'class-map mail',
      ' match port tcp range 1 99999999999',
      'policy-map global_policy',
      ' class mail',
      '  inspect esmtp',
      'service-policy global_policy global',
    ]);
    const f = findSmtpInspection(text).findings[0]!;
    expect(f.active).toBe(true);
    expect(f.ports).toEqual([]);
    expect(f.warnings).toEqual([expect.stringMatching(/port 99999999999 is outside 1-65535/)]);
  });

  it('port names and the 7.0 guide range form', () => {
    const text = cfg([
      'class-map mail',
      ' match port tcp eq smtp',
      ' match port tcp range 2025-2027',
      'policy-map p',
      ' class mail',
      '  inspect esmtp',
      'service-policy p interface outside',
    ]);
    expect(findSmtpInspection(text).findings[0]!.ports).toEqual([25, 2025, 2026, 2027]);
  });
});

describe('what a whole config always shows, and a system config', () => {
  it('PIX 6 text with no smtp fixup line at all (neither on nor off) is an excerpt: warned', () => {
    const a = answerOf('PIX Version 6.3(5)\nhostname pix\nfixup protocol ftp 21\n');
    expect(a.active).toBe(false);
    expect(a.warnings).toEqual([expect.stringMatching(/PIX 6 and earlier always list the SMTP fixup/)]);
  });

  it('ASA 7+ fixup lines are converted by the device: found, with a warning', () => {
    const a = answerOf('ASA Version 8.0(4)\nfixup protocol smtp 25\n');
    expect(a.findings).toEqual([['fixup', 'smtp', [25], null, null, 'global', true]]);
    expect(a.warnings).toEqual([expect.stringMatching(/convert "fixup protocol smtp" into "inspect esmtp"/)]);
  });

  it('platform from the text: FWSM context, failover, PIX version in a `: ` header', () => {
    expect(answerOf('FWSM Version 3.1(1) <context>\n').platform).toEqual(['fwsm', '3.1(1)', 'multiple', false, 'asa7']);
    expect(answerOf(': Saved\n: ASA Version 9.1(5)16 <context>\n').platform).toEqual([
      'asa',
      '9.1(5)16',
      'multiple',
      false,
      'asa9',
    ]);
    expect(answerOf('PIX Version 6.3(5)\nfailover\nno fixup protocol smtp 25\n').platform).toEqual([
      'pix',
      '6.3(5)',
      'single',
      true,
      'pix6',
    ]);
    expect(answerOf('hostname x\n').platform).toBeNull();
  });
});
