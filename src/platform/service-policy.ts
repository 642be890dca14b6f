/**
 * `show service-policy` (asa-cli.md §2.5, genieparser capture): which inspections run, per policy and class. Used
 * to confirm on the device that `Inspect: esmtp ...` is gone after the change.
 */
import { splitLines } from './text.js';

export interface ServicePolicyInspect {
  /** `global` or `interface:<name>` */
  scope: string;
  policy: string;
  class: string;
  /** First word after `Inspect:` (`esmtp`, `dns`, `h323`), lower-case. */
  protocol: string;
  /** The rest before the first comma (`_default_esmtp_map`, `h225 _default_h323_map`), trimmed; '' when none. */
  args: string;
  packets: number | null;
}

export function parseShowServicePolicy(text: string): ServicePolicyInspect[] {
  const out: ServicePolicyInspect[] = [];
  let scope = '';
  let policy = '';
  let cls = '';
  for (const line of splitLines(text)) {
    if (/^\s*Global policy:/.test(line)) scope = 'global';
    const intf = /^\s*Interface (\S+?):?\s*$/.exec(line);
    if (intf) scope = `interface:${intf[1]}`;
    const sp = /^\s*Service-policy:\s*(\S+)/.exec(line);
    if (sp) policy = sp[1]!;
    const cm = /^\s*Class-map:\s*(\S+)/.exec(line);
    if (cm) cls = cm[1]!;
    const ins = /^\s*Inspect:\s*(\S+?)(?:\s+([^,]*?))?\s*,(.*)$/.exec(line);
    if (ins) {
      const pk = /packet (\d+)/.exec(ins[3]!);
      out.push({
        scope,
        policy,
        class: cls,
        protocol: ins[1]!.toLowerCase(),
        args: (ins[2] ?? '').trim(),
        packets: pk ? Number(pk[1]) : null,
      });
    }
  }
  return out;
}

/** The SMTP inspections among them (`esmtp` or `smtp`). */
export function smtpInspectsInServicePolicy(text: string): ServicePolicyInspect[] {
  return parseShowServicePolicy(text).filter((i) => i.protocol === 'esmtp' || i.protocol === 'smtp');
}
