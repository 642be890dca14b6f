// Playbook loading: the shipped playbooks and examples validate; malformed files name file:line:column, the field
// and what was expected, with PLAYBOOK_INVALID (exit 2). Fixtures: test/fixtures/playbooks/.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMailguardError, type MailguardError } from '../../src/errors.js';
import { labInventoryYaml } from '../../src/lab/inventory-out.js';
import {
  loadInventory,
  loadPlaybook,
  parseAnsibleIni,
  parsePlaybook,
  parseShard,
  resolveFleet,
  runSettings,
  type SourceIssue,
} from '../../src/playbook/index.js';

const FIX = 'test/fixtures/playbooks';
const ENV = {
  ASA_USERNAME: 'admin',
  ASA_PASSWORD: 'pw-asa',
  ASA_ENABLE_SECRET: 'en-asa',
  PIX_PASSWORD: 'pw-pix',
  PIX_ENABLE_SECRET: 'en-pix',
  MG_TEST_USER: 'tester',
  MG_TEST_PASSWORD: 'pw-test',
  MG_TEST_ENABLE: 'en-test',
  MG_TEST_PASSWORD_C: 'pw-c',
};

async function load(file: string, env: Record<string, string> = ENV) {
  const lp = await loadPlaybook(file);
  const settings = runSettings(lp);
  return { lp, settings, fleet: await resolveFleet(lp, { settings, env }) };
}

async function failure(fn: () => Promise<unknown>): Promise<MailguardError> {
  try {
    await fn();
  } catch (e) {
    if (isMailguardError(e)) return e;
    throw e;
  }
  throw new Error('expected a MailguardError');
}

describe('shipped playbooks and examples', () => {
  for (const file of [
    'playbooks/audit.yaml',
    'playbooks/disable-smtp-inspection.yaml',
    'playbooks/rollback-smtp-inspection.yaml',
  ]) {
    it(`${file} validates and resolves against examples/inventory.yaml`, async () => {
      const { lp, fleet } = await load(file);
      expect(lp.playbook.name.length).toBeGreaterThan(0);
      expect(fleet.targets.length).toBeGreaterThan(0);
    });
  }

  it('disable-smtp-inspection.yaml: excludes the PIX group, keeps the pair, has a recurring window', async () => {
    const { settings, fleet } = await load('playbooks/disable-smtp-inspection.yaml');
    expect(fleet.targets.map((t) => t.name)).toEqual(['fw-hq-a', 'fw-hq-b', 'fw-north-1', 'fw-south-1']);
    expect(fleet.targets[0]!.failoverPeer).toBe('fw-hq-b');
    expect(settings.window.kind).toBe('recurring');
    expect(settings.canary).toBe(1);
    expect(settings.maxFailures).toBe(1);
    // 5 min base (safety reload 10 min is longer) + 15 min reload timeout
    expect(settings.expectedDurationMs).toBe((10 + 15) * 60_000);
    const south = fleet.targets.find((t) => t.name === 'fw-south-1')!;
    expect(south.probe?.smtp).toEqual([
      { host: '198.51.100.30', port: 25 },
      { host: '198.51.100.31', port: 25 },
    ]);
    expect(south.connect).toMatchObject({
      host: '192.0.2.30',
      port: 2222,
      transport: 'ssh',
      username: 'admin',
      password: 'pw-asa',
    });
  });

  it('examples/lab-fleet.yaml validates against an inventory generated from lab JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mg-lab-inv-'));
    try {
      const devices = Array.from({ length: 10 }, (_, i) => ({
        name: `lab${i + 1}`,
        dialect: (['pix6', 'asa8', 'asa9'] as const)[i % 3]!,
        hostname: `fw${i + 1}`,
        ssh: { host: '127.0.0.1', port: 40000 + i },
        telnet: { host: '127.0.0.1', port: 41000 + i },
        smtp: { host: '127.0.0.1', port: 42000 + i },
        username: 'lab',
        password: 'lab-pw',
        enableSecret: 'lab-en',
      }));
      const inv = join(dir, 'lab-inventory.yaml');
      await writeFile(inv, labInventoryYaml({ devices }));
      const lp = await loadPlaybook('examples/lab-fleet.yaml');
      const fleet = await resolveFleet(lp, { settings: runSettings(lp), env: {}, inventoryFile: inv });
      expect(fleet.targets).toHaveLength(10);
      expect(fleet.targets[0]!.connect).toMatchObject({ transport: 'telnet', port: 41000, password: 'lab-pw' });
      expect(fleet.targets[1]!.connect).toMatchObject({ transport: 'ssh', port: 40001 });
      expect(fleet.targets[1]!.probe?.smtp).toEqual([{ host: '127.0.0.1', port: 42001 }]);
      // The generated inventory has the lab's passwords in plain text: accepted with warnings.
      expect(fleet.warnings.some((w) => w.code === 'PLAINTEXT_SECRET')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const file of ['examples/inventory.yaml', 'examples/ansible-inventory.ini', 'examples/ansible-inventory.yaml']) {
    it(`${file} loads without plain-text secrets`, async () => {
      const inv = await loadInventory(file);
      expect(inv.hosts.size).toBeGreaterThanOrEqual(5);
      expect(inv.warnings).toEqual([]);
    });
  }
});

describe('credentials, probe and settings resolution (test/fixtures/playbooks/good.yaml)', () => {
  it('merges playbook credentials over inventory vars, most specific first', async () => {
    const { fleet } = await load(`${FIX}/good.yaml`);
    // targets: [branches, "!fw-b"] -> fw-a, fw-c (inventory order)
    expect(fleet.targets.map((t) => t.name)).toEqual(['fw-a', 'fw-c']);
    const [a, c] = fleet.targets;
    expect(a!.connect).toMatchObject({
      host: '127.0.0.1',
      port: 2201,
      username: 'tester',
      password: 'pw-test',
      enableSecret: 'en-test',
    });
    expect(c!.connect.password).toBe('pw-c');
    expect(a!.probe).toEqual({ smtp: [], domain: 'example.test' });
    expect(c!.probe).toEqual({ smtp: [{ host: '127.0.0.1', port: 2525 }], domain: null });
    expect(a!.groups).toEqual(expect.arrayContaining(['all', 'branches', 'north']));
  });

  it('--limit narrows the targets; an unknown limit is a usage error', async () => {
    const lp = await loadPlaybook(`${FIX}/good.yaml`);
    const settings = runSettings(lp);
    const f = await resolveFleet(lp, { settings, env: ENV, limit: 'fw-c' });
    expect(f.targets.map((t) => t.name)).toEqual(['fw-c']);
    const e = await failure(() => resolveFleet(lp, { settings, env: ENV, limit: 'fw-zz' }));
    expect(e.code).toBe('USAGE');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('fw-zz');
  });

  it('the CLI overrides win over the playbook options', async () => {
    const lp = await loadPlaybook(`${FIX}/good.yaml`);
    const s = runSettings(lp, { dryRun: true, hostKeyPolicy: 'accept-new', reportDir: 'out/r' });
    expect(s.dryRun).toBe(true);
    expect(s.hostKeyPolicy).toBe('accept-new');
    expect(s.reportDir.endsWith('out/r')).toBe(true);
    // A dry run never reloads: expected duration is the base only.
    expect(s.expectedDurationMs).toBe(300_000);
  });
});

/** Each malformed file, the position and the words the error must contain. */
const MALFORMED: Array<{ file: string; kind: string; at: string; words: RegExp[]; inventory?: boolean }> = [
  { file: 'bad-yaml.yaml', kind: 'bad YAML syntax', at: 'bad-yaml.yaml:4:1', words: [/YAML syntax/, /Flow sequence/] },
  {
    file: 'wrong-type.yaml',
    kind: 'wrong type',
    at: 'wrong-type.yaml:5:14',
    words: [/concurrency/, /expected a number, got string "four"/],
  },
  {
    file: 'unknown-key.yaml',
    kind: 'unknown key',
    at: 'unknown-key.yaml:6:3',
    words: [/options\.relaod/, /unknown key "relaod"/, /did you mean "reload"/],
  },
  { file: 'bad-window.yaml', kind: 'bad window time', at: 'bad-window.yaml:9:7', words: [/window\.to/, /HH:MM/] },
  {
    file: 'window-backwards.yaml',
    kind: 'window end before start',
    at: 'window-backwards.yaml:7:8',
    words: [/window\.end/, /after its start/],
  },
  {
    file: 'window-no-offset.yaml',
    kind: 'window without offset',
    at: 'window-no-offset.yaml:6:10',
    words: [/window\.start/, /with an offset/],
  },
  {
    file: 'bad-timezone.yaml',
    kind: 'unknown time zone',
    at: 'bad-timezone.yaml:6:13',
    words: [/window\.timezone/, /IANA time zone/],
  },
  {
    file: 'missing-env.yaml',
    kind: 'missing environment variable',
    at: 'missing-env.yaml:7:18',
    words: [/MG_TEST_NOT_SET is not set/, /fw-a/],
  },
  {
    file: 'empty-targets.yaml',
    kind: 'empty targets',
    at: 'empty-targets.yaml:3:10',
    words: [/targets/, /at least one target pattern/],
  },
  {
    file: 'bad-max-failures.yaml',
    kind: 'bad maxFailures',
    at: 'bad-max-failures.yaml:5:14',
    words: [/maxFailures/, /percentage/],
  },
  {
    file: 'unknown-group.yaml',
    kind: 'unknown group in targets',
    at: 'unknown-group.yaml:5:5',
    words: [/targets\[1\]/, /"branchs" matches no host or group/, /did you mean "branches"/],
  },
  {
    file: 'duplicate-host.yaml',
    kind: 'duplicate host (own inventory)',
    at: 'duplicate-host-inventory.yaml:8:3',
    words: [/duplicate key/],
  },
  {
    file: 'bad-mode.yaml',
    kind: 'bad enum value',
    at: 'bad-mode.yaml:4:7',
    words: [/mode/, /"disable-smtp-inspection"/, /got "disable"/],
  },
  {
    file: 'missing-mode.yaml',
    kind: 'missing required field',
    at: 'missing-mode.yaml:1:1',
    words: [/mode: required field is missing/],
  },
  {
    file: 'unknown-credentials-key.yaml',
    kind: 'credentials for an unknown group',
    at: 'unknown-credentials-key.yaml:6:3',
    words: [/credentials\.nort/, /did you mean "north"/],
  },
  {
    file: 'bad-connection.ini',
    kind: 'unsupported ansible_connection',
    at: 'bad-connection.ini:3:29',
    words: [/winrm/, /network_cli/],
    inventory: true,
  },
  { file: 'bad-section.ini', kind: 'bad INI section', at: 'bad-section.ini:4:1', words: [/:hosts/], inventory: true },
  {
    file: 'duplicate-host.ini',
    kind: 'duplicate host (INI)',
    at: 'duplicate-host.ini:3:1',
    words: [/duplicate host "fw-1" in \[asa\]/, /line 2/],
    inventory: true,
  },
  {
    file: 'ansible-typo.yaml',
    kind: 'typo in an Ansible YAML group',
    at: 'ansible-typo.yaml:4:7',
    words: [/unknown key "host"/, /expected hosts, children or vars/],
    inventory: true,
  },
];

describe('malformed playbooks and inventories (test/fixtures/playbooks/bad)', () => {
  it('every fixture in bad/ is covered', () => {
    const covered = new Set([...MALFORMED.map((m) => m.file), 'duplicate-host-inventory.yaml']);
    expect(readdirSync(`${FIX}/bad`).filter((f) => !covered.has(f))).toEqual([]);
  });

  for (const m of MALFORMED) {
    it(`${m.kind}: ${m.file} -> ${m.at}`, async () => {
      const path = `${FIX}/bad/${m.file}`;
      const e = await failure(() => (m.inventory ? loadInventory(path) : load(path, ENV)));
      expect(e.code).toBe('PLAYBOOK_INVALID');
      expect(e.exitCode).toBe(2);
      expect(e.message).toContain(m.at);
      for (const w of m.words) expect(e.message).toMatch(w);
      const issues = e.details.issues as SourceIssue[];
      expect(issues.length).toBeGreaterThan(0);
      expect(`${issues[0]!.file}:${issues[0]!.line}:${issues[0]!.column}`.endsWith(m.at)).toBe(true);
      expect(e.hint).toBeTruthy();
    });
  }

  it('several problems are all reported, each with its line', () => {
    const text = 'name: x\ninventory: i.yaml\ntargets: all\nmode: audit\nconcurrency: 0\ncanary: -1\nbogus: 1\n';
    let err: MailguardError | undefined;
    try {
      parsePlaybook('multi.yaml', text);
    } catch (e) {
      err = e as MailguardError;
    }
    const lines = (err!.details.issues as SourceIssue[]).map((i) => `${i.line}:${i.path}`).sort();
    expect(lines).toEqual(['5:concurrency', '6:canary', '7:bogus']);
  });

  it('mixing the two window forms says which keys go together', () => {
    const text =
      'name: x\ninventory: i.yaml\ntargets: all\nmode: audit\nwindow:\n  start: 2026-11-28T22:00:00+01:00\n  days: [sat]\n';
    expect(() => parsePlaybook('w.yaml', text)).toThrow(
      /w\.yaml:7:3: window\.days: "days" cannot be combined with the other keys here: a window is either start \+ end, or timezone \+ days \+ from \+ to/,
    );
  });

  it('a missing secret in an inventory names the inventory line', async () => {
    const e = await failure(() => load(`${FIX}/good.yaml`, { ...ENV, MG_TEST_PASSWORD: '' }));
    expect(e.message).toMatch(/inventory\.yaml:4:16: .*MG_TEST_PASSWORD is empty/);
    expect(e.message).not.toContain('pw-');
  });

  it('bad --shard values are usage errors (exit 2)', () => {
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '2', '1/3/4']) {
      expect(() => parseShard(bad)).toThrow(/^--shard: ".*" is not a shard/);
      try {
        parseShard(bad);
      } catch (e) {
        expect((e as MailguardError).exitCode).toBe(2);
      }
    }
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
  });
});

describe('failover pair groups', () => {
  const inv = parseAnsibleIni(
    'pairs.ini',
    '[pair_hq]\nhq-a\nhq-b\n[pair_dc]\ndc-a\ndc-b\n[trio]\nt1\nt2\nt3\n[solo]\nsolo failover_peer=t1\n',
  );
  const pb = (extra: string) =>
    parsePlaybook('pairs.yaml', `name: p\ninventory: pairs.ini\ntargets: all\nmode: audit\n${extra}`);

  it('each matching group pairs its two hosts; pairs stay in one shard', async () => {
    const lp = pb('failoverPairGroups: "pair_*"\n');
    const f = await resolveFleet(lp, { settings: runSettings(lp), env: {}, inventory: inv });
    const peer = (n: string) => f.targets.find((t) => t.name === n)?.failoverPeer;
    expect([peer('hq-a'), peer('hq-b'), peer('dc-a'), peer('dc-b'), peer('t1')]).toEqual([
      'hq-b',
      'hq-a',
      'dc-b',
      'dc-a',
      null,
    ]);
    for (const total of [2, 3, 5]) {
      for (let index = 1; index <= total; index++) {
        const s = await resolveFleet(lp, {
          settings: runSettings(lp),
          env: {},
          inventory: inv,
          shard: { index, total },
        });
        const names = s.targets.map((t) => t.name);
        expect(names.includes('hq-a')).toBe(names.includes('hq-b'));
        expect(names.includes('dc-a')).toBe(names.includes('dc-b'));
      }
    }
  });

  it('a group that is not a pair, or a conflicting peer, is an error at the playbook line', async () => {
    const lp = pb('failoverPairGroups:\n  - pair_hq\n  - trio\n  - nomatch*\n');
    const e = await failure(() => resolveFleet(lp, { settings: runSettings(lp), env: {}, inventory: inv }));
    expect(e.message).toContain('pairs.yaml:7:5: failoverPairGroups[1]: group trio holds 3 hosts');
    expect(e.message).toContain('pairs.yaml:8:5: failoverPairGroups[2]: "nomatch*" matches no group');
    const inv2 = parseAnsibleIni('p2.ini', '[pair_x]\na failover_peer=c\nb\n[other]\nc failover_peer=a\n');
    const lp2 = pb('failoverPairGroups: pair_x\n');
    const e2 = await failure(() => resolveFleet(lp2, { settings: runSettings(lp2), env: {}, inventory: inv2 }));
    expect(e2.message).toMatch(/pairs\.yaml:5:21: .*pairs a with b, but the inventory names c/);
  });

  it('the lab JSON failover peer becomes failoverPeer in the generated inventory', () => {
    const dev = (name: string, peer?: string) => ({
      name,
      dialect: 'asa9' as const,
      ssh: { host: '127.0.0.1', port: 1 },
      telnet: { host: '127.0.0.1', port: 2 },
      smtp: { host: '127.0.0.1', port: 3 },
      username: 'u',
      password: 'p',
      enableSecret: 'e',
      ...(peer ? { failover: { peer } } : {}),
    });
    const yaml = labInventoryYaml({ devices: [dev('a', 'b'), dev('b', 'a'), dev('c')] });
    expect(yaml).toMatch(/a:\n(.*\n)*?\s+failoverPeer: b/);
  });
});

describe('legacyAlgorithms (issue 11): per host in the inventory, or for every host in the playbook', () => {
  const legacyOf = async (inventory: string, options = '') => {
    const inv = parseAnsibleIni('legacy.ini', inventory);
    const lp = parsePlaybook('legacy.yaml', `name: l\ninventory: legacy.ini\ntargets: all\nmode: audit\n${options}`);
    const f = await resolveFleet(lp, { settings: runSettings(lp), env: {}, inventory: inv });
    return Object.fromEntries(f.targets.map((t) => [t.name, t.connect.legacyAlgorithms === true]));
  };

  it('Ansible legacy_algorithms per host and per group; the playbook option covers every host', async () => {
    const ini = '[old]\nasa8a\nasa8b legacy_algorithms=no\n[old:vars]\nlegacy_algorithms=yes\n[new]\nasa9 \n';
    expect(await legacyOf(ini)).toEqual({ asa8a: true, asa8b: false, asa9: false });
    expect(await legacyOf('[new]\nasa9\n', 'options:\n  legacyAlgorithms: true\n')).toEqual({ asa9: true });
    expect(() => parseAnsibleIni('bad.ini', '[g]\nfw legacy_algorithms=maybe\n')).toThrow(/true or false/);
  });

  it('the lab inventory sets it for the SSH hosts whose image needs it', () => {
    const dev = { ssh: { host: '127.0.0.1', port: 1 }, telnet: { host: '127.0.0.1', port: 2 } };
    const common = { smtp: { host: '127.0.0.1', port: 3 }, username: 'u', password: 'p', enableSecret: 'e' };
    const yaml = labInventoryYaml({
      devices: [
        { name: 'old', dialect: 'asa8', legacyAlgorithms: true, ...dev, ...common },
        { name: 'new', dialect: 'asa9', legacyAlgorithms: false, ...dev, ...common },
      ],
    });
    expect(yaml).toMatch(/old:\n(.*\n)*?\s+legacyAlgorithms: true/);
    expect(yaml.split('new:')[1]).not.toContain('legacyAlgorithms');
  });
});

describe('unreadable files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mg-pb-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('a missing playbook file is PLAYBOOK_INVALID naming the path', async () => {
    const e = await failure(() => loadPlaybook(join(dir, 'nope.yaml')));
    expect(e.code).toBe('PLAYBOOK_INVALID');
    expect(e.message).toContain('nope.yaml');
  });
});
