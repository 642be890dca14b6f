/**
 * The plan scope of a merged dry run (`report merge` of `run --dry-run` jobs): each job planned its own share, so
 * the merged scope lists every job's devices, canaries and failover pairs in the merged order (canary job, then the
 * shards in order), keeps the scope fields all jobs agree on, and names the ones they do not.
 */
import type { FleetPlan, PlanDifference } from './device-plan.js';
import type { FleetReport } from './fleet.js';

type Scalar = string | number | boolean | null;

/** The scope fields compared across jobs, by their JSON path. */
const SCOPE_FIELDS: Array<[string, (p: FleetPlan) => Scalar]> = [
  ['concurrency', (p) => p.concurrency],
  ['failureBudget.maxFailures', (p) => p.failureBudget.maxFailures],
  ['failureBudget.limit', (p) => p.failureBudget.limit],
  ['failureBudget.shared', (p) => p.failureBudget.shared],
  ['expectedPerDevice', (p) => p.expectedPerDevice],
  ['window.text', (p) => p.window.text],
  ['window.timeZone', (p) => p.window.timeZone],
  // Each job computed these at its own start: jobs on both sides of an opening disagree.
  ['window.openNow', (p) => p.window.openNow],
  ['window.opensAt', (p) => p.window.opensAt],
  ['window.closesAt', (p) => p.window.closesAt],
];

/** The merged plan of the jobs (in merge order, each with its label); undefined when no job wrote a plan. */
export function mergeFleetPlans(jobs: ReadonlyArray<{ job: string; report: FleetReport }>): FleetPlan | undefined {
  const planned = jobs.flatMap(({ job, report }) => (report.plan ? [{ job, plan: report.plan }] : []));
  const first = planned[0];
  if (!first) return undefined;
  const differs: PlanDifference[] = [];
  if (planned.length < jobs.length) {
    // A job without a plan (written by an older version): its devices have no scope here.
    differs.push({ field: 'plan', values: jobs.map(({ job, report }) => ({ job, value: report.plan !== undefined })) });
  }
  for (const [field, get] of SCOPE_FIELDS) {
    const values = planned.map(({ job, plan }) => ({ job, value: get(plan) }));
    if (values.some((v) => v.value !== values[0]?.value)) differs.push({ field, values });
  }
  const pairs: string[][] = [];
  const seen = new Set<string>();
  for (const pair of planned.flatMap(({ plan }) => plan.failoverPairs)) {
    const key = [...pair].sort().join('\n');
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push(pair);
  }
  return {
    ...first.plan,
    devices: planned.reduce((n, { plan }) => n + plan.devices, 0),
    order: planned.flatMap(({ plan }) => plan.order),
    canaries: planned.flatMap(({ plan }) => plan.canaries),
    failoverPairs: pairs,
    merged: { jobs: planned.map(({ job }) => job), differs },
  };
}
