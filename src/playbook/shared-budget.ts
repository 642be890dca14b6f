/**
 * One failure budget for every shard of a fleet run: a small JSON state file in a folder all jobs see (a mounted
 * volume, an NFS or object-store mount). Readers read it without a lock (it is only ever replaced by rename, so a
 * reader sees a whole file); writers take `<file>.lock` with an exclusive create (O_EXCL), read, change, write a
 * temp file and rename it over the state, then drop the lock.
 *
 * Hand-written rather than proper-lockfile: that one locks with mkdir and keeps the lock alive with a timer; this
 * critical section lasts milliseconds, and the O_EXCL-then-rename scheme is the one the issue (and the device
 * lock in change/lock.ts) uses. A lock older than STALE_MS is left by a killed job and is taken over.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MailguardError, systemErrorWords } from '../errors.js';
import type { FailureBudgetStore } from './fleet.js';

export interface BudgetState {
  tool: 'asa-mailguard';
  kind: 'failure-budget';
  format: 1;
  /** Which fleet run this is (playbook, inventory, change, run id). */
  key: string;
  maxFailures: number | string;
  /** Failures allowed before the run stops (maxFailures as a count of fleetTotal). */
  limit: number;
  fleetTotal: number;
  failures: Array<{ device: string; shard: string; at: string }>;
  /** When the count first went past the limit, and which shard saw it. */
  spentAt: string | null;
  spentBy: string | null;
}

export interface SharedBudgetOptions {
  key: string;
  maxFailures: number | string;
  limit: number;
  fleetTotal: number;
  /** This job, e.g. "shard 2/4 on runner-7". */
  shard: string;
  now?: () => Date;
}

const STALE_MS = 15_000;
const WAIT_MS = 30_000;

export class SharedFailureBudget implements FailureBudgetStore {
  readonly location: string;
  private readonly lock: string;

  private constructor(
    readonly file: string,
    private readonly o: SharedBudgetOptions,
  ) {
    this.location = file;
    this.lock = `${file}.lock`;
  }

  /** Open (or create) the budget of run `key` in `dir`; refuses one created with another limit or fleet size. */
  static async open(dir: string, o: SharedBudgetOptions): Promise<SharedFailureBudget> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new MailguardError('BAD_INPUT', `cannot use the budget dir ${dir}: ${systemErrorWords(e)}`, {
        hint: 'Give a folder every job can write (a mounted volume) with --budget-dir or shards.budgetDir.',
      });
    }
    const b = new SharedFailureBudget(join(dir, `failure-budget-${o.key}.json`), o);
    const st = await b.update((s) => s);
    if (st.limit !== o.limit || st.fleetTotal !== o.fleetTotal) {
      throw new MailguardError(
        'BAD_INPUT',
        `the shared failure budget ${b.file} allows ${st.limit} of ${st.fleetTotal} devices; this job counts ${o.limit} of ${o.fleetTotal}`,
        { hint: 'Every shard must run the same playbook, inventory and --limit; or use a fresh --budget-dir.' },
      );
    }
    return b;
  }

  async failures(): Promise<number> {
    return ((await this.read()) ?? this.fresh()).failures.length;
  }

  async addFailure(device: string): Promise<number> {
    const st = await this.update((s) => {
      if (!s.failures.some((f) => f.device === device)) {
        s.failures.push({ device, shard: this.o.shard, at: this.now().toISOString() });
      }
      if (s.failures.length > s.limit && !s.spentAt) {
        s.spentAt = this.now().toISOString();
        s.spentBy = this.o.shard;
      }
      return s;
    });
    return st.failures.length;
  }

  async state(): Promise<BudgetState> {
    return (await this.read()) ?? this.fresh();
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }

  private fresh(): BudgetState {
    return {
      tool: 'asa-mailguard',
      kind: 'failure-budget',
      format: 1,
      key: this.o.key,
      maxFailures: this.o.maxFailures,
      limit: this.o.limit,
      fleetTotal: this.o.fleetTotal,
      failures: [],
      spentAt: null,
      spentBy: null,
    };
  }

  private async read(): Promise<BudgetState | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const s = JSON.parse(text) as BudgetState;
    if (s.kind !== 'failure-budget' || !Array.isArray(s.failures)) {
      throw new MailguardError('BAD_INPUT', `${this.file} is not a failure budget file`, {
        hint: 'Point --budget-dir at a folder of its own.',
      });
    }
    return s;
  }

  /** Read-modify-write under the lock; the new state replaces the file by rename. */
  private async update(change: (s: BudgetState) => BudgetState): Promise<BudgetState> {
    const release = await this.acquire();
    try {
      const next = change((await this.read()) ?? this.fresh());
      const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(`${JSON.stringify(next, null, 2)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      return next;
    } finally {
      await release();
    }
  }

  private async acquire(): Promise<() => Promise<void>> {
    const token = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      try {
        const fh = await open(this.lock, 'wx', 0o600);
        try {
          await fh.writeFile(token);
        } finally {
          await fh.close();
        }
        return async () => {
          // Only our own lock: a stale-lock takeover elsewhere must not lose its lock to us.
          try {
            if ((await readFile(this.lock, 'utf8')) === token) await unlink(this.lock);
          } catch {
            // Already gone.
          }
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      await this.breakIfStale();
      if (Date.now() > deadline) {
        throw new MailguardError('BAD_INPUT', `the failure budget lock ${this.lock} was held for ${WAIT_MS / 1000} s`, {
          hint: `If no job of this run is alive, remove ${this.lock}.`,
        });
      }
      // Another job holds it for a few milliseconds: retry soon, at a random offset so writers do not collide.
      await delay(2 + Math.floor(Math.random() * 10));
    }
  }

  private async breakIfStale(): Promise<void> {
    try {
      const st = await stat(this.lock);
      if (Date.now() - st.mtimeMs > STALE_MS) await unlink(this.lock);
    } catch {
      // Released meanwhile.
    }
  }
}
