/**
 * The lab wires each device's Mailguard front to its RUNNING config: masked while inspection is on, untouched after
 * the `no` command typed over the CLI, and the startup config decides after a reload.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type LabDeviceHandle, sshEnabled, startTestLab, telnetEnabled } from '../helpers/lab.js';

const lab = await startTestLab(
  [
    { name: 'asa9', dialect: 'asa9', anonymousReportingQuestion: false },
    { name: 'pix6', dialect: 'pix6' },
  ],
  { smtp: true },
);

function greeting(d: LabDeviceHandle): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(d.info.smtp.port, d.info.smtp.host);
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no greeting: ${JSON.stringify(buf)}`)), 5000);
    c.on('data', (x: Buffer) => {
      buf += x.toString('latin1');
      if (buf.includes('\r\n')) {
        clearTimeout(timer);
        c.end('QUIT\r\n');
        resolve(buf.slice(0, buf.indexOf('\r\n')));
      }
    });
    c.on('error', reject);
  });
}

describe('lab SMTP front follows the running config', () => {
  it('asa9: banner masked, clean after no inspect esmtp (SSH), masked again after a reload without saving', async () => {
    const d = lab.device('asa9');
    expect(await greeting(d)).toMatch(/^220 [*20 ]+$/);
    const s = await sshEnabled(d.info);
    await s.cmd('configure terminal', /\(config\)# $/);
    await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
    await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
    await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
    expect(await greeting(d)).toMatch(/^220 \S+ ESMTP Postfix$/);
    s.send('reload noconfirm\n');
    await s.waitClosed();
    await d.waitUp(5000);
    expect(await greeting(d)).toMatch(/^220 [*20 ]+$/);
  });

  it('pix6: banner masked, clean after no fixup protocol smtp 25 (telnet)', async () => {
    const d = lab.device('pix6');
    expect(await greeting(d)).not.toContain('Postfix');
    const t = await telnetEnabled(d.info);
    await t.cmd('configure terminal', /\(config\)# $/);
    await t.cmd('no fixup protocol smtp 25', /\(config\)# $/);
    expect(await greeting(d)).toMatch(/^220 \S+ ESMTP Postfix$/);
    t.end();
  });
});
