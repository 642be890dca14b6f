/**
 * `run` with per-host connection settings of the tool's own inventory and OpenSSH's ssh_config, through the built
 * CLI: a real OpenSSH sshd (test/helpers/openssh.ts) is both a device (public-key login with the host's own
 * `identity`, landing on `lab --stdio`) and the jump host of another (`jump` per host, to a lab ASA 9); a third
 * host is known only by its ssh_config alias (HostName, Port, User, ProxyJump, IdentityFile, KexAlgorithms and
 * Ciphers for an ASA 8.x); the group's `knownHosts` checks every host key on the way. Skipped without sshd.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetCreds, smallFleet } from '../helpers/fleet-lab.js';
import { type Lab, startTestLab } from '../helpers/lab.js';
import { haveSshd, type Sshd, startSshd } from '../helpers/openssh.js';
import { runCli, tempDir } from './apply-helpers.js';

if (!haveSshd)
  console.warn('skipping the run-through-OpenSSH test: /usr/sbin/sshd is absent (apt-get install -y openssh-server)');

const me = userInfo().username;
let dir: string;
let sshd: Sshd | null = null;
let lab: Lab;

describe.skipIf(!haveSshd)('run: inventory jump/identity/knownHosts per host and group, ssh_config aliases', () => {
  beforeAll(async () => {
    dir = tempDir('mg-run-openssh-');
    lab = await startTestLab(
      [
        ...smallFleet([
          ['fw-jumped', 'asa9'],
          ['fw-alias', 'asa8'],
        ]),
        // multiple-context mode: the inventory's `context` picks the one security context the run works on
        { ...smallFleet([['fw-multi', 'asa9']])[0]!, contextMode: 'multiple', contexts: ['admin', 'cust1'] },
      ],
      { registerCleanup: false },
    );
    sshd = await startSshd(dir, { enableSecret: fleetCreds.enableSecret });
    // the group's known_hosts: the sshd (device and jump host) and both lab units; nothing else is trusted
    writeFileSync(
      join(dir, 'lab_known_hosts'),
      `${[sshd.knownHostsLine, ...lab.devices.map((d) => d.knownHostsLine)].join('\n')}\n`,
    );
    const jumped = lab.device('fw-jumped').info;
    const alias = lab.device('fw-alias').info;
    writeFileSync(
      join(dir, 'inventory.yaml'),
      [
        'vars:',
        '  passwordEnv: ASA_PASSWORD',
        '  enableSecretEnv: ASA_ENABLE_SECRET',
        'groups:',
        '  lab:',
        '    vars:',
        '      knownHosts: lab_known_hosts',
        'hosts:',
        '  fw-openssh:', // the sshd itself: public-key login with this host's key
        '    host: 127.0.0.1',
        `    port: ${sshd.port}`,
        `    username: ${me}`,
        '    identity: client_key',
        '    groups: [lab]',
        '  fw-jumped:', // a lab ASA reached through the sshd (the key is for the jump host; the unit takes the password)
        '    host: 127.0.0.1',
        `    port: ${jumped.ssh.port}`,
        `    username: ${jumped.username}`,
        `    jump: ${me}@127.0.0.1:${sshd.port}`,
        '    identity: client_key',
        '    groups: [lab]',
        '  fw-alias:', // everything from ssh_config
        '    groups: [lab]',
        '  fw-multi:',
        '    host: 127.0.0.1',
        `    port: ${lab.device('fw-multi').info.ssh.port}`,
        `    username: ${fleetCreds.username}`,
        '    context: cust1',
        '    groups: [lab]',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'ssh_config'),
      [
        'Host fw-alias',
        '  HostName 127.0.0.1',
        `  Port ${alias.ssh.port}`,
        `  User ${alias.username}`,
        '  ProxyJump bastion',
        '  KexAlgorithms +diffie-hellman-group1-sha1',
        // an ASA 8.x offers CBC ciphers only (asa-cli.md §1.8)
        '  Ciphers +aes128-cbc',
        'Host bastion',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${me}`,
        '  IdentityFile ~/client_key',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'audit.yaml'),
      'name: audit through OpenSSH\ninventory: inventory.yaml\ntargets: all\nmode: audit\nreportDir: reports\n',
    );
  }, 120_000);

  afterAll(async () => {
    sshd?.stop();
    await lab?.stop();
  });

  const env = () => ({ ASA_PASSWORD: fleetCreds.password, ASA_ENABLE_SECRET: fleetCreds.enableSecret });

  it('--list-hosts -v says where each setting came from (no credentials needed)', async () => {
    const r = await runCli(['run', 'audit.yaml', '-F', 'ssh_config', '--list-hosts', '-v'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const alias = lab.device('fw-alias').info;
    expect(r.stdout).toContain(`fw-alias  ssh 127.0.0.1:${alias.ssh.port}  via ${me}@127.0.0.1:${sshd?.port}`);
    expect(r.stdout).toContain(`  user ${alias.username} (ssh_config ${join(dir, 'ssh_config')}:4)`);
    expect(r.stdout).toMatch(/ {2}known_hosts \S+lab_known_hosts \(inventory \S*inventory\.yaml:7:\d+\)/);
    expect(r.stdout).toMatch(/ {2}jump \S+ \(inventory \S*inventory\.yaml:19:\d+\)/);
  });

  it('an audit reaches all: key login on the sshd, through it as jump host, by the ssh_config alias; one context', async () => {
    const r = await runCli(['run', 'audit.yaml', '-F', 'ssh_config', '--json'], {
      cwd: dir,
      env: env(),
      timeoutMs: 90_000,
    });
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const report = lines.find((l) => l.type === 'report') as
      | {
          devices: Array<{ name: string; result: string; audit?: { places: Array<{ context: string | null }> } }>;
        }
      | undefined;
    // 10: the audit found SMTP inspection active (as on every lab unit)
    expect(r.code, `${r.stderr}\n${r.stdout}\nsshd: ${sshd?.log()}`).toBe(10);
    expect(report?.devices.map((d) => [d.name, d.result]).sort()).toEqual([
      ['fw-alias', 'done'],
      ['fw-jumped', 'done'],
      ['fw-multi', 'done'],
      ['fw-openssh', 'done'],
    ]);
    // fw-multi: the audit lists every context's inspection, the plan covers only the inventory's context
    const multi = report?.devices.find((d) => d.name === 'fw-multi');
    expect(multi?.audit?.places.map((p) => p.context)).toEqual(['admin', 'cust1']);
    const planned = lines.filter(
      (l) => l.type === 'log' && l.device === 'fw-multi' && /^\[\w+\] /.test(String(l.line)),
    );
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.every((l) => String(l.line).startsWith('[cust1] '))).toBe(true);
    // the units themselves saw the logins: fw-alias's through the jump host's forwarding
    expect(lab.device('fw-alias').commandLog()).toContain('show version');
    expect(lab.device('fw-jumped').commandLog()).toContain('show version');
  }, 120_000);

  it('the group known_hosts is enforced on the jump host too: without the sshd key nothing past it is reached', async () => {
    const kh = readFileSync(join(dir, 'lab_known_hosts'), 'utf8').split('\n');
    writeFileSync(join(dir, 'lab_known_hosts'), kh.slice(1).join('\n'));
    try {
      const r = await runCli(['run', 'audit.yaml', '-F', 'ssh_config', '--limit', 'fw-jumped', '--json'], {
        cwd: dir,
        env: env(),
        timeoutMs: 60_000,
      });
      expect(r.code).toBe(3);
      expect(r.stdout).toContain(`[127.0.0.1]:${sshd?.port}`);
    } finally {
      writeFileSync(join(dir, 'lab_known_hosts'), kh.join('\n'));
    }
  }, 90_000);
});
