/**
 * End to end, the terminal form of `asa-mailguard run`: under a pseudo-terminal (util-linux `script`) progress is a
 * listr2 tree, one task per device with its steps as subtasks; the run ends (no task left waiting) with the same
 * exit code as in plain mode. Skipped where `script` is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { labInventoryYaml } from '../../src/lab/inventory-out.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { startTestLab, writeKnownHosts } from '../helpers/lab.js';
import { CLI, tempDir } from './apply-helpers.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

const lab = await startTestLab(
  [
    { name: 't-1', dialect: 'asa9' },
    { name: 't-bad', dialect: 'asa8', faults: { errorAt: [/^no inspect esmtp/] } },
    { name: 't-3', dialect: 'pix6' },
    // Each in its own run (pb-<name>.yaml): held at `reload` while the run is sent SIGTERM (twice for t-twice).
    { name: 't-reload', dialect: 'asa9', reloadDelaySec: 0.3 },
    { name: 't-twice', dialect: 'asa9', reloadDelaySec: 0.3 },
  ],
  { smtp: true },
);
const dir = tempDir('mg-run-tty-');
const ownRun = ['t-reload', 't-twice'];
writeFileSync(
  join(dir, 'inv.yaml'),
  labInventoryYaml({ devices: lab.devices.filter((d) => !ownRun.includes(d.name)) }),
);
writeKnownHosts(lab, dir);
writeFileSync(
  join(dir, 'pb.yaml'),
  stringify({
    name: 'tty',
    inventory: 'inv.yaml',
    targets: 'all',
    mode: 'disable-smtp-inspection',
    options: { knownHosts: 'known_hosts', reload: 'never' },
    concurrency: 2,
    maxFailures: 2,
  }),
);

for (const name of ownRun) {
  writeFileSync(
    join(dir, `inv-${name}.yaml`),
    labInventoryYaml({ devices: lab.devices.filter((d) => d.name === name) }),
  );
  writeFileSync(
    join(dir, `pb-${name}.yaml`),
    stringify({
      name: `tty-${name}`,
      inventory: `inv-${name}.yaml`,
      targets: 'all',
      mode: 'disable-smtp-inspection',
      options: { knownHosts: 'known_hosts', reload: 'after-save' },
    }),
  );
}

const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/**
 * `run PLAYBOOK` under `script` (160x60). The shell writes its pid to cli.pid and execs node, so that pid is the
 * CLI's own (a signal to `script` would not reach it as a person's would). `seen` waits for screen text.
 */
function runInTerminal(playbook: string) {
  const cmd = `stty cols 160 rows 60; echo $$ > cli.pid; exec '${process.execPath}' '${CLI}' run ${playbook}`;
  const child = spawn('script', ['-qec', cmd, '/dev/null'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, TERM: 'xterm' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    for (const w of [...waiters]) w();
  });
  const end = new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end in a terminal:\n${strip(out).slice(-4000)}`));
    }, 40_000);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, out });
    });
  });
  const seen = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!re.test(strip(out))) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
      void end.then(() => reject(new Error(`ended before ${re}:\n${strip(out).slice(-4000)}`)), reject);
    });
  return { end, seen };
}

describe.skipIf(!hasScript)('asa-mailguard run in a terminal', () => {
  it('draws a task per device with its steps; a failed device keeps its steps; exit code as in plain mode', async () => {
    const { code, out } = await runInTerminal('pb.yaml').end;
    const text = strip(out);
    // The last frames (the tree's final state and the summary) go into every failure message.
    const tail = text.slice(-4000);
    expect(code, tail).toBe(4);
    for (const re of [
      /Fleet: 3\/3 finished, 0 running, 0 queued/,
      /✔ t-1 \(canary\): done, verified/,
      /t-bad: rolled-back \(exit 4\)/,
      // The failed device's steps stay on screen, the failed one marked.
      /✖ Apply the commands/,
      /✔ Roll back/,
      /✔ t-3: done, verified/,
      /Result: 3 devices: 2 done, 1 rolled back; exit 4/,
    ]) {
      expect(text, tail).toMatch(re);
    }
  }, 45_000);

  it('a device stopped by SIGTERM while it reloads is drawn interrupted, as the table says: no failure mark', async () => {
    const { code, text, tail } = await sigtermWhileReloading('t-reload', 1);
    expect(code, tail).toBe(143);
    // The live tree: the device ends skipped-style with the record's words; neither it nor its reload step was
    // ever drawn failed.
    expect(text, tail).toMatch(
      /↓ t-reload( \(canary\))?: interrupted \(exit 143\).*: (\[TERMINATED\] )?running changed, startup changed, no rollback/,
    );
    expect(text, tail).toMatch(/↓ Reload and wait for the device: interrupted\r?\n/);
    expect(text, tail).not.toContain('✖');
    // The announcement was drawn at once, in the tree (listr2 holds stderr back until it is done): the lab's hold on
    // `reload` was released only once it was on screen.
    expect(text, tail).toMatch(
      /Fleet: 0\/1 finished, 1 running, 0 queued\r?\n\s+SIGTERM received: stopping the fleet run/,
    );
    // The final table says the same.
    expect(text, tail).toMatch(/t-reload .* interrupted\*? \(143\) .*running changed, startup changed, no rollback/);
    expect(text, tail).toMatch(/Result: 1 devices: 1 interrupted \(changed and saved\); exit 143\r?\n/);
    // As the record says: the change was saved and the device came back on it.
    expect(findSmtpInspection(lab.device('t-reload').startupConfig()).active).toBe(false);
  }, 45_000);

  it('a second SIGTERM says on the terminal what is left behind before it quits (listr2 holds stderr back)', async () => {
    const { code, text, tail } = await sigtermWhileReloading('t-twice', 2);
    expect(code, tail).toBe(143);
    expect(text, tail).toMatch(/SIGTERM received again: quitting now\. Devices still running keep what they hold now/);
  }, 45_000);
});

/**
 * `run pb-<name>.yaml` in a terminal with the lab holding the device's `reload`; SIGTERM once it is held. With one
 * signal the hold is released once the stop is on screen and the run ends on its own; a second signal (after the
 * stop is on screen) makes it quit while `reload` is still held. Returns once the run ended and the device is up.
 */
async function sigtermWhileReloading(name: string, signals: 1 | 2) {
  const dev = lab.device(name);
  const held = new Promise<string>((resolve) => dev.on('held', resolve));
  dev.setFaults({ holdAt: [/^reload$/] });
  const run = runInTerminal(`pb-${name}.yaml`);
  try {
    await Promise.race([held, run.end.then((r) => Promise.reject(new Error(strip(r.out).slice(-4000))))]);
    sigterm();
    await run.seen(/received: stopping/);
    if (signals === 2) {
      sigterm();
      await run.end;
    }
  } finally {
    dev.setFaults({});
    dev.release();
  }
  const { code, out } = await run.end;
  if (!dev.isUp()) await dev.waitUp(30_000);
  const text = strip(out);
  return { code, text, tail: text.slice(-4000) };
}

/** SIGTERM to the CLI itself (its pid from cli.pid), as `kill` or a CI runner sends it. */
function sigterm(): void {
  process.kill(Number(readFileSync(join(dir, 'cli.pid'), 'utf8')), 'SIGTERM');
}
