import { describe, expect, it } from 'vitest';
import { startTestLab, telnetShell } from '../helpers/lab.js';

const lab = await startTestLab([
  { name: 'asa9', dialect: 'asa9', anonymousReportingQuestion: false },
  { name: 'pix6', dialect: 'pix6' },
]);

describe('lab over telnet (raw socket)', () => {
  it('offers WILL SGA, WILL ECHO twice first and asks DO TERMINAL-TYPE right before Username (asa-cli.md §1.8)', async () => {
    const t = await telnetShell(lab.device('asa9').info);
    await t.waitFor(/Username: $/);
    const raw = Buffer.concat(t.raw);
    expect([...raw.subarray(0, 12)]).toEqual([255, 251, 3, 255, 251, 1, 255, 251, 3, 255, 251, 1]);
    expect(raw.toString('latin1').endsWith('\xff\xfd\x18Username: ')).toBe(true);
    t.end();
  });

  it('ASA: User Access Verification, Username/Password, no password echo, enable, Logoff', async () => {
    const info = lab.device('asa9').info;
    const t = await telnetShell(info);
    await t.waitFor(/\r\n\r\nUser Access Verification\r\n\r\nUsername: $/);
    t.send(`${info.username}\r\n`);
    await t.waitFor(/(?:Password|PIX passwd): $/);
    const from = t.buffer.length;
    t.send(`${info.password}\r\n`);
    const after = await t.waitFor(/\rciscoasa> $/, 5000, from);
    expect(after).not.toContain(info.password);
    expect(after).toContain("Type help or '?' for a list of available commands.\r\n");
    t.send('enable\r\n');
    await t.waitFor(/(?:Password|PIX passwd): $/);
    t.send(`${info.enableSecret}\r\n`);
    await t.waitFor(/\rciscoasa# $/);
    const v = await t.cmd('show version | include Version');
    expect(v).toContain('Cisco Adaptive Security Appliance Software Version 9.12(4)67');
    t.send('exit\r\n');
    await t.waitClosed();
    expect(t.buffer).toMatch(/exit\r\n\r\nLogoff\r\n\r\n$/);
  });

  it('PIX: password only, then pix>', async () => {
    const info = lab.device('pix6').info;
    const t = await telnetShell(info);
    const first = await t.waitFor(/(?:Password|PIX passwd): $/);
    expect(first).not.toMatch(/Username/);
    t.send(`${info.password}\r\n`);
    await t.waitFor(/\rpix> $/);
    t.end();
  });

  it('wrong telnet password three times closes the connection', async () => {
    const info = lab.device('pix6').info;
    const t = await telnetShell(info);
    for (let i = 0; i < 3; i++) {
      await t.waitFor(/(?:Password|PIX passwd): $/, 5000, t.buffer.length - 12);
      t.send('nope\r\n');
    }
    await t.waitClosed();
    expect(t.buffer).not.toMatch(/pix> /);
  });
});
