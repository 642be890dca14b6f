import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and e2e tests open real sockets and child processes; keep CI on 2 cores predictable.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // In-process changes take their device locks here, not in the per-user state folder of whoever runs the tests
    // (one folder per test process: lock-dir-setup.ts).
    env: { MAILGUARD_LOCK_DIR: join(tmpdir(), `asa-mailguard-test-locks-${process.pid}`) },
    setupFiles: ['test/helpers/lock-dir-setup.ts'],
  },
});
