/**
 * The pieces of issue #17 on their own: the shard a job engine gives (ci-env.ts), the failure budget shared through
 * a file by several processes (shared-budget.ts), the canary result check (canary.ts) and `report merge`'s
 * refusals (merge.ts). The whole pipeline against the lab is test/e2e/run-shards.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isMailguardError } from '../../src/errors.js';
import { auditCounts } from '../../src/playbook/audit.js';
import { type CanaryResult, checkCanary } from '../../src/playbook/canary.js';
import { resolveShard } from '../../src/playbook/ci-env.js';
import type { FleetPlan } from '../../src/playbook/device-plan.js';
import type { DeviceRecord, FleetReport, WindowSpec } from '../../src/playbook/index.js';
import { mergeFleetReports } from '../../src/playbook/merge.js';
import { fleetReportMarkdown } from '../../src/playbook/report.js';
import { SharedFailureBudget } from '../../src/playbook/shared-budget.js';
import { ensureBuiltCli, repoRoot } from '../helpers/built-cli.js';

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (isMailguardError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'ok';
};

describe('resolveShard: the shard from the flag or the job engine', () => {
  it.each([
    // [flag, env, expected]
    ['2/4', {}, { index: 2, total: 4, source: 'flag' }],
    ['auto/3', { JOB_COMPLETION_INDEX: '0' }, { index: 1, total: 3, source: 'JOB_COMPLETION_INDEX' }],
    [
      undefined,
      { JOB_COMPLETION_INDEX: '2', ASA_MAILGUARD_SHARD_TOTAL: '3' },
      { index: 3, total: 3, source: 'JOB_COMPLETION_INDEX' },
    ],
    // GitLab counts from 1.
    [undefined, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' }, { index: 1, total: 2, source: 'CI_NODE_INDEX' }],
    ['auto', { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '2' }, { index: 2, total: 2, source: 'CI_NODE_INDEX' }],
    // The tool's own variable wins over the engine's.
    [
      'auto',
      { ASA_MAILGUARD_SHARD: '3/5', CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' },
      { index: 3, total: 5, source: 'ASA_MAILGUARD_SHARD' },
    ],
    // An explicit i/n wins over everything.
    ['1/2', { JOB_COMPLETION_INDEX: '4' }, { index: 1, total: 2, source: 'flag' }],
  ] as const)('--shard %s with %j', (flag, env, want) => {
    expect(resolveShard(flag, env)).toEqual(want);
  });

  it('no flag and no engine variable: the whole fleet', () => {
    expect(resolveShard(undefined, { CI: 'true' })).toBeUndefined();
  });

  it.each([
    ['auto', {}, /USAGE: --shard auto: no job engine variable is set/],
    [undefined, { JOB_COMPLETION_INDEX: '1' }, /JOB_COMPLETION_INDEX is set but the number of shards is not known/],
    [
      'auto/3',
      { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '4' },
      /auto\/3 disagrees with the job engine: CI_NODE_INDEX says 4/,
    ],
    ['auto/2', { JOB_COMPLETION_INDEX: '2' }, /gives shard 3 of 2: out of range/],
    ['auto/2', { JOB_COMPLETION_INDEX: 'x' }, /JOB_COMPLETION_INDEX="x" is not a whole number/],
    ['auto/0', { JOB_COMPLETION_INDEX: '0' }, /--shard auto\/N="0"/],
  ] as const)('--shard %s with %j is refused', (flag, env, want) => {
    expect(codeOf(() => resolveShard(flag, env))).toMatch(want);
  });
});

describe('SharedFailureBudget: one count for every shard', () => {
  const opts = { key: 'k1', maxFailures: 3, limit: 3, fleetTotal: 100 };

  it('several processes counting at once lose no failure (O_EXCL lock + rename)', async () => {
    ensureBuiltCli();
    const dir = await mkdtemp(join(tmpdir(), 'mg-budget-'));
    const mod = pathToFileURL(join(repoRoot, 'dist/playbook/shared-budget.js')).href;
    const worker = (w: number) => `
      const { SharedFailureBudget } = await import(${JSON.stringify(mod)});
      const b = await SharedFailureBudget.open(${JSON.stringify(dir)}, { ...${JSON.stringify(opts)}, shard: 'w${w}' });
      for (let i = 0; i < 15; i++) await b.addFailure('w${w}-dev' + i);
      await b.addFailure('w${w}-dev0');
    `;
    const run = (w: number) =>
      new Promise<number | null>((res) => {
        const p = spawn(process.execPath, ['--input-type=module', '-e', worker(w)], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        p.on('close', res);
      });
    expect(await Promise.all([0, 1, 2, 3].map(run))).toEqual([0, 0, 0, 0]);
    const b = await SharedFailureBudget.open(dir, { ...opts, shard: 'check' });
    const st = await b.state();
    // 4 x 15 distinct devices; the repeated one counted once.
    expect(st.failures).toHaveLength(60);
    expect(new Set(st.failures.map((f) => f.device)).size).toBe(60);
    expect(st.spentBy).toMatch(/^w\d$/);
    expect(await b.failures()).toBe(60);
    expect(JSON.parse(await readFile(b.file, 'utf8')).failures).toHaveLength(60);
    // Generous: ensureBuiltCli may have to build first.
  }, 120_000);

  it('a lock left by a killed job is taken over; a budget of another size is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mg-budget-'));
    const b = await SharedFailureBudget.open(dir, { ...opts, shard: 'a' });
    await writeFile(`${b.file}.lock`, 'dead:1:x');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${b.file}.lock`, old, old);
    expect(await b.addFailure('fw1')).toBe(1);
    await expect(SharedFailureBudget.open(dir, { ...opts, limit: 5, shard: 'b' })).rejects.toThrow(
      /allows 3 of 100 devices; this job counts 5 of 100/,
    );
  });
});

const W: WindowSpec = {
  kind: 'absolute',
  start: new Date('2026-11-28T21:00:00Z'),
  end: new Date('2026-11-29T03:00:00Z'),
};
const canary: CanaryResult = {
  tool: 'asa-mailguard',
  kind: 'canary-result',
  format: 1,
  passed: true,
  runId: 'r1',
  playbook: 'p',
  playbookSha256: 'aa',
  inventorySha256: 'bb',
  changeId: 'CHG-1',
  mode: 'disable-smtp-inspection',
  dryRun: false,
  devices: [{ name: 'fw1', result: 'done', exitCode: 0 }],
  startedAt: '2026-11-28T21:05:00Z',
  endedAt: '2026-11-28T21:06:00Z',
  window: '',
  windowClosesAt: '2026-11-29T03:00:00.000Z',
  report: null,
};
const same = {
  playbookSha256: 'aa',
  inventorySha256: 'bb',
  changeId: 'CHG-1',
  dryRun: false,
  window: W,
  now: new Date('2026-11-28T22:00:00Z'),
};

describe('checkCanary: the rest runs only after a passed canary of the same run, in the same window', () => {
  it.each([
    ['the same run, an hour later', canary, same, 'ok'],
    ['another playbook', canary, { ...same, playbookSha256: 'cc' }, /CANARY_MISMATCH: .*the playbook differs/],
    ['another inventory', canary, { ...same, inventorySha256: null }, /CANARY_MISMATCH: .*the inventory differs/],
    [
      'another change',
      canary,
      { ...same, changeId: 'CHG-2' },
      /CANARY_MISMATCH: .*change id differs \(CHG-1 vs CHG-2\)/,
    ],
    [
      'a failed canary',
      { ...canary, passed: false, devices: [{ name: 'fw1', result: 'rolled-back', exitCode: 4 }] },
      same,
      /CANARY_NOT_PASSED: the canary did not pass \(fw1\)/,
    ],
    ['a dry-run canary before a change', { ...canary, dryRun: true }, same, /CANARY_NOT_PASSED: .*dry-run canary/],
    ['after the window closed', canary, { ...same, now: new Date('2026-11-29T03:00:01Z') }, /CANARY_EXPIRED/],
    ['from an earlier window', { ...canary, windowClosesAt: '2026-11-22T03:00:00.000Z' }, same, /CANARY_EXPIRED/],
  ] as const)('%s', (_, c, x, want) => {
    expect(codeOf(() => checkCanary(c as CanaryResult, 'canary-result.json', x))).toMatch(want);
  });
});

function report(over: Partial<FleetReport>, names: string[]): FleetReport {
  const dev = (name: string): DeviceRecord => ({
    name,
    host: '127.0.0.1',
    port: 22,
    transport: 'ssh',
    canary: false,
    result: 'done',
    exitCode: 0,
    startedAt: '2026-11-28T21:10:00Z',
    endedAt: '2026-11-28T21:11:00Z',
    durationMs: 60_000,
    platform: null,
    before: null,
    after: null,
    backupPath: null,
    reportPath: null,
    message: null,
    errorCode: null,
    skipReason: null,
    failoverPeer: null,
    hostname: null,
    serial: null,
    audit: null,
  });
  const devices = names.map(dev);
  return {
    playbook: 'p',
    playbookFile: 'p.yaml',
    mode: 'disable-smtp-inspection',
    changeId: 'CHG-1',
    shard: null,
    dryRun: false,
    playbookSha256: 'aa',
    inventorySha256: 'bb',
    phase: 'rest',
    runId: 'r1',
    fleetTotal: 4,
    vantage: {
      host: 'runner',
      engine: 'gitlab',
      jobId: '7',
      shardSource: 'CI_NODE_INDEX',
      shardBy: 'hash',
      groups: null,
    },
    startedAt: '2026-11-28T21:10:00Z',
    endedAt: '2026-11-28T21:11:00Z',
    window: 'w',
    concurrency: 2,
    canary: 0,
    maxFailures: 1,
    budget: { shared: true, location: '/b', limit: 1, failures: 0 },
    stopped: null,
    timeZone: 'UTC',
    provenance: null,
    // As the engine writes it; the merge recounts from the devices anyway.
    audit: auditCounts(devices),
    summary: {
      total: devices.length,
      failures: 0,
      done: devices.length,
      'nothing-to-do': 0,
      'rolled-back': 0,
      failed: 0,
      interrupted: 0,
      skipped: 0,
    },
    exitCode: 0,
    devices,
    ...over,
  };
}

describe('mergeFleetReports', () => {
  const c = report({ phase: 'canary', canary: 1 }, ['fw1']);
  const s1 = report({ shard: { index: 1, total: 2 } }, ['fw2', 'fw3']);
  const s2 = report({ shard: { index: 2, total: 2 } }, ['fw4']);

  it('one report: the canary job first, each device once with its job, exit 0 when complete', () => {
    const m = mergeFleetReports([
      { file: 's2.json', report: s2 },
      { file: 'c.json', report: c },
      { file: 's1.json', report: s1 },
    ]);
    expect(m.devices.map((d) => [d.name, d.ranBy])).toEqual([
      ['fw1', 'canary @ runner (gitlab 7)'],
      ['fw2', 'shard 1/2 @ runner (gitlab 7)'],
      ['fw3', 'shard 1/2 @ runner (gitlab 7)'],
      ['fw4', 'shard 2/2 @ runner (gitlab 7)'],
    ]);
    expect(m).toMatchObject({ missing: 0, exitCode: 0, budget: { shared: true }, summary: { total: 4, done: 4 } });
  });

  it('a missing shard is never a clean result', () => {
    const m = mergeFleetReports([
      { file: 'c.json', report: c },
      { file: 's1.json', report: s1 },
    ]);
    expect(m).toMatchObject({ missing: 1, exitCode: 1 });
  });

  it.each([
    [130, 'SIGINT'],
    [143, 'SIGTERM'],
    [129, 'SIGHUP'],
  ] as const)('an interrupted shard keeps its signal exit code %i (%s) in the merge', (code, _signal) => {
    const cut = report(
      {
        shard: { index: 2, total: 2 },
        exitCode: code,
        stopped: {
          reason: 'interrupted',
          at: '2026-11-28T21:10:30Z',
          message: 'interrupted: no new device is started',
        },
      },
      ['fw4'],
    );
    cut.devices = cut.devices.map((d) => ({ ...d, result: 'skipped', exitCode: 1, skipReason: 'interrupted' }));
    cut.summary = { ...cut.summary, done: 0, skipped: 1 };
    const m = mergeFleetReports([
      { file: 'c.json', report: c },
      { file: 's1.json', report: s1 },
      { file: 's2.json', report: cut },
    ]);
    expect(m).toMatchObject({ missing: 0, exitCode: code, stopped: { reason: 'interrupted' } });
  });

  it.each([
    ['another inventory', { inventorySha256: 'zz' }, /inventory \(sha256\) differs/],
    ['another change', { changeId: 'CHG-2' }, /change id differs/],
    ['another pipeline run', { runId: 'r2' }, /pipeline run id differs/],
    ['no hashes (an older version)', { playbookSha256: null }, /carries no playbook hash/],
  ] as const)('refuses %s', (_, over, want) => {
    const bad = { ...s2, ...over } as FleetReport;
    expect(
      codeOf(() =>
        mergeFleetReports([
          { file: 's1.json', report: s1 },
          { file: 's2.json', report: bad },
        ]),
      ),
    ).toMatch(new RegExp(`REPORT_MISMATCH: .*${want.source}`));
  });

  it('refuses a device in two reports (a retried job)', () => {
    const again = report({ shard: { index: 1, total: 2 } }, ['fw2']);
    expect(
      codeOf(() =>
        mergeFleetReports([
          { file: 's1.json', report: s1 },
          { file: 'retry.json', report: again },
        ]),
      ),
    ).toMatch(/REPORT_MISMATCH: fw2 is in two reports: retry.json and s1.json/);
  });
});

describe('mergeFleetReports: the plan scope of dry-run jobs', () => {
  const scope = (over: Partial<FleetPlan>, order: string[], pairs: string[][] = []): FleetPlan => ({
    devices: order.length,
    order,
    canaries: order.slice(0, 1),
    concurrency: 2,
    failureBudget: { maxFailures: '50%', limit: 1, shared: false },
    failoverPairs: pairs,
    window: {
      text: 'sat 22:00-04:00 Europe/Berlin',
      timeZone: 'Europe/Berlin',
      openNow: false,
      opensAt: '2026-11-28T21:00:00.000Z',
      opensAtLocal: '2026-11-28T22:00:00+01:00',
      closesAt: '2026-11-29T03:00:00.000Z',
      closesAtLocal: '2026-11-29T04:00:00+01:00',
    },
    expectedPerDevice: '5m 0s',
    ...over,
  });
  const dry = (index: number, names: string[], plan?: FleetPlan) =>
    report({ shard: { index, total: 2 }, dryRun: true, ...(plan ? { plan } : {}) }, names);

  it('shards that agree: one scope, every device and pair in order, nothing differs', () => {
    const m = mergeFleetReports([
      { file: 's2.json', report: dry(2, ['fw4'], scope({}, ['fw4'])) },
      { file: 's1.json', report: dry(1, ['fw2', 'fw3'], scope({}, ['fw3', 'fw2'], [['fw2', 'fw3']])) },
    ]);
    expect(m.plan).toMatchObject({
      devices: 3,
      order: ['fw3', 'fw2', 'fw4'],
      canaries: ['fw3', 'fw4'],
      failoverPairs: [['fw2', 'fw3']],
      concurrency: 2,
      window: { openNow: false, closesAt: '2026-11-29T03:00:00.000Z' },
      merged: { jobs: ['shard 1/2 @ runner (gitlab 7)', 'shard 2/2 @ runner (gitlab 7)'], differs: [] },
    });
  });

  it('names each field the shards disagree on, with every job value, and a job without a plan', () => {
    const open = scope({ failureBudget: { maxFailures: '50%', limit: 0, shared: false } }, ['fw4']);
    open.window = { ...open.window, openNow: true, opensAt: null, opensAtLocal: null };
    const m = mergeFleetReports([
      { file: 's1.json', report: dry(1, ['fw2', 'fw3'], scope({}, ['fw2', 'fw3'])) },
      { file: 's2.json', report: dry(2, ['fw4'], open) },
    ]);
    const [j1, j2] = ['shard 1/2 @ runner (gitlab 7)', 'shard 2/2 @ runner (gitlab 7)'];
    expect(m.plan?.merged?.differs).toEqual([
      {
        field: 'failureBudget.limit',
        values: [
          { job: j1, value: 1 },
          { job: j2, value: 0 },
        ],
      },
      {
        field: 'window.openNow',
        values: [
          { job: j1, value: false },
          { job: j2, value: true },
        ],
      },
      {
        field: 'window.opensAt',
        values: [
          { job: j1, value: '2026-11-28T21:00:00.000Z' },
          { job: j2, value: null },
        ],
      },
    ]);
    const md = fleetReportMarkdown(m);
    expect(md).toContain(`- Failure budget: DIFFERS between jobs: limit ${j1}: 1; ${j2}: 0`);
    expect(md).toContain(`- Window: DIFFERS between jobs: openNow ${j1}: false; ${j2}: true | opensAt ${j1}:`);

    const none = mergeFleetReports([
      { file: 's1.json', report: dry(1, ['fw2'], scope({}, ['fw2'])) },
      { file: 's2.json', report: dry(2, ['fw4']) },
    ]);
    expect(none.plan?.merged?.differs[0]).toEqual({
      field: 'plan',
      values: [
        { job: j1, value: true },
        { job: j2, value: false },
      ],
    });
    expect(fleetReportMarkdown(none)).toContain(`- Plan: DIFFERS between jobs: ${j1}: true; ${j2}: false`);
    // Not a dry run: no plan, as before.
    expect(mergeFleetReports([{ file: 's1.json', report: report({}, ['fw2']) }]).plan).toBeUndefined();
  });
});
