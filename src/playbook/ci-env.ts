/**
 * What a job engine tells a job about itself: which shard it is (`--shard auto`, or no flag) and where it runs
 * (the vantage point shown in the merged fleet report). Read from environment variables only:
 * - Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based); the total is not in the environment, so it comes from
 *   `--shard auto/N` or ASA_MAILGUARD_SHARD_TOTAL.
 * - GitLab CI `parallel:` (also `parallel:matrix`): CI_NODE_INDEX (1-based) and CI_NODE_TOTAL.
 * - Anything else (GitHub Actions matrix, AWX, Jenkins, a shell loop): the tool's own ASA_MAILGUARD_SHARD=i/n.
 */
import { hostname } from 'node:os';
import { MailguardError } from '../errors.js';
import { parseShard, type Shard } from './shard.js';

/** The tool's own variables (documented in docs/ci-shards.md). */
export const SHARD_ENV = 'ASA_MAILGUARD_SHARD';
export const SHARD_TOTAL_ENV = 'ASA_MAILGUARD_SHARD_TOTAL';
export const RUN_ID_ENV = 'ASA_MAILGUARD_RUN_ID';

export type ShardSource = 'flag' | typeof SHARD_ENV | 'JOB_COMPLETION_INDEX' | 'CI_NODE_INDEX';

export interface ShardChoice extends Shard {
  /** Where the index came from. */
  source: ShardSource;
}

type Env = Record<string, string | undefined>;

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

function whole(name: string, v: string, min: number): number {
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < min) {
    throw new MailguardError('USAGE', `${name}="${v}" is not a whole number >= ${min}`, {
      hint: `Check what the job engine sets in ${name}.`,
    });
  }
  return n;
}

/** The index (1-based) and, where the engine says it, the total, from the first engine variable that is set. */
function fromEnv(env: Env): { index: number; total: number | null; source: ShardSource } | null {
  const own = env[SHARD_ENV];
  if (set(own)) {
    const s = parseShard(own);
    return { ...s, source: SHARD_ENV };
  }
  const k8s = env.JOB_COMPLETION_INDEX;
  if (set(k8s)) {
    const total = env[SHARD_TOTAL_ENV];
    return {
      index: whole('JOB_COMPLETION_INDEX', k8s, 0) + 1,
      total: set(total) ? whole(SHARD_TOTAL_ENV, total, 1) : null,
      source: 'JOB_COMPLETION_INDEX',
    };
  }
  const gl = env.CI_NODE_INDEX;
  if (set(gl)) {
    const total = env.CI_NODE_TOTAL;
    return {
      index: whole('CI_NODE_INDEX', gl, 1),
      total: set(total) ? whole('CI_NODE_TOTAL', total, 1) : null,
      source: 'CI_NODE_INDEX',
    };
  }
  return null;
}

/**
 * The shard this job runs: `--shard i/n` as given; `--shard auto` or `auto/N`, or no flag at all, from the
 * engine's variables. undefined: no flag and no engine variable (the whole fleet). A flag `auto` with no variable
 * set, a total that disagrees with N, or an index without a total are usage errors: a job must never silently
 * run the whole fleet (or another job's share) because the engine said less than expected.
 */
export function resolveShard(flag: string | undefined, env: Env): ShardChoice | undefined {
  const auto = flag === undefined ? null : /^\s*auto\s*(?:\/\s*(\S+)\s*)?$/.exec(flag);
  if (flag !== undefined && !auto) return { ...parseShard(flag), source: 'flag' };
  const given = auto?.[1] !== undefined ? whole('--shard auto/N', auto[1], 1) : null;
  const e = fromEnv(env);
  if (!e) {
    if (flag === undefined) return undefined;
    throw new MailguardError(
      'USAGE',
      `--shard ${flag.trim()}: no job engine variable is set (${SHARD_ENV}, JOB_COMPLETION_INDEX or CI_NODE_INDEX)`,
      { hint: `Run it as a job of the engine, set ${SHARD_ENV}=i/n, or give --shard i/n.` },
    );
  }
  if (e.total !== null && given !== null && e.total !== given) {
    throw new MailguardError(
      'USAGE',
      `--shard auto/${given} disagrees with the job engine: ${e.source} says ${e.total} shards`,
      { hint: 'Give the number of parallel jobs the pipeline starts, or --shard auto alone.' },
    );
  }
  const total = e.total ?? given;
  if (total === null) {
    throw new MailguardError('USAGE', `${e.source} is set but the number of shards is not known`, {
      hint: `Give --shard auto/N (N = the Job's completions) or set ${SHARD_TOTAL_ENV}=N.`,
    });
  }
  if (e.index > total) {
    throw new MailguardError('USAGE', `${e.source} gives shard ${e.index} of ${total}: out of range`, {
      hint: 'The number of shards must equal the number of parallel jobs (completions, parallel: N).',
    });
  }
  return { index: e.index, total, source: e.source };
}

/** Where a shard ran: the machine and the engine's job, for the merged report. No secrets. */
export interface VantagePoint {
  host: string;
  engine: 'kubernetes' | 'gitlab' | 'github' | null;
  /** The engine's id of this job (GitLab CI_JOB_ID, GitHub run/job/attempt, the Kubernetes pod name). */
  jobId: string | null;
}

export function vantagePoint(env: Env): VantagePoint {
  const host = hostname();
  if (set(env.GITLAB_CI) || set(env.CI_JOB_ID)) return { host, engine: 'gitlab', jobId: env.CI_JOB_ID ?? null };
  if (set(env.GITHUB_ACTIONS)) {
    const run = [env.GITHUB_RUN_ID, env.GITHUB_JOB, env.GITHUB_RUN_ATTEMPT].filter(set).join('/');
    return { host, engine: 'github', jobId: run || null };
  }
  // In a pod HOSTNAME is the pod's name (job name + index + random suffix).
  if (set(env.JOB_COMPLETION_INDEX) || set(env.KUBERNETES_SERVICE_HOST)) {
    return { host, engine: 'kubernetes', jobId: env.HOSTNAME ?? host };
  }
  return { host, engine: null, jobId: null };
}

/**
 * One id for every job of one pipeline run (keys the shared failure budget): the tool's own variable, else the
 * engine's pipeline/run id. null when nothing says it.
 */
export function pipelineRunId(env: Env): string | null {
  if (set(env[RUN_ID_ENV])) return env[RUN_ID_ENV].trim();
  if (set(env.CI_PIPELINE_ID)) return `gitlab-${env.CI_PIPELINE_ID}`;
  if (set(env.GITHUB_RUN_ID)) return `github-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`;
  return null;
}
