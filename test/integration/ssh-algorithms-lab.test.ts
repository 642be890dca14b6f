/**
 * Each image's SSH-2 algorithms over real TCP (asa-cli.md §1.8): asa8 says SSH-1.99 and offers the 8.x set only, so
 * the tool needs --legacy-algorithms there; asa9 serves its 9.x set; both switch with their config or the lab's
 * override, and a refusal names the device's offer (SSH_NO_COMMON_ALGORITHM, exit 3) before anything is sent.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isMailguardError, type MailguardError } from '../../src/errors.js';
import { openSession } from '../../src/session/index.js';
import { labFixture } from '../helpers/lab.js';

const fx = labFixture(
  {
    devices: [
      { name: 'asa8', dialect: 'asa8' },
      { name: 'asa9', dialect: 'asa9', anonymousReportingQuestion: false },
      { name: 'asa9-3des', dialect: 'asa9', sshAlgorithms: { cipher: ['3des-cbc'] } },
    ],
    smtp: false,
  },
  'ssh-algos-',
);

async function refusal(p: Promise<unknown>): Promise<MailguardError> {
  try {
    const s = (await p) as { close(): Promise<void> };
    await s.close();
  } catch (e) {
    if (isMailguardError(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** The first line the server writes (its identification string). */
async function identOf(port: number): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  let text = '';
  while (!text.includes('\n')) {
    const [chunk] = (await once(sock, 'data')) as [Buffer];
    text += chunk.toString('latin1');
  }
  sock.destroy();
  return text.split('\n')[0] as string;
}

describe('asa8: the ASA 8.x set only', () => {
  it('identifies as SSH-1.99-Cisco-1.25 and says it needs the legacy set', async () => {
    const d = fx.lab.device('asa8').info;
    expect(await identOf(d.ssh.port)).toBe('SSH-1.99-Cisco-1.25\r');
    expect(d.legacyAlgorithms).toBe(true);
    expect(d.sshServer?.kex).toEqual(['diffie-hellman-group1-sha1']);
  });

  it('without --legacy-algorithms: SSH_NO_COMMON_ALGORITHM naming group1-sha1, no command sent; with it: logged in', async () => {
    const before = fx.lab.device('asa8').commandLog().length;
    const e = await refusal(openSession(fx.opts('asa8', { legacyAlgorithms: false })));
    expect(e.code).toBe('SSH_NO_COMMON_ALGORITHM');
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('Their offer: diffie-hellman-group1-sha1');
    expect(e.hint).toContain('--legacy-algorithms');
    expect(fx.lab.device('asa8').commandLog().length).toBe(before);
    const s = await openSession(fx.opts('asa8', { legacyAlgorithms: true }));
    expect(await s.send('show version')).toContain('Version 8.4(1)');
    await s.close();
  });
});

describe('asa9: the 9.x set, switched by its config', () => {
  it('SSH-2.0 and no legacy needed; `ssh key-exchange group dh-group1-sha1` then refuses the next session', async () => {
    const d = fx.lab.device('asa9').info;
    expect(await identOf(d.ssh.port)).toBe('SSH-2.0-Cisco-1.25\r');
    expect(d.legacyAlgorithms).toBe(false);
    const s = await openSession(fx.opts('asa9'));
    await s.enterConfig();
    const out = await s.send('ssh key-exchange group dh-group1-sha1');
    expect(out).toContain('WARNING: DH group 2 is considered insecure');
    await s.exitConfig();
    await s.close();
    const e = await refusal(openSession(fx.opts('asa9')));
    expect(e.code).toBe('SSH_NO_COMMON_ALGORITHM');
    expect(e.message).toContain('Their offer: diffie-hellman-group1-sha1');
    const legacy = await openSession(fx.opts('asa9', { legacyAlgorithms: true }));
    await legacy.enterConfig();
    await legacy.send('no ssh key-exchange group');
    await legacy.exitConfig();
    await legacy.close();
    const again = await openSession(fx.opts('asa9'));
    await again.close();
  });

  it("the lab's override: a 3DES-only unit names the cipher offer; the legacy set reaches it", async () => {
    const e = await refusal(openSession(fx.opts('asa9-3des', { legacyAlgorithms: false })));
    expect(e.code).toBe('SSH_NO_COMMON_ALGORITHM');
    expect(e.message).toContain('no matching cipher. Their offer: 3des-cbc');
    const s = await openSession(fx.opts('asa9-3des', { legacyAlgorithms: true }));
    await s.close();
  });
});
