/**
 * SSH-1 packet ciphers: DES-CBC and SSH-1's "3DES", which is NOT 3DES-EDE-CBC but three chained CBC passes over
 * the whole packet (encrypt k1, decrypt k2, encrypt k3), each pass with its own IV carried on from packet to packet
 * ("inner CBC", draft-ylonen-ssh-protocol-00 "Encryption of Sessions"). IVs start at zero; keys are taken from the
 * session key in order (k1 = bytes 0-7, k2 = 8-15, k3 = 16-23), DES parity bits ignored.
 *
 * Node 20's OpenSSL 3 keeps single DES in the legacy provider only, but des-ede3-cbc is in the default one.
 * Single DES is 3DES-EDE with the key K|K|K (E_K(D_K(E_K(x))) = E_K(x)), so each pass is a des-ede3-cbc
 * cipher keyed KKK. test/unit/transport-ssh1-cipher.test.ts checks this against the FIPS 81 DES vectors.
 */
import { type Cipher, createCipheriv, createDecipheriv, type Decipher } from 'node:crypto';
import { CIPHER, type Ssh1CipherType } from './wire.js';

export interface Ssh1Cipher {
  /** Encrypt or decrypt (by construction) whole 8-byte blocks, carrying the CBC state on. */
  update(data: Buffer): Buffer;
}

type Pass = Cipher | Decipher;

/** One streaming DES-CBC pass: `encrypt` true for E_K, false for D_K. */
function desPass(key: Buffer, encrypt: boolean): Pass {
  const kkk = Buffer.concat([key, key, key]);
  const iv = Buffer.alloc(8);
  const c = encrypt ? createCipheriv('des-ede3-cbc', kkk, iv) : createDecipheriv('des-ede3-cbc', kkk, iv);
  c.setAutoPadding(false);
  return c;
}

class Chain implements Ssh1Cipher {
  constructor(private readonly passes: Pass[]) {}
  update(data: Buffer): Buffer {
    if (data.length % 8 !== 0) throw new Error(`SSH-1 cipher input of ${data.length} bytes is not whole blocks`);
    let out = data;
    for (const p of this.passes) out = p.update(out);
    return out;
  }
}

/**
 * The cipher for one direction. `encrypt` true: what a sender applies; false: what a receiver applies
 * (3DES then runs D k3, E k2, D k1).
 */
export function createSsh1Cipher(type: Ssh1CipherType, sessionKey: Buffer, encrypt: boolean): Ssh1Cipher {
  const k1 = sessionKey.subarray(0, 8);
  if (type === CIPHER.DES) return new Chain([desPass(k1, encrypt)]);
  const k2 = sessionKey.subarray(8, 16);
  const k3 = sessionKey.subarray(16, 24);
  return encrypt
    ? new Chain([desPass(k1, true), desPass(k2, false), desPass(k3, true)])
    : new Chain([desPass(k3, false), desPass(k2, true), desPass(k1, false)]);
}

export function cipherName(type: number): string {
  return type === CIPHER.TRIPLE_DES ? '3des' : type === CIPHER.DES ? 'des' : `cipher #${type}`;
}
