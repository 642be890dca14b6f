/**
 * `asa-mailguard probe`: prove from outside whether SMTP inspection rewrites a mail server's conversation.
 * Declarations only (loaded on every start); the work is in probe-action.ts, imported when the command runs.
 */
import type { Command } from 'commander';
import { exitCodeHelp } from '../../errors.js';
import { parseEhloName, timeOption } from '../option-parsers.js';
import { runAction } from '../run-action.js';

/** Probe timeouts: more than 0, at most 10 minutes. */
export const PROBE_LIMITS = { max: 600 };

export interface ProbeOptions {
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

/**
 * Same value as DEFAULT_EHLO_NAME in src/probe/conversation.ts (the help shows it): a copy, so that declaring the
 * options loads no probe code; test/e2e/cli-startup.test.ts fails if the two differ.
 */
const DEFAULT_EHLO_NAME = 'mailguard-probe.invalid';

const HELP_EXAMPLES = `
Talks SMTP to each address the way a sending server would (greeting, EHLO, one harmless unknown verb, NOOP, QUIT;
never MAIL, RCPT or DATA) and judges from the replies whether a Cisco PIX/ASA rewrites the conversation.

Verdicts: clean 0, inspected 10, other-proxy 11, inconclusive 12, unreachable 13.
  With several addresses the worst verdict wins (inspected > other-proxy > inconclusive > unreachable > clean).
${exitCodeHelp('probe')}

Examples:
  $ asa-mailguard probe mail.example.com
  $ asa-mailguard probe 192.0.2.10 [2001:db8::25]:25
  $ asa-mailguard probe --domain example.com --json > before.json
  $ asa-mailguard probe --domain example.com --compare before.json     # after the change: verified?
  $ asa-mailguard probe --domain example.com --resolver 192.0.2.53 --starttls
`;

export function register(program: Command): void {
  program
    .command('probe')
    .summary('Prove from outside whether SMTP inspection (Mailguard) is active')
    .description('Probe mail servers on port 25 from outside and tell whether SMTP inspection rewrites them')
    .argument('[targets...]', 'host[:port] to probe (IPv6 as [addr]:port); or use --domain')
    .option('--domain <domain>', "probe the domain's MX hosts by preference, every A and AAAA address")
    .option('--port <n>', 'port for targets without one and for --domain (default 25)')
    .option('--resolver <host[:port]>', 'DNS server to ask for --domain or target names')
    .addOption(
      timeOption('--greeting-timeout', 'how long to wait for the whole greeting (default 30)', 'sec', PROBE_LIMITS),
    )
    .addOption(timeOption('--timeout', 'connect timeout and per-reply timeout (default 10)', 'sec', PROBE_LIMITS))
    .option('--starttls', 'also try STARTTLS and report whether TLS negotiates')
    .option('--ehlo-name <name>', `name to give in EHLO/HELO (default ${DEFAULT_EHLO_NAME})`, parseEhloName)
    .option('--compare <before.json>', 'compare with an earlier --json report: change verified / not-verified')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', HELP_EXAMPLES)
    .action(async (targets: string[], opts: ProbeOptions) => {
      await runAction({ json: Boolean(opts.json) }, async () => {
        const { probeAction } = await import('./probe-action.js');
        return probeAction(targets, opts);
      });
    });
}
