/**
 * One fleet host's connection settings (transport, address, jump host, key, known_hosts, host-key policy,
 * algorithms, context) from its layers, the first that gives a value wins:
 *   1. flags given on the command line (`run --jump --identity --known-hosts --host-key-policy --connect-timeout
 *      --agent`; `--legacy-algorithms` only turns the old algorithms on);
 *   2. the playbook's `credentials` entry for the key (`privateKeyFile`: host, then groups, then `all`);
 *   3. the inventory: the host, then its groups (child over parent, as Ansible), then the inventory's `vars`;
 *   4. the playbook's `options` (jump, transport, knownHosts, context, legacyAlgorithms, hostKeyPolicy, timeouts);
 *   5. OpenSSH's ssh_config (`-F FILE|none`), looked up by the host's address (`host`, else its name) as `ssh` and
 *      Ansible do: HostName, User, Port, IdentityFile, ProxyJump, algorithms, UserKnownHostsFile, ConnectTimeout;
 *   6. the defaults.
 * Layers 1-4 go to ssh-host.ts as its flag layer (they beat ssh_config the same way), each labelled with its
 * file:line for `run --list-hosts -v`.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { SshConfigFileCache } from '../config/ssh-config.js';
import { resolveSshTarget } from '../config/ssh-host.js';
import type { HostKeyPolicy, SshAlgorithmLists, SshHop, TransportKind } from '../transport/types.js';
import type { HostSettings, Positioned } from './inventory.js';
import type { LoadedPlaybook, RunSettings } from './playbook.js';
import { formatPos, type SourcePos } from './source.js';

/** The connection flags of `run` (given explicitly on the command line: they win over every file). */
export interface RunConnectionFlags {
  jump?: string;
  identity?: string;
  /** `--agent [socket]`: a path, or true for $SSH_AUTH_SOCK. */
  agent?: string | true;
  knownHosts?: string;
  hostKeyPolicy?: HostKeyPolicy;
  legacyAlgorithms?: boolean;
  connectTimeoutSec?: number;
  /** `-F FILE` or `none`. */
  sshConfig?: string;
  /** Tests: the home folder and system file ssh_config is read from (default ~ and /etc/ssh/ssh_config). */
  sshHome?: string;
  sshSystemFile?: string;
}

export interface HostConnectionInput {
  name: string;
  /** The host's merged inventory settings (effectiveSettings). */
  inv: HostSettings;
  inventoryFile: string;
  lp: LoadedPlaybook;
  settings: RunSettings;
  flags: RunConnectionFlags;
  env: Record<string, string | undefined>;
  /** The playbook's credentials key file (already resolved against the playbook), if any. */
  playbookKey?: Positioned<string>;
  /** The login user from the inventory or playbook (then ssh_config's User is not used). */
  username?: string;
  /** Where that user was given. */
  usernameAt?: SourcePos;
  /** A password was configured for the host: the agent is then used only when asked for (as with detect). */
  passwordGiven: boolean;
  /** ssh_config files already parsed in this run: every host shares one read of each file. */
  sshConfigParsed?: SshConfigFileCache;
}

export interface HostConnection {
  transport: TransportKind;
  host: string;
  port?: number;
  username?: string;
  /** Key file to read (absolute or relative to the working directory). */
  identityFile?: string;
  /** Where the key file was named when it was the playbook or the inventory (a read failure is reported there). */
  identityAt?: SourcePos;
  agent?: string;
  knownHostsFile?: string;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs?: number;
  legacyAlgorithms: boolean;
  algorithms?: SshAlgorithmLists;
  /** Telnet/ssh1 never take a jump host; for ssh the chain is in jumpHops. */
  jumpHops?: SshHop[];
  context?: string;
  /** `setting value (source)` lines for -v; never a secret. */
  sources: string[];
  warnings: string[];
}

type Label = { value: string; from: string };

/** `~/` in a path (inventories are not read by a shell; Ansible expands it too). */
export function expandHome(p: string): string {
  return p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

export function resolveHostConnection(i: HostConnectionInput): HostConnection {
  const { inv, lp, flags } = i;
  const o = lp.playbook.options ?? {};
  const invAt = (p: Positioned<unknown>) => `inventory ${formatPos(p.at)}`;
  const pbAt = (...path: string[]) => `playbook ${formatPos(lp.source.locate(['options', ...path]) as SourcePos)}`;
  const invPath = (p: Positioned<string>) => resolve(dirname(i.inventoryFile), expandHome(p.value));
  /** The first layer that gives a value. */
  const pick = <L extends { value: unknown }>(...layers: Array<L | undefined | false>): L | undefined =>
    layers.find((l): l is L => !!l && l.value !== undefined);
  const sources: string[] = [];

  const transport = pick(
    inv.transport && { value: inv.transport.value, from: invAt(inv.transport) },
    o.transport !== undefined && { value: o.transport, from: pbAt('transport') },
  ) ?? { value: 'ssh' as const, from: 'default' };
  sources.push(`transport ${transport.value} (${transport.from})`);
  const context = pick(
    inv.context && { value: inv.context.value, from: invAt(inv.context) },
    o.context !== undefined && { value: o.context, from: pbAt('context') },
  );
  if (context) sources.push(`context ${context.value} (${context.from})`);
  const legacy = pick(
    flags.legacyAlgorithms && { value: true, from: '--legacy-algorithms' },
    inv.legacyAlgorithms && { value: inv.legacyAlgorithms.value, from: invAt(inv.legacyAlgorithms) },
    o.legacyAlgorithms !== undefined && { value: o.legacyAlgorithms, from: pbAt('legacyAlgorithms') },
  );
  if (legacy) sources.push(`legacy algorithms ${legacy.value ? 'on' : 'off'} (${legacy.from})`);
  const knownHosts = pick(
    flags.knownHosts !== undefined && { value: resolve(flags.knownHosts), from: '--known-hosts' },
    inv.knownHosts && { value: invPath(inv.knownHosts), from: invAt(inv.knownHosts) },
    o.knownHosts !== undefined && { value: resolve(lp.dir, o.knownHosts), from: pbAt('knownHosts') },
  );
  const policy = pick(
    flags.hostKeyPolicy && { value: flags.hostKeyPolicy, from: '--host-key-policy' },
    o.hostKeyPolicy !== undefined && { value: o.hostKeyPolicy, from: pbAt('hostKeyPolicy') },
  );
  const identity = pick(
    flags.identity !== undefined && { value: flags.identity, from: '--identity' },
    i.playbookKey && {
      value: i.playbookKey.value,
      from: `playbook ${formatPos(i.playbookKey.at)}`,
      at: i.playbookKey.at,
    },
    inv.privateKeyFile && {
      value: invPath(inv.privateKeyFile),
      from: invAt(inv.privateKeyFile),
      at: inv.privateKeyFile.at,
    },
  );
  const jump = pick(
    flags.jump !== undefined && { value: flags.jump, from: '--jump' },
    inv.jump && { value: inv.jump.value, from: invAt(inv.jump) },
    o.jump !== undefined && { value: o.jump, from: pbAt('jump') },
  );
  const connectMs =
    flags.connectTimeoutSec !== undefined ? flags.connectTimeoutSec * 1000 : i.settings.timeouts.connectMs;
  const connectFrom = flags.connectTimeoutSec !== undefined ? '--connect-timeout' : pbAt('timeouts', 'connectSec');
  const address: Label = inv.host
    ? { value: inv.host.value, from: invAt(inv.host) }
    : { value: i.name, from: 'the inventory name' };
  const out: HostConnection = {
    transport: transport.value,
    host: address.value,
    legacyAlgorithms: legacy?.value ?? false,
    hostKeyPolicy: policy?.value ?? 'strict',
    sources,
    warnings: [],
  };
  if (context) out.context = context.value;
  if (connectMs !== undefined) out.connectTimeoutMs = connectMs;
  if (inv.port) out.port = inv.port.value;
  if (i.username !== undefined) out.username = i.username;

  if (transport.value !== 'ssh') {
    if (jump && jump.value !== 'none' && jump.from !== '--jump') {
      out.warnings.push(
        `jump ${jump.value} (${jump.from}) not used: ${transport.value} does not go through an SSH jump host`,
      );
    }
    // Telnet and SSH-1 take no key, agent, jump host or ssh_config (ssh_config(5) is SSH-2's); the address is as written.
    sources.push(`host ${address.value} (${address.from})`);
    if (inv.port) sources.push(`port ${inv.port.value} (${invAt(inv.port)})`);
    if (knownHosts) out.knownHostsFile = knownHosts.value;
    if (knownHosts) sources.push(`known_hosts ${knownHosts.value} (${knownHosts.from})`);
    return out;
  }
  if (jump?.value === 'none') sources.push(`jump none (${jump.from})`);
  const r = resolveSshTarget({
    alias: address.value,
    flags: {
      port: inv.port?.value,
      username: i.username,
      identity: identity?.value,
      agent: flags.agent,
      knownHosts: knownHosts?.value,
      hostKeyPolicy: policy?.value,
      jump: jump?.value,
      connectTimeoutSec: connectMs === undefined ? undefined : connectMs / 1000,
      passwordForced: i.passwordGiven,
    },
    from: {
      host: address.from,
      ...(inv.port ? { port: invAt(inv.port) } : {}),
      username: i.usernameAt
        ? `${i.usernameAt.file === i.inventoryFile ? 'inventory' : 'playbook'} ${formatPos(i.usernameAt)}`
        : 'credentials',
      ...(identity ? { identity: identity.from } : {}),
      ...(knownHosts ? { knownHosts: knownHosts.from } : {}),
      ...(policy ? { hostKeyPolicy: policy.from } : {}),
      ...(jump ? { jump: jump.from } : {}),
      ...(connectMs !== undefined ? { connectTimeoutSec: connectFrom } : {}),
      passwordForced: 'in the inventory or playbook',
    },
    env: i.env,
    configFile: flags.sshConfig,
    home: flags.sshHome,
    systemFile: flags.sshSystemFile,
    parsed: i.sshConfigParsed,
  });
  sources.push(...r.sources);
  out.warnings.push(...r.warnings);
  out.host = r.host;
  if (r.port !== undefined) out.port = r.port;
  if (r.username !== undefined) out.username = r.username;
  if (r.identityFile !== undefined) out.identityFile = r.identityFile;
  if (identity && 'at' in identity) out.identityAt = identity.at;
  if (r.agent !== undefined) out.agent = r.agent;
  if (r.knownHostsFile !== undefined) out.knownHostsFile = r.knownHostsFile;
  if (r.hostKeyPolicy !== undefined) out.hostKeyPolicy = r.hostKeyPolicy;
  if (r.connectTimeoutSec !== undefined) out.connectTimeoutMs = Math.round(r.connectTimeoutSec * 1000);
  if (r.algorithms) out.algorithms = r.algorithms;
  if (r.jumpHops.length > 0) out.jumpHops = r.jumpHops;
  return out;
}
