#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerApply } from './cli/commands/apply.js';
import { register as registerDemo } from './cli/commands/demo.js';
import { register as registerDetect } from './cli/commands/detect.js';
import { register as registerLab } from './cli/commands/lab.js';
import { register as registerProbe } from './cli/commands/probe.js';
import { register as registerRollback } from './cli/commands/rollback.js';
import { register as registerRun } from './cli/commands/run.js';
import { register as registerWizard } from './cli/commands/wizard.js';

/** Set by scripts/bundle.mjs in the single-file build, which has no package.json beside it. */
declare const __MAILGUARD_VERSION__: string | undefined;

function version(): string {
  if (typeof __MAILGUARD_VERSION__ === 'string') return __MAILGUARD_VERSION__;
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('asa-mailguard')
    .description(
      'Detect and safely disable SMTP inspection (Mailguard) on Cisco PIX 6.x / ASA 7.x-9.x, proven from outside.',
    )
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride((err) => {
      // Usage errors exit 2 (the documented contract); --help and --version exit 0.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
        process.exit(0);
      }
      process.exit(2);
    });
  for (const register of [
    registerProbe,
    registerDetect,
    registerApply,
    registerRollback,
    registerRun,
    registerWizard,
    registerLab,
    registerDemo,
  ]) {
    register(program);
  }
  return program;
}

// No top-level await: the single-file bundle and the single executable are CommonJS (Node 20's SEA needs it).
async function main(): Promise<void> {
  const program = buildProgram();
  if (process.argv.length <= 2) {
    // No command: the wizard in a terminal, the help elsewhere (scripts, pipes).
    if (process.stdin.isTTY && process.stdout.isTTY) await program.parseAsync([...process.argv, 'wizard']);
    else program.outputHelp();
  } else {
    await program.parseAsync(process.argv);
  }
}

void main();
