/**
 * SSH-1 binary packets, shared by the client transport and the lab's server: uint32 length (type + data + CRC),
 * 1-8 bytes of padding so that padding + type + data + CRC is a multiple of 8, type, data, CRC-32 over padding,
 * type and data. Everything after the length field is encrypted once a cipher is set.
 */
import { randomBytes } from 'node:crypto';
import type { Ssh1Cipher } from './cipher.js';
import { MAX_PACKET_LENGTH, MSG_MAX, ssh1Crc32 } from './wire.js';

export interface Ssh1Packet {
  type: number;
  payload: Buffer;
}

export type Ssh1PacketFault = 'bad-length' | 'bad-crc' | 'unknown-type';

/** A packet that breaks the specification. `fault` says which rule. */
export class Ssh1PacketError extends Error {
  constructor(
    readonly fault: Ssh1PacketFault,
    message: string,
  ) {
    super(message);
    this.name = 'Ssh1PacketError';
  }
}

export type RandomFn = (n: number) => Buffer;

export class Ssh1PacketWriter {
  cipher: Ssh1Cipher | null = null;
  constructor(private readonly random: RandomFn = randomBytes) {}
  encode(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
    const length = payload.length + 5;
    const padLen = 8 - (length % 8);
    const body = Buffer.concat([this.random(padLen), Buffer.from([type]), payload, Buffer.alloc(4)]);
    body.writeUInt32BE(ssh1Crc32(body.subarray(0, body.length - 4)), body.length - 4);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(length);
    return Buffer.concat([head, this.cipher ? this.cipher.update(body) : body]);
  }
}

/** Feed received bytes, take whole packets. Throws Ssh1PacketError and stays broken after it. */
export class Ssh1PacketReader {
  cipher: Ssh1Cipher | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private broken: Ssh1PacketError | null = null;

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /** The next whole packet, or null when more bytes are needed. */
  next(): Ssh1Packet | null {
    if (this.broken) throw this.broken;
    if (this.buf.length < 4) return null;
    const length = this.buf.readUInt32BE(0);
    if (length < 5 || length > MAX_PACKET_LENGTH) {
      return this.fail('bad-length', `packet length ${length} is outside 5..${MAX_PACKET_LENGTH}`);
    }
    const padLen = 8 - (length % 8);
    const total = 4 + padLen + length;
    if (this.buf.length < total) return null;
    const sealed = this.buf.subarray(4, total);
    this.buf = this.buf.subarray(total);
    const body = this.cipher ? this.cipher.update(sealed) : sealed;
    const crc = body.readUInt32BE(body.length - 4);
    if (ssh1Crc32(body.subarray(0, body.length - 4)) !== crc) {
      return this.fail('bad-crc', 'packet CRC-32 check failed (corrupt data or wrong session key)');
    }
    const type = body[padLen] as number;
    if (type < 1 || type > MSG_MAX) return this.fail('unknown-type', `unknown message type ${type}`);
    return { type, payload: Buffer.from(body.subarray(padLen + 1, body.length - 4)) };
  }

  private fail(fault: Ssh1PacketFault, message: string): never {
    this.broken = new Ssh1PacketError(fault, message);
    throw this.broken;
  }
}
