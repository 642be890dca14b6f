/**
 * detect against a server nobody here wrote: a real OpenSSH sshd on 127.0.0.1 (own sshd_config, host key and
 * authorized_keys in a temp dir) whose ForceCommand is `node dist/cli.js lab --stdio --dialect asa9`.
 * Needs /usr/sbin/sshd (`apt-get install openssh-server`; .ci/run installs it); skipped with a message otherwise.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../../src/lab/index.js';
import { builtCli as cli } from '../helpers/built-cli.js';
import { haveSshd, type Sshd, startSshd } from '../helpers/openssh.js';

if (!haveSshd) {
  console.warn('skipping the real-OpenSSH detect test: /usr/sbin/sshd is absent (apt-get install -y openssh-server)');
}

const ENABLE = 'Ena8le-Secret-x1';
let dir: string;
let port: number;
let server: Sshd | null = null;
const sshdLog = () => server?.log() ?? '';
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

beforeAll(async () => {
  if (!haveSshd) return;
  dir = mkdtempSync(join(tmpdir(), 'openssh-'));
  server = await startSshd(dir, { enableSecret: ENABLE });
  port = server.port;
  writeFileSync(join(dir, 'known_hosts'), `${server.knownHostsLine}\n`);
}, 120_000);

let agent: ChildProcess | null = null;

afterAll(async () => {
  agent?.kill('SIGTERM');
  await lab?.stop();
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveSshd)('detect through a real OpenSSH sshd fronting `lab --stdio`', () => {
  it('public-key login, strict host key, enable, read: exit 0 with the esmtp finding', async () => {
    const user = userInfo().username;
    const r = await detect(
      [`${user}@127.0.0.1:${port}`, '--identity', join(dir, 'client_key'), '--known-hosts', join(dir, 'known_hosts')],
      { ASA_ENABLE_SECRET: ENABLE },
    );
    expect(r.code, `${r.stderr}\n${r.stdout}\nsshd: ${sshdLog()}`).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.platform).toMatchObject({ family: 'asa', contextMode: 'single' });
    expect(j.inspection.active).toBe(true);
    expect(j.inspection.findings).toEqual([
      expect.objectContaining({ kind: 'inspect', protocol: 'esmtp', policyMap: 'global_policy', binding: 'global' }),
    ]);
  });

  // An ASA: the lab's PIX speaks SSH-1 only (as PIX 6.x do), and --transport ssh1 takes no jump host.
  it('--jump through the real sshd (forwardOut) to a lab ASA: both host keys checked, exit 0', async () => {
    lab = await startLab({ smtp: false, devices: [{ name: 'asa', dialect: 'asa9' }] });
    const d = lab.device('asa').info;
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
    expect(r.code, `${r.stderr}\n${r.stdout}\nsshd: ${sshdLog()}`).toBe(0);
    expect(JSON.parse(r.stdout).platform.family).toBe('asa');
    // the jump host's key is checked too: an empty known_hosts stops at the jump host
    const refused = await viaJump(join(dir, 'none'));
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout).error.message).toContain(`[127.0.0.1]:${port}`);
  });

  it('detect fw-alias from ~/.ssh/config alone: alias, user, port, ProxyJump, IdentityFile, KexAlgorithms +group1; then the agent', async () => {
    lab ??= await startLab({ smtp: false, devices: [{ name: 'pix', dialect: 'pix6' }] });
    const asa8 = await startLab({ smtp: false, devices: [{ name: 'asa8', dialect: 'asa8' }] });
    try {
      const d = asa8.device('asa8').info;
      const user = userInfo().username;
      mkdirSync(join(dir, '.ssh'), { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, 'kh_alias'), `${readFileSync(join(dir, 'known_hosts'), 'utf8')}${d.knownHostsLine}\n`);
      const sshConfig = [
        'Host bastion bastion-agent',
        '  HostName 127.0.0.1',
        `  Port ${port}`,
        `  User ${user}`,
        'Host bastion',
        '  IdentityFile ~/client_key',
        '  IdentitiesOnly yes',
        'Host fw-alias fw-agent',
        '  HostName 127.0.0.1',
        `  Port ${d.ssh.port}`,
        `  User ${d.username}`,
        '  KexAlgorithms +diffie-hellman-group1-sha1',
        // an ASA 8.x offers CBC ciphers only (asa-cli.md §1.8), as OpenSSH users add them too
        '  Ciphers +aes128-cbc',
        'Host fw-alias',
        '  ProxyJump bastion',
        'Host fw-agent',
        '  ProxyJump bastion-agent',
        'Host *',
        '  UserKnownHostsFile ~/kh_alias',
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n');
      writeFileSync(join(dir, '.ssh', 'config'), sshConfig, { mode: 0o600 });
      const creds = { ASA_PASSWORD: d.password, ASA_ENABLE_SECRET: d.enableSecret };
      const r = await detect(['fw-alias', '-v'], creds);
      expect(r.code, `${r.stderr}\n${r.stdout}\nsshd: ${sshdLog()}`).toBe(0);
      expect(JSON.parse(r.stdout).platform).toMatchObject({ family: 'asa', dialect: 'asa8' });
      const cfgFile = join(dir, '.ssh', 'config');
      expect(r.stderr).toContain(`ssh: user ${d.username} (ssh_config ${cfgFile}:11)`);
      expect(r.stderr).toContain(`ssh: jump ${user}@127.0.0.1:${port} (ssh_config ${cfgFile}:15)`);
      expect(r.stderr).toMatch(/ssh: kexalgorithms \S*diffie-hellman-group1-sha1 \(ssh_config/);

      // The same through bastion-agent, which names no key: a real ssh-agent holding client_key is used by default.
      agent = spawn('ssh-agent', ['-D', '-a', join(dir, 'agent.sock')], { stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((ready, fail) => {
        const timer = setTimeout(() => fail(new Error('ssh-agent did not start')), 15_000);
        agent?.stdout?.on('data', (b: Buffer) => {
          if (b.toString().includes('SSH_AUTH_SOCK')) {
            clearTimeout(timer);
            ready();
          }
        });
      });
      const agentEnv = { SSH_AUTH_SOCK: join(dir, 'agent.sock') };
      execFileSync('ssh-add', ['-q', join(dir, 'client_key')], {
        env: { ...process.env, ...agentEnv },
        stdio: 'ignore',
      });
      const viaAgent = await detect(['fw-agent', '-v'], { ...creds, ...agentEnv });
      expect(viaAgent.code, `${viaAgent.stderr}\n${viaAgent.stdout}`).toBe(0);
      expect(viaAgent.stderr).toContain(`ssh: agent ${agentEnv.SSH_AUTH_SOCK} (SSH_AUTH_SOCK, default)`);
      // without the agent the jump host refuses, and the message names the hop
      const noAgent = await detect(['fw-agent'], creds);
      expect(noAgent.code).toBe(3);
      expect(JSON.parse(noAgent.stdout).error.message).toContain('jump host bastion-agent');
    } finally {
      await asa8.stop();
    }
  });
});
