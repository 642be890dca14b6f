/**
 * The lab must behave like a device for clients nobody here wrote (issue #2): Netmiko's `cisco_asa` driver,
 * nmap's service fingerprints, PuTTY's plink (SSH-1) and swaks, each run unmodified from its Debian package
 * (`.ci/run` installs python3-netmiko, nmap, putty-tools and swaks). A missing tool skips its test with the reason.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startTestLab } from '../helpers/lab.js';

const run = promisify(execFile);
const PY = '/usr/bin/python3';

async function has(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args, { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

const netmiko = existsSync(PY) && (await has(PY, ['-c', 'import netmiko']));
const nmap = await has('nmap', ['--version']);
const swaks = await has('swaks', ['--version']);
const plink = await has('plink', ['-V']);

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab(
    [
      // Netmiko 2.x sends its first config line into the anonymous-reporting question (asa-cli.md §1.6), so the
      // device it drives has already answered it, as most production ASAs have.
      { name: 'asa', dialect: 'asa9', hostname: 'fw-netmiko', anonymousReportingQuestion: false },
      { name: 'pix', dialect: 'pix6' },
      // The ASA 8.x SSH-2 set only (asa-cli.md §1.8): nmap, OpenSSH and Netmiko meet it as on a real 8.x.
      { name: 'asa8', dialect: 'asa8', hostname: 'fw8', anonymousReportingQuestion: false },
    ],
    { smtp: true },
  );
});

describe.skipIf(!netmiko)('Netmiko cisco_asa (python3-netmiko)', () => {
  it('logs in, enables, reads the config, disables esmtp inspection and saves', async () => {
    const d = lab.devices.find((x) => x.name === 'asa')!;
    const script = `
import sys
from netmiko import ConnectHandler
c = ConnectHandler(device_type='cisco_asa', host='${d.ssh.host}', port=${d.ssh.port},
                   username=sys.argv[1], password=sys.argv[2], secret=sys.argv[3])
print('PROMPT=' + c.find_prompt())
print(c.send_command('show running-config policy-map'))
print(c.send_config_set(['policy-map global_policy', 'class inspection_default', 'no inspect esmtp']))
print(c.save_config())
c.disconnect()
`;
    const { stdout } = await run(PY, ['-c', script, d.username, d.password, d.enableSecret], { timeout: 90_000 });
    expect(stdout).toContain('PROMPT=fw-netmiko#');
    expect(stdout).toMatch(/^ {2}inspect esmtp\s*$/m);
    expect(stdout).toContain('fw-netmiko(config-pmap-c)#');
    expect(stdout).toContain('[OK]');
    const device = lab.device('asa');
    expect(device.runningConfig()).not.toMatch(/^\s+inspect esmtp/m);
    expect(device.startupConfig()).not.toMatch(/^\s+inspect esmtp/m);
    expect(device.inspectionPolicy().active).toBe(false);
  }, 120_000);
});

describe.skipIf(!nmap)('nmap service fingerprints', () => {
  it('sees Cisco SSH 1.25 (protocol 1.5), a Cisco telnetd and a sanitized PIX smtpd', async () => {
    const d = lab.devices.find((x) => x.name === 'pix')!;
    const ports = [d.ssh.port, d.telnet.port, d.smtp.port].join(',');
    const { stdout } = await run('nmap', ['-sV', '-Pn', '-n', '-p', ports, '127.0.0.1'], { timeout: 150_000 });
    // A PIX 6.x speaks SSH-1 only: nmap's fingerprint for `SSH-1.5-Cisco-1.25` (asa-cli.md §1.8).
    expect(stdout).toMatch(new RegExp(`${d.ssh.port}/tcp\\s+open\\s+ssh\\s+Cisco SSH 1\\.25 \\(protocol 1\\.5\\)`));
    expect(stdout).toMatch(new RegExp(`${d.telnet.port}/tcp\\s+open\\s+telnet\\s+Cisco`));
    expect(stdout).toMatch(new RegExp(`${d.smtp.port}/tcp\\s+open\\s+smtp\\s+Cisco PIX sanitized smtpd`));
  }, 180_000);
});

describe.skipIf(!plink)('PuTTY plink -1 (putty-tools)', () => {
  it('logs in to the PIX over SSH-1 with the host key given as PuTTY shows it and prints show version', async () => {
    const d = lab.devices.find((x) => x.name === 'pix')!;
    // -batch refuses unknown host keys: -hostkey takes the MD5 form PuTTY prints for SSH-1 keys.
    const args = ['-1', '-batch', '-hostkey', String(d.hostKeyMd5), '-pw', d.password, '-P', String(d.ssh.port)];
    const child = run('plink', [...args, `${d.username}@127.0.0.1`, 'show version'], { timeout: 30_000 });
    child.child.stdin?.end(); // EOF after the command: the session ends once it ran
    const { stdout } = await child;
    expect(stdout).toContain('Cisco PIX Firewall Version 6.3(5)');
    // a wrong key is refused before any password is sent
    const wrong = await run(
      'plink',
      [
        ...args.slice(0, 3),
        '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff',
        ...args.slice(4),
        `${d.username}@127.0.0.1`,
        'show version',
      ],
      { timeout: 30_000 },
    ).then(
      () => '',
      (e: { stderr?: string }) => String(e.stderr),
    );
    expect(wrong).toMatch(/not in manually configured list/);
  }, 60_000);
});

describe.skipIf(!swaks)('swaks through the Mailguard front', () => {
  it('delivers a mail through a PIX fixup: masked banner, EHLO refused, HELO fallback', async () => {
    const d = lab.devices.find((x) => x.name === 'pix')!;
    const { stdout } = await run(
      'swaks',
      ['--server', `${d.smtp.host}:${d.smtp.port}`, '--to', 'rcpt@example.com', '--from', 'probe@example.org'],
      { timeout: 60_000 },
    );
    expect(stdout).toMatch(/^<- {2}220 \*{10,}\r?$/m);
    expect(stdout).toMatch(/^<\*\* 50[02] /m);
    expect(stdout).toMatch(/^ -> HELO /m);
    expect(stdout).toMatch(/^<- {2}250 .*queued/m);
    const backend = lab.device('pix').smtpBackend!;
    const [msg] = await backend.waitForMessages(1);
    expect(msg!.to).toContain('rcpt@example.com');
  }, 90_000);
});

const openssh = await has('ssh', ['-V']);

describe('the ASA 8.x SSH-2 set as other clients see it', () => {
  it.skipIf(!nmap)(
    'nmap ssh2-enum-algos lists the 8.x set only',
    async () => {
      const d = lab.devices.find((x) => x.name === 'asa8')!;
      const { stdout } = await run(
        'nmap',
        ['-sV', '-Pn', '-n', '-p', String(d.ssh.port), '--script', 'ssh2-enum-algos', '127.0.0.1'],
        { timeout: 120_000 },
      );
      expect(stdout).toMatch(/Cisco SSH 1\.25 \(protocol 1\.99\)/);
      expect(stdout).toMatch(/kex_algorithms: \(1\)\s+\|\s+diffie-hellman-group1-sha1/);
      expect(stdout).toMatch(/server_host_key_algorithms: \(1\)\s+\|\s+ssh-rsa/);
      expect(stdout).toMatch(/encryption_algorithms: \(4\)/);
      expect(stdout).toMatch(/mac_algorithms: \(2\)/);
      expect(stdout).not.toMatch(/curve25519|chacha20|gcm|ed25519/);
    },
    150_000,
  );

  it.skipIf(!openssh)(
    "OpenSSH's defaults are refused; the old algorithms added get in",
    async () => {
      const d = lab.devices.find((x) => x.name === 'asa8')!;
      const base = ['-F', '/dev/null', '-T', '-p', String(d.ssh.port), '-o', 'BatchMode=yes'];
      base.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null');
      const refused = await run('ssh', [...base, `${d.username}@127.0.0.1`], { timeout: 30_000 }).catch(
        (e: { stderr: string }) => e,
      );
      expect(refused.stderr).toContain(
        'no matching key exchange method found. Their offer: diffie-hellman-group1-sha1',
      );
      const old = ['-o', 'KexAlgorithms=+diffie-hellman-group1-sha1', '-o', 'HostKeyAlgorithms=+ssh-rsa'];
      old.push('-o', 'Ciphers=+aes128-cbc');
      // BatchMode: no password is typed, so getting as far as the authentication refusal proves the handshake passed.
      const negotiated = await run('ssh', [...base, ...old, `${d.username}@127.0.0.1`], { timeout: 30_000 }).catch(
        (e: { stderr: string }) => e,
      );
      expect(negotiated.stderr).toMatch(/Permission denied/);
      expect(negotiated.stderr).not.toMatch(/no matching/);
    },
    60_000,
  );

  it.skipIf(!netmiko)(
    'Netmiko 2.4.2 (paramiko) logs in to asa8 unchanged',
    async () => {
      const d = lab.devices.find((x) => x.name === 'asa8')!;
      const script = `
import sys
from netmiko import ConnectHandler
c = ConnectHandler(device_type='cisco_asa', host='${d.ssh.host}', port=${d.ssh.port},
                   username=sys.argv[1], password=sys.argv[2], secret=sys.argv[3])
print('PROMPT=' + c.find_prompt())
print('IDENT=' + c.remote_conn.get_transport().remote_version)
print(c.send_command('show version'))
c.disconnect()
`;
      const { stdout } = await run(PY, ['-c', script, d.username, d.password, d.enableSecret], { timeout: 90_000 });
      expect(stdout).toContain('PROMPT=fw8#');
      expect(stdout).toContain('IDENT=SSH-1.99-Cisco-1.25');
      expect(stdout).toContain('Version 8.4(1)');
    },
    120_000,
  );
});
