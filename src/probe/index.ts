/** SMTP probe (issue #4): resolve targets, talk to each address, classify, and report the worst verdict. */
import { ExitCode } from '../errors.js';
import { classify, worstVerdict } from './classify.js';
import { runConversation } from './conversation.js';
import type { ConversationOptions, ProbeReport, ProbeResult, ProbeTarget, ProbeVerdict } from './types.js';

export { classify, greetingMask, worstVerdict } from './classify.js';
export { compareProbes } from './compare.js';
export {
  DEFAULT_EHLO_NAME,
  DEFAULT_GREETING_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_UNKNOWN_VERB,
  runConversation,
} from './conversation.js';
export { type ResolveOptions, resolveTargets } from './targets.js';
export type * from './types.js';

/** Addresses probed at once: enough for a few MX hosts, gentle on the servers. */
const CONCURRENCY = 4;

/** Probes one address: conversation, then the pure classifier. */
export async function probeTarget(target: ProbeTarget, options: ConversationOptions = {}): Promise<ProbeResult> {
  const transcript = await runConversation(target, options);
  return {
    ...classify(transcript),
    host: target.host,
    source: target.source,
    ...(target.preference !== undefined ? { preference: target.preference } : {}),
  };
}

/** Probes every target (results in target order) and reports the worst verdict. */
export async function probeAll(targets: ProbeTarget[], options: ConversationOptions = {}): Promise<ProbeReport> {
  const results: ProbeResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      results[i] = await probeTarget(targets[i] as ProbeTarget, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker));
  return { probes: results, verdict: worstVerdict(results.map((r) => r.verdict)) };
}

/** The `probe` command's exit code for a verdict (issue #4 contract). */
export function verdictExitCode(verdict: ProbeVerdict): number {
  switch (verdict) {
    case 'clean':
      return ExitCode.ok;
    case 'inspected':
      return ExitCode.probeInspected;
    case 'other-proxy':
      return ExitCode.probeOtherProxy;
    case 'inconclusive':
      return ExitCode.probeInconclusive;
    case 'unreachable':
      return ExitCode.probeUnreachable;
  }
}
