/**
 * The byte sequences other tools send (asa-cli.md §5: netmiko cisco_asa session preparation, Ansible cisco.asa
 * terminal/cliconf, unicon answers), replayed over SSH against the default asa9 device (NOTICE question on).
 */
import { describe, expect, it } from 'vitest';
import { sshShell, startTestLab } from '../helpers/lab.js';

const lab = await startTestLab([
  { name: 'asa9', dialect: 'asa9' },
  { name: 'multi', dialect: 'asa9', hostname: 'ciscoasa', contextMode: 'multiple', contexts: ['admin', 'cust1'] },
]);

describe('other clients', () => {
  it("netmiko cisco_asa: show curpriv before the prompt, enable, terminal pager 0, conf t + '\\n' check, terminal width 511, end, write mem", async () => {
    const d = lab.device('asa9');
    const s = await sshShell(d.info);
    // netmiko writes "show curpriv\n" at once and reads until its echo (cisco_asa_ssh.py session_preparation).
    s.send('show curpriv\n');
    await s.waitFor(/show curpriv/);
    s.send('\n');
    await s.waitFor(/\rciscoasa> $/);
    s.send('enable\n');
    await s.waitFor(/ssword/i);
    s.send(`${d.info.enableSecret}\n`);
    await s.waitFor(/#/);
    const pager = await s.cmd('terminal pager 0');
    expect(pager).toBe('terminal pager 0\r\n\rciscoasa# ');
    // config_mode(): "configure terminal", read until the base prompt, then check_config_mode sends "\n" and looks
    // for ")#". On the first conf t of a 9.x the "\n" lands in the NOTICE question (asked again next time).
    let from = s.buffer.length;
    s.send('configure terminal\n');
    await s.waitFor(/ciscoasa/, 5000, from);
    from = s.buffer.length;
    s.send('\n');
    expect(await s.waitFor(/\)# $/, 5000, from)).toContain(')#');
    expect(await s.cmd('terminal width 511', /\(config\)# $/)).toBe('terminal width 511\r\n\rciscoasa(config)# ');
    await s.cmd('end', /\rciscoasa# $/);
    expect(await s.cmd('write mem', /\rciscoasa# $/, 10_000)).toContain('[OK]');
    s.send('exit\n');
    await s.waitClosed();
  });

  it('Ansible cisco.asa: enable with Password: $, no terminal pager, show running-config all, changeto context', async () => {
    const d = lab.device('multi');
    const s = await sshShell(d.info);
    await s.waitFor(/[\w+\-.:/[\]]+(?:\([^)]+\)){0,3}(?:>|#) ?$/);
    s.send('enable\r');
    await s.waitFor(/[\r\n]?[Pp]assword: $/);
    s.send(`${d.info.enableSecret}\r`);
    await s.waitFor(/\rciscoasa\/admin# $/);
    expect(await s.cmd('no terminal pager')).toBe('no terminal pager\r\n\rciscoasa/admin# ');
    const all = await s.cmd('show running-config all');
    expect(all).toContain('policy-map type inspect esmtp _default_esmtp_map');
    expect(await s.cmd('changeto context cust1')).toMatch(/\rciscoasa\/cust1# $/);
    expect(await s.cmd('show version | include ^Cisco')).toContain(' <context>');
    expect(await s.cmd('changeto system')).toMatch(/\rciscoasa# $/);
    expect(await s.cmd('show version | include ^Cisco')).toContain(' <system>');
    // unicon answers the multi-context save question with S and [confirm] with y.
    await s.cmd('changeto context cust1');
    await s.cmd('configure terminal', /later: $/);
    await s.cmd('N', /\(config\)# $/);
    await s.cmd('hostname x', /\(config\)# $/);
    s.send('reload\n');
    await s.waitFor(/cust1 config has been modified\. Save\? \[Y\]es\/\[N\]o\/\[S\]ave all\/\[C\]ancel: $/);
    s.send('C\n');
    await s.waitFor(/\(config\)# $/, 5000, s.buffer.length - 30);
    s.send('exit\n');
    s.send('exit\n');
    await s.waitClosed();
  });
});
