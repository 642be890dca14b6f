/**
 * Which addresses to probe: an explicit host[:port] list, or a domain's MX hosts by preference (every A and AAAA),
 * falling back to the domain's own addresses when it has no MX (RFC 5321 §5.1).
 */
import { promises as dnsPromises } from 'node:dns';
import net from 'node:net';
import { MailguardError, systemErrorWords } from '../errors.js';
import { parseEndpoint } from '../net/endpoint.js';
import type { ProbeTarget } from './types.js';

export interface ResolveOptions {
  /** Explicit `host[:port]` targets (IPv6 as `[addr]:port` or a bare address). */
  hosts?: string[];
  /** Probe this domain's MX hosts instead. */
  domain?: string;
  /** Port for targets that name none (default 25). */
  port?: number;
  /** DNS server `HOST[:PORT]` to ask instead of the system's. */
  resolver?: string;
  /** DNS timeout per query (default 5 s). */
  dnsTimeoutMs?: number;
}

function makeResolver(spec: string | undefined, timeoutMs: number): dnsPromises.Resolver {
  const resolver = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 2 });
  if (spec) {
    const { host, port } = parseEndpoint(spec, { defaultPort: 53, what: '--resolver' });
    if (!net.isIP(host)) {
      throw new MailguardError('USAGE', `--resolver: "${host}" is not an IP address; give the DNS server's address`, {
        hint: 'Give the DNS server as an address, e.g. --resolver 192.0.2.53 or --resolver 127.0.0.1:5353.',
      });
    }
    resolver.setServers([net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`]);
  }
  return resolver;
}

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'ENONAME']);

function dnsFailure(e: unknown, name: string, what: string): MailguardError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new MailguardError('DNS_FAILED', `DNS lookup of ${what} for ${name} failed: ${systemErrorWords(e)}.`, {
    cause: e,
    hint: 'Check the name and the DNS server (--resolver), or probe addresses directly.',
    details: { name, code },
  });
}

/** A and AAAA of one name; missing families are fine, a failing resolver is not. */
async function addressesOf(resolver: dnsPromises.Resolver, name: string): Promise<string[]> {
  const out: string[] = [];
  let nx = 0;
  for (const family of ['A', 'AAAA'] as const) {
    try {
      out.push(...(family === 'A' ? await resolver.resolve4(name) : await resolver.resolve6(name)));
    } catch (e) {
      if (!NO_DATA.has((e as NodeJS.ErrnoException).code ?? '')) throw dnsFailure(e, name, family);
      nx++;
    }
  }
  return nx === 2 ? [] : out;
}

async function lookupHost(host: string, resolver: dnsPromises.Resolver | null): Promise<string[]> {
  if (net.isIP(host)) return [host];
  if (resolver) return addressesOf(resolver, host);
  try {
    // Without --resolver, honour /etc/hosts (localhost, lab names) like any other client.
    const all = await dnsPromises.lookup(host, { all: true });
    return all.map((a) => a.address);
  } catch (e) {
    if (NO_DATA.has((e as NodeJS.ErrnoException).code ?? '')) return [];
    throw dnsFailure(e, host, 'addresses');
  }
}

/** The targets, in probe order, deduplicated by address and port. */
export async function resolveTargets(options: ResolveOptions): Promise<ProbeTarget[]> {
  const port = options.port ?? 25;
  const timeoutMs = options.dnsTimeoutMs ?? 5000;
  const hosts = options.hosts ?? [];
  if (options.domain && hosts.length > 0) {
    throw new MailguardError('USAGE', 'Give either targets or --domain, not both.', {
      hint: 'Run one probe per form, e.g. `asa-mailguard probe --domain example.com`.',
    });
  }
  if (!options.domain && hosts.length === 0) {
    throw new MailguardError('USAGE', 'Nothing to probe: give host[:port] targets or --domain.', {
      hint: 'Example: asa-mailguard probe mail.example.com  or  asa-mailguard probe --domain example.com',
    });
  }
  const targets: ProbeTarget[] = [];
  const seen = new Set<string>();
  const add = (t: ProbeTarget) => {
    const key = `${t.address}|${t.port}`;
    if (!seen.has(key)) {
      seen.add(key);
      targets.push(t);
    }
  };

  if (!options.domain) {
    const resolver = options.resolver ? makeResolver(options.resolver, timeoutMs) : null;
    for (const spec of hosts) {
      const { host, port: p } = parseEndpoint(spec, { defaultPort: port, what: 'target' });
      const addresses = await lookupHost(host, resolver);
      if (addresses.length === 0) {
        throw new MailguardError('DNS_NO_ADDRESS', `${host} has no A or AAAA record.`, {
          hint: 'Check the spelling, or give the address directly.',
          details: { host },
        });
      }
      for (const address of addresses) add({ host, address, port: p, source: 'explicit' });
    }
    return targets;
  }

  const domain = parseEndpoint(options.domain, { defaultPort: port, what: '--domain' }).host.replace(/\.$/, '');
  const resolver = makeResolver(options.resolver, timeoutMs);
  let mx: { exchange: string; priority: number }[] = [];
  try {
    mx = await resolver.resolveMx(domain);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOTFOUND') {
      throw new MailguardError('BAD_INPUT', `The domain ${domain} does not exist (NXDOMAIN).`, {
        hint: 'Check the spelling of --domain, or the DNS server given with --resolver.',
        details: { domain },
      });
    }
    if (!NO_DATA.has(code)) throw dnsFailure(e, domain, 'MX');
  }
  if (mx.length === 1 && (mx[0]?.exchange === '' || mx[0]?.exchange === '.')) {
    throw new MailguardError('DNS_NO_ADDRESS', `${domain} publishes a null MX (RFC 7505): it accepts no mail.`, {
      hint: 'Probe the mail server by address instead.',
      details: { domain },
    });
  }
  if (mx.length === 0) {
    // RFC 5321 §5.1: no MX means the domain itself is the mail host.
    for (const address of await addressesOf(resolver, domain)) {
      add({ host: domain, address, port, source: 'domain-address' });
    }
  } else {
    const sorted = [...mx].sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange));
    for (const m of sorted) {
      for (const address of await addressesOf(resolver, m.exchange)) {
        add({ host: m.exchange, address, port, source: 'mx', preference: m.priority });
      }
    }
  }
  if (targets.length === 0) {
    throw new MailguardError('DNS_NO_ADDRESS', `No address found for ${domain} (MX hosts or the domain itself).`, {
      hint: 'Check the DNS records, or probe the mail server by address.',
      details: { domain, mx },
    });
  }
  return targets;
}
