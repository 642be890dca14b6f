/**
 * The RSA keys of the lab's SSH-1 server (pix6). The host key (1024 bits, as `ca generate rsa key 1024` makes) is
 * one per unit, as in the field; it is kept in the state folder as `ssh_host_rsa1_key-<unit>` (PKCS#8 PEM, mode
 * 0600, src/lab/kept-key.ts) so known_hosts entries survive restarts; without a state folder it lives as long as the
 * lab. The server key (768 bits, what a PIX uses) is made once per process: a PIX regenerates it hourly, but no lab
 * session lasts an hour and RSA generation costs test time.
 */
import { createPrivateKey, generateKeyPair, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Ssh1PrivateKey } from '../transport/ssh1/rsa.js';
import { bitLength, bytesToBig } from '../transport/ssh1/wire.js';
import { keptKeyPem } from './kept-key.js';

export const SSH1_HOST_KEY_BITS = 1024;
export const SSH1_SERVER_KEY_BITS = 768;

export function toSsh1PrivateKey(key: KeyObject): Ssh1PrivateKey {
  const jwk = key.export({ format: 'jwk' });
  const big = (s: string | undefined) => bytesToBig(Buffer.from(s ?? '', 'base64url'));
  const n = big(jwk.n);
  return {
    bits: bitLength(n),
    n,
    e: big(jwk.e),
    d: big(jwk.d),
    p: big(jwk.p),
    q: big(jwk.q),
    dp: big(jwk.dp),
    dq: big(jwk.dq),
    qi: big(jwk.qi),
  };
}

function generate(bits: number): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
}

let processServerKey: Ssh1PrivateKey | undefined;
const generateAsync = promisify(generateKeyPair);

/** One unit's SSH-1 host key: new (generated off the main thread), or the one kept for it in the state folder. */
export async function loadSsh1HostKey(unit: string, stateDir?: string): Promise<Ssh1PrivateKey> {
  const make = async () => {
    const { privateKey } = await generateAsync('rsa', { modulusLength: SSH1_HOST_KEY_BITS });
    return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  };
  return toSsh1PrivateKey(createPrivateKey(await keptKeyPem(stateDir, 'ssh_host_rsa1_key', unit, make)));
}

export function ssh1ServerKey(): Ssh1PrivateKey {
  processServerKey ??= toSsh1PrivateKey(generate(SSH1_SERVER_KEY_BITS));
  return processServerKey;
}
