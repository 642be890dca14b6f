import { describe, expect, it } from 'vitest';
import { classify } from '../../src/probe/classify.js';
import { formatReport } from '../../src/probe/format.js';
import type { SmtpTranscript } from '../../src/probe/types.js';

const t = (lines: string[]): SmtpTranscript => ({
  address: '192.0.2.25',
  port: 25,
  startedAt: '2026-01-01T00:00:00.000Z',
  entries: [
    { t: 1, dir: '*', event: 'connected', text: 'connected' },
    ...lines.map((text, i) =>
      text.startsWith('C: ')
        ? { t: i + 2, dir: 'C' as const, text: text.slice(3) }
        : { t: i + 2, dir: 'S' as const, text, eol: 'CRLF' as const },
    ),
  ],
});

describe('formatReport (human output)', () => {
  it('verdict first, then the evidence lines exactly as received (T-C lines, smtp-inspection.md §2)', () => {
    const r = classify(
      t(['220 *******************************************', 'C: ehlo test', '250-fire.deimos.fr', '250 XXXXXXXA']),
    );
    const out = formatReport({ probes: [r], verdict: r.verdict });
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      'verdict: inspected - SMTP inspection is active on the path (the firewall rewrites the mail server)',
    );
    expect(lines).toContain('      250 XXXXXXXA');
    expect(lines).toContain('      220 *******************************************');
    expect(out).toContain('192.0.2.25:25: inspected asa-esmtp, high confidence');
  });

  it('control characters from the server are shown escaped, never sent to the terminal', () => {
    const r = classify(t(['220 \x1b[2J mx.example.test ESMTP']));
    const out = formatReport({ probes: [r], verdict: r.verdict });
    expect(out).not.toContain('\x1b');
    expect(out).toContain('220 \\x1b[2J mx.example.test ESMTP');
  });
});
