/** The SMTP inspection policy most SMTP tests start from: active on port 25, banner masked, no STARTTLS. */
import type { SmtpInspectionPolicy } from '../../src/lab/types.js';

export function inspectingPolicy(
  family: SmtpInspectionPolicy['family'] = 'asa-esmtp',
  extra: Partial<SmtpInspectionPolicy> = {},
): SmtpInspectionPolicy {
  return { active: true, family, maskBanner: true, allowTls: false, ports: [25], ...extra };
}
