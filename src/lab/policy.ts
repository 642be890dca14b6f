/**
 * What the Mailguard SMTP front must do, read from the emulated device's RUNNING config: PIX `fixup protocol smtp N`
 * lines; ASA `inspect esmtp|smtp [map]` under a class of a policy-map bound by `service-policy`.
 */
import { MAX_PORT, readFixupSpec } from '../platform/ports.js';
import type { ConfigDoc } from './config-text.js';
import { blocks, findBlock, findChild } from './config-text.js';
import type { LabDialect, MailguardFamily, SmtpInspectionPolicy } from './types.js';

export function defaultFamily(dialect: LabDialect): MailguardFamily {
  return dialect === 'pix6' ? 'pix-mailguard' : 'asa-esmtp';
}

function pixPolicy(doc: ConfigDoc, family: MailguardFamily): SmtpInspectionPolicy {
  const ports: number[] = [];
  for (const l of doc.body) {
    const m = /^fixup protocol smtp (\S+)\s*$/.exec(l);
    // Out of 1-65535 or backwards: the unit would not have taken it; never a loop (issue #12).
    const r = m ? readFixupSpec(m[1]) : null;
    if (!r?.ok) continue;
    for (let p = r.lo; p <= r.hi && p - r.lo < 1000; p++) ports.push(p);
  }
  return { active: ports.length > 0, family, maskBanner: true, allowTls: false, ports };
}

/** Ports a class-map matches; `match default-inspection-traffic` means the default SMTP port 25. */
function classPorts(doc: ConfigDoc, className: string): number[] {
  const b = findBlock(doc.body, `class-map ${className}`);
  if (!b) return className === 'class-default' ? [25] : [];
  const ports: number[] = [];
  for (const l of doc.body.slice(b.start + 1, b.end)) {
    const t = l.trim();
    if (t === 'match default-inspection-traffic' || t === 'match any') ports.push(25);
    const eq = /^match port tcp eq (\S+)/.exec(t);
    if (eq) ports.push(eq[1] === 'smtp' ? 25 : Number(eq[1]));
    const range = /^match port tcp range (\d+) (\d+)/.exec(t);
    if (range) for (let p = Number(range[1]); p <= Number(range[2]) && p < 65536; p++) ports.push(p);
  }
  return ports.filter((p) => Number.isInteger(p) && p > 0 && p <= MAX_PORT);
}

function esmtpMapParams(doc: ConfigDoc, map: string | undefined): { maskBanner: boolean; allowTls: boolean } {
  // _default_esmtp_map: mask-banner, no allow-tls (asa-cli.md §2.4).
  const name = map ?? '_default_esmtp_map';
  const b = findBlock(doc.body, `policy-map type inspect esmtp ${name}`);
  if (!b) return { maskBanner: true, allowTls: false };
  const params = findChild(doc.body, b, 'parameters');
  const lines = params ? doc.body.slice(params.start + 1, params.end).map((l) => l.trim()) : [];
  return { maskBanner: lines.includes('mask-banner'), allowTls: lines.includes('allow-tls') };
}

function asaPolicy(doc: ConfigDoc, family: MailguardFamily): SmtpInspectionPolicy {
  const bound = new Set<string>();
  for (const l of doc.body) {
    const m = /^service-policy (\S+) (global|interface \S+)\s*$/.exec(l);
    if (m?.[1]) bound.add(m[1]);
  }
  const ports = new Set<number>();
  let params: { maskBanner: boolean; allowTls: boolean } | undefined;
  for (const b of blocks(doc.body)) {
    const head = (doc.body[b.start] ?? '').trim();
    const pm = /^policy-map (\S+)$/.exec(head);
    if (!pm?.[1] || !bound.has(pm[1])) continue;
    let currentClass = '';
    for (let i = b.start + 1; i < b.end; i++) {
      const l = doc.body[i] ?? '';
      const cls = /^ class (\S+)\s*$/.exec(l);
      if (cls?.[1]) currentClass = cls[1];
      const ins = /^ {2}inspect (?:esmtp|smtp)(?:\s+(\S+))?\s*$/.exec(l);
      if (ins && currentClass) {
        for (const p of classPorts(doc, currentClass)) ports.add(p);
        params ??= esmtpMapParams(doc, ins[1]);
      }
    }
  }
  const p = params ?? { maskBanner: true, allowTls: false };
  return { active: ports.size > 0, family, maskBanner: p.maskBanner, allowTls: p.allowTls, ports: [...ports] };
}

export function inspectionPolicy(dialect: LabDialect, doc: ConfigDoc, family?: MailguardFamily): SmtpInspectionPolicy {
  const fam = family ?? defaultFamily(dialect);
  return dialect === 'pix6' ? pixPolicy(doc, fam) : asaPolicy(doc, fam);
}
