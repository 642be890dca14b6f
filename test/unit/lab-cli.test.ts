/**
 * The emulator's CLI state machine, command by command, without sockets. Expected texts are traced to the captures
 * in shared/reference/asa-outputs (named per test) or to asa-cli.md where no capture exists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeviceEmulator, resolveDeviceOptions } from '../../src/lab/device.js';
import type { LabDeviceOptions } from '../../src/lab/types.js';
import { cliSession, type Expect } from '../helpers/lab.js';

const REF = '/work/shared/reference/asa-outputs';
const capture = (f: string) =>
  readFileSync(new URL(`${REF}/${f}`, 'file://'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('# source'));

function device(o: Partial<LabDeviceOptions> & Pick<LabDeviceOptions, 'dialect'>): DeviceEmulator {
  return new DeviceEmulator(resolveDeviceOptions({ enableSecret: 's3cret', password: 'pw', ...o }));
}

/** A session at `#`; the pager is switched off unless `pager` (the pager test wants it). */
/** An asa9 in multiple context mode with contexts admin and cust1, no anonymous-reporting question. */
const multiContextAsa = () =>
  device({ dialect: 'asa9', contextMode: 'multiple', contexts: ['admin', 'cust1'], anonymousReportingQuestion: false });

async function enabled(d: DeviceEmulator, pager = false): Promise<Expect> {
  const s = cliSession(d);
  await s.waitFor(/> $/);
  s.send('enable\n');
  await s.waitFor(/(?:Password|PIX passwd): $/);
  s.send('s3cret\n');
  await s.waitFor(/# $/);
  if (!pager) await s.cmd(d.isPix ? 'no pager' : 'terminal pager 0');
  return s;
}

/** Output of one command: between the echoed line and the next prompt. */
async function run(s: Expect, cmd: string, prompt = /\r[^\r\n]*[#>] $/): Promise<string> {
  const out = await s.cmd(cmd, prompt);
  return out.slice(`${cmd}\r\n`.length).replace(/\r[^\r\n]*[#>] $/, '');
}

const lines = (out: string) => out.replace(/\r\n$/, '').split('\r\n');

describe('login and prompts', () => {
  it('asa9 SSH login: banner motd, login history, help line, \\r + prompt + space (asa_login-banner_1.txt)', async () => {
    const s = cliSession(device({ dialect: 'asa9' }));
    const out = await s.waitFor(/> $/);
    const cap = capture('asa_login-banner_1.txt');
    expect(out.startsWith(cap.slice(0, 4).join('\r\n'))).toBe(true);
    expect(out).toContain('User admin logged in to ciscoasa\r\nLogins over the last 1 days: 1.\r\n');
    expect(out).toContain('Failed logins since the last login: 0.  \r\n');
    expect(out.endsWith("Type help or '?' for a list of available commands.\r\n\rciscoasa> ")).toBe(true);
  });

  it('enable echoes one * per character and lands at # (asa_session-transcript_1.txt)', async () => {
    const s = cliSession(device({ dialect: 'asa9' }));
    await s.waitFor(/> $/);
    s.send('ena\n');
    await s.waitFor(/(?:Password|PIX passwd): $/);
    s.send('s3cret\n');
    const out = await s.waitFor(/# $/);
    expect(out.endsWith('ena\r\nPassword: ******\r\n\rciscoasa# ')).toBe(true);
  });

  it('wrong enable secret: re-prompts, then Access denied and stays at > [unverified text, asa-cli.md §1.3]', async () => {
    const s = cliSession(device({ dialect: 'asa9' }));
    await s.waitFor(/> $/);
    const from = s.buffer.length;
    s.send('enable\nx\ny\nz\n');
    const out = await s.waitFor(/Access denied\.\r\n\rciscoasa> $/, 5000, from);
    expect(out.match(/Password: /g)).toHaveLength(3);
  });

  it('enable at # is the caret error (ansible-modules-extras#3260 capture)', async () => {
    const s = await enabled(device({ dialect: 'asa9' }));
    const out = await run(s, 'enable');
    // prompt "ciscoasa# " is 10 columns; the capture puts the caret one column right of the token start.
    expect(lines(out)).toEqual([`${' '.repeat(11)}^`, "ERROR: % Invalid input detected at '^' marker."]);
  });

  it('auto-enable (aaa authorization exec ... auto-enable) lands at #', async () => {
    const d = device({ dialect: 'asa9' });
    d.setRunningConfig(
      `${d.runningConfig().replace('ssh stricthostkeycheck', 'aaa authorization exec LOCAL auto-enable\nssh stricthostkeycheck')}`,
    );
    const s = cliSession(d);
    await s.waitFor(/\rciscoasa# $/);
  });

  it('PIX telnet login is password only; ASA telnet asks User Access Verification / Username / Password', async () => {
    const pix = cliSession(device({ dialect: 'pix6' }), 'password-only');
    const p1 = await pix.waitFor(/(?:Password|PIX passwd): $/);
    expect(p1).not.toContain('Username');
    pix.send('pw\r\n');
    await pix.waitFor(/\rpix> $/);
    const asa = cliSession(device({ dialect: 'asa8' }), 'username-password');
    await asa.waitFor(/User Access Verification\r\n\r\nUsername: $/);
    asa.send('\r\n'); // a wake-up newline asks again
    await asa.waitFor(/\r\nUsername: \r\nUsername: $/);
    asa.send('admin\r');
    await asa.waitFor(/(?:Password|PIX passwd): $/);
    asa.send('pw\r');
    const out = await asa.waitFor(/\rasa8> $/);
    expect(out).not.toContain('pw\r\n');
  });

  it('sub-mode prompts, failover and context segments', async () => {
    const s = await enabled(device({ dialect: 'asa8', failover: { role: 'active', unit: 'primary' } }));
    expect(s.buffer.endsWith('\rasa8/pri/act# ')).toBe(true);
    await s.cmd('configure terminal', /\(config\)# $/);
    await s.cmd('policy-map global_policy', /\rasa8\/pri\/act\(config-pmap\)# $/);
    await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
    await s.cmd('exit', /\(config-pmap\)# $/);
    await s.cmd('exit', /\(config\)# $/);
    await s.cmd('class-map smtp_587', /\(config-cmap\)# $/);
    await s.cmd('end', /\rasa8\/pri\/act# $/);
  });

  it('exit at # prints a blank line and Logoff, then closes (asa_session-transcript_2.txt)', async () => {
    const s = await enabled(device({ dialect: 'asa9' }));
    const from = s.buffer.length;
    s.send('exit\n');
    await s.waitClosed();
    expect(s.buffer.slice(from)).toBe('exit\r\n\r\nLogoff\r\n\r\n');
  });
});

describe('show commands', () => {
  it('show version asa9 = asa_show-version_10.txt with this hostname and uptime', async () => {
    const s = await enabled(device({ dialect: 'asa9' }));
    const out = lines(await run(s, 'sh ver'));
    const cap = capture('asa_show-version_10.txt');
    const expected = cap.slice(
      1,
      cap.findIndex((l) => l.startsWith('\\r')),
    );
    expect(out).toHaveLength(expected.length);
    out.forEach((l, i) => {
      if (/ up \d+/.test(expected[i] ?? '')) expect(l).toMatch(/^ciscoasa up /);
      // Every lab unit has its own serial, of the capture's shape (11 characters).
      else if (expected[i]?.startsWith('Serial Number: ')) expect(l).toMatch(/^Serial Number: [A-Z0-9]{11}$/);
      else expect(l).toBe(expected[i]);
    });
  });

  it('show version asa8 starts as asa_show-version_7.txt (8.4(1)), pix6 as pix_show-version_1.txt adapted to 6.3(5)', async () => {
    const a = lines(await run(await enabled(device({ dialect: 'asa8' })), 'show version'));
    expect(a[0]).toBe('Cisco Adaptive Security Appliance Software Version 8.4(1)');
    expect(a).toContain('Hardware:   ASA5520, 512 MB RAM, CPU Pentium 4 Celeron 2000 MHz');
    const p = lines(await run(await enabled(device({ dialect: 'pix6' })), 'show version'));
    expect(p[0]).toBe('Cisco PIX Firewall Version 6.3(5)');
    expect(p).toContain('Hardware:   PIX-501, 16 MB RAM, CPU Am5x86 133 MHz');
  });

  it('show running-config asa9 carries the MPF block of asa_show-running-config_1.txt byte for byte', async () => {
    const s = await enabled(device({ dialect: 'asa9' }));
    await run(s, 'terminal pager 0');
    const out = await run(s, 'show running-config');
    const cap = capture('asa_show-running-config_1.txt').join('\n');
    const mpf = cap.slice(cap.indexOf('class-map inspection_default'), cap.indexOf('prompt hostname context'));
    expect(out.replace(/\r\n/g, '\n')).toContain(mpf);
    expect(out).toContain('  inspect skinny  \r\n  inspect esmtp \r\n');
    // The capture's header, with this unit's own serial (as its show version prints).
    expect(out).toMatch(/^: Saved\r\n\r\n: \r\n: Serial Number: JMX[A-Z0-9]{8}\r\n/);
    expect(out).toMatch(/\r\nCryptochecksum:[0-9a-f]{32}\r\n: end\r\n\r\n$/); // blank line before the prompt, as captured
  });

  it('show run policy-map / service-policy sections and | include, | grep', async () => {
    const s = await enabled(device({ dialect: 'asa9' }));
    const pm = lines(await run(s, 'show run policy-map'));
    expect(pm[0]).toBe('!');
    expect(pm).toContain('policy-map global_policy');
    expect(pm).not.toContain('service-policy global_policy global');
    expect(lines(await run(s, 'sh run service-policy'))).toEqual(['service-policy global_policy global']);
    expect(lines(await run(s, 'show running-config | include esmtp'))).toEqual(['  inspect esmtp ']);
    expect(lines(await run(s, 'show running-config | grep hostname'))).toEqual([
      'hostname ciscoasa',
      'prompt hostname context ',
    ]);
    const all = lines(await run(s, 'show running-config all policy-map'));
    expect(all).toContain('policy-map type inspect esmtp _default_esmtp_map');
    expect(all).toContain('  mask-banner');
  });

  it('show service-policy has the esmtp line of asa_show-service-policy_1.txt until no inspect esmtp', async () => {
    const s = await enabled(device({ dialect: 'asa9', anonymousReportingQuestion: false }));
    const cap = capture('asa_show-service-policy_1.txt');
    const esmtp = cap.find((l) => l.includes('Inspect: esmtp')) as string;
    const before = lines(await run(s, 'show service-policy'));
    expect(before.slice(0, 3)).toEqual([
      'Global policy: ',
      'Service-policy: global_policy',
      '        Class-map: inspection_default',
    ]);
    expect(before).toContain(esmtp);
    await s.cmd('conf t', /\(config\)# $/);
    await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
    await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
    await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
    await s.cmd('end');
    expect(lines(await run(s, 'show service-policy'))).not.toContain(esmtp);
    expect(lines(await run(s, 'show service-policy inspect esmtp'))).toEqual([
      'Global policy: ',
      'Service-policy: global_policy',
      '        Class-map: inspection_default',
    ]);
    expect(lines(await run(s, 'show service-policy inspect h323'))).toEqual(['ERROR: % Incomplete command']);
  });

  it('show fixup (PIX) lists the fixup block of pix_show-running-config_3.txt', async () => {
    const s = await enabled(device({ dialect: 'pix6' }));
    const cap = capture('pix_show-running-config_3.txt').filter((l) => l.startsWith('fixup protocol'));
    expect(lines(await run(s, 'show fixup'))).toEqual(['fixup protocol dns maximum-length 512', ...cap]);
  });

  it('show failover: off (asa_show-failover_9.txt), active, standby; show mode; show context', async () => {
    const off = lines(await run(await enabled(device({ dialect: 'asa9' })), 'show failover'));
    expect(off).toEqual(capture('asa_show-failover_9.txt').filter((l, i, a) => i < a.length - 1 || l !== ''));
    const stby = lines(
      await run(await enabled(device({ dialect: 'asa9', faults: { standby: true } })), 'show failover'),
    );
    expect(stby).toContain('This host: Secondary - Standby Ready');
    expect(stby).toContain('Other host: Primary - Active');
    const multi = await enabled(device({ dialect: 'asa9', contextMode: 'multiple', contexts: ['admin', 'cust1'] }));
    expect(multi.buffer.endsWith('\rciscoasa/admin# ')).toBe(true);
    expect(lines(await run(multi, 'show mode'))).toEqual(['Security context mode: multiple ']);
    const ctx = lines(await run(multi, 'show context'));
    expect(ctx[0]).toBe('Context Name      Class                Interfaces           Mode         URL');
    expect(ctx[1]).toMatch(/^\*admin {12}default/);
    expect(ctx.at(-1)).toBe('Total active Security Contexts: 2');
    expect(lines(await run(await enabled(device({ dialect: 'asa9' })), 'show mode'))).toEqual([
      'Security context mode: single ',
    ]);
  });

  it('changeto context / system changes the prompt, also from config mode', async () => {
    const d = multiContextAsa();
    const s = await enabled(d);
    await s.cmd('changeto context cust1', /\rciscoasa\/cust1# $/);
    await s.cmd('conf t', /\rciscoasa\/cust1\(config\)# $/);
    await s.cmd('changeto context admin', /\rciscoasa\/admin\(config\)# $/);
    await s.cmd('changeto system', /\rciscoasa\(config\)# $/);
    expect(lines(await run(s, 'changeto context nope'))).toEqual(["ERROR: 'nope' is not valid"]);
  });

  it('multiple context: configs are per context; write memory all from the system space saves each', async () => {
    const d = multiContextAsa();
    const s = await enabled(d);
    await s.cmd('changeto context cust1', /cust1# $/);
    await s.cmd('conf t', /\(config\)# $/);
    await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
    await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
    await s.cmd('no inspect esmtp', /\(config-pmap-c\)# $/);
    await s.cmd('end', /cust1# $/);
    expect(d.runningConfig('cust1')).not.toContain('inspect esmtp');
    expect(d.runningConfig('admin')).toContain('inspect esmtp');
    expect(lines(await run(s, 'write memory all'))[0]).toMatch(/^\s+\^$/); // only in the system space
    await s.cmd('changeto system', /\rciscoasa# $/);
    expect(await run(s, 'show running-config | include ^context')).toBe('context admin\r\ncontext cust1\r\n');
    const out = lines(await run(s, 'write memory all'));
    expect(out.filter((l) => l.startsWith('Cryptochecksum: '))).toHaveLength(3);
    expect(out.at(-1)).toBe('[OK]');
    expect(d.startupConfig('cust1')).not.toContain('inspect esmtp');
    expect(d.isModified()).toBe(false);
  });

  it('pager: <--- More --->, space = page, Enter = one line, q = quit (asa-cli.md §Pager)', async () => {
    const s = await enabled(device({ dialect: 'asa9' }), true);
    const from = s.buffer.length;
    s.send('show running-config\n');
    const page1 = await s.waitFor(/<--- More --->$/, 5000, from);
    expect(lines(page1.replace(/<--- More --->$/, '')).length).toBe(25); // echo line + 24
    const p2from = s.buffer.length;
    s.send('\r');
    const one = await s.waitFor(/<--- More --->$/, 5000, p2from);
    expect(one).toMatch(/^\r {14}\r[^\r\n]*\r\n<--- More --->$/);
    const p3from = s.buffer.length;
    s.send(' ');
    const page3 = await s.waitFor(/<--- More --->$/, 5000, p3from);
    expect(page3.split('\r\n')).toHaveLength(25);
    const qfrom = s.buffer.length;
    s.send('q');
    expect(await s.waitFor(/# $/, 5000, qfrom)).toBe('\r              \r\rciscoasa# ');
    await run(s, 'terminal pager 0');
    expect(await run(s, 'show running-config')).not.toContain('More');
  });

  it('PIX: pager 0 / no pager; terminal pager does not exist', async () => {
    const s = await enabled(device({ dialect: 'pix6' }), true);
    expect(lines(await run(s, 'terminal pager 0'))).toEqual(["Type help or '?' for a list of available commands."]);
    await run(s, 'no pager');
    expect(await run(s, 'show running-config')).not.toContain('More');
  });
});

describe('configuration', () => {
  it('first conf t on asa9: (config)# prompt, then the NOTICE; N adds no call-home reporting anonymous (asa_session-transcript_2.txt)', async () => {
    const d = device({ dialect: 'asa9' });
    const s = await enabled(d);
    const from = s.buffer.length;
    s.send('conf t\n');
    const q = await s.waitFor(/later: $/, 5000, from);
    const cap = capture('asa_session-transcript_2.txt');
    const start = cap.findIndex((l) => l.startsWith('ciscoasa# conf t'));
    const end = cap.findIndex((l) => l.includes('[A]sk later'));
    expect(q.replace(/\r\n/g, '\n').replace(/\r/g, '')).toBe(
      `${cap.slice(start, end).join('\n').replace('ciscoasa# ', '')}\nthe product? [Y]es, [N]o, [A]sk later: `,
    );
    const after = await s.cmd('N', /\(config\)# $/);
    const endN = cap.findIndex((l) => l.startsWith('ciscoasa(config)# hostname'));
    expect(after.replace(/\r\n/g, '\n').replace(/\r/g, '')).toBe(
      `${cap
        .slice(end, endN)
        .join('\n')
        .replace(/^the product\? \[Y\]es, \[N\]o, \[A\]sk later: /, '')}\nciscoasa(config)# `,
    );
    expect(d.runningConfig()).toContain('\nno call-home reporting anonymous\n');
    await s.cmd('end');
    await s.cmd('conf t', /\(config\)# $/); // asked once only
  });

  it('NOTICE answered Y (asa_session-transcript_1.txt) and A (asked again)', async () => {
    const d = device({ dialect: 'asa9' });
    const s = await enabled(d);
    s.send('conf t\n');
    await s.waitFor(/later: $/);
    await s.cmd('A', /\(config\)# $/);
    await s.cmd('exit');
    const from = s.buffer.length;
    s.send('conf t\n');
    await s.waitFor(/later: $/, 5000, from);
    const y = await s.cmd('Y', /\(config\)# $/);
    expect(y).toContain(
      'Enabling anonymous reporting.\r\nAdding "call-home reporting anonymous" to running configuration...\r\n',
    );
    expect(d.runningConfig()).toMatch(/\ncall-home reporting anonymous\n/);
  });

  it('no inspect esmtp / inspect esmtp my_map change the running config and the inspection policy', async () => {
    const d = device({ dialect: 'asa9', anonymousReportingQuestion: false });
    const s = await enabled(d);
    await s.cmd('config term', /\(config\)# $/);
    await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
    await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
    expect(await run(s, 'no inspect esmtp', /\(config-pmap-c\)# $/)).toBe('');
    expect(d.runningConfig()).not.toContain('inspect esmtp');
    expect(d.inspectionPolicy().active).toBe(false);
    await s.cmd('inspect esmtp', /\(config-pmap-c\)# $/);
    expect(d.runningConfig()).toContain('\n  inspect esmtp \n');
    expect(d.inspectionPolicy()).toMatchObject({ active: true, ports: [25], maskBanner: true, allowTls: false });
    // An own esmtp map with allow-tls and without mask-banner.
    await s.cmd('policy-map type inspect esmtp my_map', /\(config-pmap\)# $/);
    await s.cmd('parameters', /\(config-pmap-p\)# $/);
    await s.cmd('allow-tls', /\(config-pmap-p\)# $/);
    await s.cmd('no mask-banner', /\(config-pmap-p\)# $/);
    await s.cmd('policy-map global_policy', /\(config-pmap\)# $/);
    await s.cmd('class inspection_default', /\(config-pmap-c\)# $/);
    await s.cmd('inspect esmtp my_map', /\(config-pmap-c\)# $/);
    expect(d.runningConfig()).toContain('\n  inspect esmtp my_map \n');
    expect(d.inspectionPolicy()).toMatchObject({ active: true, maskBanner: false, allowTls: true });
  });

  it('ASA fixup protocol smtp 25 is converted to MPF with an INFO line (asa-cli.md §3.2)', async () => {
    const d = device({ dialect: 'asa8', anonymousReportingQuestion: false });
    const s = await enabled(d);
    await s.cmd('conf t', /\(config\)# $/);
    expect(lines(await run(s, 'no fixup protocol smtp 25'))).toEqual([
      "INFO: converting 'no fixup protocol smtp 25' to MPF commands",
    ]);
    expect(d.inspectionPolicy().active).toBe(false);
    expect(lines(await run(s, 'fixup protocol smtp 25'))).toEqual([
      "INFO: converting 'fixup protocol smtp 25' to MPF commands",
    ]);
    expect(d.runningConfig()).toContain('\n  inspect esmtp \n');
  });

  it('PIX fixup: no fixup is silent and shows as no fixup protocol smtp 25; extra ports; end is refused', async () => {
    const d = device({ dialect: 'pix6' });
    const s = await enabled(d);
    await s.cmd('conf t', /\(config\)# $/);
    await s.cmd('fixup protocol smtp 2525', /\(config\)# $/);
    expect(d.inspectionPolicy().ports).toEqual([25, 2525]);
    expect(await run(s, 'no fixup protocol smtp 25')).toBe('');
    expect(await run(s, 'no fixup protocol smtp 2525')).toBe('');
    expect(d.runningConfig()).toContain('\nno fixup protocol smtp 25\n');
    expect(d.runningConfig()).not.toContain('2525');
    expect(d.inspectionPolicy().active).toBe(false);
    expect(lines(await run(s, 'end'))).toEqual(["Type help or '?' for a list of available commands."]);
    await s.cmd('quit', /\rpix# $/);
  });

  it('PIX fixup with a port outside 1-65535 or a backwards range is refused, never stored (issue #12: it hung the lab)', async () => {
    const d = device({ dialect: 'pix6' });
    const s = await enabled(d);
    await s.cmd('conf t', /\(config\)# $/);
    for (const bad of ['99999999999999999999', '0', '65536', '2526-2525', '1-99999999999']) {
      expect(await run(s, `fixup protocol smtp ${bad}`)).not.toBe('');
      expect(d.runningConfig()).not.toContain(`fixup protocol smtp ${bad}`);
    }
    expect(d.inspectionPolicy().ports).toEqual([25]);
  });

  it('invalid and incomplete commands give the real error forms (asa-cli.md §3.5)', async () => {
    const s = await enabled(device({ dialect: 'asa9' }));
    expect(lines(await run(s, 'show bogus'))).toEqual([
      `${' '.repeat(16)}^`,
      "ERROR: % Invalid input detected at '^' marker.",
    ]);
    expect(lines(await run(s, 'show'))).toEqual(['ERROR: % Incomplete command']);
    const u = cliSession(device({ dialect: 'asa9' }));
    await u.waitFor(/> $/);
    // ansible-modules-extras#3056: show running-config at > is an invalid-input error.
    expect(lines(await run(u, 'show running-config'))[1]).toBe("ERROR: % Invalid input detected at '^' marker.");
  });

  it('write memory: Building configuration..., spaced Cryptochecksum equal to show run, bytes, [OK] (asa-cli.md §4.1)', async () => {
    const d = device({ dialect: 'asa9', anonymousReportingQuestion: false });
    const s = await enabled(d);
    const out = lines(await run(s, 'wr mem'));
    expect(out[0]).toBe('Building configuration...');
    expect(out[1]).toMatch(/^Cryptochecksum: [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}$/);
    expect(out[2]).toBe('');
    expect(out[3]).toMatch(/^\d+ bytes copied in 0\.150 secs$/);
    expect(out[4]).toBe('[OK]');
    const sum = out[1]?.slice('Cryptochecksum: '.length).replace(/ /g, '');
    expect(await run(s, 'show running-config | include Cryptochecksum')).toBe(`Cryptochecksum:${sum}\r\n`);
    expect(await run(s, 'show startup-config | include Cryptochecksum')).toBe(`Cryptochecksum:${sum}\r\n`);
    await s.cmd('conf t', /\(config\)# $/);
    await s.cmd('hostname fw1', /\rfw1\(config\)# $/);
    expect(await run(s, 'show running-config | include Cryptochecksum')).not.toContain(sum);
    expect(d.isModified()).toBe(true);
    await run(s, 'copy /noconfirm running-config startup-config');
    expect(d.isModified()).toBe(false);
  });

  it('failover active: write memory is followed by the replication messages (asa-cli.md §4.3)', async () => {
    const s = await enabled(device({ dialect: 'asa9', failover: { role: 'active', unit: 'primary' } }));
    const out = lines(await run(s, 'write memory'));
    expect(out.slice(-3)).toEqual([
      '[OK]',
      'Beginning configuration replication: Sending to mate.',
      'End Configuration Replication to mate.',
    ]);
  });

  it('reload asks Save? and [confirm], prints the shutdown lines and closes (asa_session-transcript_1.txt)', async () => {
    const d = device({ dialect: 'asa9', anonymousReportingQuestion: false, reloadDelaySec: 0.05 });
    const s = await enabled(d);
    await s.cmd('conf t', /\(config\)# $/);
    await s.cmd('hostname changed', /\(config\)# $/);
    s.send('reload\n');
    await s.waitFor(/System config has been modified\. Save\? \[Y\]es\/\[N\]o: $/);
    s.send('n\n');
    await s.waitFor(/Proceed with reload\? \[confirm\]$/);
    const from = s.buffer.length;
    s.send('\n');
    await s.waitClosed();
    const tail = s.buffer.slice(from).replace(/\r\n/g, '\n').replace(/\r/g, '');
    const cap = capture('asa_session-transcript_1.txt');
    const shut = cap.slice(cap.indexOf('***'), cap.indexOf('..') + 1).join('\n');
    expect(tail).toContain(shut);
    expect(d.isUp()).toBe(false);
    await d.whenUp();
    expect(d.hostname()).toBe('ciscoasa'); // unsaved change lost
  });

  it('reload in N / show reload / reload cancel [unverified texts]', async () => {
    const d = device({ dialect: 'asa9' });
    const s = await enabled(d);
    expect(await run(s, 'show reload')).toBe('No reload is scheduled.\r\n');
    s.send('reload in 10\n');
    await s.waitFor(/\[confirm\]$/);
    await s.cmd('y');
    expect(await run(s, 'show reload')).toMatch(/^Reload scheduled for .* \(in (9|10) minutes and \d+ seconds\)\r\n$/);
    expect(await run(s, 'reload cancel')).toContain('SHUTDOWN ABORTED');
    expect(await run(s, 'show reload')).toBe('No reload is scheduled.\r\n');
    d.stop();
  });

  it('keeps a log of every command line, without passwords', async () => {
    const d = device({ dialect: 'asa9' });
    const s = await enabled(d);
    await run(s, 'show version | include Version');
    expect(d.commandLog()).toEqual(['enable', 'terminal pager 0', 'show version | include Version']);
  });
});
