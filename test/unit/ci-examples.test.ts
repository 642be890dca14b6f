/**
 * The CI examples of examples/ci (issue #17) are valid for their engines: the GitLab and GitHub files parse as YAML
 * with the keys those engines need, the Kubernetes manifest holds an Indexed Job, every flag they pass exists on
 * the CLI, and the sites playbook splits the example inventory by vantage point (--shard-by group).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { register as registerReport } from '../../src/cli/commands/report.js';
import { register as registerRun } from '../../src/cli/commands/run.js';
import { isMailguardError } from '../../src/errors.js';
import { loadPlaybook, parsePlaybook, resolveFleet, runSettings } from '../../src/playbook/index.js';

const read = (p: string) => readFileSync(new URL(`../../examples/ci/${p}`, import.meta.url), 'utf8');
type Obj = Record<string, unknown>;
const gitlab = parse(read('gitlab-ci.yml')) as Record<string, Obj> & { stages: string[] };
const github = parse(read('github-actions.yml')) as { jobs: Record<string, Obj & { strategy?: { matrix?: Obj } }> };
const k8s = parseAllDocuments(read('kubernetes/mailguard-jobs.yaml')).map((d) => d.toJS() as Obj);
const env = { ASA_USERNAME: 'u', ASA_PASSWORD: 'p', ASA_ENABLE_SECRET: 'e' };

/** The long options each command of the real CLI declares. */
function cliFlags(): Map<string, Set<string>> {
  const program = new Command();
  registerRun(program);
  registerReport(program);
  const flagsOf = (c: Command) => new Set(c.options.map((o) => o.long as string));
  const merge = program.commands.find((c) => c.name() === 'report')?.commands.find((c) => c.name() === 'merge');
  return new Map([
    ['run', flagsOf(program.commands.find((c) => c.name() === 'run') as Command)],
    ['report', flagsOf(merge as Command)],
  ]);
}

/** Every `asa-mailguard.cjs run|report ...` command line of a text, as [command, flags]. */
function invocations(text: string): Array<[string, string[]]> {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return [...flat.matchAll(/asa-mailguard\.cjs (run|report merge)([^"']*?(?:"[^"]*"[^"']*?)*)(?=$|\s-\s|'|\n)/g)].map(
    (m) => [m[1]!.split(' ')[0]!, [...(m[2] ?? '').matchAll(/(--[a-z-]+)/g)].map((x) => x[1]!)],
  );
}

describe('examples/ci', () => {
  it('GitLab: canary, a parallel:matrix shard stage and a merge job, in this order', () => {
    expect(gitlab.stages).toEqual(['build', 'canary', 'shards', 'merge']);
    const script = (job: string) => ((gitlab[job] as Obj).script as string[]).join('\n');
    expect(gitlab.canary?.stage).toBe('canary');
    expect(script('canary')).toContain('--phase canary');
    const shards = gitlab.shards as { stage: string; parallel: { matrix: Obj[] }; script: string[] };
    expect(shards.stage).toBe('shards');
    expect(shards.parallel.matrix.map((m) => m.ASA_MAILGUARD_SHARD)).toEqual(['1/3', '2/3', '3/3']);
    expect(script('shards')).toMatch(/--phase rest --after out\/canary\/canary-result\.json.*--budget-dir/);
    expect(gitlab.merge).toMatchObject({ stage: 'merge', when: 'always' });
    expect(script('merge')).toContain('report merge out');
  });

  it('GitHub Actions: a matrix job per site after the canary, then the merge', () => {
    const { jobs } = github;
    expect(jobs.shards?.needs).toBe('canary');
    const include = jobs.shards?.strategy?.matrix?.include as Array<{ site: string; shard: number }>;
    expect(include.map((x) => x.shard)).toEqual([1, 2, 3]);
    expect(((jobs.shards as Obj).env as Obj).ASA_MAILGUARD_SHARD).toMatch(/^\$\{\{ matrix\.shard \}\}\/3$/);
    expect(jobs.merge).toMatchObject({ needs: ['canary', 'shards'], if: 'always()' });
  });

  it('Kubernetes: an Indexed Job whose completions match --shard auto/N, after a canary Job, then a merge Job', () => {
    const jobs = k8s.filter((d) => d.kind === 'Job') as Array<{
      metadata: { name: string };
      spec: Obj & { template: Obj };
    }>;
    expect(jobs.map((j) => j.metadata.name)).toEqual(['mailguard-canary', 'mailguard-shards', 'mailguard-merge']);
    const indexed = jobs[1]!.spec as {
      completionMode: string;
      completions: number;
      template: { spec: { containers: Array<{ args: string[] }> } };
    };
    expect(indexed.completionMode).toBe('Indexed');
    const args = indexed.template.spec.containers[0]!.args;
    expect(args).toContain(`--shard=auto/${indexed.completions}`);
    expect(args).toContain('--after=/shared/reports/canary/canary-result.json');
    expect(read('kubernetes/Containerfile')).toMatch(
      /^FROM node:20-bookworm-slim\nCOPY dist-bundle\/asa-mailguard\.cjs /m,
    );
  });

  it('every flag the examples pass exists on the CLI', () => {
    const flags = cliFlags();
    const calls = [
      ...invocations(read('gitlab-ci.yml')),
      ...invocations(read('github-actions.yml')),
      ...k8s
        .filter((d) => d.kind === 'Job')
        .map((d) => {
          const args = (d as { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } }).spec.template
            .spec.containers[0]!.args;
          return [args[0]!, args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!)] as [string, string[]];
        }),
    ];
    expect(calls.length).toBe(9);
    for (const [cmd, used] of calls) for (const f of used) expect(flags.get(cmd), `${cmd} ${f}`).toContain(f);
  });

  it('sites.yaml splits the example inventory by vantage point: the HQ pair together, one site per shard', async () => {
    const lp = await loadPlaybook('examples/ci/sites.yaml');
    const settings = runSettings(lp);
    const shard = async (index: number) =>
      (await resolveFleet(lp, { settings, env, shard: { index, total: 3 }, shardBy: 'group' })).targets.map(
        (t) => t.name,
      );
    expect(await shard(1)).toEqual(['fw-hq-a', 'fw-hq-b']);
    expect(await shard(2)).toEqual(['fw-north-1']);
    expect(await shard(3)).toEqual(['fw-south-1']);
    // The pipeline's two stages: the canary job runs fw-hq-a, the HQ shard then only its peer.
    const rest = await resolveFleet(lp, {
      settings,
      env,
      shard: { index: 1, total: 3 },
      shardBy: 'group',
      phase: { kind: 'rest', exclude: ['fw-hq-a'] },
    });
    expect(rest.targets.map((t) => t.name)).toEqual(['fw-hq-b']);
    expect(rest.fleetTotal).toBe(4);
  });

  it('--shard-by group refuses a device no vantage point reaches, one two jobs would change, an unknown group, a count mismatch', async () => {
    const text = read('sites.yaml').replace('../inventory.yaml', 'examples/inventory.yaml');
    const refuse = async (groups: string, total: number) => {
      const lp = parsePlaybook('sites.yaml', text.replace('[hq, branch-north, branch-south]', groups));
      try {
        await resolveFleet(lp, { settings: runSettings(lp), env, shard: { index: 1, total }, shardBy: 'group' });
      } catch (e) {
        if (isMailguardError(e)) return `${e.code}: ${e.message}`;
        throw e;
      }
      throw new Error('not refused');
    };
    expect(await refuse('[hq, branch-north]', 2)).toMatch(/PLAYBOOK_INVALID: .*no vantage point reaches fw-south-1/s);
    expect(await refuse('[hq, branches, branch-south]', 3)).toMatch(/fw-south-1 is in shards.groups entries 2 and 3/);
    expect(await refuse('[[hq, branch-north], branch-south, hqq]', 3)).toMatch(
      /"hqq" is not a group.*did you mean "hq"/s,
    );
    expect(await refuse('[hq, branch-north, branch-south]', 4)).toMatch(/USAGE: shards.groups names 3 vantage points/);
  });
});
