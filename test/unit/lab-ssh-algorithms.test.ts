/**
 * The SSH-2 identification and algorithm set an emulated unit offers (asa-cli.md §1.8): the image default, the
 * `ssh key-exchange group` / `ssh cipher encryption|integrity` / `ssh version` config lines, the lab's override.
 */
import { describe, expect, it } from 'vitest';
import { CIPHER_LEVELS, sshServerProfile } from '../../src/lab/ssh-algorithms.js';

/**
 * ASA 9.4(3)12 `show ssh ciphers`, the four level lines verbatim (asa-cli.md §1.8, layer77.net 2016-12-16
 * [capture]; no file of it in shared/reference/asa-outputs).
 */
const SHOW_SSH_CIPHERS_9_4 = Object.fromEntries(
  `  low: 3des-cbc aes128-cbc aes192-cbc aes256-cbc aes128-ctr aes192-ctr aes256-ctr
  medium: aes128-cbc aes192-cbc aes256-cbc aes128-ctr aes192-ctr aes256-ctr
  fips: aes128-cbc aes256-cbc
  high: aes256-cbc aes256-ctr`
    .split('\n')
    .map((l) => l.trim().split(/:? +/))
    .map(([level, ...ciphers]) => [level as string, ciphers]),
);

describe('sshServerProfile', () => {
  it('the cipher levels are the ones the 9.4(3)12 capture lists, in its order', () => {
    for (const level of ['low', 'medium', 'fips', 'high']) {
      expect(CIPHER_LEVELS[level], level).toEqual(SHOW_SSH_CIPHERS_9_4[level]);
    }
  });

  it('ASA 8.x: SSH-1.99, group1-sha1 only, CBC ciphers, hmac-sha1/md5, ssh-rsa', () => {
    expect(sshServerProfile('asa8', [])).toEqual({
      ident: 'SSH-1.99-Cisco-1.25',
      kex: ['diffie-hellman-group1-sha1'],
      cipher: ['aes128-cbc', 'aes192-cbc', 'aes256-cbc', '3des-cbc'],
      hmac: ['hmac-sha1', 'hmac-md5'],
      serverHostKey: ['ssh-rsa'],
    });
    expect(sshServerProfile('asa8', ['ssh version 2'])?.ident).toBe('SSH-2.0-Cisco-1.25');
  });

  it('ASA 9.x: SSH-2.0 and the `medium` ciphers (the 9.4(3)12 `show ssh ciphers` capture)', () => {
    const p = sshServerProfile('asa9', ['ssh version 2']);
    expect(p?.ident).toBe('SSH-2.0-Cisco-1.25');
    // Checked against the capture's own lines, not against the module's table (which could carry the same mistake).
    expect(p?.cipher).toEqual(SHOW_SSH_CIPHERS_9_4.medium);
    expect(p?.cipher).not.toContain('3des-cbc');
    expect(p?.serverHostKey).toEqual(['ssh-rsa']);
  });

  it('config lines switch the set; the last line wins; 8.x has no `ssh cipher` levels', () => {
    const body = ['ssh key-exchange group dh-group14-sha256', 'ssh key-exchange group dh-group1-sha1'];
    expect(sshServerProfile('asa9', body)?.kex).toEqual(['diffie-hellman-group1-sha1']);
    expect(sshServerProfile('asa9', ['ssh cipher encryption low'])?.cipher).toContain('3des-cbc');
    expect(sshServerProfile('asa9', ['ssh cipher encryption custom aes256-ctr:aes128-ctr'])?.cipher).toEqual([
      'aes256-ctr',
      'aes128-ctr',
    ]);
    expect(sshServerProfile('asa9', ['ssh cipher integrity high'])?.hmac).toEqual(['hmac-sha2-256']);
    expect(sshServerProfile('asa8', ['ssh key-exchange group dh-group14-sha1'])?.kex).toEqual([
      'diffie-hellman-group14-sha1',
    ]);
    expect(sshServerProfile('asa8', ['ssh cipher encryption high'])?.cipher).toContain('3des-cbc');
  });

  it("the lab's override replaces a category; a PIX has no SSH-2 server", () => {
    expect(sshServerProfile('asa8', [], { kex: ['curve25519-sha256'] })?.kex).toEqual(['curve25519-sha256']);
    expect(sshServerProfile('pix6', [])).toBeNull();
  });
});
