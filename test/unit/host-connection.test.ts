/**
 * Per-host connection settings of the tool's inventory and playbook (jump, identity, legacyAlgorithms, transport,
 * context, knownHosts): the schema accepts them per host, per group and in `vars`, rejects bad values at file:line,
 * and the layers resolve as documented in docs/openssh-ansible.md: command-line flags > playbook credentials key >
 * inventory host > group > inventory vars > playbook options > ssh_config > defaults.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMailguardError, type MailguardError } from '../../src/errors.js';
import {
  changeOptionsFor,
  type FleetTarget,
  parseInventory,
  parsePlaybook,
  type RunConnectionFlags,
  resolveFleet,
  runSettings,
} from '../../src/playbook/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mg-hostconn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ENV = { ASA_PASSWORD: 'pw' };
for (const k of ['group.key', 'host.key', 'flag.key', 'ssh-config.key', 'playbook.key']) {
  writeFileSync(join(dir, k), `not a real key: ${k}\n`, { mode: 0o600 });
}

const INVENTORY = `
vars:
  passwordEnv: ASA_PASSWORD
  knownHosts: kh-all
groups:
  site-a:
    vars:
      jump: jumper@127.0.0.10:2222
      identity: group.key
      knownHosts: kh-site-a
      context: ctx-a
      username: ops
  old:
    vars:
      legacyAlgorithms: true
      transport: telnet
hosts:
  fw-1:
    host: 127.0.0.1
    groups: [site-a]
  fw-2:
    host: 127.0.0.2
    groups: [site-a]
    jump: none
    identity: host.key
    context: admin
  fw-3:
    host: 127.0.0.3
    groups: [site-a, old]
    transport: ssh
    legacyAlgorithms: false
  fw-alias:
    groups: []
  fw-keyed-hop:
    host: 127.0.0.5
    identity: host.key
    jump: bastion-keyed
`;

const SSH_CONFIG = `
Host fw-alias
  HostName 127.0.0.40
  Port 2040
  User from-ssh-config
  IdentityFile ${join(dir, 'ssh-config.key')}
  ProxyJump bastion
  KexAlgorithms +diffie-hellman-group1-sha1
  ConnectTimeout 7
Host bastion
  HostName 127.0.0.41
  User hopper
Host bastion-keyed
  HostName 127.0.0.42
  IdentityFile ${join(dir, 'ssh-config.key')}
Host 127.0.0.1
  Port 9999
  User not-used
  ProxyJump not-used-either
`;
writeFileSync(join(dir, 'ssh_config'), SSH_CONFIG);

async function fleet(
  opts: {
    playbookExtra?: string;
    flags?: RunConnectionFlags;
    env?: Record<string, string>;
    credentials?: boolean;
  } = {},
): Promise<Map<string, FleetTarget>> {
  const inv = await parseInventory(join(dir, 'inventory.yaml'), INVENTORY);
  const lp = parsePlaybook(
    join(dir, 'pb.yaml'),
    `name: p\ninventory: inventory.yaml\ntargets: all\nmode: audit\n${opts.playbookExtra ?? ''}`,
  );
  const settings = runSettings(lp);
  const f = await resolveFleet(lp, {
    settings,
    env: opts.env ?? ENV,
    inventory: inv,
    credentials: opts.credentials ?? true,
    connection: { sshConfig: join(dir, 'ssh_config'), sshHome: dir, ...opts.flags },
  });
  return new Map(f.targets.map((t) => [t.name, t]));
}

describe('inventory connection keys: schema', () => {
  it('bad jump, empty identity and an unknown key are reported at file:line', async () => {
    const text = 'hosts:\n  fw:\n    jump: "user@:22"\n    identity: ""\n    jumpHost: x\n';
    let err: MailguardError | undefined;
    try {
      await parseInventory('bad.yaml', text);
    } catch (e) {
      if (isMailguardError(e)) err = e;
    }
    expect(err?.code).toBe('PLAYBOOK_INVALID');
    expect(err?.message).toMatch(/bad\.yaml:3:\d+: .*jump/);
    expect(err?.message).toMatch(/bad\.yaml:4:\d+: .*identity/);
    expect(err?.message).toMatch(/bad\.yaml:5:\d+: .*jumpHost/);
  });

  it('the playbook takes jump and transport as defaults; a bad jump chain is refused', () => {
    expect(() =>
      parsePlaybook('ok.yaml', 'name: p\ninventory: i.yaml\ntargets: all\nmode: audit\noptions:\n  jump: a@b:22,c\n'),
    ).not.toThrow();
    expect(() =>
      parsePlaybook(
        'bad.yaml',
        'name: p\ninventory: i.yaml\ntargets: all\nmode: audit\noptions:\n  jump: "a@b:99999"\n',
      ),
    ).toThrow(/bad\.yaml:6:\d+/);
  });
});

describe('inventory connection keys: precedence', () => {
  it('host > group > vars; files beat ssh_config; a group jump reaches its hosts, `jump: none` drops it', async () => {
    const t = await fleet();
    const fw1 = t.get('fw-1')!.connect;
    // group site-a: jump (resolved through ssh_config: none for this name), key, known_hosts over vars
    expect(fw1.jumpHops).toEqual([
      expect.objectContaining({ host: '127.0.0.10', port: 2222, username: 'jumper', label: '127.0.0.10' }),
    ]);
    expect(fw1.privateKey).toContain('group.key');
    expect(fw1.knownHostsFile).toBe(join(dir, 'kh-site-a'));
    // the inventory's address is the ssh_config name (as ssh and Ansible): its Port and User would apply, but
    // the inventory user wins, and the group's jump wins over ProxyJump
    expect(fw1.username).toBe('ops');
    expect(fw1.port).toBe(9999);
    expect(t.get('fw-1')!.context).toBe('ctx-a');

    const fw2 = t.get('fw-2')!;
    expect(fw2.connect.jumpHops).toBeUndefined();
    expect(fw2.connect.privateKey).toContain('host.key');
    expect(fw2.context).toBe('admin');
    expect(fw2.connectionSources).toContain(`user ops (inventory ${join(dir, 'inventory.yaml')}:12:17)`);
    expect(fw2.connectionSources).toContainEqual(`jump none (inventory ${join(dir, 'inventory.yaml')}:24:11)`);

    // host transport/legacy over group old's
    const fw3 = t.get('fw-3')!.connect;
    expect(fw3.transport).toBe('ssh');
    expect(fw3.legacyAlgorithms).toBeUndefined();
  });

  it('a host named only in ssh_config: HostName, Port, User, IdentityFile, ProxyJump, algorithms, ConnectTimeout', async () => {
    const t = await fleet();
    const a = t.get('fw-alias')!;
    expect(a.connect).toMatchObject({ host: '127.0.0.40', port: 2040, username: 'from-ssh-config' });
    expect(a.connect.privateKey).toContain('ssh-config.key');
    expect(a.connect.jumpHops).toEqual([expect.objectContaining({ host: '127.0.0.41', username: 'hopper' })]);
    expect(a.connect.algorithms?.kex).toContain('diffie-hellman-group1-sha1');
    expect(a.connect.timeouts?.connectMs).toBe(7000);
    expect(a.connectionSources).toContain(`user from-ssh-config (ssh_config ${join(dir, 'ssh_config')}:5)`);
  }, 20_000);

  it('--list-hosts (no credentials): the configured user is still shown over ssh_config User, as a reference', async () => {
    const t = await fleet({ credentials: false, env: {} });
    const src = t.get('fw-1')!.connectionSources ?? [];
    expect(src).toContain(`user ops (inventory ${join(dir, 'inventory.yaml')}:12:17)`);
    expect(src.some((l) => l.startsWith('user not-used'))).toBe(false);
    expect(t.get('fw-1')!.connect.password).toBeUndefined();
  });

  it("a jump host logs in with its own IdentityFile when it has one, else with the host's key", async () => {
    const t = await fleet();
    const c = t.get('fw-keyed-hop')!.connect;
    expect(c.privateKey).toContain('host.key');
    expect(c.jumpHops?.[0]?.host).toBe('127.0.0.42');
    expect(String(c.jumpHops?.[0]?.privateKey)).toContain('ssh-config.key');
    // fw-1's group jump host has no IdentityFile: the host's own (group) key goes to it too
    expect(String(t.get('fw-1')!.connect.jumpHops?.[0]?.privateKey)).toContain('group.key');
  });

  it('flags given on the command line win over the inventory and ssh_config', async () => {
    const t = await fleet({
      flags: {
        jump: 'flagged@127.0.0.50',
        identity: join(dir, 'flag.key'),
        knownHosts: join(dir, 'kh-flag'),
        hostKeyPolicy: 'accept-new',
        legacyAlgorithms: true,
        connectTimeoutSec: 3,
      },
    });
    for (const name of ['fw-1', 'fw-2', 'fw-3', 'fw-alias']) {
      const c = t.get(name)!.connect;
      expect(c.jumpHops?.[0], name).toMatchObject({ host: '127.0.0.50', username: 'flagged' });
      expect(c.privateKey, name).toContain('flag.key');
      expect(c).toMatchObject({ knownHostsFile: join(dir, 'kh-flag'), hostKeyPolicy: 'accept-new' });
      expect(c.legacyAlgorithms).toBe(true);
      expect(c.timeouts?.connectMs).toBe(3000);
    }
    expect(t.get('fw-2')!.connectionSources).toContain(`identity ${join(dir, 'flag.key')} (--identity)`);
  });

  it('playbook options are the defaults under the inventory; the playbook credentials key beats the inventory', async () => {
    const extra = [
      'credentials:',
      '  fw-2:',
      '    privateKeyFile: playbook.key',
      'options:',
      '  jump: pb@127.0.0.60',
      '  context: pb-ctx',
      '  knownHosts: kh-pb',
      '  legacyAlgorithms: true',
      '',
    ].join('\n');
    const t = await fleet({ playbookExtra: extra, flags: { sshConfig: 'none' } });
    // fw-alias has no inventory value: the playbook's apply (and -F none: no ssh_config)
    const a = t.get('fw-alias')!;
    expect(a.connect.host).toBe('fw-alias');
    expect(a.connect.jumpHops?.[0]).toMatchObject({ host: '127.0.0.60', username: 'pb' });
    expect(a.connect.knownHostsFile).toBe(join(dir, 'kh-all'));
    expect(a.context).toBe('pb-ctx');
    expect(a.connect.legacyAlgorithms).toBe(true);
    expect(t.get('fw-3')!.connect.legacyAlgorithms).toBeUndefined(); // host false beats playbook true
    expect(t.get('fw-2')!.connect.privateKey).toContain('playbook.key');
    expect(t.get('fw-1')!.connect.port).toBeUndefined(); // -F none: no Port from ssh_config
    // the engine changes the host's context
    const s = runSettings(parsePlaybook('x.yaml', 'name: p\ninventory: i\ntargets: all\nmode: audit\n'));
    expect(changeOptionsFor(t.get('fw-2')!, s).context).toBe('admin');
  });

  it('Ansible inventories: mailguard_context and mailguard_known_hosts per host or group, ProxyJump per group', async () => {
    const ini = [
      '[dmz]',
      'fw-a ansible_host=127.0.0.7 mailguard_context=cust1',
      'fw-b ansible_host=127.0.0.8',
      '[dmz:vars]',
      'mailguard_known_hosts=dmz_known_hosts',
      'ansible_ssh_common_args="-o ProxyJump=jumper@127.0.0.9"',
      'ansible_user=ops',
      '',
    ].join('\n');
    const inv = await parseInventory(join(dir, 'hosts.ini'), ini);
    const lp = parsePlaybook(join(dir, 'pb.yaml'), 'name: p\ninventory: hosts.ini\ntargets: all\nmode: audit\n');
    const f = await resolveFleet(lp, {
      settings: runSettings(lp),
      env: {},
      inventory: inv,
      connection: { sshConfig: 'none' },
    });
    const [a, b] = f.targets;
    expect(a?.context).toBe('cust1');
    expect(b?.context).toBeUndefined();
    for (const t of [a, b]) {
      expect(t?.connect.knownHostsFile).toBe(join(dir, 'dmz_known_hosts'));
      expect(t?.connect.jumpHops?.[0]).toMatchObject({ host: '127.0.0.9', username: 'jumper' });
    }
  });

  it('a telnet host ignores a group jump host with a warning', async () => {
    const inv = await parseInventory(
      join(dir, 't.yaml'),
      'groups:\n  g:\n    vars:\n      jump: j@127.0.0.9\nhosts:\n  pix:\n    groups: [g]\n    transport: telnet\n',
    );
    const lp = parsePlaybook(join(dir, 'pb.yaml'), 'name: p\ninventory: t.yaml\ntargets: all\nmode: audit\n');
    const f = await resolveFleet(lp, {
      settings: runSettings(lp),
      env: {},
      inventory: inv,
      connection: { sshConfig: 'none' },
    });
    expect(f.targets[0]?.connect.jumpHops).toBeUndefined();
    expect(f.warnings.map((w) => w.message)).toEqual([expect.stringContaining('jump j@127.0.0.9')]);
  });
});
