#!/usr/bin/env -S node --
// `node --`: Node 20 reads its own --env-file (and exits 9 on a missing file) even after the script path unless a
// `--` comes first (nodejs/node#54232); our flags must reach us.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { register as registerApply } from './cli/commands/apply.js';
import { register as registerBackups } from './cli/commands/backups.js';
import { register as registerDemo } from './cli/commands/demo.js';
import { register as registerDetect } from './cli/commands/detect.js';
import { register as registerLab } from './cli/commands/lab.js';
import { register as registerProbe } from './cli/commands/probe.js';
import { register as registerReport } from './cli/commands/report.js';
import { register as registerRollback } from './cli/commands/rollback.js';
import { register as registerRun } from './cli/commands/run.js';
import { register as registerWizard } from './cli/commands/wizard.js';
import { addTimeHelp } from './cli/option-parsers.js';
import { reportError } from './cli/run-action.js';
import { ExitCode, MailguardError } from './errors.js';

/** --json anywhere before a `--`: argument errors are printed as JSON too. */
function wantsJson(): boolean {
  const args = process.argv.slice(2);
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

/** Set by scripts/bundle.mjs in the single-file build, which has no package.json beside it. */
declare const __MAILGUARD_VERSION__: string | undefined;

function version(): string {
  if (typeof __MAILGUARD_VERSION__ === 'string') return __MAILGUARD_VERSION__;
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Every command, by name, in the order `--help` lists them. */
const COMMANDS: Record<string, (program: Command) => void> = {
  probe: registerProbe,
  detect: registerDetect,
  apply: registerApply,
  rollback: registerRollback,
  run: registerRun,
  report: registerReport,
  backups: registerBackups,
  wizard: registerWizard,
  lab: registerLab,
  demo: registerDemo,
};

/**
 * The program with every command, or with `only` that one (the command a process was started for: declaring the
 * other nine is a tenth of an `apply` process's own start-up, and nothing of theirs is used).
 */
export function buildProgram(only?: string): Command {
  const program = new Command('asa-mailguard')
    .description(
      'Detect and safely disable SMTP inspection (Mailguard) on Cisco PIX 6.x / ASA 7.x-9.x, proven from outside.',
    )
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    // With --json an argument error is a JSON document on stdout (below), not text on stderr.
    .configureOutput({
      outputError: (str, write) => (wantsJson() ? undefined : write(str)),
      writeErr: (str) => (wantsJson() ? undefined : process.stderr.write(str)),
    })
    .exitOverride((err) => {
      // Usage errors exit 2 (the documented contract); --help and --version exit 0.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
        process.exit(0);
      }
      if (wantsJson()) {
        const error = new MailguardError('USAGE', err.message.replace(/^error: /, ''), {
          hint: 'Run with --help for usage.',
          details: { reason: err.code },
        });
        process.stdout.write(`${JSON.stringify({ error: error.toJSON() })}\n`);
      }
      process.exit(ExitCode.usage);
    });
  for (const [name, register] of Object.entries(COMMANDS)) if (!only || name === only) register(program);
  addTimeHelp(program);
  return program;
}

// No top-level await: the single-file bundle and the single executable are CommonJS (Node 20's SEA needs it).
async function main(): Promise<void> {
  const first = process.argv[2];
  const program = buildProgram(first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined);
  try {
    if (process.argv.length <= 2) {
      // No command: the wizard in a terminal, the help elsewhere (scripts, pipes).
      if (process.stdin.isTTY && process.stdout.isTTY) await program.parseAsync([...process.argv, 'wizard']);
      else program.outputHelp();
    } else {
      await program.parseAsync(process.argv);
    }
  } catch (e) {
    // An option's own parser refused its value (a time, say) before any action ran: the same words and exit
    // code as an action's error, so `--json` gets {"error":{...}}.
    if (!(e instanceof MailguardError)) throw e;
    process.exitCode = reportError(e, wantsJson());
  }
}

void main();
