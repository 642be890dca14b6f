/**
 * detect against a server nobody here wrote: a real OpenSSH sshd on 127.0.0.1 (own sshd_config, host key and
 * authorized_keys in a temp dir) whose ForceCommand is `node dist/cli.js lab --stdio --dialect asa9`.
 * Needs /usr/sbin/sshd (`apt-get install openssh-server`; .ci/run installs it); skipped with a message otherwise.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../../src/lab/index.js';
import { builtCli as cli, ensureBuiltCli } from '../helpers/built-cli.js';

const SSHD = '/usr/sbin/sshd';
const haveSshd = existsSync(SSHD);
if (!haveSshd) {
  console.warn(`skipping the real-OpenSSH detect test: ${SSHD} is absent (apt-get install -y openssh-server)`);
}

const ENABLE = 'Ena8le-Secret-x1';
let dir: string;
let port: number;
let sshd: ChildProcess | null = null;
let sshdLog = '';
let lab: Lab | null = null;

function detect(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [cli, 'detect', ...args, '--json'],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => done(p));
    });
    s.on('error', fail);
  });
}

beforeAll(async () => {
  if (!haveSshd) return;
  ensureBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'openssh-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  // sshd (as root) refuses to start without its privilege-separation directory.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    `ForceCommand ${process.execPath} ${cli} lab --stdio --dialect asa9 --enable-secret ${ENABLE}`,
    'LogLevel INFO',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
  const pub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${pub[0]} ${pub[1]}\n`);
  sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Ready when sshd says it listens (no polling, no sleep).
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`sshd did not start: ${sshdLog}`)), 15_000);
    sshd?.stderr?.on('data', (d: Buffer) => {
      sshdLog += d.toString();
      if (/Server listening on 127\.0\.0\.1 port/.test(sshdLog)) {
        clearTimeout(timer);
        ready();
      }
    });
    sshd?.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`sshd exited ${code}: ${sshdLog}`));
    });
  });
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  sshd?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveSshd)('detect through a real OpenSSH sshd fronting `lab --stdio`', () => {
  it('public-key login, strict host key, enable, read: exit 0 with the esmtp finding', async () => {
    const user = userInfo().username;
    const r = await detect(
      [`${user}@127.0.0.1:${port}`, '--identity', join(dir, 'client_key'), '--known-hosts', join(dir, 'known_hosts')],
      { ASA_ENABLE_SECRET: ENABLE },
    );
    expect(r.code, `${r.stderr}\n${r.stdout}\nsshd: ${sshdLog}`).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.platform).toMatchObject({ family: 'asa', contextMode: 'single' });
    expect(j.inspection.active).toBe(true);
    expect(j.inspection.findings).toEqual([
      expect.objectContaining({ kind: 'inspect', protocol: 'esmtp', policyMap: 'global_policy', binding: 'global' }),
    ]);
  });

  it('--jump through the real sshd (forwardOut) to a lab PIX: both host keys checked, exit 0', async () => {
    lab = await startLab({ smtp: false, devices: [{ name: 'pix', dialect: 'pix6' }] });
    const d = lab.device('pix').info;
    const kh = join(dir, 'known_hosts_jump');
    writeFileSync(kh, `${readFileSync(join(dir, 'known_hosts'), 'utf8')}${d.knownHostsLine}\n`);
    const user = userInfo().username;
    /** detect the PIX through the sshd as jump host, checking host keys against `knownHosts`. */
    const viaJump = (knownHosts: string) =>
      detect(
        [
          `${d.username}@127.0.0.1:${d.ssh.port}`,
          '--jump',
          `${user}@127.0.0.1:${port}`,
          '--identity',
          join(dir, 'client_key'),
          '--known-hosts',
          knownHosts,
        ],
        { ASA_PASSWORD: d.password, ASA_ENABLE_SECRET: d.enableSecret },
      );
    const r = await viaJump(kh);
    expect(r.code, `${r.stderr}\n${r.stdout}\nsshd: ${sshdLog}`).toBe(0);
    expect(JSON.parse(r.stdout).platform.family).toBe('pix');
    // the jump host's key is checked too: an empty known_hosts stops at the jump host
    const refused = await viaJump(join(dir, 'none'));
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout).error.message).toContain(`[127.0.0.1]:${port}`);
  });
});
