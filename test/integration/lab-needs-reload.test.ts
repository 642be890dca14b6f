/**
 * The needs-reload fault (an emulation choice for testing the tool's reload logic, not a captured PIX/ASA
 * behaviour): the Mailguard front keeps following the config the device booted with, so `no inspect esmtp` /
 * `no fixup protocol smtp 25` and even `write memory` leave new SMTP connections masked until a reload. Seen from
 * outside with the tool's own SMTP probe, over real SSH and telnet to the lab.
 */
import { describe, expect, it } from 'vitest';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { probeTarget } from '../../src/probe/index.js';
import { type LabDeviceHandle, sshEnabled, startTestLab, telnetEnabled } from '../helpers/lab.js';

const lab = await startTestLab(
  [
    { name: 'asa', dialect: 'asa9', anonymousReportingQuestion: false, faults: { needsReload: true } },
    { name: 'pix', dialect: 'pix6', faults: { needsReload: true } },
  ],
  { smtp: true },
);

/** What a new SMTP connection through the device's front shows: `inspected` or `clean`. */
async function verdict(d: LabDeviceHandle): Promise<string> {
  const { host, port } = d.info.smtp;
  return (await probeTarget({ host, address: host, port, source: 'explicit' })).verdict;
}

describe('fault needs-reload', () => {
  it('asa9: no inspect esmtp + write memory leave SMTP masked; after reload the front is clean', async () => {
    const d = lab.device('asa');
    expect(await verdict(d)).toBe('inspected');
    const s = await sshEnabled(d.info);
    await s.cmd('configure terminal', /\(config\)# $/);
    await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
    await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
    await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
    await s.cmd('end');
    expect(await s.cmd('write memory')).toContain('[OK]');
    // The change is in both configs, yet new connections are still masked.
    expect(findSmtpInspection(d.runningConfig()).active).toBe(false);
    expect(findSmtpInspection(d.startupConfig()).active).toBe(false);
    expect(await verdict(d)).toBe('inspected');
    expect(await verdict(d)).toBe('inspected');
    s.send('reload noconfirm\n');
    await s.waitClosed();
    await d.waitUp(5000);
    expect(await verdict(d)).toBe('clean');
  });

  it('pix6: the fault alone keeps the mask (off: clean at once); unsaved changes never bite, saved ones after reload', async () => {
    const d = lab.device('pix');
    const t = await telnetEnabled(d.info);
    await t.cmd('configure terminal', /\(config\)# $/);
    await t.cmd('no fixup protocol smtp 25', /\(config\)# $/);
    expect(await verdict(d)).toBe('inspected');
    // The same device without the fault follows its running config at once.
    d.setFaults({});
    expect(await verdict(d)).toBe('clean');
    d.setFaults({ needsReload: true });
    expect(await verdict(d)).toBe('inspected');
    expect(await t.cmd('write memory', /\(config\)# $/)).toContain('[OK]');
    expect(await verdict(d)).toBe('inspected');
    t.send('reload noconfirm\r\n');
    await t.waitClosed();
    await d.waitUp(5000);
    expect(await verdict(d)).toBe('clean');
  });
});
