/**
 * SSH-1's RSA: public keys as (bits, e, n), the session id, the doubly encrypted session key (PKCS#1 v1.5 type 2,
 * smaller modulus first), fingerprints and OpenSSH's SSH-1 known_hosts form (`bits exponent modulus`, decimal).
 * Encryption uses node:crypto; decryption (the lab's server side) is BigInt arithmetic because Node 20.11+ refuses
 * privateDecrypt with PKCS#1 v1.5 padding (CVE-2023-46809) and RSA_NO_PADDING would still leave the unpadding to us.
 */
import { constants, createHash, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { bigToBytes, bitLength, bytesToBig, SESSION_KEY_BYTES } from './wire.js';

export interface Ssh1PublicKey {
  /** The bit count the server announced (OpenSSH's known_hosts writes it). */
  bits: number;
  e: bigint;
  n: bigint;
}

export interface Ssh1PrivateKey extends Ssh1PublicKey {
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function modulusBytes(k: Ssh1PublicKey): number {
  return (bitLength(k.n) + 7) >> 3;
}

/** MD5 over the host key modulus, the server key modulus (both without leading zeros) and the cookie. */
export function sessionId(hostKey: Ssh1PublicKey, serverKey: Ssh1PublicKey, cookie: Buffer): Buffer {
  return createHash('md5')
    .update(Buffer.concat([bigToBytes(hostKey.n), bigToBytes(serverKey.n), cookie]))
    .digest();
}

function rsaEncrypt(key: Ssh1PublicKey, value: bigint): bigint {
  const publicKey = createPublicKey({
    key: { kty: 'RSA', n: bigToBytes(key.n).toString('base64url'), e: bigToBytes(key.e).toString('base64url') },
    format: 'jwk',
  });
  const out = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, bigToBytes(value));
  return bytesToBig(out);
}

/** The two keys ordered smaller modulus first, as both sides apply them. */
export function keyOrder<K extends Ssh1PublicKey>(a: K, b: K): [K, K] {
  return a.n < b.n ? [a, b] : [b, a];
}

/**
 * The SSH_CMSG_SESSION_KEY integer: session key with its first 16 bytes XORed with the session id, read as a
 * big-endian integer, encrypted with the smaller-modulus key and that result with the larger one.
 */
export function encryptSessionKey(
  sessionKey: Buffer,
  id: Buffer,
  hostKey: Ssh1PublicKey,
  serverKey: Ssh1PublicKey,
): bigint {
  const mixed = Buffer.from(sessionKey);
  for (let i = 0; i < 16; i++) mixed[i] = (mixed[i] as number) ^ (id[i] as number);
  const [first, second] = keyOrder(hostKey, serverKey);
  return rsaEncrypt(second, rsaEncrypt(first, bytesToBig(mixed)));
}

/** The inner padding is too short or malformed: the session key cannot be recovered. */
export class Pkcs1Error extends Error {}

function rsaDecrypt(key: Ssh1PrivateKey, value: bigint): bigint {
  // CRT: two half-size exponentiations.
  const m1 = modPow(value % key.p, key.dp, key.p);
  const m2 = modPow(value % key.q, key.dq, key.q);
  const h = (key.qi * (((m1 - m2) % key.p) + key.p)) % key.p;
  return m2 + h * key.q;
}

/**
 * Strip PKCS#1 v1.5 type 2 padding (00 02 PS>=8 nonzero 00 M). Scans every byte whatever it finds, so the time
 * taken does not tell where the padding went wrong (constant-time in spirit; BigInt itself is not).
 */
export function unpadPkcs1Type2(block: Buffer): Buffer {
  let bad = (block[0] as number) | ((block[1] as number) ^ 2);
  let sep = 0;
  for (let i = 2; i < block.length; i++) {
    const isZero = block[i] === 0 ? 1 : 0;
    if (sep === 0 && isZero) sep = i;
  }
  bad |= sep === 0 || sep < 10 ? 1 : 0;
  if (bad) throw new Pkcs1Error('bad PKCS#1 v1.5 padding');
  return block.subarray(sep + 1);
}

/** Server side of encryptSessionKey: the 32-byte session key (left-padded, as the reference server does). */
export function decryptSessionKey(
  value: bigint,
  id: Buffer,
  hostKey: Ssh1PrivateKey,
  serverKey: Ssh1PrivateKey,
): Buffer {
  const [first, second] = keyOrder(hostKey, serverKey);
  const inner = bytesToBig(unpadPkcs1Type2(bigToBytes(rsaDecrypt(second, value), modulusBytes(second))));
  const mixed = unpadPkcs1Type2(bigToBytes(rsaDecrypt(first, inner), modulusBytes(first)));
  if (mixed.length > SESSION_KEY_BYTES) throw new Pkcs1Error(`session key of ${mixed.length} bytes`);
  const key = Buffer.concat([Buffer.alloc(SESSION_KEY_BYTES - mixed.length), mixed]);
  for (let i = 0; i < 16; i++) key[i] = (key[i] as number) ^ (id[i] as number);
  return key;
}

/** The bytes OpenSSH fingerprinted for an SSH-1 (rsa1) key: modulus then exponent, no leading zeros. */
function fingerprintBlob(k: Ssh1PublicKey): Buffer {
  return Buffer.concat([bigToBytes(k.n), bigToBytes(k.e)]);
}

export function ssh1Sha256Fingerprint(k: Ssh1PublicKey): string {
  return `SHA256:${createHash('sha256').update(fingerprintBlob(k)).digest('base64').replace(/=+$/, '')}`;
}

export function ssh1Md5Fingerprint(k: Ssh1PublicKey): string {
  const hex = createHash('md5').update(fingerprintBlob(k)).digest('hex');
  return `MD5:${hex.match(/../g)?.join(':')}`;
}

/** The key part of an OpenSSH SSH-1 known_hosts line: `bits exponent modulus` in decimal. */
export function ssh1KnownHostsKey(k: Ssh1PublicKey): string {
  return `${k.bits} ${k.e.toString(10)} ${k.n.toString(10)}`;
}

export function randomSessionKey(): Buffer {
  return randomBytes(SESSION_KEY_BYTES);
}
