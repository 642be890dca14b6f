/**
 * The connection flags shared by detect, apply, run and wizard, and their translation into ConnectOptions.
 * Loaded on every start (option declarations), so it imports only commander and errors: the config parsers
 * (zod, dotenv) are loaded when toConnectOptions runs.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SecretPrompt } from '../config/credentials.js';
import { SESSION_TIMEOUT_LIMITS } from '../config/duration.js';
import { MailguardError, systemErrorWords } from '../errors.js';
import type { ConnectOptions } from '../session/types.js';
import { HOST_KEY_POLICIES, TRANSPORT_KINDS } from '../transport/types.js';
import { choiceOption, timeOption } from './option-parsers.js';

/** Parsed commander options as added by addConnectionOptions (camelCase). */
export interface ConnectionFlags {
  transport?: string;
  port?: string;
  username?: string;
  password?: string;
  enableSecret?: string;
  identity?: string;
  passphrase?: string;
  agent?: string | boolean;
  knownHosts?: string;
  hostKeyPolicy?: string;
  legacyAlgorithms?: boolean;
  jump?: string;
  connectTimeout?: string;
  loginTimeout?: string;
  commandTimeout?: string;
  transcript?: string;
  sshConfig?: string;
  verbose?: boolean;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(
      choiceOption(
        '--transport <kind>',
        'ssh; telnet (clear text) or ssh1 (SSH protocol 1, weak: PIX 6.x) only when asked',
        [...TRANSPORT_KINDS],
      ),
    )
    .option('--port <n>', 'TCP port (default 22 for ssh and ssh1, 23 for telnet)')
    .option('--username <name>', 'login user (or ASA_USERNAME, or user@ in the target)')
    .option('--password <pw>', 'login password (prefer ASA_PASSWORD or .env: flags show in ps)')
    .option('--enable-secret <pw>', 'enable secret (or ASA_ENABLE_SECRET); without it `login` is used')
    .option('--identity <file>', 'SSH private key file')
    .option('--passphrase <pw>', 'passphrase of the private key (or ASA_PASSPHRASE)')
    .option('--agent [socket]', 'use ssh-agent (default socket: $SSH_AUTH_SOCK)')
    .option('--known-hosts <file>', 'OpenSSH known_hosts file (default ~/.ssh/known_hosts)')
    .addOption(
      choiceOption(
        '--host-key-policy <policy>',
        'strict (default), accept-new (record first-seen key) or off (warned)',
        HOST_KEY_POLICIES,
      ),
    )
    .option('--legacy-algorithms', 'also offer old SSH key exchange and ciphers (old PIX/ASA images)')
    .option('--jump <user@host[:port]>', 'reach the device through this SSH jump host (ProxyJump; a,b for a chain)')
    .option(
      '-F, --ssh-config <file>',
      'OpenSSH client config to read (default ~/.ssh/config and /etc/ssh/ssh_config; none: no file)',
    )
    .addOption(timeOption('--connect-timeout', 'TCP + SSH handshake (default 10)', 'sec', SESSION_TIMEOUT_LIMITS))
    .addOption(
      timeOption(
        '--login-timeout',
        'from connected to the privileged prompt (default 20)',
        'sec',
        SESSION_TIMEOUT_LIMITS,
      ),
    )
    .addOption(timeOption('--command-timeout', 'each command (default 30)', 'sec', SESSION_TIMEOUT_LIMITS))
    .option('--transcript <file>', 'write the whole conversation here, secrets replaced by *** (mode 0600)');
}

/** The key file of `--identity` (also for every target of `run`). */
export function readIdentity(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `Cannot read the key file ${file}: ${systemErrorWords(e)}`, {
      hint: 'Check the path given to --identity.',
    });
  }
}

/** `--agent [socket]`: the socket given, or $SSH_AUTH_SOCK for a bare `--agent` (which must then be set). */
export function agentSocket(
  flag: string | boolean | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  if (flag !== true) return flag || undefined;
  if (!env.SSH_AUTH_SOCK) {
    throw new MailguardError('USAGE', '--agent was given but SSH_AUTH_SOCK is not set', {
      hint: 'Start ssh-agent and ssh-add your key, or pass the socket: --agent /path/to/socket',
    });
  }
  return env.SSH_AUTH_SOCK;
}

export interface ConnectOptionsExtra {
  /** Prompt for missing secrets (a TTY on stdin and stderr). */
  interactive?: boolean;
  env?: NodeJS.ProcessEnv;
  envFile?: string | false;
  prompt?: SecretPrompt;
  onLog?: (line: string) => void;
}

/** Flags + `[user@]host[:port]` target -> ConnectOptions (credentials resolved; may prompt when interactive). */
export async function toConnectOptions(
  flags: ConnectionFlags,
  targetText: string,
  extra: ConnectOptionsExtra = {},
): Promise<ConnectOptions> {
  const { parseConnectionSettings } = await import('../config/connection.js');
  const { parseTarget } = await import('../net/endpoint.js');
  const { resolveCredentials, inquirerPrompt } = await import('../config/credentials.js');
  const target = parseTarget(targetText);
  const s = parseConnectionSettings({
    transport: flags.transport,
    port: flags.port ?? target.port,
    identity: flags.identity,
    agent: flags.agent,
    knownHosts: flags.knownHosts,
    hostKeyPolicy: flags.hostKeyPolicy,
    legacyAlgorithms: flags.legacyAlgorithms ?? false,
    jump: flags.jump,
    connectTimeout: flags.connectTimeout,
    loginTimeout: flags.loginTimeout,
    commandTimeout: flags.commandTimeout,
    transcript: flags.transcript,
  });
  if (s.transport !== 'ssh' && (s.identity || s.agent || s.jump)) {
    throw new MailguardError(
      'USAGE',
      `--identity, --agent and --jump work only with --transport ssh, not ${s.transport}`,
      {
        hint: s.transport === 'ssh1' ? 'SSH-1 logs in with a password only: drop them.' : 'Drop them, or use SSH.',
      },
    );
  }
  // Bad paths are bad input, found before any connection (and before a prompt for a secret).
  const { checkFileIfExists, checkWritableFile } = await import('../config/paths.js');
  if (s.transcript) checkWritableFile(s.transcript, '--transcript');
  if (s.knownHosts) checkFileIfExists(s.knownHosts, '--known-hosts');
  const env = extra.env ?? process.env;
  const ssh = s.transport === 'ssh';
  // OpenSSH's own configuration (aliases, users, keys, jump hosts, algorithms): flags win over it, it over defaults.
  const { resolveSshTarget } = await import('../config/ssh-host.js');
  const r = ssh
    ? resolveSshTarget({
        alias: target.host,
        flags: {
          port: flags.port !== undefined || target.port !== undefined ? s.port : undefined,
          username: flags.username ?? target.username,
          identity: s.identity,
          agent: s.agent,
          knownHosts: s.knownHosts,
          hostKeyPolicy: flags.hostKeyPolicy === undefined ? undefined : s.hostKeyPolicy,
          jump: s.jump,
          connectTimeoutSec: flags.connectTimeout === undefined ? undefined : s.connectTimeout,
          passwordForced: flags.password !== undefined,
        },
        env,
        configFile: flags.sshConfig,
      })
    : null;
  for (const w of r?.warnings ?? []) extra.onLog?.(`warning: ${w}`);
  if (flags.verbose) for (const line of r?.sources ?? []) extra.onLog?.(`ssh: ${line}`);
  const agent = r ? r.agent : agentSocket(s.agent, env);
  const identityFile = r ? r.identityFile : s.identity;
  const privateKey = identityFile ? readIdentity(identityFile) : undefined;
  // SSH-1 (PIX 6.x) needs a user too (`pix` without AAA); only telnet may ask a password alone.
  const needsUser = s.transport !== 'telnet';
  const creds = await resolveCredentials({
    flags: {
      username: flags.username ?? target.username ?? r?.username,
      password: flags.password,
      enableSecret: flags.enableSecret,
      passphrase: flags.passphrase,
    },
    env,
    envFile: extra.envFile,
    interactive: extra.interactive,
    prompt: extra.prompt,
    // Telnet may ask only a password (PIX `passwd`); SSH needs a user, and a password unless a key/agent is used.
    needs: { username: needsUser, password: !privateKey && !agent },
    target: target.host,
  });
  const hops = (r?.jumpHops ?? []).map((h) =>
    h.privateKey && creds.passphrase !== undefined ? { ...h, passphrase: creds.passphrase } : h,
  );
  if (needsUser && !creds.username) {
    throw new MailguardError('USAGE', `No username for ${target.host}`, {
      hint:
        s.transport === 'ssh1'
          ? 'Give it as user@host, --username or ASA_USERNAME (a PIX without AAA takes the user pix and its telnet password).'
          : 'Give it as user@host, --username or ASA_USERNAME (ASA 8.4+ SSH needs a local or AAA user).',
    });
  }
  // The clear-text (telnet) and unchecked-host-key (off) warnings are logged by the transport when it connects,
  // so playbooks and the wizard get them too.
  return {
    host: r?.host ?? target.host,
    port: r ? r.port : s.port,
    transport: s.transport,
    username: creds.username,
    password: creds.password,
    enableSecret: creds.enableSecret,
    privateKey,
    passphrase: creds.passphrase,
    agent,
    knownHostsFile: r?.knownHostsFile ?? s.knownHosts,
    hostKeyPolicy: r?.hostKeyPolicy ?? s.hostKeyPolicy,
    legacyAlgorithms: s.legacyAlgorithms,
    algorithms: r?.algorithms,
    jump: s.jump,
    jumpHops: hops.length > 0 ? hops : undefined,
    timeouts: {
      connectMs: Math.round((r?.connectTimeoutSec ?? s.connectTimeout) * 1000),
      loginMs: Math.round(s.loginTimeout * 1000),
      commandMs: Math.round(s.commandTimeout * 1000),
    },
    transcriptFile: s.transcript,
    onLog: extra.onLog,
    askSecret:
      extra.interactive && creds.enableSecret === undefined
        ? async () => {
            const answer = await (extra.prompt ?? inquirerPrompt)(
              `Enable secret for ${target.host} (empty: use \`login\`):`,
              'enableSecret',
            );
            return answer === '' ? undefined : answer;
          }
        : undefined,
  };
}
