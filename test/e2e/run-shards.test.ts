/**
 * End to end (issue #17 "Done when"): this test plays a CI engine. Stage 1 runs `run --phase canary` as one job;
 * stage 2 starts two shard processes at once, as a Kubernetes Indexed Job starts its pods (JOB_COMPLETION_INDEX
 * 0 and 1, a pod name in HOSTNAME, `--shard auto/2`), both after the canary's result and with one budget folder;
 * stage 3 runs `report merge` over the jobs' report folders. Against the 20-device lab fleet of run-fleet (helper
 * test/helpers/fleet-lab.ts) with two faulty units and the two failover pairs.
 *
 * The playbook is the shipped one with the lab edits (window now, no fw-south-1 probe) and one device at a time per
 * job. Its maxFailures 1 is shared: the hash puts both faulty units in shard 1, so shard 2 has no failure of its
 * own and must stop because shard 1 spent the budget (shard 2 has 11 devices; shard 1 reaches its second fault
 * at its fifth).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { CanaryResult } from '../../src/playbook/canary.js';
import type { MergedFleetReport } from '../../src/playbook/merge.js';
import type { BudgetState } from '../../src/playbook/shared-budget.js';
import { fleetCreds, PAIRS, STANDBY, startFleetLab } from '../helpers/fleet-lab.js';
import { runCli } from './apply-helpers.js';

const { lab, devices, faulty, dir, env } = await startFleetLab(['err', 'drop'], (doc) => doc.set('concurrency', 1));
const SHARDS = 2;
const common = ['--inventory', 'inventory.yaml', '--known-hosts', 'known_hosts', '--save-timeout', '5s'];
const ms = (s: string | null) => Date.parse(s as string);
const inspected = (name: string) => {
  const d = lab.device(name);
  return {
    running: findSmtpInspection(d.runningConfig()).active,
    startup: findSmtpInspection(d.startupConfig()).active,
  };
};

describe('shards as jobs of an engine: canary stage, parallel shards with one budget, merged report', () => {
  it('every device once, pairs in one job, a fleet-wide stop, and the merged report matches the lab', async () => {
    // Stage 1: the canary job.
    const canary = await runCli(
      ['run', 'disable-smtp-inspection.yaml', ...common, '--phase', 'canary', '--report-dir', 'out/canary'],
      { cwd: dir, env, timeoutMs: 40_000 },
    );
    expect(canary.code, `${canary.stdout}\n${canary.stderr}`).toBe(0);
    const resultFile = join(dir, 'out/canary/canary-result.json');
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as CanaryResult;
    expect(result).toMatchObject({ passed: true, devices: [{ name: 'asa9-1', result: 'done' }] });
    expect(canary.stdout).toContain(`next stage: run --phase rest --after ${resultFile}`);

    // The rest refuses a canary of another playbook (one edit is another sha256), before contacting anything.
    writeFileSync(
      join(dir, 'other.yaml'),
      readFileSync(join(dir, 'disable-smtp-inspection.yaml'), 'utf8').replace('concurrency: 1', 'concurrency: 2'),
    );
    const refused = await runCli(
      ['run', 'other.yaml', ...common, '--phase', 'rest', '--after', resultFile, '--shard', '1/2'],
      { cwd: dir, env, timeoutMs: 20_000 },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/CANARY_MISMATCH.*the playbook differs/);

    // Stage 2: the Indexed Job's pods, started together.
    const shards = await Promise.all(
      Array.from({ length: SHARDS }, (_, i) =>
        runCli(
          [
            'run',
            'disable-smtp-inspection.yaml',
            ...common,
            '--phase',
            'rest',
            '--after',
            'out/canary/canary-result.json',
            '--shard',
            `auto/${SHARDS}`,
            '--budget-dir',
            'budget',
            '--report-dir',
            `out/shard-${i}`,
          ],
          {
            cwd: dir,
            env: { ...env, JOB_COMPLETION_INDEX: String(i), HOSTNAME: `mailguard-${i}-x7k2p` },
            timeoutMs: 50_000,
          },
        ),
      ),
    );
    const out = shards.map((s) => `${s.stdout}\n${s.stderr}`).join('\n----\n');
    // Shard 1 rolled its two faulty units back (exit 4); shard 2 had none and was stopped (exit 1: skipped devices).
    expect(
      shards.map((s) => s.code),
      out,
    ).toEqual([4, 1]);
    for (const s of shards) expect(s.stderr).toMatch(/shard \d\/2 from JOB_COMPLETION_INDEX, by hash/);

    // Stage 3: the merge job.
    const merge = await runCli(['report', 'merge', 'out', '--out', 'merged', '--json'], {
      cwd: dir,
      env,
      timeoutMs: 20_000,
    });
    expect(merge.code, merge.stderr).toBe(4);
    const m = JSON.parse(merge.stdout) as MergedFleetReport & {
      files: { json: string; markdown: string; html?: string };
    };
    expect(existsSync(m.files.json) && existsSync(m.files.markdown)).toBe(true);

    // Every device exactly once, nothing missing.
    expect(m.devices.map((d) => d.name).sort()).toEqual(devices.map((d) => d.name).sort());
    expect(m.missing).toBe(0);
    expect(m.fleetTotal).toBe(20);
    const row = (n: string) => m.devices.find((d) => d.name === n)!;

    // Three jobs, each with its vantage point; the shards know they are pods of an Indexed Job.
    expect(m.jobs.map((j) => j.phase)).toEqual(['canary', 'rest', 'rest']);
    for (const [i, j] of m.jobs.slice(1).entries()) {
      expect(j.shard).toEqual({ index: i + 1, total: SHARDS });
      expect(j.vantage).toMatchObject({
        engine: 'kubernetes',
        jobId: `mailguard-${i}-x7k2p`,
        shardSource: 'JOB_COMPLETION_INDEX',
      });
      expect(j.budget).toMatchObject({ shared: true, limit: 1 });
    }
    expect(row('asa9-1')).toMatchObject({ canary: true, result: 'done', ranBy: expect.stringMatching(/^canary @ /) });

    // The units of a pair ran in one job and never at the same time.
    for (const [a, b] of PAIRS) {
      const [x, y] = [row(a), row(b)];
      expect(x.ranBy, `${a}/${b}`).toBe(y.ranBy);
      if (x.startedAt && y.startedAt) {
        expect(ms(x.endedAt) <= ms(y.startedAt) || ms(y.endedAt) <= ms(x.startedAt), `${a}/${b}`).toBe(true);
      } else {
        // A unit without a start was skipped (the budget stop), not silently left out of the overlap check.
        for (const r of [x, y].filter((u) => !u.startedAt)) expect(r.result, `${r.name} of ${a}/${b}`).toBe('skipped');
      }
    }

    // The shared budget: both failures counted fleet-wide, spent by shard 1; shard 2 stopped because of it.
    const budgetFile = m.jobs[1]!.budget.location as string;
    const budget = JSON.parse(readFileSync(budgetFile, 'utf8')) as BudgetState;
    expect(budget.failures.map((f) => f.device).sort()).toEqual([...faulty].sort());
    expect(budget.spentBy).toMatch(/^shard 1\/2/);
    const shard2 = m.jobs[2]!;
    expect(shard2.summary.failures).toBe(0);
    expect(shard2.stopped?.reason).toBe('failure-budget-exceeded');
    expect(shard2.summary.skipped).toBeGreaterThan(0);
    // No job started a device after it could have seen the budget spent (one read of the file of slack).
    const spent = ms(budget.spentAt);
    for (const d of m.devices) if (d.startedAt) expect(ms(d.startedAt), d.name).toBeLessThan(spent + 1000);
    for (const d of m.devices.filter((x) => x.result === 'skipped'))
      expect(d.skipReason).toBe('failure-budget-exceeded');
    expect(m.stopped?.reason).toBe('failure-budget-exceeded');

    // The merged report matches the devices' state, read from the lab.
    for (const d of m.devices) {
      const s = inspected(d.name);
      if (d.result === 'done') expect(s, d.name).toEqual({ running: false, startup: false });
      else if (d.result === 'rolled-back' || d.result === 'skipped')
        expect(s, d.name).toEqual({ running: true, startup: true });
      else {
        // A standby unit follows its active peer.
        expect(STANDBY, d.name).toContain(d.name);
        const peer = PAIRS.find((p) => p.includes(d.name as never))!.find((n) => n !== d.name)!;
        expect(s, d.name).toEqual(inspected(peer));
      }
    }
    for (const n of faulty) expect(row(n)).toMatchObject({ result: 'rolled-back', exitCode: 4 });
    expect(m.summary).toMatchObject({ total: 20, failures: 2 });

    // The Markdown names each job's vantage point and every device once; no secret anywhere.
    const md = readFileSync(m.files.markdown, 'utf8');
    expect(md).toContain('| shard 2/2 | vm (kubernetes mailguard-1-x7k2p) |'.replace('vm', hostname()));
    for (const d of devices) expect(md.split(`\n| ${d.name} | `).length - 1, d.name).toBe(1);
    // The page: the jobs with their vantage points, every device with the job that ran it.
    const html = readFileSync(m.files.html as string, 'utf8');
    expect(html).toContain('<h2>Jobs</h2>');
    expect(html).toContain('(kubernetes mailguard-0-x7k2p)');
    for (const d of m.devices) expect(html, d.name).toContain(`<b>${d.name}</b>`);
    for (const text of [md, html, merge.stdout, out, canary.stdout]) {
      expect(text).not.toContain(fleetCreds.password);
      expect(text).not.toContain(fleetCreds.enableSecret);
    }
  }, 120_000);
});
