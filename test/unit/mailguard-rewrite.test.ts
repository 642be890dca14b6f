/**
 * The pure Mailguard / ESMTP-inspection rewriting rules. Expected values come from the transcripts in
 * shared/reference/smtp-inspection.md §2 (T-A, T-B, T-C, T-E, T-F), named in each test.
 */
import { describe, expect, it } from 'vitest';
import {
  commandVerb,
  maskEhloReply,
  maskGreeting,
  type RewritePolicy,
  rewriteClientLine,
  senderAddress,
} from '../../src/lab/smtp/index.js';

const asa: RewritePolicy = { family: 'asa-esmtp', maskBanner: true, allowTls: false };
const pix6: RewritePolicy = { family: 'pix-mailguard', maskBanner: true, allowTls: false };
const pix4: RewritePolicy = { family: 'pix-4', maskBanner: true, allowTls: false };

describe('maskGreeting', () => {
  it('T-A: PIX fixup turns the 31-byte Postfix greeting text into exactly 31 asterisks', () => {
    // Inside: `220 mail ESMTP Postfix (Debian/GNU)`; outside: `220 *******************************`.
    const inside = '220 mail ESMTP Postfix (Debian/GNU)\r\n';
    const outside = '220 *******************************\r\n';
    expect(maskGreeting(inside, 'pix-mailguard')).toBe(outside);
    expect(maskGreeting(inside, 'asa-esmtp', { maskBanner: true })).toBe(outside);
    expect(maskGreeting(inside, 'pix-4')).toBe(outside);
  });

  it('T-F [S34]: PIX 5.1-6.x keeps `2` and `0` after `220 ` (mail2.nwtraders.msft -> `220 ****2***...`)', () => {
    const out = maskGreeting('220 mail2.nwtraders.msft Microsoft ESMTP Mail Service\r\n', 'pix-mailguard');
    // The doc sample is abbreviated (49 vs 41 bytes, §2 T-F), so only its shape and our length are checked.
    expect(out.startsWith('220 ****2*')).toBe(true);
    expect(out).toMatch(/^220 [*20]+\r\n$/);
    expect(out.length).toBe('220 mail2.nwtraders.msft Microsoft ESMTP Mail Service\r\n'.length);
  });

  it('T-B: ASA masks digits too: a Sendmail banner (which holds digits) becomes only `*` after `220 `', () => {
    // Banner text of the same software, unmasked, from §5.1 [S26].
    const inside = '220 host ESMTP Sendmail 8.14.4/8.14.4; Mon, 31 Aug 2015 19:23:24 +0300\r\n';
    const out = maskGreeting(inside, 'asa-esmtp', { maskBanner: true });
    expect(out).toBe(`220 ${'*'.repeat(inside.length - 6)}\r\n`);
    // The same banner under PIX 6.x keeps its 2s and 0s.
    const pixOut = maskGreeting(inside, 'pix-mailguard');
    expect(pixOut.slice(4)).toMatch(/^[*20]+\r\n$/);
    expect(pixOut.slice(4)).toContain('20**'); // the year 2015
  });

  it('asa-esmtp with `no mask-banner` passes the greeting', () => {
    const line = '220 mail.example.com ESMTP Postfix\r\n';
    expect(maskGreeting(line, 'asa-esmtp', { maskBanner: false })).toBe(line);
  });

  it('never touches CR/LF and keeps a bare-LF line bare', () => {
    expect(maskGreeting('220 ab\n', 'asa-esmtp', { maskBanner: true })).toBe('220 **\n');
    expect(maskGreeting('220-first\r\n', 'pix-4')).toBe('220-*****\r\n');
  });
});

describe('maskEhloReply', () => {
  it('T-B: Sendmail DELIVERBY -> XXXXXXXXA, HELP -> XXXB, known keywords and the first line untouched', () => {
    // Unmasked list of the same software [S26] minus STARTTLS, which T-B's server did not offer.
    const inside = [
      '250-mailserver2.domain.com Hello mailserver3.domain.com [IP Address], pleased to meet you\r\n',
      '250-ENHANCEDSTATUSCODES\r\n',
      '250-PIPELINING\r\n',
      '250-8BITMIME\r\n',
      '250-SIZE\r\n',
      '250-DSN\r\n',
      '250-ETRN\r\n',
      '250-AUTH DIGEST-MD5 CRAM-MD5\r\n',
      '250-DELIVERBY\r\n',
      '250 HELP\r\n',
    ];
    const outside = [...inside.slice(0, 8), '250-XXXXXXXXA\r\n', '250 XXXB\r\n'];
    expect(maskEhloReply(inside, asa)).toEqual(outside);
  });

  it('T-C: Postfix STARTTLS -> XXXXXXXA; AUTH and AUTH=LOGIN PLAIN pass', () => {
    const inside = [
      '250-fire.deimos.fr',
      '250-PIPELINING',
      '250-SIZE 10240000',
      '250-ETRN',
      '250-STARTTLS',
      '250-AUTH LOGIN PLAIN',
      '250-AUTH=LOGIN PLAIN',
      '250-ENHANCEDSTATUSCODES',
      '250-8BITMIME',
      '250 DSN',
    ];
    const outside = [...inside];
    outside[4] = '250-XXXXXXXA';
    expect(maskEhloReply(inside, asa)).toEqual(outside);
  });

  it('T-C with allow-tls: STARTTLS passes', () => {
    const inside = ['250-fire.deimos.fr\r\n', '250-STARTTLS\r\n', '250 DSN\r\n'];
    expect(maskEhloReply(inside, { allowTls: true })).toEqual(inside);
  });

  it('T-E: `250-PIPELINING` `250-XXXXXXXA` `250 XXXB` (the letter counts per reply and restarts at A)', () => {
    const inside = ['250-host\r\n', '250-PIPELINING\r\n', '250-STARTTLS\r\n', '250 HELP\r\n'];
    const expected = ['250-host\r\n', '250-PIPELINING\r\n', '250-XXXXXXXA\r\n', '250 XXXB\r\n'];
    expect(maskEhloReply(inside, asa)).toEqual(expected);
    expect(maskEhloReply(inside, asa)).toEqual(expected);
  });

  it('masks a keyword with arguments whole, same length, letter last (§8 unverified default)', () => {
    const out = maskEhloReply(['250-h', '250 X-EXPS GSSAPI NTLM'], asa);
    expect(out[1]).toBe(`250 ${'X'.repeat('X-EXPS GSSAPI NTLM'.length - 1)}A`);
  });
});

describe('rewriteClientLine', () => {
  it('T-A: PIX fixup X-es EHLO/ehlo/auth (the server answers 502) and passes `mail from:`', () => {
    expect(rewriteClientLine('EHLO ammocomp.com\r\n', pix6)).toEqual({
      action: 'forward',
      line: 'XXXX ammocomp.com\r\n',
      changed: true,
      reason: 'verb-masked',
    });
    expect(rewriteClientLine('ehlo ammocomp.com\r\n', pix6)).toMatchObject({ line: 'XXXX ammocomp.com\r\n' });
    expect(rewriteClientLine('auth plain\r\n', pix6)).toMatchObject({ line: 'XXXX plain\r\n' });
    expect(rewriteClientLine('mail from:\r\n', pix6)).toEqual({
      action: 'forward',
      line: 'mail from:\r\n',
      changed: false,
    });
  });

  it('T-B: ASA passes `ehlo` and `mail from:`', () => {
    expect(rewriteClientLine('ehlo mailserver3.domain.com\r\n', asa)).toMatchObject({ changed: false });
    expect(rewriteClientLine('mail from: user@domain.com\r\n', asa)).toMatchObject({ changed: false });
  });

  it('T-E: ASA without allow-tls X-es `starttls` (server: 500 unrecognized); with allow-tls it passes', () => {
    expect(rewriteClientLine('starttls\r\n', asa)).toMatchObject({ line: 'XXXXXXXX\r\n', changed: true });
    expect(rewriteClientLine('STARTTLS\r\n', { ...asa, allowTls: true })).toMatchObject({ changed: false });
  });

  it('ASA X-es verbs outside the fifteen, verb only ([S37] `XXXX ME`)', () => {
    expect(rewriteClientLine('BDAT 10 LAST\r\n', asa)).toMatchObject({ line: 'XXXX 10 LAST\r\n' });
    expect(rewriteClientLine('goodmorning\r\n', asa)).toMatchObject({ line: 'XXXXXXXXXXX\r\n' });
    for (const verb of ['AUTH', 'DATA', 'EHLO', 'ETRN', 'HELO', 'HELP', 'MAIL', 'NOOP', 'QUIT', 'RCPT', 'RSET']) {
      expect(rewriteClientLine(`${verb}\r\n`, asa)).toMatchObject({ changed: false });
    }
    for (const verb of ['SAML', 'SEND', 'SOML', 'VRFY']) {
      expect(rewriteClientLine(`${verb} x\r\n`, asa)).toMatchObject({ changed: false });
    }
  });

  it('ASA drops a command line longer than 512 bytes (CRLF counted) and passes one of 512', () => {
    const ok = `NOOP ${'a'.repeat(512 - 7)}\r\n`;
    expect(ok.length).toBe(512);
    expect(rewriteClientLine(ok, asa)).toMatchObject({ action: 'forward' });
    expect(rewriteClientLine(`NOOP ${'a'.repeat(512 - 6)}\r\n`, asa)).toEqual({
      action: 'drop',
      reason: 'command-line-length',
    });
  });

  it('ASA drops a MAIL FROM whose address is longer than 320 bytes (sender-address length gt 320)', () => {
    const addr = (n: number) => `${'a'.repeat(n - '@example.com'.length)}@example.com`;
    expect(senderAddress(`MAIL FROM:<${addr(320)}> SIZE=10\r\n`)).toBe(addr(320));
    expect(rewriteClientLine(`MAIL FROM:<${addr(320)}>\r\n`, asa)).toMatchObject({ action: 'forward' });
    expect(rewriteClientLine(`mail from: ${addr(321)}\r\n`, asa)).toEqual({
      action: 'drop',
      reason: 'sender-address-length',
    });
    // PIX families have no such limit.
    expect(rewriteClientLine(`MAIL FROM:<${addr(321)}>\r\n`, pix6)).toMatchObject({ action: 'forward' });
  });

  it('ASA turns `|` into a space in MAIL/RCPT only', () => {
    expect(rewriteClientLine('RCPT TO:<a|b@example.com>\r\n', asa)).toMatchObject({
      line: 'RCPT TO:<a b@example.com>\r\n',
      reason: 'special-character',
    });
    expect(rewriteClientLine('VRFY a|b\r\n', asa)).toMatchObject({ line: 'VRFY a|b\r\n', changed: false });
  });

  it('PIX 4.x answers refused verbs itself and never forwards them', () => {
    expect(rewriteClientLine('EHLO x\r\n', pix4)).toEqual({ action: 'reply', reply: '250 OK\r\n' });
    expect(rewriteClientLine('EHLO x\r\n', pix4, { pix4Reply: '250 Ok\r\n' })).toEqual({
      action: 'reply',
      reply: '250 Ok\r\n',
    });
    expect(rewriteClientLine('HELO x\r\n', pix4)).toMatchObject({ action: 'forward', changed: false });
  });

  it('commandVerb upper-cases the first token', () => {
    expect(commandVerb('mail from:<a@b>\r\n')).toBe('MAIL');
    expect(commandVerb('\r\n')).toBe('');
  });
});
