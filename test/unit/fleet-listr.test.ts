/**
 * run's terminal tree (FleetListrRenderer) with the real listr2 default renderer drawing into a stream that says it is
 * a terminal: how a step stopped by a signal and its device are drawn, by how the device ends. The pty test
 * (test/e2e/run-tty.test.ts) covers the `interrupted` ending through the built CLI and the lab; this covers the
 * other two endings of a stop, which need no device: rolled back (keeps its failure mark, its rollback drawn) and
 * cancelled before anything was sent (`skipped`, no failure mark).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FleetListrRenderer } from '../../src/cli/render/fleet-listr.js';
import type { DeviceEvent, DeviceOutcome, FleetTarget } from '../../src/playbook/index.js';

/** A stream listr2 draws on as on a 160-column terminal; keeps everything written, escapes stripped. */
class Screen extends Writable {
  text = '';
  isTTY = true;
  columns = 160;
  rows = 60;
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    done();
  }
}

const at = new Date('2026-11-30T23:00:00Z');
const outcome = (o: Partial<DeviceOutcome>): DeviceOutcome => ({
  result: 'done',
  exitCode: 0,
  startedAt: at,
  endedAt: new Date(at.getTime() + 2000),
  platform: null,
  before: null,
  after: null,
  backupPath: null,
  reportPath: null,
  ...o,
});
const stop = { error: 'Interrupted by SIGTERM.', code: 'TERMINATED' };

describe('run in a terminal: a device stopped by a signal', () => {
  it('rolled back: the stopped step keeps ✖ and the rollback is drawn; cancelled: ↓ skipped, no ✖', async () => {
    const screen = new Screen();
    const r = new FleetListrRenderer({ out: screen as unknown as NodeJS.WritableStream });
    const targets = ['rolled', 'cancelled'].map((name) => ({ name }) as FleetTarget);
    // listr2 picks its terminal renderer only when process.stdout is a terminal.
    const wasTty = process.stdout.isTTY;
    process.stdout.isTTY = true;
    try {
      r.start({
        playbook: 'p',
        playbookFile: 'p.yaml',
        mode: 'disable-smtp-inspection',
        dryRun: false,
        targets,
        concurrency: 2,
        canary: 0,
        maxFailures: 1,
        window: 'always',
        windowNote: 'open',
        shard: null,
        otherShards: 0,
      });
    } finally {
      process.stdout.isTTY = wasTty;
    }
    const ev = (name: string, event: DeviceEvent) => r.event({ type: 'device:event', name, event });
    for (const name of ['rolled', 'cancelled']) r.event({ type: 'device:start', name, at, canary: false });
    // rolled: stopped in the apply step, then a real rollback (it logs its cause) and the record.
    ev('rolled', { type: 'step:start', step: 'apply', title: 'Apply the commands' });
    ev('rolled', { type: 'step:failed', step: 'apply', title: 'Apply the commands', ...stop });
    ev('rolled', { type: 'step:start', step: 'rollback', title: 'Roll back' });
    ev('rolled', { type: 'log', line: 'cause: TERMINATED: Interrupted by SIGTERM.', level: 'warn' });
    ev('rolled', { type: 'step:done', step: 'rollback', title: 'Roll back', detail: '5 commands sent' });
    r.event({
      type: 'device:end',
      name: 'rolled',
      outcome: outcome({ result: 'rolled-back', exitCode: 143, errorCode: 'TERMINATED', message: stop.error }),
    });
    // cancelled: stopped while connecting, nothing sent.
    ev('cancelled', { type: 'step:start', step: 'connect', title: 'Connect and log in' });
    ev('cancelled', { type: 'step:failed', step: 'connect', title: 'Connect and log in', ...stop });
    r.event({
      type: 'device:end',
      name: 'cancelled',
      outcome: outcome({ result: 'skipped', exitCode: 143, errorCode: 'TERMINATED', message: stop.error }),
    });
    await r.finish();
    const text = screen.text;
    const tail = text.slice(-3000);
    // A failed device with its steps open is drawn with listr2's ❯ (its steps below), never ↓ or ✔.
    expect(text, tail).toMatch(/❯ rolled: rolled-back \(exit 143\)/);
    expect(text, tail).not.toMatch(/[↓✔] rolled:/);
    expect(text, tail).toMatch(/✖ Apply the commands/);
    expect(text, tail).toMatch(/✔ Roll back: 5 commands sent/);
    expect(text, tail).toMatch(/↓ cancelled: skipped \(exit 143\)/);
    expect(text, tail).not.toMatch(/✖ (cancelled|Connect and log in)/);
  });
});
