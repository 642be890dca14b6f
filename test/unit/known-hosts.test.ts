import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMailguardError } from '../../src/errors.js';
import { sha256Fingerprint } from '../../src/transport/fingerprint.js';
import {
  appendKnownHost,
  checkHostKey,
  decideHostKey,
  hostsFieldMatches,
  knownHostsName,
  parseKnownHosts,
} from '../../src/transport/known-hosts.js';

// Real keys and real hashed entries made by OpenSSH's ssh-keygen (skipped parts say so when it is absent).
let dir: string;
let keyA: Buffer;
let keyB: Buffer;
let lineA: string;
const hasKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return (e as { status?: number }).status !== undefined && (e as { code?: string }).code !== 'ENOENT';
  }
})();

function makeKey(name: string): { blob: Buffer; pub: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  const pub = readFileSync(`${file}.pub`, 'utf8').trim();
  return { blob: Buffer.from(pub.split(' ')[1] as string, 'base64'), pub };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-'));
  if (!hasKeygen) return;
  const a = makeKey('a');
  keyA = a.blob;
  keyB = makeKey('b').blob;
  lineA = a.pub.split(' ').slice(0, 2).join(' ');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('known_hosts parsing', () => {
  it('reads markers, patterns, comments and skips junk', () => {
    const entries = parseKnownHosts(
      '# comment\n\nfw1,192.0.2.1 ssh-rsa AAAA x\n@revoked * ssh-ed25519 BBBB\n@cert-authority *.example ssh-rsa CCCC\nbroken\n',
    );
    expect(entries.map((e) => [e.marker, e.hosts, e.keyType, e.key])).toEqual([
      [null, 'fw1,192.0.2.1', 'ssh-rsa', 'AAAA'],
      ['@revoked', '*', 'ssh-ed25519', 'BBBB'],
      ['@cert-authority', '*.example', 'ssh-rsa', 'CCCC'],
    ]);
  });

  it('matches [host]:port, wildcards and negation like sshd(8)', () => {
    expect(knownHostsName('fw1', 22)).toBe('fw1');
    expect(knownHostsName('fw1', 2222)).toBe('[fw1]:2222');
    expect(hostsFieldMatches('fw1,fw2', 'fw2')).toBe(true);
    expect(hostsFieldMatches('[fw1]:2222', 'fw1')).toBe(false);
    expect(hostsFieldMatches('[fw1]:2222', '[fw1]:2222')).toBe(true);
    expect(hostsFieldMatches('*.example.net,!bad.example.net', 'fw.example.net')).toBe(true);
    expect(hostsFieldMatches('*.example.net,!bad.example.net', 'bad.example.net')).toBe(false);
    expect(hostsFieldMatches('192.0.2.?', '192.0.2.7')).toBe(true);
  });
});

describe.skipIf(!hasKeygen)('known_hosts against keys made by ssh-keygen', () => {
  it('finds a plain entry and reports a changed key with the line number', () => {
    const entries = parseKnownHosts(`other ${lineA}\n[127.0.0.1]:2222 ${lineA}\n`);
    expect(checkHostKey(entries, '127.0.0.1', 2222, keyA)).toEqual({ status: 'known' });
    expect(checkHostKey(entries, '127.0.0.1', 2222, keyB)).toMatchObject({ status: 'changed', line: 2 });
    expect(checkHostKey(entries, '127.0.0.1', 22, keyA)).toEqual({ status: 'unknown' });
  });

  it('matches entries hashed by `ssh-keygen -H` (|1|salt|hash), for port 22 and [host]:port', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `fw1.example.net ${lineA}\n[127.0.0.1]:2201 ${lineA}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\|1\|/m);
    expect(text).not.toContain('fw1.example.net');
    const entries = parseKnownHosts(text);
    expect(checkHostKey(entries, 'fw1.example.net', 22, keyA)).toEqual({ status: 'known' });
    expect(checkHostKey(entries, '127.0.0.1', 2201, keyA)).toEqual({ status: 'known' });
    expect(checkHostKey(entries, '127.0.0.1', 2201, keyB).status).toBe('changed');
    expect(checkHostKey(entries, 'fw2.example.net', 22, keyA).status).toBe('unknown');
  });

  it('a @revoked key is refused even when also listed', () => {
    const entries = parseKnownHosts(`fw1 ${lineA}\n@revoked * ${lineA}\n`);
    expect(checkHostKey(entries, 'fw1', 22, keyA).status).toBe('revoked');
  });

  it('strict refuses unknown keys with the SHA256 fingerprint and how to trust it', () => {
    const file = join(dir, 'strict');
    try {
      decideHostKey({ host: '127.0.0.1', port: 2202, keyBlob: keyA, policy: 'strict', knownHostsFile: file });
      expect.unreachable();
    } catch (e) {
      expect(isMailguardError(e) && e.code).toBe('HOST_KEY_UNKNOWN');
      const err = e as Error & { hint: string };
      expect(err.message).toContain(sha256Fingerprint(keyA));
      expect(err.hint).toContain('--host-key-policy accept-new');
      expect(err.hint).toContain('ssh-keyscan -p 2202 127.0.0.1');
    }
  });

  it('accept-new records the first key (0600, readable by ssh-keygen -F) and refuses a changed one', () => {
    const file = join(dir, 'sub', 'known_hosts');
    const logs: string[] = [];
    decideHostKey({
      host: '127.0.0.1',
      port: 2203,
      keyBlob: keyA,
      policy: 'accept-new',
      knownHostsFile: file,
      log: (l) => logs.push(l),
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(logs.join('\n')).toContain(sha256Fingerprint(keyA));
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2203', '-f', file], { encoding: 'utf8' });
    expect(found).toContain(keyA.toString('base64'));
    decideHostKey({ host: '127.0.0.1', port: 2203, keyBlob: keyA, policy: 'strict', knownHostsFile: file });
    expect(() =>
      decideHostKey({ host: '127.0.0.1', port: 2203, keyBlob: keyB, policy: 'accept-new', knownHostsFile: file }),
    ).toThrow(/CHANGED/);
  });

  it('off accepts anything but warns with the fingerprint', () => {
    const logs: string[] = [];
    decideHostKey({
      host: 'x',
      port: 22,
      keyBlob: keyB,
      policy: 'off',
      knownHostsFile: join(dir, 'none'),
      log: (l) => logs.push(l),
    });
    expect(logs[0]).toMatch(/^warning: host key NOT checked/);
    expect(logs[0]).toContain(sha256Fingerprint(keyB));
  });

  it('fingerprint equals ssh-keygen -lf', () => {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'a.pub')], { encoding: 'utf8' });
    expect(out).toContain(sha256Fingerprint(keyA));
  });

  it('appends on a new line even when the file lacks a trailing newline', () => {
    const file = join(dir, 'nonl');
    writeFileSync(file, `fw9 ${lineA}`);
    appendKnownHost(file, 'fw10', 22, keyB);
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    expect(entries.map((e) => e.hosts)).toEqual(['fw9', 'fw10']);
  });
});
