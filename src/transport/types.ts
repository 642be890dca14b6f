/**
 * A byte stream to a device, and the options that open one. Knows nothing about prompts or Cisco
 * (architecture.md: transport layer). The layers above import these types from here, never the other way round.
 */
import type { EventEmitter } from 'node:events';

/** Every transport the tool speaks; the CLI, config and inventory schemas list their choices from here. */
export const TRANSPORT_KINDS = ['ssh', 'telnet', 'ssh1'] as const;
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/** How an unknown or changed SSH host key is treated (OpenSSH StrictHostKeyChecking yes | accept-new | no). */
export const HOST_KEY_POLICIES = ['strict', 'accept-new', 'off'] as const;
export type HostKeyPolicy = (typeof HOST_KEY_POLICIES)[number];

/** What the transport needs to open a stream; the session's ConnectOptions extends this. */
export interface TransportConnectOptions {
  host: string;
  port?: number;
  transport: TransportKind;
  username?: string;
  password?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** ssh-agent socket path (SSH_AUTH_SOCK). */
  agent?: string;
  knownHostsFile?: string;
  hostKeyPolicy?: HostKeyPolicy;
  /** Also offer the old SSH-2 algorithms (group1/group14-sha1 kex, CBC ciphers, ssh-rsa) that ASA 8.x-9.5 images need. */
  legacyAlgorithms?: boolean;
  /** `user@host[:port]` (the user defaults to the local user, as OpenSSH's -J); `jumpHops` wins when given. */
  jump?: string;
  /** ProxyJump chain, first hop first, each with its own login (ssh_config or --jump). */
  jumpHops?: SshHop[];
  /** Explicit SSH-2 algorithm lists (ssh_config KexAlgorithms etc.); legacyAlgorithms still appends the old ones. */
  algorithms?: SshAlgorithmLists;
}

/** ssh2's names for the four negotiated lists. */
export interface SshAlgorithmLists {
  kex?: string[];
  serverHostKey?: string[];
  cipher?: string[];
  hmac?: string[];
}

/** One jump host. It gets its own key and agent; the device's password is never offered to it. */
export interface SshHop {
  host: string;
  port: number;
  username: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  agent?: string;
  algorithms?: SshAlgorithmLists;
  /** How messages name it, e.g. `bastion (127.0.0.1:2222)`. */
  label?: string;
}

export interface Transport extends EventEmitter {
  readonly kind: TransportKind;
  /** Line terminator the device expects after a command (`\n` over SSH, `\r\n` over telnet NVT). */
  readonly eol: string;
  /** SHA256 fingerprint of the server host key (SSH only). */
  readonly hostKeyFingerprint: string | null;
  readonly closed: boolean;
  write(data: string | Buffer): void;
  /** Close politely; never throws. */
  close(): void;
  // Events: 'data' (Buffer), 'close' (reason?: string)
}

export type LogFn = (line: string) => void;
