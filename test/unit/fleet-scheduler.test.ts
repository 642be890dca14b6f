// The fleet scheduler with a virtual clock and a scripted DeviceRunner (a scheduler unit test: no devices needed).
// Overlaps are checked from the recorded start/end timestamps, as the e2e test will do.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MailguardError } from '../../src/errors.js';
import {
  type DeviceRecord,
  type DeviceResult,
  type DeviceRunner,
  type FleetEvent,
  type FleetOptions,
  type FleetTarget,
  failureBudget,
  fleetReportMarkdown,
  runFleet,
  type WindowSpec,
  writeFleetReport,
} from '../../src/playbook/index.js';

const T0 = Date.parse('2026-11-28T21:00:00Z');
const MIN = 60_000;

/** Virtual time: sleeps resolve only when the driver advances the clock to them. */
class VirtualClock {
  t = T0;
  private timers: Array<{ at: number; fire: () => void }> = [];
  now = () => new Date(this.t);
  sleep(ms: number): Promise<void> {
    return new Promise((fire) => this.timers.push({ at: this.t + ms, fire }));
  }
  /** Run `p` to completion, advancing the clock to the next timer whenever everything else is waiting. */
  async drive<T>(p: Promise<T>): Promise<T> {
    let settled = false;
    p.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    while (!settled) {
      // One macrotask turn lets every pending promise continuation run first.
      await new Promise((r) => setImmediate(r));
      if (settled) break;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift();
      if (!next) throw new Error('deadlock: the scheduler waits but no device is running');
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
    return p;
  }
}

interface Script {
  ms: number;
  result?: DeviceResult;
  exitCode?: number;
  throws?: MailguardError;
}

function target(name: string, failoverPeer: string | null = null): FleetTarget {
  return {
    name,
    connect: {
      host: '127.0.0.1',
      port: 2200,
      transport: 'ssh',
      username: 'admin',
      password: 'S3cret-Pw',
      enableSecret: 'En-Secret',
    },
    groups: ['all'],
    failoverPeer,
    probe: null,
  };
}

function scripted(clock: VirtualClock, script: Record<string, Script>, calls: string[] = []): DeviceRunner {
  return async (t, signal, emit) => {
    calls.push(t.name);
    const s = script[t.name] ?? { ms: 10 * MIN };
    const startedAt = clock.now();
    emit({ type: 'step:start', step: 'connect' });
    await clock.sleep(s.ms);
    if (s.throws) throw s.throws;
    const result = s.result ?? 'done';
    emit({ type: result === 'done' ? 'step:done' : 'step:failed', step: 'verify', error: 'x' } as never);
    return {
      result,
      exitCode: s.exitCode ?? (result === 'done' || result === 'nothing-to-do' ? 0 : 4),
      startedAt,
      endedAt: clock.now(),
      platform: 'ASA 9.8(4)10 (asa9)',
      before: 'inspected',
      after: result === 'done' ? 'clean' : 'inspected',
      backupPath: `/backups/${t.name}/running.cfg`,
      reportPath: `/reports/${t.name}.md`,
      message: signal.aborted ? 'finished after interrupt' : undefined,
    };
  };
}

function opts(clock: VirtualClock, o: Partial<FleetOptions> = {}): FleetOptions {
  return {
    concurrency: 1,
    canary: 0,
    maxFailures: 100,
    window: { kind: 'always' },
    now: clock.now,
    expectedDurationMs: 10 * MIN,
    ...o,
  };
}

const ms = (iso: string | null) => Date.parse(iso!);
function overlaps(a: DeviceRecord, b: DeviceRecord): boolean {
  return ms(a.startedAt) < ms(b.endedAt) && ms(b.startedAt) < ms(a.endedAt);
}
function maxParallel(recs: DeviceRecord[]): number {
  const started = recs.filter((r) => r.startedAt);
  return Math.max(
    0,
    ...started.map(
      (r) => started.filter((o) => ms(o.startedAt) <= ms(r.startedAt) && ms(o.endedAt) > ms(r.startedAt)).length,
    ),
  );
}

describe('runFleet', () => {
  it('keeps to the concurrency limit and records start/end per device', async () => {
    const clock = new VirtualClock();
    const targets = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => target(n));
    const r = await clock.drive(runFleet(targets, scripted(clock, {}), opts(clock, { concurrency: 2 })));
    expect(r.devices.map((d) => d.result)).toEqual(Array(6).fill('done'));
    expect(maxParallel(r.devices)).toBe(2);
    expect(r.exitCode).toBe(0);
    expect(r.endedAt).toBe(new Date(T0 + 30 * MIN).toISOString());
    expect(r.devices[0]).toMatchObject({
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + 10 * MIN).toISOString(),
      durationMs: 10 * MIN,
    });
  });

  it('runs canaries one at a time before the rest', async () => {
    const clock = new VirtualClock();
    const targets = ['c1', 'c2', 'x', 'y', 'z'].map((n) => target(n));
    const r = await clock.drive(runFleet(targets, scripted(clock, {}), opts(clock, { concurrency: 3, canary: 2 })));
    const [c1, c2, ...rest] = r.devices;
    expect(c1!.canary && c2!.canary).toBe(true);
    expect(ms(c2!.startedAt)).toBeGreaterThanOrEqual(ms(c1!.endedAt));
    for (const d of rest) expect(ms(d.startedAt)).toBeGreaterThanOrEqual(ms(c2!.endedAt));
    expect(maxParallel(rest)).toBe(3);
  });

  it('a failing canary stops the run: nothing else starts', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const targets = ['c1', 'c2', 'x', 'y'].map((n) => target(n));
    const events: FleetEvent[] = [];
    const r = await clock.drive(
      runFleet(
        targets,
        scripted(clock, { c2: { ms: 5 * MIN, result: 'rolled-back', exitCode: 5 } }, calls),
        opts(clock, { concurrency: 4, canary: 2, maxFailures: 10, onEvent: (e) => events.push(e) }),
      ),
    );
    expect(calls).toEqual(['c1', 'c2']);
    expect(r.devices.map((d) => [d.name, d.result, d.skipReason])).toEqual([
      ['c1', 'done', null],
      ['c2', 'rolled-back', null],
      ['x', 'skipped', 'canary-failed'],
      ['y', 'skipped', 'canary-failed'],
    ]);
    expect(r.stopped?.reason).toBe('canary-failed');
    expect(r.exitCode).toBe(5);
    expect(events.filter((e) => e.type === 'fleet:stop')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'device:event').length).toBeGreaterThanOrEqual(4);
  });

  it('stops starting devices once failures exceed maxFailures; running ones finish', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const names = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];
    const script = { d2: { ms: 2 * MIN, result: 'failed' as const }, d3: { ms: 3 * MIN, result: 'failed' as const } };
    const r = await clock.drive(
      runFleet(
        names.map((n) => target(n)),
        scripted(clock, script, calls),
        opts(clock, { concurrency: 3, maxFailures: 1 }),
      ),
    );
    // d1..d3 start together; d2 fails at 2 min (1 failure: within budget) -> d4 starts; d3 fails at 3 min (2 > 1): stop.
    expect(calls).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(r.stopped?.reason).toBe('failure-budget-exceeded');
    expect(r.devices.find((d) => d.name === 'd1')!.result).toBe('done');
    expect(r.devices.find((d) => d.name === 'd4')!.result).toBe('done');
    expect(r.devices.filter((d) => d.skipReason === 'failure-budget-exceeded').map((d) => d.name)).toEqual([
      'd5',
      'd6',
      'd7',
    ]);
    expect(r.summary).toMatchObject({ total: 7, done: 2, failed: 2, skipped: 3, failures: 2 });
    expect(r.exitCode).toBe(4);
  });

  it('a shared budget: failures of other shards stop this one; the percentage counts the whole fleet', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    // The other shards' failures as the shared file would show them: one before this run, three once b has started.
    let others = 1;
    const added: string[] = [];
    const store = {
      location: '/mnt/budget/failure-budget-x.json',
      failures: async () => others + added.length,
      addFailure: async (d: string) => {
        added.push(d);
        return others + added.length;
      },
    };
    const targets = ['a', 'b', 'c', 'd'].map((n) => target(n));
    const runner = scripted(clock, {}, calls);
    const r = await clock.drive(
      runFleet(
        targets,
        async (t, signal, emit) => {
          if (t.name === 'b') others = 3;
          return runner(t, signal, emit);
        },
        // 10% of a 20-device fleet is 2 (of this shard's 4 it would be 0).
        opts(clock, { maxFailures: '10%', budgetStore: store, budgetTotal: 20 }),
      ),
    );
    expect(calls).toEqual(['a', 'b']);
    expect(r.stopped).toMatchObject({ reason: 'failure-budget-exceeded' });
    expect(r.stopped?.message).toMatch(
      /3 failures fleet-wide \(0 in this run\) exceed the shared maxFailures 10% \(2 of 20\)/,
    );
    for (const d of r.devices.slice(2))
      expect(d).toMatchObject({ result: 'skipped', skipReason: 'failure-budget-exceeded' });
    expect(r.budget).toEqual({ shared: true, location: store.location, limit: 2, failures: 3 });
  });

  it('a shared budget that cannot be read starts nothing more', async () => {
    const clock = new VirtualClock();
    const store = {
      location: '/gone/failure-budget-x.json',
      failures: async () => {
        throw new Error('EIO');
      },
      addFailure: async () => 0,
    };
    const r = await clock.drive(
      runFleet([target('a')], scripted(clock, {}), opts(clock, { maxFailures: 0, budgetStore: store })),
    );
    expect(r.devices[0]).toMatchObject({ result: 'skipped', skipReason: 'budget-unavailable' });
    expect(r.stopped?.message).toMatch(/\/gone\/failure-budget-x\.json cannot be used: EIO/);
    expect(r.exitCode).toBe(1);
  });

  it('maxFailures as a percentage of the targets', () => {
    expect(failureBudget('10%', 20)).toBe(2);
    expect(failureBudget('10%', 5)).toBe(0);
    expect(failureBudget('100%', 7)).toBe(7);
    expect(failureBudget(3, 100)).toBe(3);
  });

  it('never runs both units of a failover pair at the same time', async () => {
    const clock = new VirtualClock();
    const targets = [
      target('a1', 'a2'),
      target('a2', 'a1'),
      target('b1', 'b2'),
      target('b2', 'b1'),
      target('s1'),
      target('s2'),
    ];
    const script = { a1: { ms: 7 * MIN }, a2: { ms: 3 * MIN }, b1: { ms: 4 * MIN }, b2: { ms: 9 * MIN } };
    const r = await clock.drive(runFleet(targets, scripted(clock, script), opts(clock, { concurrency: 4 })));
    const rec = (n: string) => r.devices.find((d) => d.name === n)!;
    expect(overlaps(rec('a1'), rec('a2'))).toBe(false);
    expect(overlaps(rec('b1'), rec('b2'))).toBe(false);
    // The pair's second unit waits, but others fill the slots meanwhile.
    expect(overlaps(rec('a1'), rec('b1'))).toBe(true);
    expect(ms(rec('s1').startedAt)).toBe(T0);
    expect(maxParallel(r.devices)).toBeLessThanOrEqual(4);
    expect(r.exitCode).toBe(0);
  });

  it('starts no device whose expected duration would cross the window end', async () => {
    const clock = new VirtualClock();
    const window: WindowSpec = { kind: 'absolute', start: new Date(T0), end: new Date(T0 + 25 * MIN) };
    const calls: string[] = [];
    const r = await clock.drive(
      runFleet(
        ['a', 'b', 'c', 'd'].map((n) => target(n)),
        scripted(clock, {}, calls),
        opts(clock, { window, expectedDurationMs: 10 * MIN }),
      ),
    );
    expect(calls).toEqual(['a', 'b']);
    expect(r.devices.map((d) => d.skipReason)).toEqual([
      null,
      null,
      'would-cross-window-end',
      'would-cross-window-end',
    ]);
    expect(r.exitCode).toBe(7);
  });

  it('when the window closes, no new device starts and the running ones finish', async () => {
    const clock = new VirtualClock();
    const window: WindowSpec = { kind: 'absolute', start: new Date(T0), end: new Date(T0 + 25 * MIN) };
    const calls: string[] = [];
    // Expected 5 min, but each takes 10: the third starts at 20 min (fits on paper) and ends at 30, past the end.
    const r = await clock.drive(
      runFleet(
        ['a', 'b', 'c', 'd', 'e'].map((n) => target(n)),
        scripted(clock, {}, calls),
        opts(clock, { window, expectedDurationMs: 5 * MIN }),
      ),
    );
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(r.devices[2]).toMatchObject({ result: 'done', endedAt: new Date(T0 + 30 * MIN).toISOString() });
    expect(r.devices.slice(3).map((d) => d.skipReason)).toEqual(['window-closed', 'window-closed']);
    expect(r.stopped?.reason).toBe('window-closed');
    expect(r.exitCode).toBe(7);
  });

  it('a runner that throws counts as failed with the error code', async () => {
    const clock = new VirtualClock();
    const err = new MailguardError('AUTH_FAILED', 'login failed for a');
    const r = await clock.drive(
      runFleet([target('a'), target('b')], scripted(clock, { a: { ms: MIN, throws: err } }), opts(clock)),
    );
    expect(r.devices[0]).toMatchObject({
      result: 'failed',
      exitCode: 3,
      errorCode: 'AUTH_FAILED',
      message: 'login failed for a',
    });
    expect(r.devices[1]!.result).toBe('done');
    expect(r.exitCode).toBe(3);
  });

  it('an interrupt lets the running device finish and starts nothing else (exit 130)', async () => {
    const clock = new VirtualClock();
    const ac = new AbortController();
    const calls: string[] = [];
    const runner = scripted(clock, {}, calls);
    const r = await clock.drive(
      runFleet(
        ['a', 'b', 'c'].map((n) => target(n)),
        async (t, s, e) => {
          const p = runner(t, s, e);
          ac.abort();
          return p;
        },
        opts(clock, { signal: ac.signal }),
      ),
    );
    expect(calls).toEqual(['a']);
    expect(r.devices[0]).toMatchObject({ result: 'done', message: 'finished after interrupt' });
    expect(r.devices.slice(1).map((d) => d.skipReason)).toEqual(['interrupted', 'interrupted']);
    expect(r.exitCode).toBe(130);
  });

  it('the report of an interrupted run carries the signal’s own code (SIGTERM: 143), as the process exits', async () => {
    const clock = new VirtualClock();
    const ac = new AbortController();
    const runner = scripted(clock, {}, []);
    const r = await clock.drive(
      runFleet(
        ['a', 'b'].map((n) => target(n)),
        async (t, s, e) => {
          const p = runner(t, s, e);
          ac.abort(new MailguardError('TERMINATED', 'Interrupted by SIGTERM.', { details: { signal: 'SIGTERM' } }));
          return p;
        },
        opts(clock, { signal: ac.signal }),
      ),
    );
    expect(r.devices[1]?.skipReason).toBe('interrupted');
    expect(r.exitCode).toBe(143);
  });

  it('a signal with no device left to start: the report carries the code of the device it stopped (143), not 1', async () => {
    const clock = new VirtualClock();
    const ac = new AbortController();
    const runner = scripted(clock, { a: { ms: MIN, result: 'interrupted', exitCode: 143 } }, []);
    const r = await clock.drive(
      runFleet(
        [target('a')],
        async (t, s, e) => {
          const p = runner(t, s, e);
          ac.abort(new MailguardError('TERMINATED', 'Interrupted by SIGTERM.', { details: { signal: 'SIGTERM' } }));
          return p;
        },
        opts(clock, { signal: ac.signal }),
      ),
    );
    expect(r.stopped).toBeNull();
    expect(r.devices[0]).toMatchObject({ result: 'interrupted', exitCode: 143 });
    expect(r.summary).toMatchObject({ interrupted: 1, failures: 0 });
    expect(r.exitCode).toBe(143);
  });

  it('exit 0 only when every device is done or had nothing to do; the worst device code otherwise', async () => {
    const clock = new VirtualClock();
    const ok = await clock.drive(
      runFleet([target('a'), target('b')], scripted(clock, { b: { ms: MIN, result: 'nothing-to-do' } }), opts(clock)),
    );
    expect(ok.exitCode).toBe(0);
    const mixed = await clock.drive(
      runFleet(
        [target('a'), target('b'), target('c')],
        scripted(clock, {
          a: { ms: MIN, result: 'failed', exitCode: 4 },
          b: { ms: MIN, result: 'rolled-back', exitCode: 5 },
          c: { ms: MIN, result: 'failed', exitCode: 6 },
        }),
        opts(clock),
      ),
    );
    expect(mixed.exitCode).toBe(6);
    const skipped = await clock.drive(
      runFleet([target('a')], scripted(clock, { a: { ms: MIN, result: 'skipped', exitCode: 0 } }), opts(clock)),
    );
    expect(skipped.exitCode).toBe(1);
  });
});

describe('fleet report', () => {
  it('Markdown table and JSON (0600) list every device without secrets', async () => {
    const clock = new VirtualClock();
    const targets = [target('fw-1'), target('fw-2'), target('fw-3')];
    const r = await clock.drive(
      runFleet(targets, scripted(clock, { 'fw-2': { ms: MIN, result: 'rolled-back', exitCode: 5 } }), {
        ...opts(clock, { maxFailures: 0 }),
        meta: {
          playbook: 'Disable | test',
          mode: 'disable-smtp-inspection',
          changeId: 'CHG-1',
          playbookFile: 'p.yaml',
          shard: { index: 1, total: 2 },
        },
      }),
    );
    const md = fleetReportMarkdown(r);
    expect(md).toContain(
      '| device | platform | before | after | result | started | ended | backup | change record | note |',
    );
    expect(md).toContain('| fw-1 | ASA 9.8(4)10 (asa9) | inspected | clean | done |');
    expect(md).toContain('| fw-2 | ASA 9.8(4)10 (asa9) | inspected | inspected | rolled-back (exit 5) |');
    expect(md).toMatch(/\| fw-3 \| - \| - \| - \| skipped \(exit 1\) \|.*failure budget/);
    expect(md).toContain('# Fleet report: Disable | test');
    expect(md).toContain('Stopped early');

    const dir = await mkdtemp(join(tmpdir(), 'mg-fleet-'));
    try {
      const paths = await writeFleetReport(r, join(dir, 'reports'));
      expect(paths.json).toMatch(/fleet-20261128T210000Z-shard1of2\.json$/);
      for (const p of [paths.json, paths.markdown]) {
        expect((await stat(p)).mode & 0o777).toBe(0o600);
        const text = await readFile(p, 'utf8');
        expect(text).not.toContain('S3cret-Pw');
        expect(text).not.toContain('En-Secret');
      }
      const json = JSON.parse(await readFile(paths.json, 'utf8'));
      expect(json.devices).toHaveLength(3);
      expect(json.devices[1]).toMatchObject({
        name: 'fw-2',
        result: 'rolled-back',
        backupPath: '/backups/fw-2/running.cfg',
        reportPath: '/reports/fw-2.md',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
