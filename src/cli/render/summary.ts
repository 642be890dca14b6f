import { outcomeText } from '../../change/outcome.js';
import type { ChangePlan, ChangeResult } from '../../change/types.js';

/** The plan as a person reviews it: commands, their inverse, the expected config diff. */
export function formatPlan(plan: ChangePlan): string {
  const out: string[] = [];
  for (const c of plan.contexts) {
    const where = c.context ? ` [context ${c.context}]` : '';
    if (c.nothingToDo) {
      out.push(
        `Nothing to do${where}: ${plan.mode === 'restore' ? 'the backup’s SMTP inspection is already there' : 'SMTP inspection already disabled'}.`,
      );
      continue;
    }
    out.push(`Commands${where} (inside configure terminal):`);
    for (const cmd of c.commands) out.push(`  ${cmd}`);
    out.push(`Inverse${where} (the rollback):`);
    for (const cmd of c.inverse) out.push(`  ${cmd}`);
    if (c.diff.trim()) {
      out.push(`Expected running-config diff${where}:`);
      for (const l of c.diff.trimEnd().split('\n')) out.push(`  ${l}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function printPlan(plan: ChangePlan, out: NodeJS.WritableStream = process.stdout): void {
  out.write(formatPlan(plan));
}

/** The closing summary of one change (human form; --json prints the result object instead). */
export function formatResult(r: ChangeResult): string {
  const out: string[] = [];
  out.push(`Result: ${outcomeText(r)} (exit ${r.exitCode})`);
  if (r.error) {
    out.push(`  cause: [${r.error.code}] ${r.error.message}`);
    if (r.error.hint) out.push(`  next step: ${r.error.hint}`);
  }
  if (r.platform) {
    const p = r.platform;
    out.push(`  device: ${p.hostname ?? r.target} ${p.family.toUpperCase()} ${p.version}, ${p.contextMode} context`);
  }
  if (r.verification !== 'not-probed' || r.postProbe) {
    out.push(
      `  outside probe: ${r.preProbe?.verdict ?? '-'} before, ${r.postProbe?.verdict ?? '-'} after: ${r.verification}`,
    );
  }
  if (r.reloaded) {
    out.push(
      r.outcome === 'done' || r.outcome === 'kept-unverified'
        ? '  reloaded: yes, the change survived the reload'
        : '  reloaded: yes',
    );
  }
  if (r.backup) out.push(`  backup: ${r.backup.metadataPath}`);
  if (r.reportFiles) out.push(`  change record: ${r.reportFiles.markdown} (and .json)`);
  if (r.outcome !== 'dry-run' && r.outcome !== 'nothing-to-do') {
    out.push(`  running-config: ${r.finalState.running}; startup-config: ${r.finalState.startup}`);
  }
  for (const n of r.finalState.notes) out.push(`  - ${n}`);
  return `${out.join('\n')}\n`;
}

export function printResult(r: ChangeResult, out: NodeJS.WritableStream = process.stdout): void {
  if ((r.outcome === 'dry-run' || r.outcome === 'nothing-to-do') && r.plan && !r.plan.nothingToDo) {
    out.write(`\n${formatPlan(r.plan)}`);
  }
  out.write(`\n${formatResult(r)}`);
}
