/**
 * `detect --config <folder>` (issue 15): the offline audit of ../shared/reference/real-configs as one CLI process
 * gives, file by file, the same verdict as the single-file detect (run in-process to stay fast), the counts add
 * up, and the exit code is 10 when any config has inspection on (0 otherwise).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectOffline } from '../../src/cli/commands/detect-action.js';
import type { DetectConfigsResult } from '../../src/cli/commands/detect-configs.js';
import { realConfigNames, realConfigsDir } from '../fixtures/load.js';
import { builtCli as cli, ensureBuiltCli } from '../helpers/built-cli.js';

const dir = realConfigsDir();
if (!dir) console.warn('skipping detect --config folder e2e: ../shared/reference/real-configs is absent');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!dir)('detect --config <folder of real configs>', () => {
  beforeAll(() => {
    ensureBuiltCli();
  });

  it('gives the single-file verdict for every file, counts and exit code', async () => {
    const folder = dir as string;
    const r = await run(['detect', '--config', folder, '--json']);
    const all = JSON.parse(r.stdout) as DetectConfigsResult;
    const names = realConfigNames(folder);
    expect(all.files.map((f) => f.target).sort()).toEqual(names.map((n) => join(folder, n)).sort());
    for (const f of all.files) {
      const one = detectOffline(f.target);
      expect({ file: f.target, active: f.inspection.active, findings: f.inspection.findings }).toEqual({
        file: f.target,
        active: one.inspection.active,
        findings: JSON.parse(JSON.stringify(one.inspection.findings)),
      });
      expect(f.warnings).toEqual(one.warnings);
      expect(f.platform).toEqual(JSON.parse(JSON.stringify(one.platform)));
    }
    // SOURCES.md is text but not a config: skipped, not an error.
    expect(all.skipped.map((s) => s.path)).toContain(join(folder, 'SOURCES.md'));
    const inspected = all.files.filter((f) => f.inspection.active).length;
    expect(all.counts).toMatchObject({ files: names.length, inspected, clean: names.length - inspected });
    expect(r.code).toBe(inspected > 0 ? 10 : 0);
  }, 90_000);

  it('prints one table row per config', async () => {
    const folder = dir as string;
    const a = join(folder, realConfigNames(folder)[0] as string);
    const b = join(folder, realConfigNames(folder)[1] as string);
    const r = await run(['detect', '--config', a, b]);
    expect(r.stdout).toMatch(/^CONFIG\s+PLATFORM\s+INSPECTION\s+PLACES\s+WARNINGS/);
    expect(r.stdout).toContain(a);
    expect(r.stdout).toContain(b);
    expect(r.stdout).toMatch(/2 config\(s\): \d+ with SMTP inspection on/);
    expect([0, 10]).toContain(r.code);
  }, 60_000);
});
