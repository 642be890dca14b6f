/**
 * Input in one voice (issue 16, item 4): every time option of every command reads durations through the one
 * parser and shows its unit the same way (`<sec>`; `<min>`/`<ms>` where a bare number has always meant that);
 * bad values, playbook fields and connection settings are refused in the tool's words (which input, what was
 * given, what to give), never zod's.
 * The commands are found by reading src/cli/commands/, so a command or time flag added later is checked too.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, type Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/change/lock.js';
import { parseChangeId, timeUnitOf } from '../../src/cli/option-parsers.js';
import { parseConnectionSettings } from '../../src/config/connection.js';
import { parseDuration, readDuration } from '../../src/config/duration.js';
import { checkWritableDir } from '../../src/config/paths.js';
import { isMailguardError, type MailguardError, systemErrorWords, toMailguardError } from '../../src/errors.js';
import { parseFaults } from '../../src/lab/faults.js';
import { parsePlaybook, runSettings } from '../../src/playbook/index.js';
import { parseShard } from '../../src/playbook/shard.js';
import { resolveTargets } from '../../src/probe/index.js';

/** zod's own phrases (zod 4 en locale): none may reach a user. */
const ZOD_TEXT = /Invalid input|Invalid option|Too (small|big)|received|expected \w+ to (have|be)|Unrecognized key|NaN/;

async function program(): Promise<Command> {
  const root = new Command('asa-mailguard');
  const dir = new URL('../../src/cli/commands/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('-action.ts'))) {
    const mod = (await import(new URL(file, dir).href)) as { register?: (p: Command) => void };
    mod.register?.(root);
  }
  return root;
}

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}

/** An option that takes a time by its name or placeholder. */
function looksLikeTime(o: Option): boolean {
  if (!o.required && !o.optional) return false;
  const placeholder = /<([^>]+)>|\[([^\]]+)\]/.exec(o.flags);
  const p = (placeholder?.[1] ?? placeholder?.[2] ?? '').toLowerCase();
  return (
    /timeout|delay|latency|interval|safety-reload|reload-wait|duration|backoff|retry-(after|wait)|ttl|-(sec|secs|seconds|min|minutes|ms)$/.test(
      o.long ?? '',
    ) || /^(s|sec|secs|seconds|min|mins|minutes|ms|millis|duration|time|interval|hours?|h)$/.test(p)
  );
}

function failure(fn: () => unknown): MailguardError {
  try {
    fn();
  } catch (e) {
    if (isMailguardError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('time options of every command', async () => {
  const root = await program();
  const options = allCommands(root).flatMap((c) => c.options.map((o) => ({ cmd: c.name(), o })));
  const timed = options.filter(({ o }) => timeUnitOf(o) !== undefined);

  it('finds the commands and their time options', () => {
    expect(root.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['apply', 'run', 'lab', 'probe']));
    const names = timed.map(({ cmd, o }) => `${cmd} ${o.long}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'apply --connect-timeout',
        'apply --reload-timeout',
        'apply --safety-reload',
        'run --safety-reload',
        'run --command-timeout',
        'rollback --save-timeout',
        'wizard --reload-timeout',
        'lab --reload-delay',
        'lab --latency',
        'probe --greeting-timeout',
      ]),
    );
  });

  it('every option that takes a time uses the one duration parser', () => {
    const missing = options.filter(({ o }) => looksLikeTime(o) && timeUnitOf(o) === undefined);
    expect(missing.map(({ cmd, o }) => `${cmd} ${o.flags}`)).toEqual([]);
  });

  it('the placeholder names the unit of a bare number: <sec>, or <min>/<ms> kept for compatibility', () => {
    for (const { cmd, o } of timed) {
      expect(o.flags, `${cmd} ${o.long}`).toMatch(new RegExp(`<${timeUnitOf(o)}>$`));
    }
    const units = Object.fromEntries(timed.map(({ cmd, o }) => [`${cmd} ${o.long}`, timeUnitOf(o)]));
    expect(units).toMatchObject({
      'apply --command-timeout': 'sec',
      'apply --reload-timeout': 'sec',
      'apply --safety-reload': 'min',
      'lab --latency': 'ms',
    });
  });

  it('every time option takes a duration, and a bad value names the flag, the value and the forms', () => {
    for (const { cmd, o } of timed) {
      const parse = (o as Option & { parseArg: (v: string) => unknown }).parseArg;
      expect(() => parse('2m'), `${cmd} ${o.long} 2m`).not.toThrow();
      const e = failure(() => parse('abc'));
      expect(e.code).toBe('USAGE');
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(new RegExp(`^${o.long}: "abc" is not a duration; give \\w+ \\(\\d+\\) or a duration`));
      expect(e.message).not.toMatch(ZOD_TEXT);
    }
  });
});

describe('checked options of every command', async () => {
  const root = await program();
  const checked = allCommands(root)
    .flatMap((c) => c.options.map((o) => ({ cmd: c.name(), o })))
    .filter(({ o }) => !o.hidden && (o as Option & { parseArg?: unknown }).parseArg !== undefined);
  /** What the parser says about a value nothing accepts (a control character in it), or null when it takes it. */
  const refusal = (o: Option, value: string): MailguardError | null => {
    try {
      (o as Option & { parseArg: (v: string, prev: unknown) => unknown }).parseArg(value, undefined);
      return null;
    } catch (e) {
      if (isMailguardError(e)) return e;
      throw new Error(`${o.long} refused "${value}" with a ${(e as Error).constructor.name}: ${(e as Error).message}`);
    }
  };

  it('finds the fixed-list options and the checked names', () => {
    const names = checked.map(({ cmd, o }) => `${cmd} ${o.long}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'apply --reload',
        'apply --transport',
        'apply --host-key-policy',
        'run --phase',
        'run --shard-by',
        'lab --telnet-login',
        'probe --ehlo-name',
      ]),
    );
  });

  it('a bad value names the flag and the value, then what to give; exit 2 (USAGE), never validator text', () => {
    const bad = 'no such value';
    const taken: string[] = [];
    for (const { cmd, o } of checked) {
      const e = refusal(o, bad);
      if (!e) {
        taken.push(`${cmd} ${o.long}`);
        continue;
      }
      expect(e.code, `${cmd} ${o.long}`).toBe('USAGE');
      expect(e.exitCode).toBe(2);
      expect(e.message, `${cmd} ${o.long}`).toMatch(new RegExp(`^${o.long}: "${bad}" is not [^;]+; give .+`));
      expect(e.message).not.toMatch(/invalid|allowed choices/i);
      expect(e.message).not.toMatch(ZOD_TEXT);
    }
    // The loop checked something: most options refuse the value (43 of 50 when written); only free text takes it.
    expect(checked.length - taken.length, `took it: ${taken.join(', ')}`).toBeGreaterThanOrEqual(40);
  });

  it('a fixed-list option refuses what is not listed and names every choice; it takes each listed one', () => {
    const lists = checked.filter(({ o }) => o.argChoices);
    expect(lists.length).toBeGreaterThanOrEqual(8);
    for (const { cmd, o } of lists) {
      const choices = o.argChoices as string[];
      for (const c of choices) expect(refusal(o, c), `${cmd} ${o.long} ${c}`).toBeNull();
      const e = refusal(o, 'sometimes');
      expect(e?.message, `${cmd} ${o.long}`).toBe(
        `${o.long}: "sometimes" is not a choice; give ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`,
      );
    }
  });

  it('values checked when the command runs speak the same way', async () => {
    const said = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (e) {
        if (isMailguardError(e)) return `${e.code} ${e.message}`;
        throw e;
      }
      throw new Error('expected an error');
    };
    expect(await said(() => parseShard('3/2'))).toBe(
      'USAGE --shard: "3/2" is not a shard; give i/n with 1 <= i <= n, e.g. 1/4',
    );
    expect(await said(() => parseChangeId(''))).toBe(
      'USAGE --change-id: "" is not a ticket id; give one printable line of 1 to 200 characters',
    );
    expect(await said(() => parseFaults(['bogus']))).toBe(
      'USAGE --fault: "bogus" is not a fault; give one of the faults named below',
    );
    expect(await said(() => parseFaults(['drop-at=(']))).toBe(
      'USAGE --fault drop-at: "(" is not a regular expression (Unterminated group)',
    );
    expect(await said(() => parseFaults(['latency=soon']))).toBe(
      'USAGE --fault latency: "soon" is not a number from 0 to 600000',
    );
    expect(await said(() => resolveTargets({ hosts: ['127.0.0.1'], resolver: 'dns.example.test' }))).toBe(
      'USAGE --resolver: "dns.example.test" is not an IP address; give the DNS server\'s address',
    );
  });
});

describe('the duration parser', () => {
  it.each([
    ['90', 'sec', 90_000],
    ['90s', 'sec', 90_000],
    ['15m', 'sec', 900_000],
    ['1h', 'sec', 3_600_000],
    ['1h30m', 'sec', 5_400_000],
    ['2m 30s', 'sec', 150_000],
    ['500ms', 'sec', 500],
    ['1.5h', 'sec', 5_400_000],
    ['10', 'min', 600_000],
    ['1h', 'min', 3_600_000],
    ['250', 'ms', 250],
    ['2s', 'ms', 2000],
  ] as const)('%s (bare number in %s) is %i ms', (text, unit, ms) => {
    expect(readDuration(text, unit)).toBe(ms);
  });

  it.each(['', 'abc', '15x', '-5', '1m30', 'm', '15mm', 'NaN'])('"%s" is not a duration', (text) => {
    expect(readDuration(text, 'sec')).toBeNull();
  });

  it('limits say what to give, in the unit of the flag', () => {
    expect(failure(() => parseDuration('0', '--connect-timeout')).message).toBe(
      '--connect-timeout: "0" is too short; give more than 0 seconds',
    );
    expect(failure(() => parseDuration('90s', '--safety-reload', 'min', { whole: true })).message).toBe(
      '--safety-reload: "90s" is not a whole number of minutes; give minutes (10) or a duration (10m, 1h)',
    );
    expect(failure(() => parseDuration('2h', '--command-timeout', 'sec', { max: 3600 })).message).toBe(
      '--command-timeout: "2h" is too long; give at most 3600 seconds',
    );
  });
});

describe("connection settings and playbooks in the tool's words", () => {
  it('a bad port or timeout names the flag and what was given, not zod', () => {
    const port = failure(() => parseConnectionSettings({ port: 'abc' }));
    expect(port.message).toBe('--port: "abc" is not a port; give a number from 1 to 65535');
    const t = failure(() => parseConnectionSettings({ commandTimeout: 'soon' }));
    expect(t.message).toBe(
      '--command-timeout: "soon" is not a duration; give seconds (30) or a duration (30s, 2m, 1h)',
    );
    expect(parseConnectionSettings({ connectTimeout: '2m' }).connectTimeout).toBe(120);
  });

  const base = 'name: x\ninventory: i.yaml\ntargets: all\nmode: disable-smtp-inspection\n';

  it('playbook time fields take durations, read by the same parser', () => {
    const lp = parsePlaybook(
      'p.yaml',
      `${base}options:\n  safetyReload: 1h\n  timeouts:\n    connectSec: 30s\n    reloadSec: 20m\n    saveSec: 90\n`,
    );
    const s = runSettings(lp);
    expect(s.safetyReloadMin).toBe(60);
    expect(s.timeouts).toMatchObject({ connectMs: 30_000, reloadMs: 1_200_000, saveMs: 90_000 });
  });

  it.each([
    [
      'options:\n  timeouts:\n    connectSec: soon\n',
      'p.yaml:7:17: options.timeouts.connectSec: "soon" is not a duration',
    ],
    ['options:\n  safetyReload: 90s\n', 'p.yaml:6:17: options.safetyReload: "90s" is not a whole number of minutes'],
    ['concurrency: 0\n', 'p.yaml:5:14: concurrency: 0 is too small; give at least 1'],
    ['concurrency: many\n', 'p.yaml:5:14: concurrency: expected a number, got string "many"'],
    ['name: ""\n', 'name: is empty; give a value'],
  ])('%j -> file:line:column, key path, no zod text', (extra, words) => {
    const text = extra.startsWith('name:') ? `${extra}${base.replace('name: x\n', '')}` : `${base}${extra}`;
    const e = failure(() => parsePlaybook('p.yaml', text));
    expect(e.code).toBe('PLAYBOOK_INVALID');
    expect(e.message).toContain(words);
    expect(e.message).not.toMatch(ZOD_TEXT);
  });
});

describe('system errors in words', () => {
  it('a missing file, a refused connection, a busy port: words with the path or address; the code in details', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x/y.yaml'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: '/x/y.yaml',
    });
    expect(systemErrorWords(enoent)).toBe('no such file or folder');
    expect(toMailguardError(enoent).toJSON()).toMatchObject({
      message: '/x/y.yaml: no such file or folder',
      details: { errno: 'ENOENT', syscall: 'open' },
    });
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:2222'), {
      code: 'EADDRINUSE',
      address: '127.0.0.1',
      port: 2222,
    });
    expect(toMailguardError(inUse).message).toBe(
      '127.0.0.1:2222: the address is in use (another process listens on that port)',
    );
    const odd = Object.assign(new Error("EXDEV: cross-device link not permitted, rename '/a' -> '/b'"), {
      code: 'EXDEV',
    });
    expect(systemErrorWords(odd)).toBe('cross-device link not permitted');
  });

  it('a folder written later (--backup-dir) is checked, not made: a missing one stays missing until used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-voice-dir-'));
    try {
      const later = join(dir, 'a', 'b');
      checkWritableDir(later, '--backup-dir');
      expect(existsSync(join(dir, 'a'))).toBe(false);
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      expect(failure(() => checkWritableDir(join(file, 'b'), '--backup-dir')).toJSON()).toMatchObject({
        code: 'BAD_PATH',
        message: `--backup-dir ${join(file, 'b')}: cannot be created (${file} is not a folder).`,
      });
      expect(failure(() => checkWritableDir(file, '--backup-dir')).message).toMatch(/is a file, not a folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a lock folder that cannot be made: BAD_PATH in words, the errno in details', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-voice-lock-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      const e = await acquireLock({ dir: join(file, 'locks'), identity: 'fw', command: 'apply' }).catch((x) => x);
      expect(e).toMatchObject({ code: 'BAD_PATH', details: { errno: 'ENOTDIR' } });
      expect(e.message).toBe(`Cannot use the lock folder ${join(file, 'locks')}: a part of the path is not a folder`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
