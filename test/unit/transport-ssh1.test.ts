/**
 * SSH-1.5 building blocks on their own: DES / SSH-1 3DES against published DES answers (FIPS 81, NIST SP 800-17),
 * the SSH-1 CRC-32, the packet codec and its three faults, the session key's double RSA encryption, and the client
 * and server protocol objects talking to each other in memory.
 */
import { generateKeyPairSync } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isMailguardError, MailguardError } from '../../src/errors.js';
import { Ssh1ServerProtocol } from '../../src/lab/server/ssh1-protocol.js';
import { toSsh1PrivateKey } from '../../src/lab/ssh1-keys.js';
import { createSsh1Cipher } from '../../src/transport/ssh1/cipher.js';
import { Ssh1Client } from '../../src/transport/ssh1/client.js';
import { Ssh1PacketError, Ssh1PacketReader, Ssh1PacketWriter } from '../../src/transport/ssh1/packet.js';
import { decryptSessionKey, encryptSessionKey, sessionId, unpadPkcs1Type2 } from '../../src/transport/ssh1/rsa.js';
import { CIPHER, MSG, ssh1Crc32, Writer } from '../../src/transport/ssh1/wire.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const FIPS_KEY = hex('0123456789abcdef');
// FIPS 81 Appendix B (ECB): "Now is t", "he time ", "for all " under 0123456789abcdef.
const FIPS_P = ['Now is t', 'he time ', 'for all '].map((s) => Buffer.from(s, 'latin1'));
const FIPS_C = ['3fa40e8a984d4815', '6a271787ab8883f9', '893d51ec4b563b53'].map(hex);

/** A plaintext whose CBC encryption under IV 0 is exactly FIPS_C (P_i = FIPS_P_i xor C_(i-1)). */
function cbcPlaintextFor(): Buffer {
  const blocks = FIPS_P.map((p, i) => {
    const prev = i === 0 ? Buffer.alloc(8) : (FIPS_C[i - 1] as Buffer);
    return Buffer.from(p.map((b, j) => b ^ (prev[j] as number)));
  });
  return Buffer.concat(blocks);
}

function sessionKeyWith(k1: Buffer, k2: Buffer, k3: Buffer): Buffer {
  return Buffer.concat([k1, k2, k3, Buffer.alloc(8)]);
}

describe('SSH-1 ciphers (DES via des-ede3-cbc K|K|K)', () => {
  it('DES gives the FIPS 81 and NIST SP 800-17 answers, chained CBC with IV 0', () => {
    const des = createSsh1Cipher(CIPHER.DES, sessionKeyWith(FIPS_KEY, Buffer.alloc(8), Buffer.alloc(8)), true);
    expect(des.update(cbcPlaintextFor())).toEqual(Buffer.concat(FIPS_C));
    // SP 800-17 Table A.1 (variable plaintext), first entry: key 01..01, 80 00.. -> 95f8a5e5dd31d900.
    const nist = createSsh1Cipher(CIPHER.DES, hex('0101010101010101'.repeat(4)), true);
    expect(nist.update(hex('8000000000000000'))).toEqual(hex('95f8a5e5dd31d900'));
  });

  it('DES keeps the CBC state across packets and decrypts what it encrypted', () => {
    const key = sessionKeyWith(FIPS_KEY, Buffer.alloc(8), Buffer.alloc(8));
    const enc = createSsh1Cipher(CIPHER.DES, key, true);
    const plain = cbcPlaintextFor();
    const split = Buffer.concat([enc.update(plain.subarray(0, 8)), enc.update(plain.subarray(8))]);
    expect(split).toEqual(Buffer.concat(FIPS_C));
    const dec = createSsh1Cipher(CIPHER.DES, key, false);
    expect(dec.update(split)).toEqual(plain);
  });

  it('3DES is E k1, D k2, E k3 as separate CBC passes (inner CBC), each with its own IV', () => {
    const other = hex('fedcba9876543210');
    const third = hex('133457799bbcdff1');
    const plain = cbcPlaintextFor();
    // k2 = k3: the D k2 and E k3 passes cancel (each with its own IV), leaving DES-CBC under k1.
    const a = createSsh1Cipher(CIPHER.TRIPLE_DES, sessionKeyWith(FIPS_KEY, other, other), true);
    expect(a.update(plain)).toEqual(Buffer.concat(FIPS_C));
    // k1 = k2: the first two passes cancel, leaving DES-CBC under k3.
    const b = createSsh1Cipher(CIPHER.TRIPLE_DES, sessionKeyWith(other, other, FIPS_KEY), true);
    expect(b.update(plain)).toEqual(Buffer.concat(FIPS_C));
    // Three different keys: not outer-CBC 3DES-EDE, and the receiver's passes (D k3, E k2, D k1) undo it.
    const key = sessionKeyWith(FIPS_KEY, other, third);
    const sealed = createSsh1Cipher(CIPHER.TRIPLE_DES, key, true).update(plain);
    expect(sealed).not.toEqual(Buffer.concat(FIPS_C));
    const dec = createSsh1Cipher(CIPHER.TRIPLE_DES, key, false);
    expect(Buffer.concat([dec.update(sealed.subarray(0, 16)), dec.update(sealed.subarray(16))])).toEqual(plain);
  });
});

describe('SSH-1 CRC-32 (no pre/post inversion)', () => {
  it('is zlib crc32 without its conditioning, for every length', () => {
    expect(ssh1Crc32(Buffer.from('123456789'))).toBe(0x2dfd2d88);
    for (const n of [0, 1, 7, 8, 63, 1000]) {
      const b = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
      expect(ssh1Crc32(b)).toBe((crc32(b) ^ crc32(Buffer.alloc(n))) >>> 0);
    }
  });
});

describe('SSH-1 packets', () => {
  const zeros = (n: number) => Buffer.alloc(n);

  it('lays out length, 1-8 padding bytes, type, data and CRC', () => {
    const w = new Ssh1PacketWriter(zeros);
    const pkt = w.encode(MSG.SMSG_SUCCESS);
    // length 5 (type + CRC), 3 padding bytes so that 3 + 5 = 8.
    expect(pkt.subarray(0, 4)).toEqual(hex('00000005'));
    expect(pkt.length).toBe(4 + 8);
    expect(pkt.subarray(4, 8)).toEqual(hex('0000000e'));
    expect(pkt.readUInt32BE(8)).toBe(ssh1Crc32(hex('0000000e')));
    // a length already a multiple of 8 still gets 8 padding bytes
    const full = w.encode(MSG.IGNORE, new Writer().string('abc').done()); // 1 + 7 + 4 = 12 -> pad 4
    expect(full.length).toBe(4 + 4 + 12);
    expect(w.encode(MSG.IGNORE, Buffer.alloc(3)).length).toBe(4 + 8 + 8);
  });

  it('reads packets split anywhere and several per chunk, encrypted both ways', () => {
    const key = Buffer.alloc(32, 7);
    const w = new Ssh1PacketWriter();
    w.cipher = createSsh1Cipher(CIPHER.TRIPLE_DES, key, true);
    const r = new Ssh1PacketReader();
    r.cipher = createSsh1Cipher(CIPHER.TRIPLE_DES, key, false);
    const payloads = ['a', 'hello world', 'x'.repeat(300)].map((s) => new Writer().string(s).done());
    const wire = Buffer.concat(payloads.map((p) => w.encode(MSG.SMSG_STDOUT_DATA, p)));
    const got: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 5) {
      r.push(wire.subarray(i, i + 5));
      for (let p = r.next(); p; p = r.next()) got.push(p.payload);
    }
    expect(got).toEqual(payloads);
  });

  it.each([
    ['bad-length', hex('00000000 0000000000000000')],
    ['bad-length', hex('00100000 00')],
  ])('refuses a %s packet', (fault, bytes) => {
    const r = new Ssh1PacketReader();
    r.push(bytes);
    expect(() => r.next()).toThrow(expect.objectContaining({ fault }));
    expect(() => r.next()).toThrow(Ssh1PacketError); // stays broken
  });

  it('refuses a bad CRC and an unknown message type', () => {
    const good = new Ssh1PacketWriter(zeros).encode(MSG.SMSG_SUCCESS);
    const flipped = Buffer.from(good);
    flipped[7] = 0x0f; // type byte changed, CRC not
    const r1 = new Ssh1PacketReader();
    r1.push(flipped);
    expect(() => r1.next()).toThrow(expect.objectContaining({ fault: 'bad-crc' }));
    const r2 = new Ssh1PacketReader();
    r2.push(new Ssh1PacketWriter(zeros).encode(99));
    expect(() => r2.next()).toThrow(expect.objectContaining({ fault: 'unknown-type' }));
  });
});

const keyPair = (bits: number) => toSsh1PrivateKey(generateKeyPairSync('rsa', { modulusLength: bits }).privateKey);
const HOST = keyPair(1024);
const SERVER = keyPair(768);

describe('SSH-1 session key', () => {
  it('survives the double encryption whichever key is smaller, leading zero bytes included', () => {
    const cookie = Buffer.alloc(8, 1);
    const id = sessionId(HOST, SERVER, cookie);
    for (const [h, s] of [
      [HOST, SERVER],
      [SERVER, HOST],
    ] as const) {
      const key = Buffer.concat([Buffer.alloc(1), Buffer.alloc(31, 0xab)]);
      // key[0] ^ id[0] may be anything; force a leading zero after the XOR too
      const lead = Buffer.from(key);
      lead[0] = id[0] as number;
      for (const k of [key, lead]) {
        expect(decryptSessionKey(encryptSessionKey(k, id, h, s), id, h, s)).toEqual(k);
      }
    }
  });

  it('refuses broken PKCS#1 v1.5 padding', () => {
    expect(() => unpadPkcs1Type2(hex(`0001${'ff'.repeat(20)}00aa`))).toThrow();
    expect(() => unpadPkcs1Type2(hex(`0002${'ff'.repeat(5)}00aa`))).toThrow(); // fewer than 8 padding bytes
    expect(unpadPkcs1Type2(hex(`0002${'ff'.repeat(8)}00aabb`))).toEqual(hex('aabb'));
  });
});

/** Client and server protocol objects wired back to back; returns what happened. */
function converse(opts: { password?: string; verify?: () => void; serverKey?: typeof SERVER; tamper?: boolean }) {
  const events: string[] = [];
  let error: MailguardError | undefined;
  let clientSentAfterError = 0;
  let shellInput = '';
  // Queued delivery so neither side re-enters the other inside a send.
  const queue: Array<() => void> = [];
  let toServerCount = 0;
  const server = new Ssh1ServerProtocol(
    {
      version: 'SSH-1.5-Cisco-1.25',
      hostKey: HOST,
      serverKey: opts.serverKey ?? SERVER,
      ciphers: [CIPHER.TRIPLE_DES, CIPHER.DES],
      checkPassword: (u, p) => u === 'pix' && p === 'secret',
    },
    {
      send: (b) => {
        let out = b;
        // corrupt the first shell output byte stream (after login) when asked
        if (opts.tamper && events.includes('ready')) {
          out = Buffer.from(b);
          out[out.length - 1] = (out[out.length - 1] as number) ^ 1;
        }
        queue.push(() => client.receive(out));
      },
      shell: () => {
        events.push('shell');
        server.write(Buffer.from('pix> '));
      },
      data: (b) => {
        shellInput += b.toString();
        if (shellInput.endsWith('exit\n')) server.exit(0);
      },
      eof: () => events.push('eof'),
      end: (reason) => events.push(`server end: ${reason}`),
    },
  );
  const client = new Ssh1Client(
    {
      username: 'pix',
      password: opts.password,
      where: '127.0.0.1:2222',
      verifyHostKey: opts.verify ?? (() => {}),
    },
    {
      send: (b) => {
        if (error) clientSentAfterError++;
        toServerCount++;
        queue.push(() => server.receive(b));
      },
      ready: (info) => {
        events.push('ready', info.cipher);
        client.write(Buffer.from('show version\nexit\n'));
      },
      data: (b) => events.push(`data ${b.toString()}`),
      close: (reason) => events.push(`client close: ${reason}`),
      error: (e) => {
        error = e;
      },
    },
  );
  server.start();
  while (queue.length > 0) (queue.shift() as () => void)();
  return { events, error, clientSentAfterError, shellInput, toServerCount };
}

describe('SSH-1 client and server protocol objects', () => {
  it('log in with 3DES, open a pty shell, carry data and end on the exit status', () => {
    const r = converse({ password: 'secret' });
    expect(r.error).toBeUndefined();
    expect(r.events).toEqual([
      'ready',
      '3des',
      'shell',
      'data pix> ',
      'client close: exit status 0',
      'server end: exit confirmed',
    ]);
    expect(r.shellInput).toBe('show version\nexit\n');
  });

  it('a refused password is one AUTH_FAILED and nothing is sent after it', () => {
    const r = converse({ password: 'wrong' });
    expect(r.error?.code).toBe('AUTH_FAILED');
    expect(r.error?.exitCode).toBe(3);
    expect(r.clientSentAfterError).toBe(0);
  });

  it('a host key the policy refuses stops the client before the session key goes out', () => {
    const r = converse({
      password: 'secret',
      verify: () => {
        throw new MailguardError('HOST_KEY_CHANGED', 'changed');
      },
    });
    expect(r.error?.code).toBe('HOST_KEY_CHANGED');
    expect(r.toServerCount).toBe(1); // the identification line only
  });

  it('a server key under 512 bits is refused', () => {
    const weak = { ...SERVER, bits: 500, n: (1n << 499n) + 1n };
    const r = converse({ password: 'secret', serverKey: weak });
    expect(r.error?.code).toBe('PROTOCOL_ERROR');
    expect(r.error?.message).toMatch(/server key of 500 bits; at least 512/);
    expect(r.toServerCount).toBe(1);
  });

  it('a corrupt packet after login ends the client with PROTOCOL_ERROR (bad CRC), nothing sent after', () => {
    const r = converse({ password: 'secret', tamper: true });
    expect(isMailguardError(r.error)).toBe(true);
    expect(r.error?.code).toBe('PROTOCOL_ERROR');
    expect(r.error?.message).toMatch(/CRC/);
    expect(r.clientSentAfterError).toBe(0);
  });
});
