/**
 * `run` on an Ansible inventory as Ansible reads it: an INI file with group_vars/ and host_vars/ folders beside it,
 * passwords encrypted by the real `ansible-vault encrypt_string` (Debian ansible; .ci/run installs it), the user
 * from a `{{ variable }}` template. The same inventory gives the same hosts, groups and variables as
 * `ansible-inventory --list`. Skipped with a message when ansible is absent.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadVaultSecrets, VaultText } from '../../src/playbook/ansible-vault.js';
import { isClientScript } from '../../src/playbook/ansible-vault-script.js';
import { ansibleHostVars, groupsOf, loadInventory } from '../../src/playbook/index.js';
import { builtCli } from '../helpers/built-cli.js';
import { startTestLab, writeKnownHosts } from '../helpers/lab.js';
import { KEY, PtySession, ptyDriver } from '../helpers/pty.js';
import { runCli, tempDir } from './apply-helpers.js';

let haveAnsible = true;
try {
  execFileSync('ansible-vault', ['--version'], { stdio: 'ignore' });
} catch {
  haveAnsible = false;
  console.warn('skipping the Ansible inventory tests: ansible-vault is absent (apt-get install -y ansible)');
}

const ansibleEnv = (dir: string) => ({
  ...process.env,
  HOME: dir,
  ANSIBLE_LOCAL_TEMP: join(dir, '.ansible-tmp'),
  ANSIBLE_NOCOLOR: '1',
});

describe.skipIf(!haveAnsible)('run on an Ansible inventory with group_vars/host_vars and Vault', async () => {
  const lab = await startTestLab([
    { name: 'fw-a', dialect: 'asa9' },
    { name: 'fw-b', dialect: 'asa8' },
    { name: 'fw-c', dialect: 'pix6' },
  ]);
  const dir = tempDir('mg-ansible-');
  writeKnownHosts(lab, dir);
  writeFileSync(join(dir, 'vault-pw'), 'vault-Pa55\n', { mode: 0o600 });
  writeFileSync(join(dir, 'wrong-pw'), 'not-it\n', { mode: 0o600 });
  const names = ['fw-a', 'fw-b', 'fw-c'];
  // as the lab's units demand: the 8.x image offers only old algorithms, the PIX 6 speaks SSH protocol 1 only
  const OWN: Record<string, string> = { 'fw-b': 'legacy_algorithms: true\n', 'fw-c': 'mailguard_transport: ssh1\n' };
  // one encrypt_string run for all six secrets (each run starts Python: seconds)
  const args = ['encrypt_string', '--vault-password-file', join(dir, 'vault-pw')];
  const values: string[] = [];
  for (const n of names) {
    const d = lab.device(n).info;
    args.push('--name', `${n.replace('-', '_')}_password`, '--name', `${n.replace('-', '_')}_enable`);
    values.push(d.password, d.enableSecret);
  }
  const vaulted = execFileSync('ansible-vault', [...args, '--', ...values], {
    encoding: 'utf8',
    env: ansibleEnv(dir),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  writeFileSync(
    join(dir, 'inventory.ini'),
    '[asa]\nfw-a ansible_host=127.0.0.1\nfw-b ansible_host=127.0.0.1\n\n[pix]\nfw-c ansible_host=127.0.0.1\n\n[firewalls:children]\nasa\npix\n',
  );
  mkdirSync(join(dir, 'group_vars', 'all'), { recursive: true });
  // encrypt_string's output ends without a line break; at the end of a file the yaml package then still gives the
  // last `|` block a final newline where PyYAML gives none (a difference of the two YAML readers, not of the vault).
  writeFileSync(join(dir, 'group_vars', 'all', 'vault.yml'), vaulted.endsWith('\n') ? vaulted : `${vaulted}\n`);
  writeFileSync(
    join(dir, 'group_vars', 'all', 'connection.yml'),
    'ansible_connection: ansible.netcommon.network_cli\nansible_network_os: cisco.asa.asa\nansible_network_cli_ssh_type: libssh\nansible_user: "{{ lab_user }}"\nsite: lab\n',
  );
  writeFileSync(join(dir, 'group_vars', 'asa.yaml'), 'site: asa-site\n');
  writeFileSync(join(dir, 'group_vars', 'firewalls.json'), '{"site": "fw-site", "tier": 1}\n');
  for (const n of names) {
    const d = lab.device(n).info;
    const v = n.replace('-', '_');
    mkdirSync(join(dir, 'host_vars', n), { recursive: true });
    writeFileSync(
      join(dir, 'host_vars', n, 'main.yml'),
      `ansible_port: ${d.ssh.port}\nlab_user: ${d.username}\nansible_password: "{{ ${v}_password }}"\nansible_become_password: "{{ ${v}_enable }}"\n${OWN[n] ?? ''}`,
    );
  }
  writeFileSync(
    join(dir, 'audit.yaml'),
    stringify({
      name: 'audit',
      inventory: 'inventory.ini',
      targets: 'firewalls',
      mode: 'audit',
      options: { knownHosts: 'known_hosts' },
      reportDir: 'reports',
    }),
  );
  const run = (a: string[]) => runCli(['run', 'audit.yaml', ...a], { cwd: dir, timeoutMs: 60_000 });

  /** `ansible-inventory --list` on FILE and ours agree on hosts, each host's variables and its groups. */
  async function expectSameAsAnsible(file: string) {
    const out = execFileSync('ansible-inventory', ['-i', file, '--list'], {
      encoding: 'utf8',
      env: ansibleEnv(dir),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const parsed = JSON.parse(out) as Record<string, { hosts?: string[]; children?: string[] }>;
    const meta = (parsed._meta as unknown as { hostvars: Record<string, Record<string, unknown>> }).hostvars;
    const inv = await loadInventory(file);
    expect([...inv.hosts.keys()].sort()).toEqual(Object.keys(meta).sort());
    for (const h of inv.hosts.keys()) {
      const ours = Object.fromEntries(
        Object.entries(ansibleHostVars(inv, h)).map(([k, v]) => [
          k,
          v.value instanceof VaultText ? { __ansible_vault: v.value.text } : v.value,
        ]),
      );
      expect(ours, h).toEqual(meta[h]);
      const theirGroups = Object.entries(parsed)
        .filter(([g, body]) => g !== '_meta' && body.hosts?.includes(h))
        .map(([g]) => g);
      for (const g of theirGroups) expect(groupsOf(inv, h)).toContain(g);
    }
    return { parsed, meta, inv };
  }

  it('the same hosts, groups and variables as ansible-inventory --list', async () => {
    const { parsed, inv } = await expectSameAsAnsible(join(dir, 'inventory.ini'));
    expect(parsed.firewalls?.children?.sort()).toEqual(['asa', 'pix']);
    expect(inv.warnings.map((w) => w.message)).toContain(
      'ansible_network_cli_ssh_type is ignored: asa-mailguard always uses its own SSH client',
    );
  });

  it('ansible_group_priority, name order by code point and group_vars after [group:vars], as ansible-inventory', async () => {
    const p = join(dir, 'prio');
    mkdirSync(join(p, 'group_vars'), { recursive: true });
    // same depth: alpha (priority 10) merges after beta (1) although "beta" sorts later; "Bgrp" < "agrp" by code
    // point (Python), so agrp wins where a locale compare would pick Bgrp; zeta (priority 0) merges first.
    writeFileSync(
      join(p, 'inventory.ini'),
      [
        '[alpha]\nfw1\n[beta]\nfw1\nfw2\n[zeta]\nfw2\n[agrp]\nfw1\n[Bgrp]\nfw1',
        '[parent:children]\nalpha',
        '[alpha:vars]\nansible_group_priority=10\nsite=alpha\nlayer=alpha-inventory',
        '[beta:vars]\nsite=beta\nrole=beta',
        '[zeta:vars]\nansible_group_priority=0\nrole=zeta',
        '[agrp:vars]\ncase=agrp\n[Bgrp:vars]\ncase=Bgrp',
        '[parent:vars]\nlayer=parent-inventory',
        '',
      ].join('\n'),
    );
    // a parent's group_vars file wins over the child's inventory vars; there ansible_group_priority is a plain variable
    writeFileSync(join(p, 'group_vars', 'parent.yml'), 'layer: parent-file\n');
    writeFileSync(join(p, 'group_vars', 'beta.yml'), 'ansible_group_priority: 50\nfrom_file: beta\n');
    writeFileSync(join(p, 'group_vars', 'zeta.yml'), 'from_file: zeta\n');
    const { meta, inv } = await expectSameAsAnsible(join(p, 'inventory.ini'));
    expect(meta.fw1).toMatchObject({ site: 'alpha', case: 'agrp', layer: 'parent-file', ansible_group_priority: 50 });
    expect(meta.fw2).toMatchObject({ role: 'beta', from_file: 'beta' });
    expect(inv.groups.get('alpha')?.priority).toBe(10);
    const bad = join(p, 'bad.ini');
    writeFileSync(bad, '[g]\nfw1\n[g:vars]\nansible_group_priority=high\n');
    await expect(loadInventory(bad)).rejects.toThrow(/bad\.ini:4:.*expected an integer for ansible_group_priority/s);
  });

  it('--list-hosts needs no vault password; a wrong one is exit 2 naming the file, nothing contacted', async () => {
    const listed = await run(['--list-hosts']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(names);
    const before = names.map((n) => lab.device(n).commandLog().length);
    const wrong = await run(['--vault-password-file', join(dir, 'wrong-pw')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/The vault password does not decrypt \S*group_vars\/all\/vault\.yml:\d+/);
    expect(names.map((n) => lab.device(n).commandLog().length)).toEqual(before);
  });

  it('run -i INVENTORY --vault-password-file reaches every device', async () => {
    chmodSync(join(dir, 'vault-pw'), 0o600);
    const r = await run(['-i', 'inventory.ini', '--vault-password-file', 'vault-pw', '--json']);
    // 10: the audit found SMTP inspection on (the lab's units ship with it)
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(10);
    const report = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; devices?: Array<{ name: string; platform: string | null }> })
      .find((l) => l.type === 'report');
    expect(report?.devices?.map((d) => d.name)).toEqual(names);
    expect(report?.devices?.every((d) => d.platform !== null)).toBe(true);
    expect(readFileSync(join(dir, 'vault-pw'), 'utf8')).toBe('vault-Pa55\n');
  });

  // Executable password files as Ansible runs them: stdout is the password; NAME-client gets --vault-id LABEL.
  const script = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o700 });
    return name;
  };
  script('vault-pass.sh', "printf 'vault-Pa55\\n'");
  script(
    'vault-pass-client.sh',
    '[ "$1" = --vault-id ] && [ "$2" = lab ] && { echo vault-Pa55; exit 0; }\necho "no secret for $2" >&2\nexit 2',
  );
  script('vault-broken.sh', 'echo vault-Pa55\nexit 3');
  const reportOf = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; devices?: Array<{ name: string; platform: string | null }> })
      .find((l) => l.type === 'report');

  it('an executable vault password file is run; a -client script is asked for its label; failures exit 2', async () => {
    const one = ['-i', 'inventory.ini', '--limit', 'fw-a'];
    const plain = await run([...one, '--json', '--vault-password-file', 'vault-pass.sh']);
    expect(plain.code, plain.stderr).toBe(10);
    expect(reportOf(plain.stdout)?.devices?.[0]?.platform).toMatch(/asa9/);
    const client = await run([...one, '--vault-id', 'lab@vault-pass-client.sh']);
    expect(client.code, client.stderr).toBe(10);
    expect(client.stdout).toMatch(/fw-a .*on \(1 place\)/);
    const before = lab.device('fw-a').commandLog().length;
    const unknown = await run([...one, '--vault-id', 'other@vault-pass-client.sh']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /vault password client script vault-pass-client\.sh \(--vault-id\) found no secret for vault id other \(exit 2\): no secret for other/,
    );
    const broken = await run([...one, '--vault-id', 'vault-broken.sh']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/vault password script vault-broken\.sh \(--vault-id\) failed \(exit 3\)/);
    for (const r of [unknown, broken]) expect(`${r.stdout}${r.stderr}`).not.toContain('vault-Pa55');
    expect(lab.device('fw-a').commandLog().length).toBe(before);
  });

  it('a script that does not finish is stopped after the timeout; names and files as Ansible reads them', async () => {
    script('vault-slow.sh', 'exec sleep 30');
    const t0 = Date.now();
    await expect(
      loadVaultSecrets({ passwordFiles: [join(dir, 'vault-slow.sh')], env: {}, scriptTimeoutMs: 300 }),
    ).rejects.toThrow(/vault-slow\.sh \(--vault-password-file\) did not finish within 0\.3 s/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(['a-client', 'a-client.py', '/x/vault-client.sh'].map(isClientScript)).toEqual([true, true, true]);
    expect(['a-client-x', 'client', 'a.b-client'].map(isClientScript)).toEqual([false, false, false]);
    // a plain file: its whole text without surrounding white space (Ansible), the env file added after the flags
    writeFileSync(join(dir, 'two-lines'), '  first\nsecond \n', { mode: 0o600 });
    const secrets = await loadVaultSecrets({
      vaultIds: ['lab@vault-pass-client.sh'.replace(/^lab@/, `lab@${dir}/`)],
      passwordFiles: [join(dir, 'two-lines')],
      env: { ANSIBLE_VAULT_PASSWORD_FILE: join(dir, 'vault-pw') },
    });
    expect(secrets.map((x) => [x.id, x.password])).toEqual([
      ['lab', 'vault-Pa55'],
      ['default', 'first\nsecond'],
      ['default', 'vault-Pa55'],
    ]);
    await expect(loadVaultSecrets({ askVaultPass: true, passwordFiles: ['x'], env: {} })).rejects.toThrow(
      /--ask-vault-pass and --vault-password-file exclude each other/,
    );
  });

  it('--vault-id @prompt without a terminal: exit 2 at once, nothing contacted', async () => {
    const r = await run(['-i', 'inventory.ini', '--vault-id', '@prompt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--vault-id @prompt asks for the vault password, but stdin is not a terminal/);
  });

  it.skipIf(!ptyDriver())('--vault-id lab@prompt and --ask-vault-pass ask on the terminal without echo', async () => {
    const session = (flags: string[]) =>
      new PtySession(
        process.execPath,
        [builtCli, 'run', 'audit.yaml', '-i', 'inventory.ini', '--limit', 'fw-a', ...flags],
        {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', HOME: dir, TERM: 'xterm', LANG: 'C.UTF-8' },
        },
      );
    const s = session(['--vault-id', 'lab@prompt']);
    await s.expect(/Vault password \(lab\)/, `vault-Pa55${KEY.enter}`, 30_000);
    expect(await s.exit(40_000), s.screen.slice(-2000)).toBe(10);
    expect(s.screen).not.toContain('vault-Pa55');
    expect(s.screen).toMatch(/fw-a .*on \(1 place\)/);
    const wrong = session(['--ask-vault-pass']);
    await wrong.expect(/Vault password/, `not-it${KEY.enter}`, 30_000);
    expect(await wrong.exit(40_000)).toBe(2);
    expect(wrong.screen).toMatch(/The vault password does not decrypt/);
    expect(wrong.screen).not.toContain('not-it');
  });
});
