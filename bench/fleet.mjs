// The fleet at scale: `asa-mailguard run examples/lab-fleet.yaml` (a new process, as a user runs it) against N
// lab devices served by another process. Wall time, devices/s, and the tool's peak RSS and CPU time (reported by
// bench/usage-hook.mjs from inside the tool process), beside the lab's CPU time over the same run.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI, distImport, HOOK, knownHosts, ROOT, readUsage, startLab } from './lab.mjs';
import { round } from './stats.mjs';

const YAML = createRequire(join(ROOT, 'package.json'))('yaml');

/**
 * Run the tool; stdout goes to `outFile` when given (as `run --json > run.jsonl` in CI): process.stdout to a pipe is
 * synchronous on Linux, so a reader slow to drain it (this bench, on a loaded machine) would stall the tool.
 */
function runTool(args, env, outFile) {
  return new Promise((resolve) => {
    const stdout = outFile ? openSync(outFile, 'w') : 'pipe';
    const child = spawn(process.execPath, args, { stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, ...env } });
    if (typeof stdout === 'number') closeSync(stdout);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-20_000);
    });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** The shipped lab-fleet playbook with this run's inventory, known_hosts, concurrency and output folders. */
function playbookFor(dir, concurrency) {
  const pb = YAML.parse(readFileSync(join(ROOT, 'examples', 'lab-fleet.yaml'), 'utf8'));
  pb.inventory = join(dir, 'inventory.yaml');
  pb.concurrency = concurrency;
  pb.reportDir = join(dir, 'reports');
  pb.options = { ...pb.options, knownHosts: join(dir, 'known_hosts'), backupDir: join(dir, 'backups') };
  const file = join(dir, 'playbook.yaml');
  writeFileSync(file, YAML.stringify(pb));
  return file;
}

export async function fleetBench({ devices, concurrency, work, nodeArgs = [] }) {
  const dir = join(work, `fleet-${devices}`);
  mkdirSync(dir, { recursive: true });
  const { labInventoryYaml } = await distImport('lab/inventory-out.js');
  const lab = await startLab({ devices });
  try {
    writeFileSync(join(dir, 'inventory.yaml'), labInventoryYaml({ devices: lab.devices }), { mode: 0o600 });
    // The playbook's policy is accept-new; known keys make it the steady state of a real fleet (strict check).
    writeFileSync(join(dir, 'known_hosts'), knownHosts(lab.devices));
    const playbook = playbookFor(dir, concurrency);
    const usageFile = join(dir, 'tool-usage.json');
    const labBefore = await lab.usage();
    const t0 = performance.now();
    const cmd = [CLI, 'run', playbook, '--json'];
    const r = await runTool(
      [...nodeArgs, '--import', HOOK, ...cmd],
      { BENCH_USAGE_FILE: usageFile },
      join(dir, 'run.jsonl'),
    );
    const wallS = (performance.now() - t0) / 1000;
    const labAfter = await lab.usage();
    const tool = await readUsage(usageFile);
    const reports = readdirSync(join(dir, 'reports')).filter((f) => f.endsWith('.json'));
    const report = reports.length ? JSON.parse(readFileSync(join(dir, 'reports', reports[0]), 'utf8')) : null;
    const done = report ? report.summary.done + report.summary['nothing-to-do'] : null;
    if (r.code !== 0 || done !== devices) {
      process.stderr.write(`fleet of ${devices}: exit ${r.code}, ${done} done\n${r.err.slice(-1500)}\n`);
    }
    const labCpuS = labBefore && labAfter ? labAfter.cpuS - labBefore.cpuS : null;
    return {
      devices,
      concurrency,
      wallS: round(wallS, 1),
      devicesPerS: round(devices / wallS, 1),
      peakRssMB: tool ? round(tool.maxRssMB, 0) : null,
      // extra keys: where the CPU went (2 cores are shared by the tool and the lab)
      toolCpuS: tool ? round(tool.cpuS, 1) : null,
      labCpuS: round(labCpuS, 1),
      toolCpuMsPerDevice: tool ? round((tool.cpuS * 1000) / devices, 0) : null,
      // the tool alone: devices per CPU-second of the tool, the rate with one free core for it (its work is one thread)
      toolOnlyDevicesPerS: tool ? round(devices / tool.cpuS, 1) : null,
      exitCode: r.code,
      done,
      // other load on the machine during the run (the lab and the tool are 2 of these)
      loadAvg1m: round(os.loadavg()[0], 1),
      via: 'asa-mailguard run',
    };
  } finally {
    await lab.stop();
  }
}
