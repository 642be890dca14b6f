/**
 * The lab's public contract, shared by the lab servers, the Mailguard SMTP front, the tests and the demo.
 * `LabDeviceInfo` mirrors the JSON that `asa-mailguard lab --json` prints (issue #2): add fields, never rename.
 */

import type { Endpoint } from '../net/endpoint.js';
import type { SshAlgorithmSet } from './ssh-algorithms.js';

export type LabDialect = 'pix6' | 'asa8' | 'asa9';

/** Faults injected per device (issue #2 §5). */
export interface LabFaults {
  latencyMs?: number;
  /** Close the connection when a command matching this arrives, before executing it. */
  dropAt?: RegExp[];
  /** Answer with the invalid-input error instead of executing. */
  errorAt?: RegExp[];
  /** Never answer. */
  hangAt?: RegExp[];
  /**
   * Hold a matching command (logged, not yet run) until released (`release()` on the device, SIGUSR2 to `lab`),
   * then run it as usual: a test can act while a known command is in flight, without racing a timer.
   */
  holdAt?: RegExp[];
  /** Hold each new SMTP connection to the device's front (no greeting yet) until released, as holdAt. */
  holdSmtp?: boolean;
  /** Stream output lines forever, never a prompt (a runaway `show`), until the connection closes. */
  floodAt?: RegExp[];
  /** `Command authorization failed`. */
  authzFail?: RegExp[];
  /** Every login fails. */
  authFail?: boolean;
  configLock?: boolean;
  /** `write memory` takes this long. */
  slowSaveSec?: number;
  /** Never comes back after reload. */
  noReturn?: boolean;
  /** The standby unit of a failover pair. */
  standby?: boolean;
  /**
   * The Mailguard SMTP front follows the config the device booted with (its startup config at the last start or
   * reload), not the running config: SMTP inspection changes bite only after a reload. An emulation choice for
   * testing the tool's reload logic (the KB 320027 case where the reload step makes the change take effect), not
   * a captured PIX/ASA behaviour.
   */
  needsReload?: boolean;
}

export interface LabDeviceOptions {
  name?: string;
  dialect: LabDialect;
  hostname?: string;
  /** `Serial Number:` of show version; default: derived from the name, so every lab unit has its own. */
  serial?: string;
  username?: string;
  password?: string;
  enableSecret?: string;
  /** Telnet asks Username+Password (ASA AAA) or Password only (PIX `passwd`). Default: pix6 password-only, ASA username-password. */
  telnetLogin?: 'username-password' | 'password-only';
  /** Seconds the device stays down after `reload`. */
  reloadDelaySec?: number;
  /** Ask the anonymous-reporting question on the first `configure terminal` (asa9 default true). */
  anonymousReportingQuestion?: boolean;
  contextMode?: 'single' | 'multiple';
  contexts?: string[];
  failover?: { role: 'active' | 'standby'; unit: 'primary' | 'secondary'; peer?: string } | null;
  /** Replace the dialect's default startup-config (full text, as `show running-config` prints it). */
  startupConfig?: string;
  /** Mailguard family for the SMTP front when inspection is on: defaults by dialect. */
  mailguardFamily?: MailguardFamily;
  smtpBackend?: 'postfix' | 'exchange';
  faults?: LabFaults;
  /** pix6's SSH-1 ciphers (default 3DES and DES; 2 = DES, 3 = 3DES as on the wire). */
  ssh1Ciphers?: Array<2 | 3>;
  /**
   * Replace parts of the SSH-2 algorithm set the image and its config offer (the lab's switch; on the device the
   * same is done with `ssh key-exchange group` and `ssh cipher encryption|integrity`). Names as on the wire.
   */
  sshAlgorithms?: Partial<SshAlgorithmSet>;
  /** ASA telnet with AAA: IAC DO TERMINAL-TYPE right before `Username: ` (asa-cli.md §1.8; default true). */
  telnetTerminalType?: boolean;
}

export type MailguardFamily = 'pix-4' | 'pix-mailguard' | 'asa-esmtp';

// Endpoint lives in the core's neutral module (the core must not import the lab); re-exported for lab code.
export type { Endpoint };

export interface LabDeviceInfo {
  name: string;
  dialect: LabDialect;
  hostname: string;
  ssh: Endpoint;
  telnet: Endpoint;
  smtp: Endpoint;
  username: string;
  password: string;
  enableSecret: string;
  /** Which --transport reaches the `ssh` endpoint: `ssh1` on pix6 (SSH-1.5 only, like PIX 5.2-6.3), else `ssh`. */
  sshTransport?: 'ssh' | 'ssh1';
  /** OpenSSH-style fingerprint of the SSH host key: `SHA256:<base64 without padding>` (pix6: of its SSH-1 key). */
  hostKeySha256: string;
  /** The bare SMTP server behind the front (for comparison tests). */
  smtpBackend?: Endpoint;
  /** pix6: the MD5 fingerprint of its SSH-1 host key, the form PuTTY shows and `plink -hostkey` takes. */
  hostKeyMd5?: string;
  /** OpenSSH known_hosts line for the device's SSH endpoint (pix6: the SSH-1 form `host bits exponent modulus`). */
  knownHostsLine?: string;
  /** What the telnet port asks: Username+Password or Password only. */
  telnetLogin?: 'username-password' | 'password-only';
  /** SSH-2 identification and algorithms offered at start (absent for a PIX, which has no SSH-2 server). */
  sshServer?: { ident: string } & SshAlgorithmSet;
  /**
   * The SSH-2 set has no algorithm in common with the tool's default offer in some category: reaching the device
   * over SSH needs `--legacy-algorithms` (inventory/playbook `legacyAlgorithms: true`).
   */
  legacyAlgorithms?: boolean;
  /** Present for a unit of a failover pair: its role and the other unit's name (inventories pair them by it). */
  failover?: { role: 'active' | 'standby'; unit: 'primary' | 'secondary'; peer?: string };
}

/**
 * What the Mailguard SMTP front asks the device at each new SMTP connection: whether SMTP inspection is active
 * in the **running** config, and how it masks.
 */
export interface SmtpInspectionPolicy {
  active: boolean;
  family: MailguardFamily;
  /** ASA esmtp map parameters. */
  maskBanner: boolean;
  allowTls: boolean;
  /** Ports inspected (PIX fixup ports or ASA class match ports). */
  ports: number[];
}
