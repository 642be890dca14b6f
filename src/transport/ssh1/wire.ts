/**
 * SSH protocol 1.5 wire format (draft-ylonen-ssh-protocol-00, "The SSH (Secure Shell) Remote Login Protocol"):
 * message numbers, integers, strings, SSH-1 multiple-precision integers and the packet check (CRC-32).
 * Hand-written with the rest of src/transport/ssh1: no maintained npm package speaks SSH-1 (ssh2, node-ssh and
 * the libssh/OpenSSH bindings all dropped or never had it), and PIX 5.2-6.3 speak nothing else.
 */

export const MSG = {
  DISCONNECT: 1,
  SMSG_PUBLIC_KEY: 2,
  CMSG_SESSION_KEY: 3,
  CMSG_USER: 4,
  CMSG_AUTH_RHOSTS: 5,
  CMSG_AUTH_RSA: 6,
  SMSG_AUTH_RSA_CHALLENGE: 7,
  CMSG_AUTH_RSA_RESPONSE: 8,
  CMSG_AUTH_PASSWORD: 9,
  CMSG_REQUEST_PTY: 10,
  CMSG_WINDOW_SIZE: 11,
  CMSG_EXEC_SHELL: 12,
  CMSG_EXEC_CMD: 13,
  SMSG_SUCCESS: 14,
  SMSG_FAILURE: 15,
  CMSG_STDIN_DATA: 16,
  SMSG_STDOUT_DATA: 17,
  SMSG_STDERR_DATA: 18,
  CMSG_EOF: 19,
  SMSG_EXITSTATUS: 20,
  IGNORE: 32,
  CMSG_EXIT_CONFIRMATION: 33,
  DEBUG: 36,
} as const;

/** Highest message number the 1.5 specification defines (SSH_CMSG_AUTH_TIS_RESPONSE and friends end at 42). */
export const MSG_MAX = 42;

export const CIPHER = { NONE: 0, DES: 2, TRIPLE_DES: 3 } as const;
export type Ssh1CipherType = typeof CIPHER.DES | typeof CIPHER.TRIPLE_DES;
export const AUTH_PASSWORD = 3;
/** Largest packet the specification allows (length field, without padding). */
export const MAX_PACKET_LENGTH = 262_144;
export const SESSION_KEY_BYTES = 32;

export class Writer {
  private readonly parts: Buffer[] = [];
  byte(n: number): this {
    this.parts.push(Buffer.from([n & 0xff]));
    return this;
  }
  uint32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    this.parts.push(b);
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  string(s: string | Buffer): this {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    return this.uint32(b.length).raw(b);
  }
  /** SSH-1 mpint: 16-bit bit count, then the magnitude big-endian in (bits + 7) / 8 bytes. */
  mpint(n: bigint): this {
    const bytes = bigToBytes(n);
    const head = Buffer.alloc(2);
    head.writeUInt16BE(bitLength(n));
    this.parts.push(head, bytes);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Thrown by Reader on a field that runs past the payload; the protocol turns it into a typed error. */
export class TruncatedPayload extends Error {}

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  private take(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new TruncatedPayload(`field of ${n} bytes runs past the payload`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  byte(): number {
    return this.take(1)[0] as number;
  }
  uint32(): number {
    return this.take(4).readUInt32BE(0);
  }
  raw(n: number): Buffer {
    return this.take(n);
  }
  string(): Buffer {
    return this.take(this.uint32());
  }
  mpint(): bigint {
    const bits = this.take(2).readUInt16BE(0);
    return bytesToBig(this.take((bits + 7) >> 3));
  }
  rest(): Buffer {
    return this.take(this.buf.length - this.pos);
  }
}

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Magnitude big-endian without leading zero bytes (OpenSSL's BN_bn2bin), or `width` bytes left-padded. */
export function bigToBytes(n: bigint, width?: number): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const b = n === 0n ? Buffer.alloc(0) : Buffer.from(hex, 'hex');
  if (width === undefined || b.length >= width) return b;
  return Buffer.concat([Buffer.alloc(width - b.length), b]);
}

export function bytesToBig(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/**
 * SSH-1's packet check: the reflected CRC-32 polynomial (0xEDB88320) WITHOUT zlib's initial and final inversion
 * (Gary S. Brown's crc32.c that the reference implementation and PuTTY's crc32_ssh1 use). So it is not
 * zlib.crc32: ssh1Crc32(x) = crc32(x) ^ crc32(zeros(x.length)).
 */
export function ssh1Crc32(data: Buffer): number {
  let crc = 0;
  for (const b of data) crc = (CRC_TABLE[(crc ^ b) & 0xff] as number) ^ (crc >>> 8);
  return crc >>> 0;
}
