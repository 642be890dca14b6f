/**
 * `asa-mailguard lab`: emulated PIX/ASA devices on 127.0.0.1 for tests and demos.
 * Declarations only (loaded on every start); the emulator (ssh2, smtp-server) is loaded by lab-action.ts when
 * the command runs. FAULT_HELP comes from src/lab/faults.ts, which imports nothing heavy.
 */
import type { Command } from 'commander';
import { exitCodeHelp } from '../../errors.js';
import { FAULT_HELP } from '../../lab/faults.js';
import { choiceOption, collect, timeOption } from '../option-parsers.js';
import { runAction } from '../run-action.js';

/** The telnet login kinds `--telnet-login` takes. */
export const TELNET_LOGINS = ['username-password', 'password-only'] as const;
/** `--reload-delay` 0 to an hour; `--latency` up to 10 minutes (the latency fault's own limit). */
export const LAB_RELOAD_DELAY = { min: 0, max: 3600 };
export const LAB_LATENCY = { min: 0, max: 600_000, whole: true };

export interface LabCliOptions {
  dialect?: string[];
  devices?: string;
  state?: string;
  reloadDelay?: string;
  username?: string;
  password?: string;
  enableSecret?: string;
  fault?: string[];
  latency?: string;
  telnetLogin?: boolean | string;
  notice?: boolean;
  smtp?: boolean;
  json?: boolean;
  stdio?: boolean;
  inventoryOut?: string;
  failoverPairs?: string;
}

const HELP = `
Starts emulated Cisco PIX 6.3 / ASA 8.4 / ASA 9.x devices on 127.0.0.1, each with its own SSH, telnet and
SMTP (Mailguard front) port, and runs until Ctrl-C (SIGINT) or SIGTERM. Credentials are random unless given.

Faults (--fault, repeatable):
  ${FAULT_HELP.join('\n  ')}

Examples:
  $ asa-mailguard lab
  $ asa-mailguard lab --dialect pix6,asa8,asa9 --json
  $ asa-mailguard lab --dialect asa9 --devices 3 --username admin --password cisco --enable-secret cisco
  $ asa-mailguard lab --fault slow-save=30 --fault 'authz-fail=^write'
  $ asa-mailguard lab --dialect pix6,asa8,asa9 --devices 10 --inventory-out examples/lab-inventory.yaml
  $ asa-mailguard lab --devices 6 --failover-pairs 1 --inventory-out inv.yaml   # plus an active/standby pair
  $ asa-mailguard lab --stdio --dialect pix6 --telnet-login      # one session on stdin/stdout (sshd ForceCommand)
`;

export function register(program: Command): void {
  program
    .command('lab')
    .description('Run emulated PIX/ASA devices (SSH, telnet, Mailguard SMTP front) on 127.0.0.1 for tests and demos')
    .option('--dialect <dialect>', 'pix6, asa8 or asa9; repeatable or a comma list (default asa9)', collect)
    .option('--devices <n>', 'number of devices, dialects taken in turn (default: one per dialect)')
    .option('--state <dir>', 'folder keeping the SSH host key and saved configs across starts')
    .addOption(
      timeOption('--reload-delay', 'how long a device stays down after reload (default 5)', 'sec', LAB_RELOAD_DELAY),
    )
    .option('--username <user>', 'login user (default admin)')
    .option('--password <password>', 'login password (default random)')
    .option('--enable-secret <secret>', 'enable secret (default random)')
    .option('--fault <fault>', 'inject a fault (repeatable), see below', collect)
    .addOption(timeOption('--latency', 'delay every response (same as --fault latency=MS)', 'ms', LAB_LATENCY))
    .addOption(
      choiceOption(
        '--telnet-login [kind]',
        'telnet login: username-password or password-only; with --stdio, ask for the login on stdin',
        TELNET_LOGINS,
      ),
    )
    .option('--no-notice', 'asa9: do not ask the anonymous-reporting question at the first configure terminal')
    .option('--no-smtp', 'do not start the SMTP servers')
    .option('--stdio', 'speak one CLI session on stdin/stdout instead of listening')
    .option('--json', 'print one JSON document {"devices":[...]} once ready')
    .option('--inventory-out <file>', 'write an inventory of the devices for `asa-mailguard run` (mode 0600)')
    .option('--failover-pairs <n>', 'also start N active/standby ASA failover pairs (each unit names its peer)')
    .addHelpText('after', `${HELP}${exitCodeHelp('lab')}`)
    .action(async (o: LabCliOptions) => {
      await runAction({ json: Boolean(o.json) }, async () => {
        const { labAction } = await import('./lab-action.js');
        return labAction(o);
      });
    });
}
