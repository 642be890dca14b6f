/**
 * End to end: `report merge` of `run --dry-run` shards writes the implementation plan's scope for the whole change,
 * as a single dry run does: every shard's devices in order (job by job), canaries, failover pairs, and the scope
 * fields the shards agree on; a field they disagree on (here: shard 2 ran with `--concurrency 2`) is named with
 * each job's value. In JSON (`plan`), Markdown, HTML and CSV. Against the 20-device lab fleet (two failover pairs),
 * read only: a dry run changes nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MergedFleetReport } from '../../src/playbook/merge.js';
import { FLEET_RUN, PAIRS, startFleetLab } from '../helpers/fleet-lab.js';
import { runCli } from './apply-helpers.js';

const { devices, dir, env } = await startFleetLab([], () => undefined);
const NAMES = devices.map((d) => d.name);
type Files = { json: string; markdown: string; html: string; csv: string };
type Report = MergedFleetReport & { files: Files };
const reportLine = (stdout: string) =>
  JSON.parse(
    stdout
      .trim()
      .split('\n')
      .find((l) => l.startsWith('{"type":"report"')) as string,
  ) as Report;

describe('report merge of dry-run shards: the plan scope of the whole change', () => {
  it('all devices in order, canaries, pairs and the agreed scope; the field that differs is named', async () => {
    const shards = await Promise.all(
      [1, 2].map((i) =>
        runCli(
          [
            ...FLEET_RUN,
            '--dry-run',
            '--shard',
            `${i}/2`,
            ...(i === 2 ? ['--concurrency', '2'] : []),
            '--report-dir',
            `out/shard-${i}`,
            '--json',
          ],
          { cwd: dir, env, timeoutMs: 90_000 },
        ),
      ),
    );
    for (const s of shards) expect(s.code, `${s.stdout.slice(-2000)}\n${s.stderr}`).toBe(0);
    const [one, two] = shards.map((s) => reportLine(s.stdout)) as [Report, Report];
    expect(one.plan?.concurrency).toBe(4);
    expect(two.plan?.concurrency).toBe(2);

    const merge = await runCli(['report', 'merge', 'out', '--out', 'merged', '--json'], {
      cwd: dir,
      env,
      timeoutMs: 30_000,
    });
    expect(merge.code, merge.stderr).toBe(0);
    const m = JSON.parse(merge.stdout) as Report;
    // The file says what stdout says.
    expect((JSON.parse(readFileSync(m.files.json, 'utf8')) as Report).plan).toEqual(m.plan);

    const plan = m.plan;
    expect(plan, 'the merged report carries the plan scope').toBeDefined();
    if (!plan) return;
    // Every device once, shard by shard in each shard's own order (its canary first).
    expect(plan.order).toEqual([...(one.plan?.order ?? []), ...(two.plan?.order ?? [])]);
    expect([...plan.order].sort()).toEqual([...NAMES].sort());
    expect(plan.devices).toBe(20);
    expect(plan.canaries).toEqual([...(one.plan?.canaries ?? []), ...(two.plan?.canaries ?? [])]);
    expect(plan.canaries).toHaveLength(2);
    expect(plan.failoverPairs.map((p) => [...p].sort().join('+')).sort()).toEqual(
      PAIRS.map((p) => [...p].sort().join('+')).sort(),
    );
    // What both agree on is kept as is.
    expect(plan.failureBudget).toEqual(one.plan?.failureBudget);
    expect(plan.expectedPerDevice).toBe(one.plan?.expectedPerDevice);
    expect(plan.window).toMatchObject({ text: one.plan?.window.text, timeZone: 'UTC', openNow: true });
    // What differs is named, with each job's value.
    expect(plan.merged?.jobs).toEqual([
      expect.stringMatching(/^shard 1\/2 @ /),
      expect.stringMatching(/^shard 2\/2 @ /),
    ]);
    expect(plan.merged?.differs).toEqual([
      {
        field: 'concurrency',
        values: [
          { job: plan.merged?.jobs[0], value: 4 },
          { job: plan.merged?.jobs[1], value: 2 },
        ],
      },
    ]);

    // The same scope in the Markdown and on the page; each device's plan below it; the CSV's plan columns.
    const md = readFileSync(m.files.markdown, 'utf8');
    const [j1, j2] = plan.merged?.jobs ?? [];
    for (const text of [md, readFileSync(m.files.html, 'utf8').replace(/&#39;|&quot;|&amp;/g, '')]) {
      expect(text).toContain('Implementation and back-out plan');
      expect(text).toContain(`${j1}; ${j2} (each job planned its own devices)`);
      expect(text).toContain(`20, in this order (job by job): ${plan.order.join(', ')}`);
      expect(text).toContain(`DIFFERS between jobs: ${j1}: 4; ${j2}: 2`);
      expect(text).toContain(`${plan.canaries.join(', ')} first in their jobs`);
      expect(text).toMatch(/hq-a \+ hq-b|hq-b \+ hq-a/);
      expect(text).toContain(`maxFailures ${plan.failureBudget.maxFailures} (${plan.failureBudget.limit} allowed`);
    }
    for (const n of NAMES) expect(md.split(`\n### ${n}\n`).length - 1, n).toBe(1);
    const csv = readFileSync(m.files.csv, 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/,planned_commands,inverse_commands,backout_command$/);
    expect(csv).toHaveLength(21);
    expect(csv.find((l) => l.startsWith('pix6-1,'))).toContain('no fixup protocol smtp');
    expect(csv.find((l) => l.startsWith('asa9-1,'))).toContain('no inspect esmtp');
  }, 150_000);
});
