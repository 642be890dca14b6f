/** Reload over real SSH: unsaved changes are lost, saved ones kept; the device is unreachable while down. */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Expect, sshEnabled, sshShell, startTestLab } from '../helpers/lab.js';

const lab = await startTestLab([{ name: 'asa', dialect: 'asa9', anonymousReportingQuestion: false }]);
const dev = lab.device('asa');

async function disableEsmtp(s: Expect): Promise<void> {
  await s.cmd('terminal pager 0');
  await s.cmd('configure terminal', /\(config\)# $/);
  await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
  await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
  await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
  await s.cmd('end');
}

async function reload(s: Expect, save: 'y' | 'n' | null): Promise<void> {
  const down = new Promise<void>((r) => dev.on('down', r));
  s.send('reload\n');
  if (save) {
    await s.waitFor(/Save\? \[Y\]es\/\[N\]o: $/);
    s.send(`${save}\n`);
  }
  await s.waitFor(/Proceed with reload\? \[confirm\]$/);
  s.send('\n');
  await s.waitClosed();
  await down;
  expect(s.buffer).toContain('*** --- SHUTDOWN NOW ---');
}

function tcpRefusedOrReset(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.on('error', () => resolve(true));
    c.on('close', () => resolve(true));
    c.on('data', () => {
      c.destroy();
      resolve(false);
    });
  });
}

describe('reload', () => {
  it('unsaved changes are lost', async () => {
    const s = await sshEnabled(dev.info);
    await disableEsmtp(s);
    expect(dev.inspectionPolicy().active).toBe(false);
    await reload(s, 'n');
    expect(dev.isUp()).toBe(false);
    expect(await tcpRefusedOrReset(dev.info.ssh.port)).toBe(true);
    await dev.waitUp(5000);
    expect(dev.inspectionPolicy().active).toBe(true);
    const s2 = await sshEnabled(dev.info);
    expect(await s2.cmd('show running-config | include esmtp')).toContain('  inspect esmtp \r\n');
    s2.end();
  });

  it('saved changes are kept (answer y to Save?), and show version says it was just restarted', async () => {
    const s = await sshEnabled(dev.info);
    await disableEsmtp(s);
    await reload(s, 'y');
    await dev.waitUp(5000);
    expect(dev.inspectionPolicy().active).toBe(false);
    const s2 = await sshShell(dev.info);
    await s2.waitFor(/> $/);
    const v = await s2.cmd('show version | include up|Configuration');
    expect(v).toMatch(/ciscoasa up 0 mins \d+ secs/);
    expect(v).toContain('Configuration has not been modified since last system restart.');
    s2.end();
  });

  it('after write memory, reload asks no Save? question and keeps the config', async () => {
    const s = await sshEnabled(dev.info);
    await s.cmd('configure terminal', /\(config\)# $/);
    await s.cmd('hostname fw-saved', /\rfw-saved\(config\)# $/);
    await s.cmd('write memory', /\(config\)# $/);
    await reload(s, null);
    await dev.waitUp(5000);
    const s2 = await sshShell(dev.info);
    await s2.waitFor(/\rfw-saved> $/);
    s2.end();
  });
});
