// Loaded with `node --import ./bench/usage-hook.mjs` into a process the bench starts (the tool or the lab), so
// its CPU time and peak RSS come from the process itself (process.resourceUsage), on any OS, with no change to
// the tool. Writes JSON to $BENCH_USAGE_FILE at exit and, for a snapshot while it runs, on SIGUSR2.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  const write = (suffix) => {
    const u = process.resourceUsage();
    const json = JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, maxRssKB: u.maxRSS });
    writeFileSync(`${file}${suffix}`, json);
  };
  process.on('exit', () => write(''));
  process.on('SIGUSR2', () => write('.snap'));
}
