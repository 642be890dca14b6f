/**
 * A tiny authoritative DNS server on 127.0.0.1 UDP (port 0) for `--domain` / `--resolver` tests, built on dns-packet.
 * Names in `zone` exist (NOERROR, maybe no data, or the entry's `rcode`); any other name is NXDOMAIN.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket, { type Answer } from 'dns-packet';

export interface ZoneEntry {
  MX?: { preference: number; exchange: string }[];
  A?: string[];
  AAAA?: string[];
  /** Answer every question for the name with this failure (a broken authoritative server). */
  rcode?: 'SERVFAIL';
}

export interface DnsServer {
  host: '127.0.0.1';
  port: number;
  /** `host:port`, for `--resolver`. */
  spec: string;
  /** Every question received, as `TYPE name`. */
  queries: string[];
  close(): Promise<void>;
}

const NXDOMAIN = 3;
const SERVFAIL = 2;

export async function startDnsServer(zone: Record<string, ZoneEntry>): Promise<DnsServer> {
  const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');
  const records = new Map(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let query: ReturnType<typeof dnsPacket.decode>;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    if (!q) return;
    queries.push(`${q.type} ${q.name}`);
    const entry = records.get(norm(q.name));
    const answers: Answer[] = [];
    if (entry && q.type === 'MX') {
      for (const mx of entry.MX ?? []) answers.push({ type: 'MX', name: q.name, ttl: 60, data: mx });
    } else if (entry && (q.type === 'A' || q.type === 'AAAA')) {
      for (const a of entry[q.type] ?? []) answers.push({ type: q.type, name: q.name, ttl: 60, data: a });
    }
    const soa: Answer = {
      type: 'SOA',
      name: 'test',
      ttl: 60,
      data: {
        mname: 'ns.test',
        rname: 'hostmaster.test',
        serial: 1,
        refresh: 60,
        retry: 60,
        expire: 60,
        minimum: 60,
      },
    };
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (entry ? (entry.rcode === 'SERVFAIL' ? SERVFAIL : 0) : NXDOMAIN),
      questions: [q],
      answers,
      authorities: answers.length === 0 ? [soa] : [],
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = (socket.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    spec: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
