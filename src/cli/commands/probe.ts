import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { MailguardError } from '../../errors.js';
import { formatReport } from '../../probe/format.js';
import {
  compareProbes,
  DEFAULT_EHLO_NAME,
  type ProbeReport,
  parseHostPort,
  probeAll,
  resolveTargets,
  verdictExitCode,
} from '../../probe/index.js';
import { runAction } from '../run-action.js';

interface ProbeOptions {
  domain?: string;
  port?: string;
  resolver?: string;
  greetingTimeout?: string;
  timeout?: string;
  starttls?: boolean;
  ehloName?: string;
  compare?: string;
  json?: boolean;
}

const HELP_EXAMPLES = `
Talks SMTP to each address the way a sending server would (greeting, EHLO, one harmless unknown verb, NOOP, QUIT;
never MAIL, RCPT or DATA) and judges from the replies whether a Cisco PIX/ASA rewrites the conversation.

Verdicts and exit codes:
  clean 0, inspected 10, other-proxy 11, inconclusive 12, unreachable 13, usage or bad input 2.
  With several addresses the worst verdict wins (inspected > other-proxy > inconclusive > unreachable > clean).

Examples:
  $ asa-mailguard probe mail.example.com
  $ asa-mailguard probe 192.0.2.10 [2001:db8::25]:25
  $ asa-mailguard probe --domain example.com --json > before.json
  $ asa-mailguard probe --domain example.com --compare before.json     # after the change: verified?
  $ asa-mailguard probe --domain example.com --resolver 192.0.2.53 --starttls
`;

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback * 1000;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 600) {
    throw new MailguardError('USAGE', `Invalid ${flag} "${value}": expected seconds, more than 0 and at most 600.`, {
      hint: `Example: ${flag} 30`,
    });
  }
  return Math.round(n * 1000);
}

const beforeSchema = z.object({
  probes: z.array(
    z.looseObject({
      address: z.string(),
      port: z.number().int(),
      verdict: z.enum(['inspected', 'clean', 'other-proxy', 'inconclusive', 'unreachable']),
    }),
  ),
});

function readBefore(path: string): z.infer<typeof beforeSchema> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `Cannot read ${path}: ${(e as Error).message}`, {
      hint: 'Give the file saved from an earlier `asa-mailguard probe --json`.',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MailguardError('BAD_INPUT', `${path} is not JSON.`, {
      hint: 'Give the file saved from an earlier `asa-mailguard probe --json`.',
    });
  }
  const r = beforeSchema.safeParse(parsed);
  if (!r.success) {
    throw new MailguardError(
      'BAD_INPUT',
      `${path} is not a probe report: ${r.error.issues[0]?.message ?? 'bad shape'}.`,
      {
        hint: 'Give the file saved from an earlier `asa-mailguard probe --json`.',
      },
    );
  }
  return r.data;
}

export function register(program: Command): void {
  program
    .command('probe')
    .summary('prove from outside whether SMTP inspection (Mailguard) is active')
    .description('Probe mail servers on port 25 from outside and tell whether SMTP inspection rewrites them.')
    .argument('[targets...]', 'host[:port] to probe (IPv6 as [addr]:port); or use --domain')
    .option('--domain <domain>', "probe the domain's MX hosts by preference, every A and AAAA address")
    .option('--port <n>', 'port for targets without one and for --domain (default 25)')
    .option('--resolver <host[:port]>', 'DNS server to ask for --domain or target names')
    .option('--greeting-timeout <sec>', 'how long to wait for the whole greeting (default 30)')
    .option('--timeout <sec>', 'connect timeout and per-reply timeout (default 10)')
    .option('--starttls', 'also try STARTTLS and report whether TLS negotiates')
    .option('--ehlo-name <name>', `name to give in EHLO/HELO (default ${DEFAULT_EHLO_NAME})`)
    .option('--compare <before.json>', 'compare with an earlier --json report: change verified / not-verified')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', HELP_EXAMPLES)
    .action(async (targets: string[], opts: ProbeOptions) => {
      await runAction({ json: Boolean(opts.json) }, async () => {
        const port = opts.port === undefined ? 25 : parseHostPort(`x:${opts.port}`, 25).port;
        const greetingTimeoutMs = seconds(opts.greetingTimeout, '--greeting-timeout', 30);
        const timeoutMs = seconds(opts.timeout, '--timeout', 10);
        const ehloName = opts.ehloName ?? DEFAULT_EHLO_NAME;
        if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/.test(ehloName) || ehloName.length > 64) {
          throw new MailguardError('USAGE', `Invalid --ehlo-name "${ehloName}".`, {
            hint: 'Use a short host name (at most 64 characters, letters, digits, dots, hyphens).',
          });
        }
        const before = opts.compare ? readBefore(opts.compare) : undefined;
        const list = await resolveTargets({ hosts: targets, domain: opts.domain, port, resolver: opts.resolver });
        const report: ProbeReport = await probeAll(list, {
          greetingTimeoutMs,
          timeoutMs,
          ehloName,
          starttls: Boolean(opts.starttls),
        });
        if (opts.domain) report.domain = opts.domain;
        if (before) {
          const c = compareProbes(before, report);
          report.change = c.change;
          report.changeReason = c.reason;
        }
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
        return verdictExitCode(report.verdict);
      });
    });
}
