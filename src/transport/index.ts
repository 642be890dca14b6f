/** Open the byte stream named by ConnectOptions (SSH unless `--transport telnet` or `--transport ssh1`). */
import { MailguardError } from '../errors.js';
import type { SshTransportOptions } from './ssh.js';
import type { LogFn, Transport, TransportConnectOptions, TransportKind } from './types.js';

export { sha256Fingerprint } from './fingerprint.js';
export {
  appendKnownHost,
  appendKnownHostLine,
  checkHostKey,
  defaultKnownHostsFile,
  knownHostsName,
  parseKnownHosts,
} from './known-hosts.js';
export {
  describeLegacyAlgorithms,
  LEGACY_ALGORITHM_NAMES,
  LEGACY_ALGORITHMS,
} from './ssh-algorithms.js';
export {
  HOST_KEY_POLICIES,
  type HostKeyPolicy,
  TRANSPORT_KINDS,
  type Transport,
  type TransportConnectOptions,
  type TransportKind,
} from './types.js';

export interface TransportOpenOptions extends TransportConnectOptions {
  connectTimeoutMs: number;
  sshAuthMethods?: SshTransportOptions['authMethods'];
  log?: LogFn;
}

export function defaultPort(transport: TransportKind): number {
  return transport === 'telnet' ? 23 : 22;
}

/** Each transport's code (ssh2 for SSH, the SSH-1 client, telnet) is loaded only when that transport is opened. */
export async function openTransport(opts: TransportOpenOptions): Promise<Transport> {
  const port = opts.port ?? defaultPort(opts.transport);
  if (opts.transport === 'telnet') {
    const { openTelnet } = await import('./telnet.js');
    return openTelnet({ host: opts.host, port, connectTimeoutMs: opts.connectTimeoutMs, log: opts.log });
  }
  if (opts.transport === 'ssh1') {
    if (opts.privateKey || opts.agent || opts.jump) {
      throw new MailguardError('USAGE', '--transport ssh1 logs in with a password only', {
        hint: 'Drop --identity/--agent/--jump for an SSH-1 device (PIX 6.x), and give --password.',
      });
    }
    const { openSsh1 } = await import('./ssh1/transport.js');
    return openSsh1(sshLoginOptions(opts, port));
  }
  const { openSsh } = await import('./ssh.js');
  return openSsh({
    ...sshLoginOptions(opts, port),
    privateKey: opts.privateKey,
    passphrase: opts.passphrase,
    agent: opts.agent,
    legacyAlgorithms: opts.legacyAlgorithms,
    jump: opts.jump,
    jumpHops: opts.jumpHops,
    algorithms: opts.algorithms,
    authMethods: opts.sshAuthMethods,
  });
}

/** What both SSH clients (ssh2 and the SSH-1 one) take alike: where, who, the host-key check, the deadline, the log. */
function sshLoginOptions(opts: TransportOpenOptions, port: number) {
  return {
    host: opts.host,
    port,
    username: opts.username ?? '',
    password: opts.password,
    knownHostsFile: opts.knownHostsFile,
    hostKeyPolicy: opts.hostKeyPolicy,
    connectTimeoutMs: opts.connectTimeoutMs,
    log: opts.log,
  };
}
