/**
 * `asa-mailguard demo`: the whole job against an in-process lab device (declarations only; src/demo.ts, with the
 * lab and the engine, is imported when the command runs).
 */
import type { Command } from 'commander';
import { exitCodeHelp } from '../../errors.js';
import { runAction } from '../run-action.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the whole job against an emulated ASA 9.x on 127.0.0.1: probe, detect, plan, apply, re-probe')
    .option('--keep', 'keep the temporary folder with the backup and change record')
    .addHelpText(
      'after',
      `
Nothing leaves 127.0.0.1: the firewall, the mail server behind it and the outside probe all run in this process.
The temporary folder (backup, change record, known_hosts) is removed at the end, also on Ctrl-C, unless --keep.

Examples:
  $ asa-mailguard demo
  $ asa-mailguard demo --keep

${exitCodeHelp('demo')}`,
    )
    .action(async (o: { keep?: boolean }) => {
      await runAction({ json: false }, async () => {
        const { runDemo } = await import('../../demo.js');
        return runDemo({ keep: Boolean(o.keep) });
      });
    });
}
