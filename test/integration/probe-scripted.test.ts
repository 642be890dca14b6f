/**
 * The probe's conversation against small scripted SMTP servers on 127.0.0.1 (test/helpers/scripted-smtp.ts): the §6
 * edge cases of smtp-inspection.md, judged by the real classifier.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { classify } from '../../src/probe/classify.js';
import { runConversation } from '../../src/probe/conversation.js';
import type { SmtpTranscript } from '../../src/probe/types.js';
import { dialog, POSTFIX_CLEAN, replyLoop, type ScriptedServer, startScriptedSmtp } from '../helpers/scripted-smtp.js';

let server: ScriptedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const serverLines = (t: SmtpTranscript) => t.entries.filter((e) => e.dir === 'S').map((e) => e.text);
const clientLines = (t: SmtpTranscript) => t.entries.filter((e) => e.dir === 'C').map((e) => e.text);
const events = (t: SmtpTranscript) => t.entries.flatMap((e) => (e.dir === '*' ? [e.event] : []));
const fast = { timeoutMs: 3000, greetingTimeoutMs: 3000 };

describe('probe conversation against scripted servers', () => {
  it('clean Postfix: one write per command, CRLF, never MAIL/RCPT/DATA, QUIT then done -> clean', async () => {
    server = await startScriptedSmtp(dialog(POSTFIX_CLEAN));
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    await server.done[0];
    const r = classify(t);
    expect(r.verdict).toBe('clean');
    expect(r.confidence).toBe('high');
    expect(clientLines(t)).toEqual(['EHLO mailguard-probe.invalid', 'GOODMORNING', 'NOOP', 'QUIT']);
    const conn = server.conns[0]!;
    // Each command arrived as one chunk ending in CRLF (the ASA X's commands that come in pieces).
    expect(conn.chunks()).toEqual(['EHLO mailguard-probe.invalid\r\n', 'GOODMORNING\r\n', 'NOOP\r\n', 'QUIT\r\n']);
    expect(conn.received()).not.toMatch(/^(MAIL|RCPT|DATA)/im);
    expect(r.transcript.at(-1)).toMatchObject({ dir: 'S', text: '221 2.0.0 Bye', eol: 'CRLF' });
  });

  it('multi-line greeting with a pause: nothing is sent before the final 220 line', async () => {
    let receivedBeforeFinal: string | null = null;
    server = await startScriptedSmtp(async (c) => {
      c.write('220-mail.example.test ESMTP Postfix\r\n');
      // The server's own timer (postscreen's greet wait): a client that talks now is an early talker.
      await new Promise((r) => setTimeout(r, 400));
      receivedBeforeFinal = c.received();
      c.write('220 mail.example.test ESMTP Postfix\r\n');
      await replyLoop(c, POSTFIX_CLEAN);
    });
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    await server.done[0];
    expect(receivedBeforeFinal).toBe('');
    const greeting = t.entries.filter((e) => e.dir === 'S').slice(0, 2);
    expect(greeting.map((e) => e.text)).toEqual([
      '220-mail.example.test ESMTP Postfix',
      '220 mail.example.test ESMTP Postfix',
    ]);
    // The EHLO left after the final line arrived.
    const ehlo = t.entries.find((e) => e.dir === 'C')!;
    expect(ehlo.t).toBeGreaterThanOrEqual(greeting[1]!.t);
    expect(classify(t).verdict).toBe('clean');
  });

  it('a greeting line split across TCP segments is read as one line', async () => {
    server = await startScriptedSmtp(async (c) => {
      c.write('220 mail.exa');
      await new Promise((r) => setTimeout(r, 100));
      c.write('mple.test ESMTP Postfix\r\n');
      await replyLoop(c, POSTFIX_CLEAN);
    });
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    expect(serverLines(t)[0]).toBe('220 mail.example.test ESMTP Postfix');
    expect(server.conns[0]!.chunks()[0]).toBe('EHLO mailguard-probe.invalid\r\n');
  });

  it('tarpit: no greeting within --greeting-timeout -> unreachable, nothing sent', async () => {
    server = await startScriptedSmtp(async (c) => {
      await new Promise<void>((r) => c.socket.once('close', () => r()));
    });
    const t = await runConversation({ address: server.host, port: server.port }, { greetingTimeoutMs: 300 });
    expect(events(t)).toEqual(['connected', 'timeout']);
    expect(t.entries.at(-1)).toMatchObject({ event: 'timeout', phase: 'greeting' });
    const r = classify(t);
    expect(r.verdict).toBe('unreachable');
    expect(r.signals.map((s) => s.id)).toEqual(['no-greeting']);
    expect(server.conns[0]!.received()).toBe('');
  });

  it('421 at connect: stop there, inconclusive', async () => {
    server = await startScriptedSmtp(async (c) => {
      c.write('421 4.3.2 All server ports are busy\r\n');
      c.end();
    });
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    expect(serverLines(t)).toEqual(['421 4.3.2 All server ports are busy']);
    expect(clientLines(t)).toEqual([]);
    expect(classify(t).verdict).toBe('inconclusive');
  });

  it('554 at connect: polite QUIT only, inconclusive (a Barracuda RBL refusal is not a proxy)', async () => {
    server = await startScriptedSmtp(
      dialog({
        greeting: '554 Service unavailable; Client host [127.0.0.1] blocked using Barracuda Reputation\r\n',
        quit: '221 Bye',
      }),
    );
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    await server.done[0];
    expect(clientLines(t)).toEqual(['QUIT']);
    const r = classify(t);
    expect(r.verdict).toBe('inconclusive');
    expect(r.signals.map((s) => s.id)).toEqual(['greeting-refused']);
  });

  it('bare LF line endings are accepted and recorded', async () => {
    server = await startScriptedSmtp(
      dialog({ ...POSTFIX_CLEAN, greeting: '220 mail.example.test ESMTP\n', eol: '\n' }),
    );
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    const s = t.entries.filter((e) => e.dir === 'S');
    expect(s.length).toBeGreaterThan(5);
    expect(s.every((e) => e.dir === 'S' && e.eol === 'LF')).toBe(true);
    expect(classify(t).verdict).toBe('clean');
  });

  it('digit-only banner "220 2020": not inspected (nmap would say PIX), inconclusive', async () => {
    server = await startScriptedSmtp(dialog({ ...POSTFIX_CLEAN, greeting: '220 2020\r\n' }));
    const r = classify(await runConversation({ address: server.host, port: server.port }, fast));
    expect(r.verdict).toBe('inconclusive');
    expect(r.signals.map((s) => s.id)).toContain('greeting-no-text');
  });

  it('admin banner with asterisks and words -> clean', async () => {
    server = await startScriptedSmtp(
      dialog({ ...POSTFIX_CLEAN, greeting: '220 ****** mail.example.test - authorized use only ******\r\n' }),
    );
    const r = classify(await runConversation({ address: server.host, port: server.port }, fast));
    expect(r.verdict).toBe('clean');
  });

  it('third-party proxy banner (Check Point) -> other-proxy', async () => {
    server = await startScriptedSmtp(
      dialog({ ...POSTFIX_CLEAN, greeting: '220 CheckPoint FireWall-1 secure ESMTP server\r\n' }),
    );
    const r = classify(await runConversation({ address: server.host, port: server.port }, fast));
    expect(r.verdict).toBe('other-proxy');
    expect(r.signals.find((s) => s.id === 'named-proxy')?.evidence).toEqual([
      '220 CheckPoint FireWall-1 secure ESMTP server',
    ]);
  });

  it('reset right after EHLO -> inconclusive with a connection-reset signal', async () => {
    server = await startScriptedSmtp(async (c) => {
      c.write(POSTFIX_CLEAN.greeting);
      await c.line();
      c.write(`${POSTFIX_CLEAN.ehlo!.join('\r\n')}\r\n`);
      await c.line();
      c.reset();
    });
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    expect(events(t)).toEqual(['connected', 'reset']);
    const r = classify(t);
    expect(r.verdict).toBe('inconclusive');
    expect(r.signals.find((s) => s.id === 'connection-reset')?.evidence[0]).toBe('GOODMORNING');
  });

  it('no greeting at all (accept, then close) -> unreachable', async () => {
    server = await startScriptedSmtp(async (c) => c.end());
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    expect(events(t)).toEqual(['connected', 'closed']);
    expect(classify(t).verdict).toBe('unreachable');
  });

  it('greeting without a line ending, then close: recorded as received, nothing sent after the close', async () => {
    server = await startScriptedSmtp(async (c) => {
      c.write('220 mx.example.test ESMTP');
      c.end();
    });
    const t = await runConversation({ address: server.host, port: server.port }, fast);
    expect(t.entries.filter((e) => e.dir === 'S')).toMatchObject([{ text: '220 mx.example.test ESMTP', eol: 'none' }]);
    expect(clientLines(t)).toEqual([]);
    expect(classify(t).verdict).toBe('inconclusive');
  });

  it('connection refused -> unreachable; the evidence in words, the errno kept in the transcript', async () => {
    const s = await startScriptedSmtp(async () => {});
    const port = s.port;
    await s.close();
    const r = classify(await runConversation({ address: '127.0.0.1', port }, fast));
    expect(r.verdict).toBe('unreachable');
    expect(r.signals[0]?.evidence).toEqual(['(connection refused (nothing listens there), while connecting)']);
    expect(r.transcript).toEqual([
      expect.objectContaining({
        event: 'connect-failed',
        text: 'connection refused (nothing listens there)',
        errno: 'ECONNREFUSED',
      }),
    ]);
  });

  it('PIX-style server refusing EHLO: HELO follows, then NOOP and QUIT -> inspected pix-mailguard', async () => {
    server = await startScriptedSmtp(
      dialog({
        greeting: '220 ****2*******************0*****\r\n',
        ehlo: ['502 Error: command not implemented'],
        unknown: '502 Error: command not implemented',
        helo: '250 mail',
      }),
    );
    const t = await runConversation({ address: server.host, port: server.port }, { ...fast, ehloName: 'p.invalid' });
    expect(clientLines(t)).toEqual(['EHLO p.invalid', 'GOODMORNING', 'HELO p.invalid', 'NOOP', 'QUIT']);
    const r = classify(t);
    expect(r).toMatchObject({ verdict: 'inspected', family: 'pix-mailguard', confidence: 'high' });
  });

  it('--starttls refused by the server is reported, never fatal', async () => {
    server = await startScriptedSmtp(dialog({ ...POSTFIX_CLEAN, starttls: '454 4.7.0 TLS not available' }));
    const r = classify(await runConversation({ address: server.host, port: server.port }, { ...fast, starttls: true }));
    expect(r.tls).toEqual({ attempted: true, negotiated: false, detail: 'STARTTLS was not accepted' });
    expect(r.verdict).toBe('clean');
  });
});
