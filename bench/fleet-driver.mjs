// Bench-only stand-in for `asa-mailguard run PLAYBOOK` while that command is not in the build: the same library
// calls (loadPlaybook -> runSettings -> resolveFleet -> runFleet with the engine runner -> writeFleetReport), no
// rendering. Run as its own process by fleet.mjs, like the CLI. Usage: node bench/fleet-driver.mjs PLAYBOOK
import { distImport } from './lab.mjs';

const { engineDeviceRunner, loadPlaybook, resolveFleet, runFleet, runSettings, writeFleetReport } =
  await distImport('playbook/index.js');

const lp = await loadPlaybook(process.argv[2]);
const settings = runSettings(lp);
const fleet = await resolveFleet(lp, { settings, env: process.env });
const report = await runFleet(fleet.targets, engineDeviceRunner({ settings }), {
  concurrency: settings.concurrency,
  canary: settings.canary,
  maxFailures: settings.maxFailures,
  window: settings.window,
  now: () => new Date(),
  expectedDurationMs: settings.expectedDurationMs,
  meta: { playbook: lp.playbook.name, mode: lp.playbook.mode },
});
await writeFleetReport(report, settings.reportDir);
process.exitCode = report.exitCode;
