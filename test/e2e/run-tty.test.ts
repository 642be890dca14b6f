/**
 * End to end, the terminal form of `asa-mailguard run`: under a pseudo-terminal (util-linux `script`) progress is a
 * listr2 tree, one task per device with its steps as subtasks; the run ends (no task left waiting) with the same
 * exit code as in plain mode. Skipped where `script` is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { labInventoryYaml } from '../../src/lab/inventory-out.js';
import { startTestLab, writeKnownHosts } from '../helpers/lab.js';
import { CLI, tempDir } from './apply-helpers.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

const lab = await startTestLab(
  [
    { name: 't-1', dialect: 'asa9' },
    { name: 't-bad', dialect: 'asa8', faults: { errorAt: [/^no inspect esmtp/] } },
    { name: 't-3', dialect: 'pix6' },
  ],
  { smtp: true },
);
const dir = tempDir('mg-run-tty-');
writeFileSync(join(dir, 'inv.yaml'), labInventoryYaml({ devices: lab.devices }));
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

describe.skipIf(!hasScript)('asa-mailguard run in a terminal', () => {
  it('draws a task per device with its steps; a failed device keeps its steps; exit code as in plain mode', async () => {
    const cmd = `stty cols 160 rows 60; '${process.execPath}' '${CLI}' run pb.yaml`;
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, TERM: 'xterm' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no end in a terminal:\n${out}`));
      }, 40_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, out });
      });
    });
    const text = out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
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
});
