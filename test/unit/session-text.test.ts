import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanOutput, normalizeTerminalLines, stripPagerResidue } from '../../src/session/output.js';
import { GENERIC_PROMPT, parsePrompt, promptRegexFor } from '../../src/session/prompt.js';
import { Transcript } from '../../src/session/transcript.js';

const capture = (name: string) => readFileSync(new URL(`../fixtures/asa-outputs/${name}`, import.meta.url), 'utf8');

describe('prompt shapes (asa-cli.md §1.4)', () => {
  it.each([
    ['\rLAB-ASA12-Oxidized-IPv6> ', 'LAB-ASA12-Oxidized-IPv6', null, 'user', []],
    ['\rLAB-ASA12-Oxidized-IPv6# ', 'LAB-ASA12-Oxidized-IPv6', null, 'privileged', []],
    ['\nciscoasa(config)# ', 'ciscoasa', null, 'config', []],
    ['\rasa(config-pmap-c)# ', 'asa', null, 'subconfig', []],
    ['\rASA-HOSTNAME/admin# ', 'ASA-HOSTNAME', 'admin', 'privileged', []],
    ['\rSTC-DCFW/CHD-01/ADMIN#', 'STC-DCFW', 'CHD-01', 'privileged', []],
    ['\rASA1-FW/customer2(config)# ', 'ASA1-FW', 'customer2', 'config', []],
    ['\rfw/pri/act> ', 'fw', null, 'user', ['pri', 'act']],
    ['\rfw/ctx1/sec/stby(config-if)# ', 'fw', 'ctx1', 'subconfig', ['sec', 'stby']],
    ['pix-501> ', 'pix-501', null, 'user', []],
  ])('%j', (text, hostname, context, mode, failover) => {
    expect(parsePrompt(text)).toMatchObject({ hostname, context, mode, failover });
  });

  it('ignores banner lines with # and > and the login-history lines (asa_login-banner_1.txt)', () => {
    for (const line of capture('asa_login-banner_1.txt').split('\n')) {
      expect(GENERIC_PROMPT.test(`${line}\r\n`)).toBe(false);
    }
    expect(parsePrompt('### Authorized access only ###')).toBeNull();
    expect(parsePrompt('Failed logins since the last login: 0.  ')).toBeNull();
    expect(
      parsePrompt('Logins over the last 91 days: 21.  Last login: 20:01:14 CEST Oct 21 2024 from 10.42.0.17'),
    ).toBeNull();
    expect(parsePrompt('=> press enter >')).toBeNull();
  });

  it('the learned prompt follows context and mode changes but not another hostname', () => {
    const re = promptRegexFor('ASA1-FW');
    expect(re.test('x\r\nASA1-FW/customer2(config)# ')).toBe(true);
    expect(re.test('\rASA1-FW# ')).toBe(true);
    expect(re.test('\rOTHER# ')).toBe(false);
    expect(re.test('\rASA1-FW# more text')).toBe(false);
  });
});

describe('output cleaning', () => {
  it('strips echo, CR before the prompt and keeps trailing spaces', () => {
    const raw =
      'show running-config policy-map\r\npolicy-map global_policy\r\n class inspection_default\r\n  inspect esmtp \r\n\r';
    expect(cleanOutput(raw, 'show running-config policy-map')).toBe(
      'policy-map global_policy\n class inspection_default\n  inspect esmtp ',
    );
  });

  it('removes the pager marker and its erase (CR + 14 spaces + CR, or backspaces)', () => {
    expect(stripPagerResidue('a\r\n<--- More --->\r              \rb\r\n')).toBe('a\r\nb\r\n');
    expect(
      stripPagerResidue('a\r\n<--- More --->\b\b\b\b\b\b\b\b\b\b\b\b\b\b              \b\b\b\b\b\b\b\b\b\b\b\b\b\bb'),
    ).toBe('a\r\nb');
    const raw = 'show run\r\nline1\r\n<--- More --->\r              \rline2\r\n';
    expect(cleanOutput(raw, 'show run')).toBe('line1\nline2');
  });

  it('applies carriage-return overwrite per line', () => {
    expect(normalizeTerminalLines('abc\rxy\r\nz')).toEqual(['xy', 'z']);
  });

  it('accepts a $-scrolled echo of a long command', () => {
    expect(cleanOutput('$cy-map global_policy\r\nok\r\n', 'policy-map global_policy')).toBe('ok');
  });
});

describe('transcript redaction', () => {
  it('redacts secrets even when split across chunks, longest first', () => {
    const t = new Transcript();
    t.addSecret('s3cret');
    t.addSecret('s3cret-enable');
    t.addSecret('');
    t.append('Password: s3c');
    t.append('ret\r\nenable s3cret-enable\r\n');
    t.append('tail s3cr');
    t.append('et');
    expect(t.text()).toBe('Password: ***\r\nenable ***\r\ntail ***');
  });
});
