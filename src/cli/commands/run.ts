/**
 * `asa-mailguard run PLAYBOOK`: a playbook across a fleet (issue #7).
 * Declarations only (loaded on every start); the work is in run-action.ts, imported when the command runs.
 */
import type { Command } from 'commander';
import { RELOAD_POLICIES } from '../../change/types.js';
import { SAFETY_RELOAD_LIMITS, SESSION_TIMEOUT_LIMITS } from '../../config/duration.js';
import { exitCodeHelp } from '../../errors.js';
import type { ReloadPolicy } from '../../playbook/index.js';
import type { HostKeyPolicy } from '../../session/types.js';
import { HOST_KEY_POLICIES } from '../../transport/types.js';
import { choiceOption, collect, renamedOption, timeOption } from '../option-parsers.js';
import { runAction } from '../run-action.js';

export interface RunFlags {
  changeId?: string;
  inventory?: string;
  /** Ansible's word for --dry-run. */
  check?: boolean;
  /** Ansible's --diff: each device's running-config diff in the output (and `diff` per device in --json). */
  diff?: boolean;
  vaultPasswordFile?: string[];
  vaultId?: string[];
  /** Ansible's --ask-vault-pass / --ask-vault-password: ask for the default vault password. */
  askVaultPassword?: boolean;
  limit?: string;
  dryRun?: boolean;
  waitForWindow?: boolean;
  shard?: string;
  shardBy?: 'hash' | 'group';
  phase?: 'all' | 'canary' | 'rest';
  after?: string;
  budgetDir?: string;
  reportDir?: string;
  json?: boolean;
  listHosts?: boolean;
  concurrency?: string;
  backupDir?: string;
  reload?: ReloadPolicy;
  reloadTimeout?: string;
  saveTimeout?: string;
  safetyReload?: string;
  resolver?: string;
  /** --dotenv FILE */
  dotenv?: string;
  knownHosts?: string;
  hostKeyPolicy?: HostKeyPolicy;
  legacyAlgorithms?: boolean;
  jump?: string;
  identity?: string;
  agent?: string | boolean;
  connectTimeout?: string;
  loginTimeout?: string;
  commandTimeout?: string;
  transcriptDir?: string;
  /** `-F FILE|none`: the OpenSSH client config the hosts are resolved through. */
  sshConfig?: string;
  verbose?: boolean;
}

const HELP = `
The playbook names the inventory (the tool's own YAML, or an Ansible INI/YAML inventory), the targets, the
credentials (environment variable names; .env in the working directory is loaded, the environment wins),
the change window, the mode (audit, disable-smtp-inspection, rollback) and how many devices run at once.

Order: canary devices first, one at a time (a canary failure stops the run); then up to "concurrency"
devices at once, never both units of a failover pair; the run stops starting devices once failures exceed
maxFailures. Outside the window the run is refused (exit 7) unless --wait-for-window; inside, no device is
started whose expected time (reload timeout included) would cross the end of the window. A --dry-run
changes nothing and may run any time (the window is not enforced): it reads each device and writes the
implementation and back-out plan (per device: commands, inverse, config diff, verification, back-out command)
as the fleet report, so it can be attached to the change request before approval.

Progress: a task tree in a terminal, plain lines otherwise, JSON lines with --json. At the end the fleet
report (JSON, Markdown, a self-contained HTML page with a timeline of the window, and CSV) is written to the report dir (mode 0600).

Examples:
  $ asa-mailguard run playbooks/audit.yaml --inventory examples/ansible-inventory.ini
  $ asa-mailguard run playbooks/disable-smtp-inspection.yaml --dry-run      # the plan: reports/fleet-*.html
  $ asa-mailguard run playbooks/disable-smtp-inspection.yaml --check --diff
  $ asa-mailguard run playbooks/disable-smtp-inspection.yaml --wait-for-window
  $ asa-mailguard run playbooks/disable-smtp-inspection.yaml --limit 'branches:!fw-south-1' --list-hosts
  $ asa-mailguard run playbooks/disable-smtp-inspection.yaml --shard 2/4 --json > shard2.jsonl   # CI job 2 of 4
  $ asa-mailguard run playbook.yaml --phase canary --report-dir out/canary             # pipeline stage 1
  $ asa-mailguard run playbook.yaml --phase rest --after out/canary/canary-result.json \\
      --shard auto/4 --budget-dir /mnt/budget --report-dir out/shard                   # stage 2, 4 jobs
  $ asa-mailguard report merge out/ --out merged                                        # stage 3
  $ asa-mailguard run playbooks/rollback-smtp-inspection.yaml --limit fw-hq-a
  $ asa-mailguard lab --dialect pix6,asa8,asa9 --devices 10 --inventory-out examples/lab-inventory.yaml &
    asa-mailguard run examples/lab-fleet.yaml

Shards as jobs of an engine (CI matrix, Kubernetes Indexed Job): see docs/ci-shards.md.

${exitCodeHelp('run')}
With several devices failing the most serious code wins.
`;

export function register(program: Command): void {
  program
    .command('run')
    .description(
      'Run a playbook across a fleet: canary first, a few devices at a time, failover units never together, inside the change window; fleet report at the end',
    )
    .argument('<playbook>', 'playbook YAML file (schema: playbooks/playbook.schema.json)')
    .option('-i, --inventory <file>', "inventory to use instead of the playbook's (own YAML, Ansible INI or YAML)")
    .option('--vault-password-file <file>', 'Ansible Vault password file (repeatable)', collect)
    .option(
      '--vault-id <[label@]file|[label]@prompt>',
      'Ansible Vault id and its password file (an executable one is run; NAME-client scripts get --vault-id label), or @prompt to ask (repeatable)',
      collect,
    )
    .option('--ask-vault-pass, --ask-vault-password', "ask for the vault password on the terminal (Ansible's flag)")
    .option(
      '--limit <pattern>',
      "only these hosts of the playbook's targets (Ansible patterns: fw-*, group, !host, &group)",
    )
    .option('--change-id <id>', "change or ticket id for the records and reports (overrides the playbook's changeId)")
    .option('--dry-run', 'connect, detect and plan only: no config command is sent (the window is not enforced)')
    .option('--check', "Ansible's word for --dry-run")
    .option(
      '--diff',
      "print each device's running-config diff (the planned one with --dry-run/--check); --json: a diff field per device",
    )
    .option('--wait-for-window', 'outside the change window: wait for it with a countdown instead of exit 7')
    .option(
      '--shard <i/n>',
      'run only shard i of n (stable by device name; failover pairs stay together); "auto" or "auto/n": i (and n) from the job engine (JOB_COMPLETION_INDEX, CI_NODE_INDEX/CI_NODE_TOTAL, ASA_MAILGUARD_SHARD=i/n), which is also read without this flag',
    )
    .addOption(
      choiceOption(
        '--shard-by <how>',
        "hash (default): stable share by name; group: shard i runs the playbook's shards.groups[i] (the site its job reaches)",
        ['hash', 'group'],
      ),
    )
    .addOption(
      choiceOption(
        '--phase <phase>',
        'all (default); canary: only the canary devices, then write canary-result.json; rest: all but the canaries, only --after a passed canary',
        ['all', 'canary', 'rest'],
      ),
    )
    .option('--after <canary-result>', '--phase rest: the canary-result.json of this window (same playbook, inventory)')
    .option(
      '--budget-dir <dir>',
      'a folder every shard job sees: maxFailures counts failures fleet-wide (overrides shards.budgetDir)',
    )
    .option('--report-dir <dir>', 'where the fleet report goes (default: the playbook reportDir, else ./reports)')
    .option('--json', 'JSON lines on stdout: one per event, the report last')
    .option('--list-hosts', 'list the selected devices (after --limit and --shard) and exit; connects to nothing')
    .option('--concurrency <n>', 'devices changed at once (overrides the playbook)')
    .option('--backup-dir <dir>', "backups, locks and change records (overrides the playbook's options.backupDir)")
    .addOption(
      choiceOption('--reload <when>', 'override options.reload: never, if-needed, after-save', RELOAD_POLICIES),
    )
    .addOption(timeOption('--reload-timeout', 'how long to wait for a device after reload (e.g. 15m)', 'sec'))
    .addOption(timeOption('--save-timeout', 'how long `write memory` may take (e.g. 120s)', 'sec'))
    .addOption(
      timeOption('--safety-reload', 'ASA `reload in MIN` before applying (0: none); overrides the playbook', 'min', {
        ...SAFETY_RELOAD_LIMITS,
        min: 0,
      }),
    )
    .option('--resolver <host[:port]>', 'DNS server for mail_domain probes')
    .option('--dotenv <file>', 'read credentials variables from this file (default ./.env; the environment wins)')
    .addOption(renamedOption('--env-file', '--dotenv', 'Node reads its own --env-file'))
    .option('--known-hosts <file>', 'OpenSSH known_hosts file (overrides options.knownHosts)')
    .addOption(
      choiceOption(
        '--host-key-policy <policy>',
        'strict, accept-new (record first-seen keys) or off (warned)',
        HOST_KEY_POLICIES,
      ),
    )
    .option('--legacy-algorithms', 'also offer old SSH key exchange and ciphers (old PIX/ASA images)')
    .option(
      '--jump <user@host[:port]>',
      'reach the devices through this SSH jump host (a,b for a chain; none: directly); wins over inventory jump and ProxyJump',
    )
    .option(
      '--identity <file>',
      'SSH private key for every ssh host; wins over inventory identity and IdentityFile (passphrase: ASA_PASSPHRASE)',
    )
    .option('--agent [socket]', 'use ssh-agent (default socket: $SSH_AUTH_SOCK)')
    .addOption(timeOption('--connect-timeout', 'TCP + SSH handshake', 'sec', SESSION_TIMEOUT_LIMITS))
    .addOption(timeOption('--login-timeout', 'from connected to the privileged prompt', 'sec', SESSION_TIMEOUT_LIMITS))
    .addOption(timeOption('--command-timeout', 'each command', 'sec', SESSION_TIMEOUT_LIMITS))
    .option(
      '-F, --ssh-config <file>',
      'OpenSSH client config the hosts are resolved through (default ~/.ssh/config and /etc/ssh/ssh_config; none: no file); inventory values win over it',
    )
    .option('--transcript-dir <dir>', 'one transcript per device (<dir>/<name>.log, secrets replaced by ***)')
    .option(
      '-v, --verbose',
      'also print step starts and every inventory warning; with --list-hosts, where each connection setting came from',
    )
    .addHelpText('after', HELP)
    .action(async (file: string, flags: RunFlags) => {
      await runAction({ json: !!flags.json }, async () => {
        const { runPlaybook } = await import('./run-action.js');
        return runPlaybook(file, flags);
      });
    });
}
