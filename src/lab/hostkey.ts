/**
 * The lab's SSH host key: ed25519, generated once per state folder (kept as `ssh_host_ed25519_key`, mode 0600) or
 * once per process without one. Written in the OpenSSH private-key format by hand because ssh2 does not read
 * node's PKCS8 ed25519 export.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export interface HostKey {
  /** OpenSSH private key (PEM) for ssh2's `Server`. */
  privateKey: string;
  /** `ssh-ed25519 AAAA...` */
  publicKey: string;
  /** `SHA256:...` as `ssh-keygen -l` prints it. */
  sha256: string;
}

function sshString(b: Buffer | string): Buffer {
  const data = Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function generateHostKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const d = Buffer.from(jwk.d ?? '', 'base64url');
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const pub = Buffer.concat([sshString('ssh-ed25519'), sshString(x)]);
  const check = randomBytes(4).readUInt32BE();
  let priv = Buffer.concat([
    u32(check),
    u32(check),
    sshString('ssh-ed25519'),
    sshString(x),
    sshString(Buffer.concat([d, x])),
    sshString('asa-mailguard-lab'),
  ]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(pub),
    sshString(priv),
  ]);
  const b64 =
    body
      .toString('base64')
      .match(/.{1,70}/g)
      ?.join('\n') ?? '';
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

export function describeHostKey(pem: string): HostKey {
  const parsed = ssh2.utils.parseKey(pem);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) throw new Error('no host key');
  const blob = key.getPublicSSH();
  return {
    privateKey: pem,
    publicKey: `${key.type} ${blob.toString('base64')}`,
    sha256: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

let processKey: HostKey | undefined;

export function loadHostKey(stateDir?: string): HostKey {
  if (!stateDir) {
    processKey ??= describeHostKey(generateHostKeyPem());
    return processKey;
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, 'ssh_host_ed25519_key');
  if (existsSync(file)) return describeHostKey(readFileSync(file, 'utf8'));
  const pem = generateHostKeyPem();
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
  return describeHostKey(pem);
}
