// `npm run bench` (issue #8): the tool's cost per device against a bare-ssh2 floor, the fleet at scale, and the
// probe against its round trips. Prints a table, then one JSON line (also written to bench/results.json).
//   npm run bench                 full run (20 runs each, fleets of 100 and 500 devices)
//   npm run bench -- --quick      small version (under a minute)
//   options: --runs N  --fleet 100,500  --concurrency 50  --no-fleet  --out FILE
//            --startup-only (only start-up and apply as a process beside Ansible)  --ansible-runs N
// Plain JS over the built tool (dist/, or BENCH_DIST) so it runs on Node 20 without a TypeScript loader.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configReadBench } from './config-read.mjs';
import { changeOnce, cliStartOnce, detectCliOnce, detectLines, detectOnce } from './device.mjs';
import { fleetBench } from './fleet.mjs';
import { DETECT_LINES, floorOnce, floorSsh1Once, PIX_DETECT_LINES } from './floor.mjs';
import { knownHosts, ROOT, startLab } from './lab.mjs';
import { probeBench } from './probe-local.mjs';
import { startupBench } from './startup.mjs';
import { median, round, summary } from './stats.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    fleet: { type: 'string' },
    concurrency: { type: 'string', default: '50' },
    'no-fleet': { type: 'boolean', default: false },
    'startup-only': { type: 'boolean', default: false },
    'ansible-runs': { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench', 'results.json') },
  },
});
const quick = args.quick;
const runs = Number(args.runs ?? (quick ? 5 : 20));
const changeRuns = quick ? 3 : runs;
const fleetSizes = args['no-fleet'] ? [] : (args.fleet ?? (quick ? '50' : '100,500')).split(',').map(Number);
const concurrency = Number(args.concurrency);
const startupRuns = quick ? 3 : 10;
const ansibleRuns = Number(args['ansible-runs'] ?? (quick ? 2 : 5));
const log = (line) => process.stderr.write(`${line}\n`);

const work = mkdtempSync(join(os.tmpdir(), 'asa-bench-'));
const startedAt = new Date().toISOString();

/** Floor and detect alternate on the same device, so load from elsewhere on the machine hits both alike. */
async function perDevice() {
  // One device for floor and detect, one for dry runs, one to warm up apply, then a fresh one per apply (an apply
  // changes its device).
  const lab = await startLab({ devices: 3 + changeRuns });
  const kh = join(work, 'known_hosts');
  writeFileSync(kh, knownHosts(lab.devices));
  const [d0, dDry, dWarm, ...fresh] = lab.devices;
  try {
    // Warm-up: first connections pay JIT and module loading on both sides.
    for (let i = 0; i < 2; i++) {
      await floorOnce(d0);
      await detectOnce(d0, kh);
    }
    // The floor must keep sending what detect sends: compare with detect's own transcript.
    const sent = await detectLines(d0, kh);
    const floorLines = DETECT_LINES.filter((l) => l.send !== '<secret>').map((l) => l.send);
    const floorMatchesDetect = JSON.stringify(sent) === JSON.stringify([...floorLines, 'exit']);
    if (!floorMatchesDetect) log(`WARNING: detect now sends ${JSON.stringify(sent)}; update DETECT_LINES in floor.mjs`);
    log(`floor and detect: ${runs} runs each, alternating`);
    const floor = [];
    const detect = [];
    for (let i = 0; i < runs; i++) {
      floor.push(await floorOnce(d0));
      detect.push(await detectOnce(d0, kh));
    }
    log(`detect CLI (new process per run): ${Math.min(runs, 5)} runs`);
    const detectCli = [];
    const cliStart = [];
    for (let i = 0; i < Math.min(runs, 5); i++) {
      detectCli.push(await detectCliOnce(d0, kh));
      cliStart.push(await cliStartOnce());
    }
    log(`dry run and apply (no reload, no probe): ${changeRuns} runs each`);
    const backups = join(work, 'backups');
    mkdirSync(backups);
    await changeOnce(dWarm, kh, backups, false); // warm-up: the engine's first run pays JIT
    const dry = [];
    const apply = [];
    for (let i = 0; i < changeRuns; i++) {
      dry.push(await changeOnce(dDry, kh, backups, true));
      apply.push(await changeOnce(fresh[i], kh, backups, false));
    }
    const stepMedians = (rs) =>
      Object.fromEntries(Object.keys(rs[0].steps).map((k) => [k, median(rs.map((r) => r.steps[k] ?? 0))]));
    return {
      floorMatchesDetect,
      floor: summary(floor),
      detect: summary(detect),
      detectCli: summary(detectCli),
      cliStart: summary(cliStart),
      dryRun: summary(dry.map((r) => r.ms)),
      apply: summary(apply.map((r) => r.ms)),
      applySteps: stepMedians(apply),
      dryRunSteps: stepMedians(dry),
    };
  } finally {
    await lab.stop();
  }
}

/** The same pair over SSH-1.5 against the lab's pix6: the tool's Ssh1Client on a bare socket, and detect. */
async function perDeviceSsh1() {
  const lab = await startLab({ devices: 1, dialect: 'pix6' });
  const kh = join(work, 'known_hosts_ssh1');
  writeFileSync(kh, knownHosts(lab.devices));
  const [d] = lab.devices;
  try {
    for (let i = 0; i < 2; i++) {
      await floorSsh1Once(d);
      await detectOnce(d, kh);
    }
    const sent = await detectLines(d, kh);
    const floorLines = PIX_DETECT_LINES.filter((l) => l.send !== '<secret>').map((l) => l.send);
    const matches = JSON.stringify(sent) === JSON.stringify([...floorLines, 'exit']);
    if (!matches) log(`WARNING: detect now sends ${JSON.stringify(sent)} to a PIX; update PIX_DETECT_LINES`);
    log(`ssh1 floor and detect (pix6): ${runs} runs each, alternating`);
    const floor = [];
    const detect = [];
    for (let i = 0; i < runs; i++) {
      floor.push(await floorSsh1Once(d));
      detect.push(await detectOnce(d, kh));
    }
    return { floorMatchesDetect: matches, floor: summary(floor), detect: summary(detect) };
  } finally {
    await lab.stop();
  }
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => String(cell).padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const t0 = Date.now();
const machine = {
  cores: os.availableParallelism?.() ?? os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGB: round(os.totalmem() / 1024 ** 3, 1),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAvg1mAtStart: round(os.loadavg()[0], 2),
};
/** Rows for the start-up comparison: each shipped form's --version and apply, and Ansible's run. */
function startupRows(st) {
  return [
    ...st.forms.flatMap((f) => [
      [`start-up (--version), ${f.name}`, `${f.versionMs.median} ms`, `median of ${f.versionMs.n}`],
      [
        `apply as a process, ${f.name}`,
        `${f.applyMs.median} ms`,
        st.ansible ? `${f.fasterThanAnsible}x faster than Ansible (goal >= 20x)` : `median of ${f.applyMs.n}`,
      ],
    ]),
    [
      'floor: bare ssh2 client as a process, read + change + save only',
      `${st.floor.applyMs.median} ms`,
      st.ansible
        ? `${st.floor.fasterThanAnsible}x faster than Ansible (no Node tool beats it)`
        : `median of ${st.floor.applyMs.n}`,
    ],
    ...(st.goalMs ? [['20x Ansible would be', `${st.goalMs} ms`, 'Ansible median / 20']] : []),
    st.ansible
      ? [
          'Ansible cisco.asa asa_config, same job',
          `${st.ansible.applyMs.median} ms`,
          `median of ${st.ansible.applyMs.n}`,
        ]
      : ['Ansible cisco.asa', 'skipped', st.ansibleSkipped],
  ];
}

if (args['startup-only']) {
  try {
    const startup = await startupBench({ runs: startupRuns, ansibleRuns, work, log });
    process.stdout.write(`\n${table([['measure', 'value', 'note'], ...startupRows(startup)])}\n`);
    process.stdout.write(
      `machine: ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAvg1mAtStart} at start\n`,
    );
    process.stdout.write(`${JSON.stringify({ startup, machine, startedAt })}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

try {
  log('config read: a 10 MB running-config (and 5 and 20 MB for the growth)');
  const configRead = await configReadBench({ mb: 10, runs: quick ? 1 : 3 });
  const dev = await perDevice();
  const ssh1 = await perDeviceSsh1();
  const startup = await startupBench({ runs: startupRuns, ansibleRuns, work, log });
  log('probe of a clean local SMTP server');
  const probe = await probeBench(quick ? 20 : 50);
  const fleet = [];
  for (const n of fleetSizes) {
    log(`fleet: ${n} lab devices, concurrency ${concurrency}`);
    fleet.push(await fleetBench({ devices: n, concurrency, work }));
  }
  const result = {
    floorMs: dev.floor.median,
    detectMs: dev.detect.median,
    detectOverFloor: round(dev.detect.median / dev.floor.median, 2),
    applyMs: dev.apply.median,
    floorSsh1Ms: ssh1.floor.median,
    detectSsh1Ms: ssh1.detect.median,
    detectSsh1OverFloor: round(ssh1.detect.median / ssh1.floor.median, 2),
    dryRunMs: dev.dryRun.median,
    fleet,
    probeMs: probe.probeMs,
    machine,
    // extra keys
    probeRoundTripsMs: probe.roundTripsMs,
    probeRoundTrips: probe.roundTrips,
    probeOverRoundTrips: round(probe.probeMs / probe.roundTripsMs, 2),
    // the fastest runs: least disturbed by other load on a shared machine
    detectOverFloorMin: round(dev.detect.min / dev.floor.min, 2),
    floorMatchesDetect: dev.floorMatchesDetect,
    floorSsh1MatchesDetect: ssh1.floorMatchesDetect,
    detectCliMs: dev.detectCli.median,
    configRead,
    cliStartMs: dev.cliStart.median,
    runs: { floorAndDetect: runs, applyAndDryRun: changeRuns, probe: probe.runs },
    spread: {
      floor: dev.floor,
      detect: dev.detect,
      floorSsh1: ssh1.floor,
      detectSsh1: ssh1.detect,
      apply: dev.apply,
      dryRun: dev.dryRun,
    },
    applyStepsMs: dev.applySteps,
    startup,
    dryRunStepsMs: dev.dryRunSteps,
    quick,
    startedAt,
    benchWallS: round((Date.now() - t0) / 1000, 1),
  };
  const rows = [
    ['measure', 'value', 'note'],
    ['floor (bare ssh2, detect commands)', `${result.floorMs} ms`, `median of ${runs}`],
    [
      'detect per device',
      `${result.detectMs} ms`,
      `${result.detectOverFloor}x floor (goal <= 1.5x); fastest runs ${result.detectOverFloorMin}x`,
    ],
    ['floor over ssh1 (Ssh1Client, PIX commands)', `${result.floorSsh1Ms} ms`, `median of ${runs}, lab pix6`],
    ['detect per device over ssh1', `${result.detectSsh1Ms} ms`, `${result.detectSsh1OverFloor}x the ssh1 floor`],
    ['detect CLI, new process', `${result.detectCliMs} ms`, `of which start-up (--version) ${result.cliStartMs} ms`],
    [
      `config read, ${configRead.configMB} MB`,
      `${configRead.configReadMs} ms`,
      `CPU ${configRead.configReadCpuMs} ms (goal < 1000 ms); growth x2 size: ${configRead.configReadGrowth} (1.0 = linear)`,
    ],
    ['apply (no reload, no probe)', `${result.applyMs} ms`, `median of ${changeRuns}, one fresh device each`],
    ['apply --dry-run', `${result.dryRunMs} ms`, `median of ${changeRuns}`],
    ...startupRows(startup),
    ['probe, clean local server', `${result.probeMs} ms`, `${probe.roundTrips} round trips: ${probe.roundTripsMs} ms`],
    ...fleet.map((f) => [
      `fleet run, ${f.devices} devices, conc. ${f.concurrency}`,
      `${f.wallS} s, ${f.devicesPerS} dev/s`,
      `peak RSS ${f.peakRssMB} MB; CPU tool ${f.toolCpuS} s (${f.toolOnlyDevicesPerS} dev per tool CPU-s), lab ${f.labCpuS} s; load ${f.loadAvg1m}; ${f.done}/${f.devices} done`,
    ]),
  ];
  process.stdout.write(
    `\n${table(rows)}\n\nmachine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB, Node ${machine.node}, load ${machine.loadAvg1mAtStart} at start\n`,
  );
  const line = JSON.stringify(result);
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${line}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
