/** A byte stream to a device. Knows nothing about prompts or Cisco (architecture.md: transport layer). */
import type { EventEmitter } from 'node:events';

export interface Transport extends EventEmitter {
  readonly kind: 'ssh' | 'telnet';
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
