/**
 * The probe against the lab: the Mailguard front (src/lab/smtp) rewriting a real smtp-server backend as each family
 * does, and the bare backend behind it. Everything on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailguardFront, SmtpBackend } from '../../src/lab/smtp/index.js';
import { startMailguardFront, startSmtpBackend } from '../../src/lab/smtp/index.js';
import type { MailguardFamily, SmtpInspectionPolicy } from '../../src/lab/types.js';
import { probeTarget } from '../../src/probe/index.js';
import type { ProbeTarget } from '../../src/probe/types.js';
import { inspectingPolicy } from '../helpers/smtp-policy.js';

const opts = { timeoutMs: 5000, greetingTimeoutMs: 5000 };
const target = (e: { host: string; port: number }): ProbeTarget => ({
  host: e.host,
  address: e.host,
  port: e.port,
  source: 'explicit',
});

for (const flavor of ['postfix', 'exchange'] as const) {
  describe(`probe through the lab Mailguard front (${flavor} backend)`, () => {
    let backend: SmtpBackend;
    const fronts: MailguardFront[] = [];
    const front = async (family: MailguardFamily, extra: Partial<SmtpInspectionPolicy> = {}) => {
      const f = await startMailguardFront({
        backend: backend.endpoint,
        policy: () => inspectingPolicy(family, extra),
      });
      fronts.push(f);
      return f;
    };
    beforeAll(async () => {
      backend = await startSmtpBackend({ flavor });
    });
    afterAll(async () => {
      for (const f of fronts) await f.close();
      await backend.close();
    });

    it('the bare backend is clean (high only when it offers a keyword an ASA would mask)', async () => {
      const r = await probeTarget(target(backend.endpoint), opts);
      expect(r.verdict).toBe('clean');
      // The exchange flavor offers SMTPUTF8 (masked by an ASA); the postfix flavor only keywords an ASA passes.
      expect(r.confidence).toBe(flavor === 'exchange' ? 'high' : 'medium');
      expect(r.family).toBeNull();
    });

    it('asa-esmtp with no mask-banner and allow-tls: never a high-confidence clean', async () => {
      // Known limit: the unknown verb is X'd but the backend does not echo it; only a keyword outside the ASA's set
      // (SMTPUTF8 in the exchange flavor) still shows the inspection.
      const r = await probeTarget(
        target((await front('asa-esmtp', { maskBanner: false, allowTls: true })).endpoint),
        opts,
      );
      expect(r.verdict === 'clean' && r.confidence === 'high').toBe(false);
      if (flavor === 'exchange') expect(r).toMatchObject({ verdict: 'inspected', family: 'asa-esmtp' });
    });

    it('asa-esmtp: masked greeting, EHLO passed with STARTTLS masked -> inspected asa-esmtp', async () => {
      const r = await probeTarget(target((await front('asa-esmtp')).endpoint), opts);
      expect(r).toMatchObject({ verdict: 'inspected', family: 'asa-esmtp', confidence: 'high' });
      const ids = r.signals.map((s) => s.id);
      expect(ids).toEqual(expect.arrayContaining(['greeting-masked', 'ehlo-keyword-masked', 'starttls-masked']));
      expect(r.signals.find((s) => s.id === 'starttls-masked')?.evidence[0]).toMatch(/^250[- ]XXXXXXXA$/);
    });

    it('pix-mailguard: masked greeting, EHLO refused by the server -> inspected pix-mailguard', async () => {
      const r = await probeTarget(target((await front('pix-mailguard')).endpoint), opts);
      expect(r).toMatchObject({ verdict: 'inspected', family: 'pix-mailguard', confidence: 'high' });
      expect(r.signals.map((s) => s.id)).toContain('ehlo-refused-masked-greeting');
      expect(r.transcript.filter((e) => e.dir === 'C').map((e) => e.text)).toContain('HELO mailguard-probe.invalid');
    });

    it('pix-4: masked greeting, the firewall answers OK itself -> inspected pix-4', async () => {
      const r = await probeTarget(target((await front('pix-4')).endpoint), opts);
      expect(r).toMatchObject({ verdict: 'inspected', family: 'pix-4' });
      expect(r.signals.map((s) => s.id)).toEqual(expect.arrayContaining(['greeting-masked', 'ehlo-bare-ok']));
    });

    it('inspection off in the running config: the front passes bytes through -> clean', async () => {
      const r = await probeTarget(target((await front('asa-esmtp', { active: false })).endpoint), opts);
      expect(r.verdict).toBe('clean');
    });

    it('--starttls: TLS negotiates on the bare backend, not through the ASA (STARTTLS stripped)', async () => {
      const bare = await probeTarget(target(backend.endpoint), { ...opts, starttls: true });
      expect(bare.tls?.negotiated).toBe(true);
      expect(bare.tls?.detail).toMatch(/^TLS negotiated: TLSv1\.[23]/);
      expect(bare.transcript.at(-1)).toMatchObject({ dir: 'S' });
      expect(bare.verdict).toBe('clean');
      const asa = await probeTarget(target((await front('asa-esmtp')).endpoint), { ...opts, starttls: true });
      expect(asa.tls?.negotiated).toBe(false);
      expect(asa.verdict).toBe('inspected');
    });
  });
}

describe('policy read per connection: before/after the change on one front', () => {
  it('inspected while active, clean once inspection is off', async () => {
    const backend = await startSmtpBackend({ flavor: 'postfix' });
    let policy: SmtpInspectionPolicy = inspectingPolicy();
    const f = await startMailguardFront({ backend: backend.endpoint, policy: () => policy });
    try {
      const before = await probeTarget(target(f.endpoint), opts);
      policy = { ...policy, active: false };
      const after = await probeTarget(target(f.endpoint), opts);
      expect([before.verdict, after.verdict]).toEqual(['inspected', 'clean']);
    } finally {
      await f.close();
      await backend.close();
    }
  });
});
