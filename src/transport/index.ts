/** Open the byte stream named by ConnectOptions (SSH unless `--transport telnet`). */
import type { ConnectOptions } from '../session/types.js';
import { openSsh, type SshTransportOptions } from './ssh.js';
import { openTelnet } from './telnet.js';
import type { LogFn, Transport } from './types.js';

export { sha256Fingerprint } from './fingerprint.js';
export {
  appendKnownHost,
  checkHostKey,
  defaultKnownHostsFile,
  knownHostsName,
  parseKnownHosts,
} from './known-hosts.js';
export { LEGACY_ALGORITHMS, parseJump } from './ssh.js';
export { TelnetCodec } from './telnet.js';
export type { Transport } from './types.js';

export interface TransportOpenOptions
  extends Pick<
    ConnectOptions,
    | 'host'
    | 'port'
    | 'transport'
    | 'username'
    | 'password'
    | 'privateKey'
    | 'passphrase'
    | 'agent'
    | 'knownHostsFile'
    | 'hostKeyPolicy'
    | 'legacyAlgorithms'
    | 'jump'
  > {
  connectTimeoutMs: number;
  sshAuthMethods?: SshTransportOptions['authMethods'];
  log?: LogFn;
}

export function defaultPort(transport: 'ssh' | 'telnet'): number {
  return transport === 'telnet' ? 23 : 22;
}

export function openTransport(opts: TransportOpenOptions): Promise<Transport> {
  const port = opts.port ?? defaultPort(opts.transport);
  if (opts.transport === 'telnet') {
    return openTelnet({ host: opts.host, port, connectTimeoutMs: opts.connectTimeoutMs, log: opts.log });
  }
  return openSsh({
    host: opts.host,
    port,
    username: opts.username ?? '',
    password: opts.password,
    privateKey: opts.privateKey,
    passphrase: opts.passphrase,
    agent: opts.agent,
    knownHostsFile: opts.knownHostsFile,
    hostKeyPolicy: opts.hostKeyPolicy,
    legacyAlgorithms: opts.legacyAlgorithms,
    jump: opts.jump,
    connectTimeoutMs: opts.connectTimeoutMs,
    authMethods: opts.sshAuthMethods,
    log: opts.log,
  });
}
