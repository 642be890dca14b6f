/**
 * ssh_config(5) resolution (src/config/ssh-config.ts, src/config/ssh-host.ts) checked against OpenSSH's own:
 * `ssh -G -F FILE HOST` prints what ssh would use. The patterns are ssh_config(5)'s PATTERNS examples
 * (`*.co.uk`, `192.168.0.?`, `!*.dialup.example.com,*.example.com`, `!host1,!host2,*`). Skipped without ssh.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAlgorithmList } from '../../src/config/ssh-algorithms.js';
import { matchPatternList, readSshConfig } from '../../src/config/ssh-config.js';
import { jumpFromProxyCommand, resolveSshTarget } from '../../src/config/ssh-host.js';

let haveSsh = true;
try {
  execFileSync('ssh', ['-V'], { stdio: 'ignore' });
} catch {
  haveSsh = false;
  console.warn('skipping the ssh -G comparison: no ssh client (apt-get install -y openssh-client)');
}

let dir: string;
let config: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshcfg-'));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'conf.d', '10-lab.conf'), 'Host fw-lab\n  HostName 127.0.0.1\n  Port 2201\n  User lab\n');
  writeFileSync(join(dir, 'conf.d', '20-more.conf'), 'Host fw-lab fw-more\n  User second-file\n  Port 2299\n');
  config = join(dir, 'config');
  writeFileSync(
    config,
    [
      '# ssh_config(5) PATTERNS examples',
      `Include ${join(dir, 'conf.d', '*.conf')}`,
      'Host *.co.uk',
      '  User uk',
      'Host 192.168.0.?',
      '  User lan',
      '  Port 2022',
      'Host !*.dialup.example.com *.example.com',
      '  User corp',
      'Host !host1 !host2 *',
      '  ConnectTimeout 9',
      'Host fw-*.lab !fw-old.lab',
      '  User netops',
      '  Port=2222',
      'Host fw-?',
      '  HostName 10.0.0.%h',
      'Match host 10.0.0.*',
      '  User matched',
      '  ProxyJump bastion,jump2',
      'Match originalhost fw-q user matched',
      '  Port 2023',
      'Host quoted',
      '  HostName "127.0.0.2"',
      "  User 'q user'",
      '  IdentityFile "~/my keys/id"',
      'Host *',
      '  User default',
      '  IdentityFile ~/.ssh/id_x',
      '  IdentityFile /keys/%h-%r-%p_%%',
      '  StrictHostKeyChecking accept-new',
      '  ProxyJump none',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ssh -G's answer as key -> values. */
function sshG(host: string): Map<string, string[]> {
  const out = execFileSync('ssh', ['-G', '-F', config, host], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const i = line.indexOf(' ');
    if (i < 0) continue;
    const k = line.slice(0, i);
    m.set(k, [...(m.get(k) ?? []), line.slice(i + 1)]);
  }
  return m;
}

/** OpenSSH expands `~` with the password-database home, tokens in IdentityFile when it loads the key. */
function expandLikeSsh(v: string, host: string, user: string, port: string): string {
  return v
    .replace(/^~\//, `${userInfo().homedir}/`)
    .replace(/%(.)/g, (_a, t: string) => ({ h: host, r: user, p: port, '%': '%' })[t] ?? `%${t}`);
}

const HOSTS = [
  'fw-lab',
  'fw-more',
  'mail.co.uk',
  '192.168.0.7',
  '192.168.0.17',
  'a.dialup.example.com',
  'www.example.com',
  'host1',
  'fw-a.lab',
  'fw-old.lab',
  'fw-1',
  'fw-q',
  'fw-12',
  'quoted',
  'FW-LAB',
];

describe.skipIf(!haveSsh)('the same answers as ssh -G', () => {
  it.each(HOSTS)('%s', (host) => {
    const g = sshG(host);
    const ours = readSshConfig(host, { configFile: config, home: userInfo().homedir });
    const v = ours.values;
    const one = (k: string) => g.get(k)?.[0];
    expect(v.hostname?.value[0] ?? host.toLowerCase()).toBe(one('hostname'));
    expect(v.user?.value[0]).toBe(one('user'));
    expect(v.port?.value[0] ?? '22').toBe(one('port'));
    expect(v.connecttimeout?.value[0] ?? 'none').toBe(one('connecttimeout') ?? 'none');
    expect(v.proxyjump?.value[0] === 'none' ? undefined : v.proxyjump?.value[0]).toBe(one('proxyjump'));
    expect(v.stricthostkeychecking?.value[0]).toBe(one('stricthostkeychecking'));
    const hn = one('hostname') as string;
    expect(ours.identityFiles.map((f) => f.value)).toEqual(
      (g.get('identityfile') ?? []).map((f) => expandLikeSsh(f, hn, one('user') as string, one('port') as string)),
    );
  });
});

describe('ssh_config evaluation', () => {
  it('pattern lists: a negated match never matches by itself (ssh_config(5) PATTERNS)', () => {
    expect(matchPatternList(['!host1', '!host2'], 'host3')).toBe(false);
    expect(matchPatternList(['!host1', '!host2', '*'], 'host3')).toBe(true);
    expect(matchPatternList(['!host1', '*'], 'host1')).toBe(false);
    expect(matchPatternList(['192.168.0.?'], '192.168.0.10')).toBe(false);
  });

  it('-F none reads nothing; a missing -F file is BAD_INPUT; a broken line is file:line', () => {
    expect(readSshConfig('fw-lab', { configFile: 'none' }).values).toEqual({});
    expect(() => readSshConfig('x', { configFile: join(dir, 'nope') })).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT' }),
    );
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'Host a\n  User "unclosed\n');
    expect(() => readSshConfig('a', { configFile: broken })).toThrow(`${broken}:2: unclosed quote`);
    writeFileSync(broken, 'Host a\n  = value\n');
    expect(() => readSshConfig('a', { configFile: broken })).toThrow(`${broken}:2:`);
  });

  it('Include loops are refused; an Include inside a non-matching Host adds nothing', () => {
    const a = join(dir, 'loop-a');
    writeFileSync(a, `Include ${a}\n`);
    expect(() => readSshConfig('x', { configFile: a })).toThrow(/Include loop/);
    const c = join(dir, 'cond');
    writeFileSync(c, `Host other\n  Include ${join(dir, 'conf.d', '10-lab.conf')}\nHost *\n  User fallback\n`);
    expect(readSshConfig('fw-lab', { configFile: c }).values.user?.value).toEqual(['fallback']);
  });

  it('flags win over the file, the file over defaults, and each value says where it came from', () => {
    const r = resolveSshTarget({
      alias: 'fw-lab',
      flags: { port: 2400 },
      env: {},
      configFile: config,
      home: dir,
    });
    expect(r).toMatchObject({ host: '127.0.0.1', port: 2400, username: 'lab', hostKeyPolicy: 'accept-new' });
    expect(r.sources).toContain('port 2400 (command line)');
    expect(r.sources).toContain(`user lab (ssh_config ${join(dir, 'conf.d', '10-lab.conf')}:4)`);
  });

  it('ProxyJump chains resolve each hop through the config; a loop is refused', () => {
    const f = join(dir, 'jumps');
    writeFileSync(
      f,
      [
        'Host dev',
        '  HostName 127.0.0.9',
        '  ProxyJump b1,b2:2202',
        'Host b1',
        '  HostName 127.0.0.5',
        '  ProxyJump b0',
        'Host b0',
        '  User zero',
        'Host loop1',
        '  ProxyJump loop2',
        'Host loop2',
        '  ProxyJump loop1',
        '',
      ].join('\n'),
    );
    const r = resolveSshTarget({ alias: 'dev', flags: {}, env: {}, configFile: f, home: dir });
    expect(r.jumpHops.map((h) => `${h.username}@${h.host}:${h.port}`)).toEqual([
      'zero@b0:22',
      `${userInfo().username}@127.0.0.5:22`,
      `${userInfo().username}@b2:2202`,
    ]);
    expect(() => resolveSshTarget({ alias: 'loop1', flags: {}, env: {}, configFile: f, home: dir })).toThrow(
      /ProxyJump loop: loop1:22 -> loop2:22 -> loop1:22/,
    );
  });

  it('the agent is used by default when SSH_AUTH_SOCK is set, not when a key or password is forced', () => {
    const base = { alias: 'x', env: { SSH_AUTH_SOCK: '/tmp/agent.sock' }, configFile: 'none' as const };
    expect(resolveSshTarget({ ...base, flags: {} }).agent).toBe('/tmp/agent.sock');
    expect(resolveSshTarget({ ...base, flags: { passwordForced: true } }).agent).toBeUndefined();
    expect(resolveSshTarget({ ...base, flags: { identity: '/k' } }).agent).toBeUndefined();
    expect(resolveSshTarget({ ...base, flags: { identity: '/k', agent: true } }).agent).toBe('/tmp/agent.sock');
  });

  it('algorithm lists: + appends, - removes (wildcards), ^ prepends, unknown names warned', () => {
    const warned: string[] = [];
    const w = (n: string) => warned.push(n);
    expect(resolveAlgorithmList('kex', '+diffie-hellman-group1-sha1', w).at(-1)).toBe('diffie-hellman-group1-sha1');
    expect(resolveAlgorithmList('kex', '^diffie-hellman-group14-sha1', w)[0]).toBe('diffie-hellman-group14-sha1');
    expect(resolveAlgorithmList('kex', '-ecdh-*', w).some((a) => a.startsWith('ecdh-'))).toBe(false);
    expect(resolveAlgorithmList('cipher', 'aes128-ctr,sntrup-nonesuch', w)).toEqual(['aes128-ctr']);
    expect(warned).toEqual(['sntrup-nonesuch']);
  });

  it('ProxyCommand ssh -W %h:%p becomes a jump host; other commands are not followed', () => {
    expect(jumpFromProxyCommand(['ssh', '-W', '10.0.0.1:22', 'bastion'])).toBe('bastion');
    expect(jumpFromProxyCommand(['ssh', '-q', '-l', 'ops', '-p', '2222', '-W', '%h:%p', 'bastion'])).toBe(
      'ops@bastion:2222',
    );
    expect(jumpFromProxyCommand(['nc', '-x', 'proxy', '%h', '%p'])).toBeNull();
    expect(homedir()).toBeTruthy();
  });
});
