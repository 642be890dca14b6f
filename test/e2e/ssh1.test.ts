/**
 * The built CLI over SSH protocol 1 against the lab's pix6 (SSH-1.5 only, as PIX 5.2-6.3): detect, apply with a
 * save and a reload, rollback from the backup; a changed SSH-1 host key is refused; `--transport ssh` names the
 * way in (SSH1_ONLY, exit 3).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { startTestLab } from '../helpers/lab.js';
import { connArgs, credsEnv, filesUnder, resultOf, runCli, runOn, tempDir } from './apply-helpers.js';

const lab = await startTestLab([{ name: 'pix', dialect: 'pix6', reloadDelaySec: 0.5 }], { smtp: true });
const dev = lab.device('pix');
const info = dev.info;
const cwd = tempDir('mg-ssh1-');

function errorOf(stdout: string): { code: string; message: string; hint?: string } {
  return JSON.parse(stdout.trim().split('\n').pop() as string).error;
}

describe('pix6 over --transport ssh1 (built CLI)', () => {
  it('detect: logs in as pix, warns about SSH-1 and finds the fixup (exit 0)', async () => {
    const r = await runCli(['detect', ...connArgs(info, cwd, 'ssh1'), '--json'], { cwd, env: credsEnv(info) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/SSH protocol 1 .*known weaknesses/);
    const j = JSON.parse(r.stdout);
    expect(j.platform).toMatchObject({ family: 'pix', version: '6.3(5)' });
    expect(j.inspection.findings).toEqual([
      expect.objectContaining({ kind: 'fixup', protocol: 'smtp', ports: [25], active: true }),
    ]);
  }, 60_000);

  it('apply with save and reload ends verified, and rollback from its backup puts the fixup back', async () => {
    const smtp = ['--smtp', `${info.smtp.host}:${info.smtp.port}`];
    const run = await runOn('apply', info, cwd, [...smtp, '--yes', '--reload', 'after-save', '--json'], 'ssh1');
    const result = resultOf(run);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(result).toMatchObject({ outcome: 'done', verification: 'verified', reloaded: true });
    expect(dev.commandLog()).toContain('no fixup protocol smtp 25');
    expect(findSmtpInspection(dev.startupConfig()).active).toBe(false);
    const backup = filesUnder(cwd).find((f) => f.endsWith('-running.cfg')) as string;
    expect(backup).toBeDefined();
    const back = await runOn('rollback', info, cwd, ['--backup', backup, '--yes', '--json'], 'ssh1');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(findSmtpInspection(dev.runningConfig()).active).toBe(true);
  }, 120_000);

  it('a changed SSH-1 host key is refused before login (HOST_KEY_CHANGED, exit 3)', async () => {
    const dir = tempDir('mg-ssh1-changed-');
    // The lab's pix6 units share one key: the recorded one is that key with another modulus.
    const [bits, exponent, n] = info.knownHostsLine?.split(' ').slice(1) ?? [];
    const kh = join(dir, 'known_hosts');
    writeFileSync(kh, `[127.0.0.1]:${info.ssh.port} ${bits} ${exponent} ${BigInt(n ?? '0') + 2n}\n`);
    const logBefore = dev.commandLog().length;
    const args = ['detect', '127.0.0.1', '--transport', 'ssh1', '--port', String(info.ssh.port), '--known-hosts', kh];
    const r = await runCli([...args, '--json'], { cwd: dir, env: credsEnv(info) });
    expect(r.code).toBe(3);
    const e = errorOf(r.stdout);
    expect(e.code).toBe('HOST_KEY_CHANGED');
    expect(e.message).toContain(info.hostKeySha256);
    expect(dev.commandLog().length).toBe(logBefore);
  }, 60_000);

  it('--transport ssh: SSH1_ONLY (exit 3) naming the identification and --transport ssh1', async () => {
    const r = await runCli(['detect', ...connArgs(info, cwd, 'ssh'), '--json'], { cwd, env: credsEnv(info) });
    expect(r.code).toBe(3);
    const e = errorOf(r.stdout);
    expect(e.code).toBe('SSH1_ONLY');
    expect(e.message).toContain('SSH-1.5-Cisco-1.25');
    expect(e.hint).toContain('--transport ssh1');
  }, 60_000);
});
