/**
 * `--domain` target resolution against a DNS server the test runs on 127.0.0.1 UDP (test/helpers/dns-server.ts).
 * Documentation addresses (192.0.2.x, 2001:db8::) are only resolved, never connected to; the one end-to-end probe
 * connects to 127.0.0.1 only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailguardError } from '../../src/errors.js';
import { probeAll, resolveTargets } from '../../src/probe/index.js';
import { type DnsServer, startDnsServer } from '../helpers/dns-server.js';
import { dialog, POSTFIX_CLEAN, type ScriptedServer, startScriptedSmtp } from '../helpers/scripted-smtp.js';

let dns: DnsServer;
beforeAll(async () => {
  dns = await startDnsServer({
    'example.test': {
      MX: [
        { preference: 20, exchange: 'mx2.example.test' },
        { preference: 10, exchange: 'mx1.example.test' },
      ],
    },
    'mx1.example.test': { A: ['192.0.2.11', '192.0.2.12'], AAAA: ['2001:db8::11'] },
    'mx2.example.test': { A: ['192.0.2.21'] },
    'nomx.test': { A: ['192.0.2.30'], AAAA: ['2001:db8::30'] },
    'empty.test': {},
    'local.test': { MX: [{ preference: 5, exchange: 'mail.local.test' }] },
    'mail.local.test': { A: ['127.0.0.1'] },
    'broken.test': { rcode: 'SERVFAIL' },
  });
});
afterAll(async () => {
  await dns.close();
});

describe('resolveTargets --domain with --resolver', () => {
  it('MX with two preferences: sorted by preference, every A and AAAA, the port applied', async () => {
    const t = await resolveTargets({ domain: 'example.test', resolver: dns.spec, port: 2525 });
    expect(t).toEqual([
      { host: 'mx1.example.test', address: '192.0.2.11', port: 2525, source: 'mx', preference: 10 },
      { host: 'mx1.example.test', address: '192.0.2.12', port: 2525, source: 'mx', preference: 10 },
      { host: 'mx1.example.test', address: '2001:db8::11', port: 2525, source: 'mx', preference: 10 },
      { host: 'mx2.example.test', address: '192.0.2.21', port: 2525, source: 'mx', preference: 20 },
    ]);
    expect(dns.queries).toContain('MX example.test');
  });

  it('no MX: the domain itself, A and AAAA (RFC 5321 §5.1)', async () => {
    const t = await resolveTargets({ domain: 'nomx.test', resolver: dns.spec });
    expect(t).toEqual([
      { host: 'nomx.test', address: '192.0.2.30', port: 25, source: 'domain-address' },
      { host: 'nomx.test', address: '2001:db8::30', port: 25, source: 'domain-address' },
    ]);
  });

  it('a name with neither MX nor address: DNS_NO_ADDRESS (exit 13)', async () => {
    const e = await resolveTargets({ domain: 'empty.test', resolver: dns.spec }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MailguardError);
    expect((e as MailguardError).code).toBe('DNS_NO_ADDRESS');
    expect((e as MailguardError).exitCode).toBe(13);
  });

  it('NXDOMAIN: BAD_INPUT (exit 2)', async () => {
    const e = await resolveTargets({ domain: 'missing.test', resolver: dns.spec }).catch((x: unknown) => x);
    expect((e as MailguardError).code).toBe('BAD_INPUT');
    expect((e as MailguardError).exitCode).toBe(2);
  });

  it('a failing DNS server (SERVFAIL): DNS_FAILED in words, the resolver code only in details', async () => {
    const e = await resolveTargets({ domain: 'broken.test', resolver: dns.spec }).catch((x: unknown) => x);
    expect((e as MailguardError).code).toBe('DNS_FAILED');
    expect((e as MailguardError).message).toBe(
      'DNS lookup of MX for broken.test failed: the DNS server failed (SERVFAIL).',
    );
    expect((e as MailguardError).details).toMatchObject({ name: 'broken.test', code: 'ESERVFAIL' });
  });

  it('explicit host names resolve through --resolver too', async () => {
    const t = await resolveTargets({ hosts: ['mx2.example.test:587'], resolver: dns.spec });
    expect(t).toEqual([{ host: 'mx2.example.test', address: '192.0.2.21', port: 587, source: 'explicit' }]);
  });
});

describe('probe --domain end to end on loopback', () => {
  let smtp: ScriptedServer;
  beforeAll(async () => {
    smtp = await startScriptedSmtp(dialog(POSTFIX_CLEAN));
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('MX -> 127.0.0.1 -> clean, with host and preference in the result', async () => {
    const targets = await resolveTargets({ domain: 'local.test', resolver: dns.spec, port: smtp.port });
    const report = await probeAll(targets, { timeoutMs: 3000 });
    expect(report.verdict).toBe('clean');
    expect(report.probes).toHaveLength(1);
    expect(report.probes[0]).toMatchObject({
      address: '127.0.0.1',
      port: smtp.port,
      host: 'mail.local.test',
      preference: 5,
      source: 'mx',
    });
  });
});
