/** What `asa-mailguard probe` does (loaded by its action; the options are declared in probe.ts). */
import { readFileSync } from 'node:fs';
import { parseDuration } from '../../config/duration.js';
import { MailguardError, systemErrorWords } from '../../errors.js';
import { parsePort } from '../../net/endpoint.js';
import { formatReport } from '../../probe/format.js';
import {
  compareProbes,
  DEFAULT_EHLO_NAME,
  type ProbeReport,
  probeAll,
  resolveTargets,
  verdictExitCode,
} from '../../probe/index.js';
import type { ProbeReportBefore } from '../../probe/report-schema.js';
import { PROBE_LIMITS, type ProbeOptions } from './probe.js';

function seconds(value: string | undefined, flag: string, fallback: number): number {
  return value === undefined ? fallback * 1000 : parseDuration(value, flag, 'sec', PROBE_LIMITS);
}

async function readBefore(path: string): Promise<ProbeReportBefore> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `Cannot read ${path}: ${systemErrorWords(e)}`, {
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
  const { safeParseInVoice, formatPath } = await import('../../config/zod-voice.js');
  const { probeReportSchema } = await import('../../probe/report-schema.js');
  const r = safeParseInVoice(probeReportSchema, parsed);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MailguardError(
      'BAD_INPUT',
      `${path} is not a probe report: ${issue ? `${formatPath(issue.path) || 'the document'}: ${issue.message}` : 'bad shape'}.`,
      {
        hint: 'Give the file saved from an earlier `asa-mailguard probe --json`.',
      },
    );
  }
  return r.data;
}

/** The probe action: the exit code of the worst verdict. */
export async function probeAction(targets: string[], opts: ProbeOptions): Promise<number> {
  const port = opts.port === undefined ? 25 : parsePort(opts.port, '--port');
  const greetingTimeoutMs = seconds(opts.greetingTimeout, '--greeting-timeout', 30);
  const timeoutMs = seconds(opts.timeout, '--timeout', 10);
  // --ehlo-name was checked by its option parser (parseEhloName); probe.ts is this action's only caller.
  const ehloName = opts.ehloName ?? DEFAULT_EHLO_NAME;
  const before = opts.compare ? await readBefore(opts.compare) : undefined;
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
}
