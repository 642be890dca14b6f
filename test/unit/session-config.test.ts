import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnectionOptions, toConnectOptions } from '../../src/cli/connection-options.js';
import { resolveCredentials } from '../../src/config/credentials.js';

/** A writable place (the path is checked before anything is contacted; `/` is writable only for root). */
const TRANSCRIPT = join(tmpdir(), 'mg-session-config-t.log');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cfg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('credentials precedence: flags > environment > .env > prompt', () => {
  it('takes each value from the first source that has it and says where from', async () => {
    const envFile = join(dir, '.env');
    writeFileSync(envFile, 'ASA_USERNAME=fromdotenv\nASA_PASSWORD=dotenv-pw\nASA_ENABLE_SECRET=dotenv-en\n');
    const r = await resolveCredentials({
      flags: { username: 'flaguser' },
      env: { ASA_PASSWORD: 'env-pw', ASA_ENABLE_SECRET: '' },
      envFile,
    });
    expect(r).toMatchObject({ username: 'flaguser', password: 'env-pw', enableSecret: 'dotenv-en' });
    expect(r.sources).toEqual({ username: 'flag', password: 'env', enableSecret: 'dotenv' });
  });

  it('prompts (masked) only for what is missing and only when interactive', async () => {
    const asked: string[] = [];
    const prompt = async (_m: string, kind: string) => {
      asked.push(kind);
      return kind === 'username' ? 'typed-user' : 'typed-pw';
    };
    const r = await resolveCredentials({
      flags: {},
      env: {},
      envFile: false,
      interactive: true,
      prompt,
      needs: { username: true, password: true },
    });
    expect(r).toMatchObject({ username: 'typed-user', password: 'typed-pw' });
    expect(asked).toEqual(['username', 'password']);
    const quiet = await resolveCredentials({
      flags: {},
      env: {},
      envFile: false,
      interactive: false,
      prompt,
      needs: { password: true },
    });
    expect(quiet.password).toBeUndefined();
    expect(asked).toHaveLength(2);
  });

  it('rejects a username with spaces (zod) as USAGE', async () => {
    await expect(resolveCredentials({ flags: { username: 'a b' }, env: {}, envFile: false })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });
});

describe('connection flags -> ConnectOptions', () => {
  function parse(argv: string[]) {
    const cmd = addConnectionOptions(new Command('x').argument('<target>').exitOverride());
    cmd.parse(argv, { from: 'user' });
    return { flags: cmd.opts(), target: cmd.args[0] as string };
  }

  it('maps every flag, seconds to milliseconds, user@ from the target', async () => {
    const key = join(dir, 'id');
    writeFileSync(key, 'not-really-a-key');
    const { flags, target } = parse([
      'admin@fw1:2222',
      '--identity',
      key,
      '--passphrase',
      'pp',
      '--known-hosts',
      '/k',
      '--host-key-policy',
      'accept-new',
      '--legacy-algorithms',
      '--jump',
      'ops@bastion:22',
      '--connect-timeout',
      '2.5',
      '--login-timeout',
      '7',
      '--command-timeout',
      '9',
      '--transcript',
      TRANSCRIPT,
      '--enable-secret',
      'en',
    ]);
    const o = await toConnectOptions(flags, target, { env: {}, envFile: false });
    expect(o).toMatchObject({
      host: 'fw1',
      port: 2222,
      transport: 'ssh',
      username: 'admin',
      enableSecret: 'en',
      passphrase: 'pp',
      knownHostsFile: '/k',
      hostKeyPolicy: 'accept-new',
      legacyAlgorithms: true,
      jump: 'ops@bastion:22',
      jumpHops: [expect.objectContaining({ username: 'ops', host: 'bastion', port: 22 })],
      timeouts: { connectMs: 2500, loginMs: 7000, commandMs: 9000 },
      transcriptFile: TRANSCRIPT,
    });
    expect(Buffer.isBuffer(o.privateKey)).toBe(true);
  });

  it('defaults: ssh, strict, 10/20/30 s', async () => {
    const { flags, target } = parse(['u@fw1', '--password', 'p']);
    const o = await toConnectOptions(flags, target, { env: {}, envFile: false });
    expect(o).toMatchObject({ transport: 'ssh', hostKeyPolicy: 'strict', legacyAlgorithms: false, port: undefined });
    expect(o.timeouts).toEqual({ connectMs: 10_000, loginMs: 20_000, commandMs: 30_000 });
  });

  it('telnet may log in without a username (PIX password-only)', async () => {
    const { flags, target } = parse(['pix1', '--transport', 'telnet', '--password', 'p']);
    const o = await toConnectOptions(flags, target, { env: {}, envFile: false });
    expect(o.transport).toBe('telnet');
    expect(o.username).toBeUndefined();
  });

  it.each([
    [['fw1', '--password', 'p'], /No username/],
    [['u@fw1', '--connect-timeout', '-1'], /--connect-timeout/],
    [['u@fw1', '--jump', 'a b'], /--jump/],
    [['u@fw1', '--transport', 'telnet', '--jump', 'x@y'], /only with --transport ssh/],
    [['u@fw1', '--agent'], /SSH_AUTH_SOCK/],
  ])('%j is a usage error', async (argv, message) => {
    // A time flag is refused by its option parser already (src/config/duration.ts), the rest by toConnectOptions.
    const connect = async () => {
      const { flags, target } = parse(argv);
      return toConnectOptions(flags, target, { env: {}, envFile: false });
    };
    await expect(connect()).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(message),
    });
  });
});
