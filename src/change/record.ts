/**
 * The change record: JSON for machines and Markdown for the change ticket, both mode 0600, secrets redacted.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writePrivate } from './backup.js';
import { outcomeLabel, outcomeText } from './outcome.js';
import { renderRecordHtml } from './record-html.js';
import { redactSecrets } from './redact.js';
import type { ChangeResult, ProbeEvidence } from './types.js';

/**
 * Write `<base>.json`, `<base>.md` and `<base>.html` (a given `.json`/`.md`/`.html` extension is stripped). Null
 * base: write nothing.
 */
export async function writeChangeRecord(
  result: ChangeResult,
  base: string | null,
  secrets: Array<string | undefined>,
): Promise<{ json: string; markdown: string; html: string } | null> {
  if (!base) return null;
  const stem = resolve(base.replace(/\.(json|md|html)$/i, ''));
  const dir = dirname(stem);
  // New folders 0700; an existing one (e.g. the folder of --report FILE) keeps its mode.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const json = `${stem}.json`;
  const markdown = `${stem}.md`;
  const html = `${stem}.html`;
  const files = { json, markdown, html };
  const withFiles: ChangeResult = { ...result, reportFiles: files };
  for (const [path, text] of [
    [json, `${JSON.stringify(withFiles, null, 2)}\n`],
    [markdown, renderMarkdown(withFiles)],
    [html, renderRecordHtml(withFiles)],
  ] as const) {
    await writePrivate(path, redactSecrets(text, secrets));
  }
  return files;
}

const fence = (text: string, lang = ''): string => `\`\`\`${lang}\n${text.replace(/```/g, "'''").trimEnd()}\n\`\`\`\n`;

function probeSection(title: string, p: ProbeEvidence | undefined): string {
  if (!p) return `### ${title}\n\nNot probed (no --smtp or --domain).\n`;
  const out = [`### ${title}: **${p.verdict}**\n`];
  for (const r of p.probes) {
    out.push(`- ${r.address}:${r.port}: ${r.verdict}${r.family ? ` (${r.family})` : ''}, confidence ${r.confidence}`);
    for (const s of r.signals) out.push(`  - ${s.id}: ${s.evidence.map((e) => `\`${e}\``).join(' ')}`);
  }
  const lines = p.probes.flatMap((r) =>
    r.transcript.map((e) => (e.dir === '*' ? `* ${e.text}` : `${e.dir}: ${e.text}`)),
  );
  if (lines.length) out.push('', fence(lines.join('\n')));
  return `${out.join('\n')}\n`;
}

export function renderMarkdown(r: ChangeResult): string {
  const md: string[] = [];
  const title = r.mode === 'restore' ? 'Restore SMTP inspection from a backup' : 'Disable SMTP inspection (Mailguard)';
  md.push(`# Change record: ${title}\n`);
  md.push('| | |', '|---|---|');
  md.push(`| Target | \`${r.target}\`${r.device ? ` (${r.device.address})` : ''} |`);
  const pv = r.provenance;
  if (pv) md.push(`| Change | ${pv.changeId ?? '-'} |`);
  md.push(
    `| Hostname / serial | ${r.device?.hostname ?? r.platform?.hostname ?? '?'} / ${r.device?.serial ?? r.platform?.serial ?? '?'} |`,
  );
  if (r.platform) {
    const p = r.platform;
    md.push(
      `| Device | ${p.hostname ?? '?'}: ${p.family.toUpperCase()} ${p.version}${p.model ? ` (${p.model})` : ''}, ${p.contextMode} context${p.failover.enabled ? `, failover ${p.failover.role}` : ''} |`,
    );
  }
  md.push(`| Outcome | **${outcomeLabel(r)}** (exit code ${r.exitCode}): ${outcomeText(r)} |`);
  md.push(`| Outside verification | ${r.verification} |`);
  md.push(`| Started / finished (UTC) | ${r.startedAt} / ${r.finishedAt} |`);
  if (pv) {
    if (pv.timeZone !== 'UTC')
      md.push(`| Started / finished (${pv.timeZone}) | ${r.startedAtLocal} / ${r.finishedAtLocal} |`);
    md.push(`| Operator | ${pv.operator} |`, `| Tool | ${pv.tool} ${pv.toolVersion} |`);
    if (pv.playbookSha256) md.push(`| Playbook sha256 | \`${pv.playbookSha256}\` |`);
    if (pv.inventorySha256) md.push(`| Inventory sha256 | \`${pv.inventorySha256}\` |`);
  }
  md.push(`| Reloaded | ${r.reloaded ? 'yes' : 'no'} |`);
  if (r.backup) md.push(`| Backup | \`${r.backup.metadataPath}\` |`);
  md.push('');
  if (r.error) {
    md.push(
      `**Error ${r.error.code}:** ${r.error.message}${r.error.hint ? `  \n**Next step:** ${r.error.hint}` : ''}\n`,
    );
  }
  md.push('## Final state of the device\n');
  md.push(`- running-config: **${r.finalState.running}**`);
  md.push(`- startup-config: **${r.finalState.startup}**`);
  for (const n of r.finalState.notes) md.push(`- ${n}`);
  md.push('');
  for (const [ctx, diff] of Object.entries(r.finalState.runningDiff ?? {})) {
    md.push(
      `Running config now, compared with the backup${ctx && ctx !== 'device' ? ` (context ${ctx})` : ''}:\n`,
      fence(diff, 'diff'),
    );
  }
  md.push('## Findings before the change\n');
  const findings = r.inspection?.findings ?? [];
  if (findings.length === 0) md.push('None.\n');
  for (const f of findings) {
    md.push(
      `- ${f.active ? 'ACTIVE' : 'inactive'} ${f.kind} ${f.protocol} ports ${f.ports.join(',') || '-'}${f.policyMap ? `, policy-map ${f.policyMap}` : ''}${f.class ? `, class ${f.class}` : ''}${f.binding ? `, bound ${f.binding}` : ''}${f.context ? `, context ${f.context}` : ''}`,
    );
    for (const l of f.lines) md.push(`  - \`${l}\``);
  }
  md.push('');
  if (r.plan) {
    md.push('## Plan\n');
    for (const c of r.plan.contexts) {
      const where = c.context ? ` (context ${c.context})` : '';
      if (c.nothingToDo) {
        md.push(`Nothing to do${where}.\n`);
        continue;
      }
      md.push(`### Commands${where}\n`, fence(c.commands.join('\n')));
      md.push(`### Inverse (rollback)${where}\n`, fence(c.inverse.join('\n')));
      if (c.diff) md.push(`### Expected config diff${where}\n`, fence(c.diff, 'diff'));
    }
  }
  if (r.backup) {
    md.push('## Backup\n');
    for (const f of r.backup.files)
      md.push(
        `- \`${f.path}\` (${f.kind}${f.context ? `, ${f.context}` : ''}, ${f.bytes} bytes) sha256 \`${f.sha256}\``,
      );
    md.push('');
  }
  md.push('## Outside probe evidence\n');
  md.push(probeSection('Before', r.preProbe));
  md.push(probeSection('After', r.postProbe));
  md.push('## Steps\n');
  md.push('| step | status | started (UTC) | duration | note |', '|---|---|---|---|---|');
  for (const s of r.steps) {
    md.push(
      `| ${s.step} | ${s.status} | ${s.startedAt} | ${(s.durationMs / 1000).toFixed(1)} s | ${(s.summary ?? '').replace(/\|/g, '\\|')} |`,
    );
  }
  md.push('');
  md.push('## Commands sent and responses\n');
  if (r.commands.length === 0) md.push('None.\n');
  for (const c of r.commands) {
    md.push(`- \`${c.command}\`${c.context ? ` [${c.context}]` : ''} (${c.step}, ${c.at}, ${c.ok ? 'ok' : 'FAILED'})`);
    if (c.response.trim()) md.push('', fence(c.response));
  }
  md.push('');
  if (r.exitCode === 6) {
    md.push('## What a person must do now\n');
    md.push(
      '1. Reach the device (console or out-of-band) and run `show running-config policy-map` / `show running-config fixup`.',
    );
    md.push(
      `2. Compare with the backup${r.backup ? ` \`${r.backup.metadataPath}\`` : ''} and apply the inverse commands above inside \`configure terminal\`.`,
    );
    md.push('3. `write memory` and check it prints `[OK]`.\n');
  }
  return `${md.join('\n')}\n`;
}
