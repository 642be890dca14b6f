/**
 * One SSH target's connection settings from three layers: flags (and `user@host:port`) win over ssh_config, which
 * wins over the defaults. Each value remembers where it came from, for `-v`.
 */
import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { MailguardError, systemErrorWords } from '../errors.js';
import { parseEndpoint } from '../net/endpoint.js';
import type { HostKeyPolicy, SshAlgorithmLists, SshHop } from '../transport/types.js';
import { resolveAlgorithmList, SSH_CONFIG_ALGORITHM_KEYS } from './ssh-algorithms.js';
import { readSshConfig, type SshConfigFileCache, type SshConfigSource, type SshHostConfig } from './ssh-config.js';

export interface SshFlagLayer {
  port?: number;
  username?: string;
  identity?: string;
  /** `--agent [socket]`: a path, or true for $SSH_AUTH_SOCK. */
  agent?: string | true;
  knownHosts?: string;
  hostKeyPolicy?: HostKeyPolicy;
  jump?: string;
  connectTimeoutSec?: number;
  /** A password given on the command line: then the agent is not used unless asked for (as ssh -o PasswordAuthentication). */
  passwordForced?: boolean;
}

export interface SshResolveInput {
  alias: string;
  flags: SshFlagLayer;
  env: Record<string, string | undefined>;
  /** `-F FILE` or `none`. */
  configFile?: string;
  /**
   * Where each flag-layer value came from, for `-v` (default: the command line). `run` puts the inventory's and
   * playbook's values in this layer too, as they win over ssh_config the same way.
   */
  from?: Partial<Record<keyof SshFlagLayer | 'host', string>>;
  home?: string;
  systemFile?: string;
  /** ssh_config files already parsed in this run (readSshConfig). */
  parsed?: SshConfigFileCache;
}

export interface SshResolved {
  host: string;
  port?: number;
  username?: string;
  identityFile?: string;
  agent?: string;
  knownHostsFile?: string;
  hostKeyPolicy?: HostKeyPolicy;
  connectTimeoutSec?: number;
  algorithms?: SshAlgorithmLists;
  jumpHops: SshHop[];
  /** `setting value (source)` lines for -v; never a secret. */
  sources: string[];
  warnings: string[];
}

const where = (f: SshConfigSource) => `ssh_config ${f.file}:${f.line}`;

const STRICT: Record<string, HostKeyPolicy> = {
  yes: 'strict',
  ask: 'strict',
  'accept-new': 'accept-new',
  no: 'off',
  off: 'off',
};

function bad(f: SshConfigSource, message: string): MailguardError {
  return new MailguardError('BAD_INPUT', `${f.file}:${f.line}: ${message}`, {
    hint: 'Fix the ssh_config line (ssh_config(5)), or ignore the file with -F none.',
    details: { file: f.file, line: f.line },
  });
}

/**
 * `ssh -W %h:%p [-l user] [-p port] [-i key] host` (ProxyCommand, Ansible's ansible_ssh_common_args) -> the jump
 * host as `[user@]host[:port]`; null for any other command (only ssh -W forwarding can be done without a shell).
 */
export function jumpFromProxyCommand(argv: string[]): string | null {
  if (argv.length === 0 || !/(^|\/)ssh$/.test(argv[0] as string)) return null;
  let user: string | undefined;
  let port: string | undefined;
  let w = false;
  const positional: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-W') {
      w = true;
      i++;
    } else if (a === '-l') user = argv[++i];
    else if (a === '-p') port = argv[++i];
    else if (/^-[ioFJcmOSbBDeELQRw]$/.test(a)) i++;
    else if (a.startsWith('-')) continue;
    else positional.push(a);
  }
  const host = positional[0];
  if (!w || !host || positional.length > 1) return null;
  const at = host.includes('@') || !user ? host : `${user}@${host}`;
  return port ? `${at}:${port}` : at;
}

function readKey(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new MailguardError('BAD_INPUT', `Cannot read the key file ${file} (${what}): ${systemErrorWords(e)}`, {
      hint: 'Check the path given to --identity or the IdentityFile line.',
    });
  }
}

/** The first IdentityFile that exists (OpenSSH skips missing ones silently; -v says so). */
function firstIdentity(cfg: SshHostConfig, log: string[]): { file: string; from: SshConfigSource } | undefined {
  for (const f of cfg.identityFiles) {
    try {
      statSync(f.value);
      return { file: f.value, from: f.from };
    } catch {
      log.push(`identity ${f.value} skipped: no such file (${where(f.from)})`);
    }
  }
  return undefined;
}

function algorithmsOf(cfg: SshHostConfig, warnings: string[], sources: string[]): SshAlgorithmLists | undefined {
  let out: SshAlgorithmLists | undefined;
  for (const [key, kind] of Object.entries(SSH_CONFIG_ALGORITHM_KEYS)) {
    const v = cfg.values[key as keyof typeof SSH_CONFIG_ALGORITHM_KEYS];
    if (!v) continue;
    const list = resolveAlgorithmList(kind, v.value[0] as string, (name) =>
      warnings.push(`${v.from.file}:${v.from.line}: ${key} ${name} is not supported by the SSH client (ignored)`),
    );
    if (list.length === 0) throw bad(v.from, `${key} leaves no algorithm the SSH client supports`);
    out = { ...out, [kind]: list };
    sources.push(`${key} ${list.join(',')} (${where(v.from)})`);
  }
  return out;
}

/** Resolve an SSH target (alias or address) through flags, ssh_config and defaults. */
export function resolveSshTarget(inp: SshResolveInput): SshResolved {
  const cfgOpts = { configFile: inp.configFile, home: inp.home, systemFile: inp.systemFile, parsed: inp.parsed };
  const cfg = readSshConfig(inp.alias, { ...cfgOpts, user: inp.flags.username });
  const sources: string[] = cfg.files.length > 0 ? [`ssh_config files read: ${cfg.files.join(', ')}`] : [];
  const warnings = [...cfg.warnings];
  const v = cfg.values;
  const f = inp.flags;
  const out: SshResolved = { host: v.hostname?.value[0] ?? inp.alias, jumpHops: [], sources, warnings };
  const by = (k: keyof SshFlagLayer, flag: string) => inp.from?.[k] ?? flag;
  sources.push(`host ${out.host} (${v.hostname ? where(v.hostname.from) : (inp.from?.host ?? 'the target')})`);

  if (f.port !== undefined) {
    out.port = f.port;
    sources.push(`port ${f.port} (${by('port', 'command line')})`);
  } else if (v.port) {
    out.port = parsePortAt(v.port.value[0] as string, v.port.from);
    sources.push(`port ${out.port} (${where(v.port.from)})`);
  }
  if (f.username !== undefined) {
    out.username = f.username;
    sources.push(`user ${f.username} (${by('username', 'command line')})`);
  } else if (v.user) {
    out.username = v.user.value[0];
    sources.push(`user ${out.username} (${where(v.user.from)})`);
  }

  let identityFromConfig = false;
  if (f.identity) {
    out.identityFile = f.identity;
    sources.push(`identity ${f.identity} (${by('identity', '--identity')})`);
  } else {
    const id = firstIdentity(cfg, sources);
    if (id) {
      out.identityFile = id.file;
      identityFromConfig = true;
      sources.push(`identity ${id.file} (${where(id.from)})`);
    }
  }
  out.agent = agentFor(inp, cfg, Boolean(out.identityFile), identityFromConfig, sources);

  if (f.knownHosts) {
    out.knownHostsFile = f.knownHosts;
    sources.push(`known_hosts ${f.knownHosts} (${by('knownHosts', '--known-hosts')})`);
  } else if (v.userknownhostsfile && v.userknownhostsfile.value[0] !== 'none') {
    out.knownHostsFile = v.userknownhostsfile.value[0];
    sources.push(`known_hosts ${out.knownHostsFile} (${where(v.userknownhostsfile.from)})`);
  }
  if (f.hostKeyPolicy) {
    out.hostKeyPolicy = f.hostKeyPolicy;
    sources.push(`host-key policy ${f.hostKeyPolicy} (${by('hostKeyPolicy', '--host-key-policy')})`);
  } else if (v.stricthostkeychecking) {
    const raw = (v.stricthostkeychecking.value[0] as string).toLowerCase();
    const p = STRICT[raw];
    if (!p) throw bad(v.stricthostkeychecking.from, `StrictHostKeyChecking "${raw}" is not yes, ask, accept-new or no`);
    out.hostKeyPolicy = p;
    sources.push(`host-key policy ${p} (${where(v.stricthostkeychecking.from)}: StrictHostKeyChecking ${raw})`);
  }
  if (f.connectTimeoutSec !== undefined) {
    out.connectTimeoutSec = f.connectTimeoutSec;
    if (inp.from?.connectTimeoutSec)
      sources.push(`connect timeout ${f.connectTimeoutSec}s (${inp.from.connectTimeoutSec})`);
  } else if (v.connecttimeout) {
    const n = Number(v.connecttimeout.value[0]);
    if (!(n > 0)) throw bad(v.connecttimeout.from, 'ConnectTimeout is not a number of seconds');
    out.connectTimeoutSec = n;
    sources.push(`connect timeout ${n}s (${where(v.connecttimeout.from)})`);
  }
  out.algorithms = algorithmsOf(cfg, warnings, sources);
  out.jumpHops = jumpChain(inp, cfg, sources);
  return out;
}

function parsePortAt(text: string, from: SshConfigSource): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw bad(from, `Port "${text}" is not 1-65535`);
  return n;
}

function agentFor(
  inp: SshResolveInput,
  cfg: SshHostConfig,
  haveKey: boolean,
  keyFromConfig: boolean,
  sources: string[],
): string | undefined {
  const f = inp.flags;
  if (f.agent !== undefined) {
    const sock = f.agent === true ? inp.env.SSH_AUTH_SOCK : f.agent;
    if (!sock) {
      throw new MailguardError('USAGE', '--agent was given but SSH_AUTH_SOCK is not set', {
        hint: 'Start ssh-agent and ssh-add your key, or pass the socket: --agent /path/to/socket',
      });
    }
    sources.push(`agent ${sock} (${inp.from?.agent ?? '--agent'})`);
    return sock;
  }
  const ia = cfg.values.identityagent;
  if (ia) {
    const val = ia.value[0] as string;
    if (val === 'none') {
      sources.push(`agent not used (${where(ia.from)}: IdentityAgent none)`);
      return undefined;
    }
    const sock = val === 'SSH_AUTH_SOCK' ? inp.env.SSH_AUTH_SOCK : val.startsWith('$') ? inp.env[val.slice(1)] : val;
    if (sock) sources.push(`agent ${sock} (${where(ia.from)})`);
    return sock || undefined;
  }
  const only = cfg.values.identitiesonly?.value[0]?.toLowerCase() === 'yes';
  // ssh uses a running agent unless told otherwise; here a key or password forced on the command line also
  // turns it off (a forced credential is the one meant), and IdentitiesOnly yes with a key file does too
  // (ssh2 cannot limit the agent to that key).
  if (!inp.env.SSH_AUTH_SOCK) return undefined;
  if ((haveKey && !keyFromConfig) || f.passwordForced) {
    sources.push(
      `agent not used: a key or password was given ${inp.from?.passwordForced ?? 'on the command line'} (--agent to add it)`,
    );
    return undefined;
  }
  if (only && haveKey) {
    sources.push('agent not used: IdentitiesOnly yes');
    return undefined;
  }
  sources.push(`agent ${inp.env.SSH_AUTH_SOCK} (SSH_AUTH_SOCK, default)`);
  return inp.env.SSH_AUTH_SOCK;
}

/** The ProxyJump chain: --jump, else ProxyJump, else `ProxyCommand ssh -W %h:%p X`; hops resolve through ssh_config too. */
function jumpChain(inp: SshResolveInput, cfg: SshHostConfig, sources: string[]): SshHop[] {
  let spec: string | undefined;
  let from = '';
  let at: SshConfigSource | undefined;
  if (inp.flags.jump) {
    spec = inp.flags.jump;
    from = inp.from?.jump ?? '--jump';
  } else if (cfg.values.proxyjump) {
    at = cfg.values.proxyjump.from;
    spec = cfg.values.proxyjump.value[0];
    from = where(at);
  } else if (cfg.values.proxycommand) {
    at = cfg.values.proxycommand.from;
    const pc = cfg.values.proxycommand.value;
    if (!(pc.length === 1 && pc[0] === 'none')) {
      const j = jumpFromProxyCommand(pc.length === 1 ? (pc[0] as string).split(/\s+/) : pc);
      if (!j) throw bad(at, 'only ProxyCommand "ssh -W %h:%p JUMPHOST" can be followed; write it as ProxyJump');
      spec = j;
      from = `${where(at)} (ProxyCommand ssh -W)`;
    }
  }
  if (!spec || spec === 'none') return [];
  const port = inp.flags.port ?? (cfg.values.port ? Number(cfg.values.port.value[0]) : 22);
  const hops = expandChain(inp, spec, [`${inp.alias.toLowerCase()}:${port}`], at);
  sources.push(`jump ${hops.map((h) => `${h.username}@${h.host}:${h.port}`).join(' -> ')} (${from})`);
  return hops;
}

function expandChain(inp: SshResolveInput, spec: string, seen: string[], at: SshConfigSource | undefined): SshHop[] {
  const out: SshHop[] = [];
  for (const [i, part] of spec.split(',').entries()) {
    const e = parseEndpoint(part, { user: true, what: 'jump host' });
    const hc = readSshConfig(e.host, {
      configFile: inp.configFile,
      home: inp.home,
      systemFile: inp.systemFile,
      parsed: inp.parsed,
      user: e.username,
    });
    const port = e.port ?? (hc.values.port ? parsePortAt(hc.values.port.value[0] as string, hc.values.port.from) : 22);
    // a loop is the same name and port twice (one address may well serve as jump host on 22 and device on 2222)
    const key = `${e.host.toLowerCase()}:${port}`;
    if (seen.includes(key)) {
      const loop = [...seen, key].join(' -> ');
      throw new MailguardError('BAD_INPUT', `ProxyJump loop: ${loop}${at ? ` (${at.file}:${at.line})` : ''}`, {
        hint: 'A jump host must not (directly or through its own ProxyJump) go through itself or the device.',
        details: { loop: [...seen, key] },
      });
    }
    seen.push(key);
    // Only the first hop's own ProxyJump applies (ssh -J a,b connects to b through a, whatever b's config says).
    if (i === 0) {
      const pj = hc.values.proxyjump;
      if (pj && pj.value[0] !== 'none') out.push(...expandChain(inp, pj.value[0] as string, seen, pj.from));
    }
    const idLog: string[] = [];
    // The hop's own IdentityFile first (ssh runs a jump host as its own `ssh -W`), else the device's key.
    const own = firstIdentity(hc, idLog);
    const id = own ?? (inp.flags.identity ? { file: inp.flags.identity } : undefined);
    const agentSock = agentFor(
      { ...inp, flags: { ...inp.flags, passwordForced: false } },
      hc,
      Boolean(id),
      Boolean(own) || !inp.flags.identity,
      [],
    );
    const hop: SshHop = {
      host: hc.values.hostname?.value[0] ?? e.host,
      port,
      username: e.username ?? hc.values.user?.value[0] ?? localUserName(),
      label: e.host,
    };
    if (id) hop.privateKey = readKey(id.file, `jump host ${e.host}`);
    if (agentSock) hop.agent = agentSock;
    const algorithms = algorithmsOf(hc, [], []);
    if (algorithms) hop.algorithms = algorithms;
    out.push(hop);
  }
  return out;
}

function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
