import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sshEnabled, sshShell, startTestLab } from '../helpers/lab.js';

const hasOpenSsh = spawnSync('ssh', ['-V']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'lab-ssh-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const lab = await startTestLab([
  { name: 'asa9', dialect: 'asa9' },
  { name: 'pix6', dialect: 'pix6' },
  { name: 'asa8', dialect: 'asa8' },
]);

describe('lab over SSH (ssh2 Client)', () => {
  it('logs in with password auth and shows the ASA login shape (asa_login-banner_1.txt)', async () => {
    const info = lab.device('asa9').info;
    const s = await sshShell(info);
    const banner = await s.waitFor(/\r[^\r\n]+> $/);
    expect(banner).toContain("Type help or '?' for a list of available commands.\r\n");
    expect(banner).toContain(`User ${info.username} logged in to ciscoasa`);
    expect(banner.endsWith('\rciscoasa> ')).toBe(true);
    s.end();
  });

  it('logs in with keyboard-interactive auth', async () => {
    const info = lab.device('asa8').info;
    const s = await sshShell(info, { keyboardInteractive: true });
    await s.waitFor(/\rasa8> $/);
    s.end();
  });

  it('rejects a wrong password', async () => {
    const info = lab.device('asa9').info;
    await expect(sshShell(info, { password: 'wrong' })).rejects.toThrow(/authentication/i);
  });

  it('enable echoes * per character, conf t asks the NOTICE, no inspect esmtp, write mem checksum = show run', async () => {
    const dev = lab.device('asa9');
    const s = await sshShell(dev.info);
    await s.waitFor(/> $/);
    s.send('ena\n');
    await s.waitFor(/(?:Password|PIX passwd): $/);
    s.send(`${dev.info.enableSecret}\n`);
    const afterEnable = await s.waitFor(/# $/);
    expect(afterEnable).toContain(`Password: ${'*'.repeat(dev.info.enableSecret.length)}\r\n\rciscoasa# `);
    await s.cmd('terminal pager 0');
    const from = s.buffer.length;
    s.send('conf t\n');
    const notice = await s.waitFor(/\[Y\]es, \[N\]o, \[A\]sk later: $/, 5000, from);
    expect(notice).toMatch(/conf t\r\n\rciscoasa\(config\)# \r\n\r\n\*+ NOTICE \*+/);
    const afterN = await s.cmd('N', /\(config\)# $/);
    expect(afterN).toContain('Please remember to save your configuration.');
    await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
    await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
    const r = await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
    expect(r).toBe('no inspect esmtp\r\n\rciscoasa(config-pmap-c)# ');
    await s.cmd('end');
    expect(dev.runningConfig()).not.toMatch(/inspect esmtp/);
    expect(dev.inspectionPolicy().active).toBe(false);
    const save = await s.cmd('wr mem');
    const m = /Cryptochecksum: ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8})/.exec(save);
    expect(save).toContain('Building configuration...');
    expect(save).toMatch(/\d+ bytes copied in 0\.150 secs\r\n\[OK\]\r\n/);
    const run = await s.cmd('show running-config | include checksum:');
    expect(run).toContain(`Cryptochecksum:${m?.slice(1).join('')}`);
    expect(dev.startupConfig()).toContain(`Cryptochecksum:${m?.slice(1).join('')}`);
    const bye = await (async () => {
      const from2 = s.buffer.length;
      s.send('exit\n');
      await s.waitClosed();
      return s.buffer.slice(from2);
    })();
    expect(bye).toBe('exit\r\n\r\nLogoff\r\n\r\n');
  });

  it('PIX: no fixup protocol smtp 25 turns inspection off in the running config', async () => {
    const dev = lab.device('pix6');
    expect(dev.inspectionPolicy()).toMatchObject({ active: true, ports: [25], family: 'pix-mailguard' });
    const s = await sshEnabled(dev.info);
    const fix = await s.cmd('show fixup');
    expect(fix).toContain('fixup protocol smtp 25\r\n');
    await s.cmd('conf t', /\(config\)# $/);
    const r = await s.cmd('no fixup protocol smtp 25', /\(config\)# $/);
    expect(r).toBe('no fixup protocol smtp 25\r\n\rpix(config)# ');
    expect(dev.inspectionPolicy().active).toBe(false);
    expect(dev.runningConfig()).toContain('\nno fixup protocol smtp 25\n');
    await s.cmd('exit');
    s.end();
  });

  it.skipIf(!hasOpenSsh).each(['password', 'keyboard-interactive'])(
    "OpenSSH's ssh logs in (%s) with strict host-key checking against knownHostsLine",
    async (method) => {
      const info = lab.device('asa9').info;
      const kh = join(tmp, 'known_hosts');
      writeFileSync(kh, `${info.knownHostsLine}\n`);
      const askpass = join(tmp, 'askpass.sh');
      writeFileSync(askpass, `#!/bin/sh\necho '${info.password}'\n`);
      chmodSync(askpass, 0o700);
      const p = spawn(
        'ssh',
        [
          '-tt',
          '-p',
          String(info.ssh.port),
          '-o',
          `UserKnownHostsFile=${kh}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          `PreferredAuthentications=${method}`,
          // A 9.x unit signs with ssh-rsa only, which OpenSSH 8.8+ leaves out by default (asa-cli.md §1.8).
          '-o',
          'HostKeyAlgorithms=+ssh-rsa',
          '-o',
          'NumberOfPasswordPrompts=1',
          `${info.username}@127.0.0.1`,
        ],
        { env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' } },
      );
      let out = '';
      p.stdout.on('data', (x: Buffer) => {
        out += x.toString('latin1');
        if (out.endsWith('\rciscoasa> ') && !out.includes('show hostname')) p.stdin.write('show hostname\rexit\r');
      });
      const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
      expect(out).toContain('show hostname\r\nciscoasa\r\n');
      expect(out).toContain('Logoff');
      expect(code).toBe(0);
    },
  );
});
