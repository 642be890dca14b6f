// Inventories: the tool's own YAML, Ansible INI and Ansible YAML. The three files in examples/ describe the same
// fleet; the INI dialect details follow ansible/plugins/inventory/ini.py.
import { describe, expect, it } from 'vitest';
import { isMailguardError } from '../../src/errors.js';
import {
  effectiveSettings,
  expandHostPattern,
  formatWarning,
  groupsOf,
  type Inventory,
  loadInventory,
  parseAnsibleIni,
  parseInventory,
  shellSplit,
} from '../../src/playbook/index.js';

function flat(inv: Inventory, host: string) {
  const s = effectiveSettings(inv, host);
  const cred = (c: (typeof s)['password']) =>
    c ? (c.kind === 'env' ? `env:${c.name}` : c.kind === 'vault' ? 'vault' : `literal:${c.value}`) : undefined;
  return {
    host: s.host?.value,
    port: s.port?.value,
    transport: s.transport?.value ?? 'ssh',
    username: cred(s.username),
    password: cred(s.password),
    enableSecret: cred(s.enableSecret),
    smtpProbe: s.smtpProbe?.value,
    mailDomain: s.mailDomain?.value,
    failoverPeer: s.failoverPeer?.value,
  };
}

describe('Ansible INI', () => {
  const text = [
    '# comment',
    'lonely ansible_host=10.0.0.9',
    '',
    '[asa]',
    'fw-[01:03] ansible_user=admin ansible_password="two words" # inline comment',
    "fw-x:2222 ansible_host=10.0.0.5 smtp_probe='mx1:25, mx2:2525'",
    '; also a comment',
    '[pix]',
    'pix-a ansible_connection=telnet ansible_become_password=enable1',
    '',
    '[fw:children]',
    'asa',
    'pix',
    '',
    '[fw:vars]',
    "ansible_password={{ lookup('env', 'FW_PASSWORD') }}",
    'ansible_connection=network_cli',
    'ansible_port=22',
    '',
    '[asa:vars]',
    'mail_domain = example.test # kept: INI vars lines have no inline comments in Ansible',
  ].join('\n');

  it('mailguard_transport=ssh1 reaches a PIX 6.x over SSH protocol 1; ansible_connection=ssh1 is refused with the hint', () => {
    const ok = parseAnsibleIni('s.ini', '[pix]\npix-b mailguard_transport=ssh1\n');
    expect(flat(ok, 'pix-b')).toMatchObject({ transport: 'ssh1' });
    expect(() => parseAnsibleIni('b.ini', '[pix]\npix-c ansible_connection=ssh1\n')).toThrow(
      /mailguard_transport: ssh1/,
    );
  });

  it('parses groups, children, vars, ranges, ports and quoting', () => {
    const inv = parseAnsibleIni('t.ini', text);
    expect([...inv.hosts.keys()]).toEqual(['lonely', 'fw-01', 'fw-02', 'fw-03', 'fw-x', 'pix-a']);
    expect(groupsOf(inv, 'fw-02').sort()).toEqual(['all', 'asa', 'fw']);
    expect(groupsOf(inv, 'lonely').sort()).toEqual(['all', 'ungrouped']);
    expect(flat(inv, 'fw-01')).toMatchObject({
      username: 'literal:admin',
      password: 'literal:two words',
      port: 22,
      transport: 'ssh',
    });
    expect(flat(inv, 'fw-x')).toMatchObject({
      host: '10.0.0.5',
      port: 2222,
      smtpProbe: ['mx1:25', 'mx2:2525'],
      password: 'env:FW_PASSWORD',
    });
    expect(flat(inv, 'pix-a')).toMatchObject({
      transport: 'telnet',
      enableSecret: 'literal:enable1',
      password: 'env:FW_PASSWORD',
    });
    expect(flat(inv, 'fw-01').mailDomain).toBe(
      'example.test # kept: INI vars lines have no inline comments in Ansible',
    );
  });

  it('warns about each plain-text secret with its line, never with its value', () => {
    const inv = parseAnsibleIni('t.ini', text);
    const lines = inv.warnings.map((w) => `${w.at.line}:${w.message}`);
    expect(lines.filter((l) => l.startsWith('5:'))).toHaveLength(3); // fw-01..03 ansible_password
    expect(lines.some((l) => l.startsWith('9:') && l.includes('ansible_become_password of pix-a'))).toBe(true);
    expect(inv.warnings.every((w) => !w.message.includes('two words') && !w.message.includes('enable1'))).toBe(true);
  });

  it('rejects templates other than the env lookup and {{ variable }}, naming the variable', () => {
    for (const [line, word] of [
      [
        'fw ansible_password="{{ pw | default(\'x\') }}"',
        /ansible_password: the template \{\{ pw \| default\('x'\) \}\} \(column 1/,
      ],
      ['fw ansible_password="{{ vault_pw }}"', /ansible_password refers to the undefined variable "vault_pw"/],
      ['fw ansible_host="{{ ansible_ssh_host }}" ansible_ssh_host="{{ ansible_host }}"', /template loop/],
      ['fw ansible_port=70000', /TCP port/],
      ['fw smtp_probe=mx1:25,bad/host', /HOST\[:PORT\]/],
      ['fw novalue', /expected key=value/],
      ['fw ansible_host="unclosed', /unclosed quote/],
    ] as const) {
      try {
        parseAnsibleIni('x.ini', `[g]\n${line}\n`);
        throw new Error(`no error for ${line}`);
      } catch (e) {
        expect(isMailguardError(e)).toBe(true);
        expect((e as Error).message).toMatch(/x\.ini:2:\d+/);
        expect((e as Error).message).toMatch(word);
      }
    }
  });

  it('reports a group cycle', () => {
    expect(() => parseAnsibleIni('c.ini', '[a:children]\nb\n[b:children]\na\n[a]\nh1\n')).toThrow(
      /group cycle: a -> b -> a|group cycle: b -> a -> b/,
    );
  });

  it('shellSplit and expandHostPattern follow shlex and Ansible ranges', () => {
    expect(shellSplit(`a b="c d" 'e f'g # x`).map((t) => t.text)).toEqual(['a', 'b=c d', 'e fg']);
    expect(expandHostPattern('db-[a:c].x').names).toEqual(['db-a.x', 'db-b.x', 'db-c.x']);
    expect(expandHostPattern('w[08:10]:2200')).toEqual({ names: ['w08', 'w09', 'w10'], port: 2200 });
    expect(expandHostPattern('n[1:9:4]').names).toEqual(['n1', 'n5', 'n9']);
    expect(expandHostPattern('r[1:2]c[1:2]').names).toEqual(['r1c1', 'r1c2', 'r2c1', 'r2c2']);
    expect(expandHostPattern('bad[3:1]').error).toMatch(/end before start/);
  });
});

describe('Ansible YAML', () => {
  it('walks all/children/hosts/vars, nested groups inherit parent vars, hosts override', async () => {
    const text = [
      'all:',
      '  vars:',
      '    ansible_user: root',
      '  children:',
      '    dc:',
      '      vars:',
      '        ansible_port: 2022',
      '      children:',
      '        rack1:',
      '          hosts:',
      '            fw1:',
      '              ansible_host: 10.1.1.1',
      '              ansible_port: 22',
      '            fw2:',
      '    other:',
      '      hosts:',
      '        fw2:',
      '          mail_domain: other.test',
    ].join('\n');
    const inv = await parseInventory('a.yaml', text);
    expect(inv.format).toBe('ansible-yaml');
    expect(flat(inv, 'fw1')).toMatchObject({ host: '10.1.1.1', port: 22, username: 'literal:root' });
    expect(flat(inv, 'fw2')).toMatchObject({ port: 2022, mailDomain: 'other.test' });
    expect(groupsOf(inv, 'fw2').sort()).toEqual(['all', 'dc', 'other', 'rack1']);
  });

  it('a child group of a deeper level wins over its parent (Ansible depth order)', async () => {
    const text =
      'all:\n  children:\n    p:\n      vars: {ansible_port: 1}\n      children:\n        c:\n          vars: {ansible_port: 2}\n          hosts: {h: }\n';
    const inv = await parseInventory('d.yaml', text);
    expect(flat(inv, 'h').port).toBe(2);
  });
});

describe('own inventory format', () => {
  it('detects the format from its shape and keeps positions for settings', async () => {
    const text = 'vars:\n  passwordEnv: PW\nhosts:\n  a:\n    host: 10.0.0.1\n    password: plain\n';
    const inv = await parseInventory('own.yaml', text);
    expect(inv.format).toBe('mailguard');
    const s = effectiveSettings(inv, 'a');
    expect(s.password).toEqual({ kind: 'literal', value: 'plain', at: { file: 'own.yaml', line: 6, column: 15 } });
    expect(inv.warnings).toHaveLength(1);
    expect(formatWarning(inv.warnings[0]!)).toBe(
      'own.yaml:6:15: warning: password of hosts.a is given in plain text; prefer an environment variable reference',
    );
  });

  it('checks failover peers', async () => {
    const bad = 'hosts:\n  a:\n    failoverPeer: b\n  b:\n    failoverPeer: c\n  c:\n';
    await expect(parseInventory('p.yaml', bad)).rejects.toThrow(/p\.yaml:5:19: .*a pair has two units/);
    await expect(parseInventory('q.yaml', 'hosts:\n  a:\n    failoverPeer: zz\n')).rejects.toThrow(
      /q\.yaml:3:19: .*"zz" of a is not in the inventory/,
    );
  });

  it('never echoes a secret value in a validation error', async () => {
    const err = await parseInventory('s.yaml', 'hosts:\n  a:\n    password: 123456789\n    enableSecret: [x9q]\n').then(
      () => new Error('no error'),
      (e: Error) => e,
    );
    expect(err.message).toContain('s.yaml:3:15: hosts.a.password: expected text (value not shown: secret)');
    expect(err.message).not.toContain('123456789');
    expect(err.message).not.toContain('x9q');
  });

  it('unknown keys are errors with a suggestion', async () => {
    await expect(parseInventory('k.yaml', 'hosts:\n  a:\n    hots: 1.2.3.4\n')).rejects.toThrow(
      /k\.yaml:3:5: hosts\.a\.hots: unknown key "hots" \(did you mean "host"\?\)/,
    );
  });
});

describe('the three example inventories describe the same fleet', () => {
  it('examples/inventory.yaml, ansible-inventory.ini and ansible-inventory.yaml agree on the shared hosts', async () => {
    const own = await loadInventory('examples/inventory.yaml');
    const ini = await loadInventory('examples/ansible-inventory.ini');
    const yml = await loadInventory('examples/ansible-inventory.yaml');
    expect(ini.format).toBe('ansible-ini');
    expect(yml.format).toBe('ansible-yaml');
    expect([...ini.hosts.keys()]).toEqual([...yml.hosts.keys()]);
    for (const h of ini.hosts.keys()) expect(flat(yml, h)).toEqual(flat(ini, h));
    for (const h of ['fw-hq-a', 'fw-hq-b', 'fw-south-1', 'pix-dmz']) {
      const a = flat(own, h);
      const b = flat(ini, h);
      expect({ ...a, smtpProbe: undefined }).toEqual({ ...b, smtpProbe: undefined, port: b.port ?? a.port });
    }
  });
});
