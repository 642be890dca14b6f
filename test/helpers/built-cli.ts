/**
 * The built CLI for e2e tests: `npm test` builds first (CI); a single test file run builds here only when
 * dist/cli.js is missing or older than a tracked source file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const builtCli = join(repoRoot, 'dist', 'cli.js');

export function ensureBuiltCli(): string {
  const newest = Math.max(
    ...execFileSync('git', ['ls-files', 'src'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && existsSync(join(repoRoot, f)))
      .map((f) => statSync(join(repoRoot, f)).mtimeMs),
  );
  if (!existsSync(builtCli) || statSync(builtCli).mtimeMs < newest) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
  }
  return builtCli;
}
