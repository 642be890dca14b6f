/**
 * The wizard through a real pseudo-terminal (test/helpers/pty.ts) against the in-process lab (asa9 with the
 * Mailguard SMTP front): the happy path to "verified" with a playbook saved; a wrong enable secret (asked again
 * once, then stop); cancel at the plan; Ctrl-C at a prompt (exit 130); no terminal (exit 2). Every wait is on
 * screen text with a timeout.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../src/playbook/index.js';
import { builtCli, ensureBuiltCli } from '../helpers/built-cli.js';
import { closedPort, type Lab, silentPort, startTestLab } from '../helpers/lab.js';
import { KEY, PtySession, ptyDriver } from '../helpers/pty.js';

const cli = builtCli;
const driver = ptyDriver();
if (!driver) {
  console.warn('wizard e2e: SKIPPED: no pseudo-terminal driver (install python3, or util-linux `script`).');
}

let lab: Lab;
let dir: string;
const sessions: PtySession[] = [];

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // A clean environment: no ASA_* from the developer's shell, no CI (listr2 draws as in a terminal).
  return { PATH: process.env.PATH ?? '', HOME: dir, TERM: 'xterm', LANG: 'C.UTF-8', ...extra };
}

function wizard(
  name: string,
  args: string[] = [],
  extra: Record<string, string> = {},
  setup?: (cwd: string) => void,
  cols?: number,
): PtySession {
  const cwd = mkdtempSync(join(dir, `${name}-`));
  setup?.(cwd);
  const s = new PtySession(
    process.execPath,
    // Relative to the session's own folder, as a person would type them.
    [cli, 'wizard', '--known-hosts', 'known_hosts', '--backup-dir', 'backups', ...args],
    { cwd, env: env(extra), cols },
  );
  (s as PtySession & { cwd: string }).cwd = cwd;
  sessions.push(s);
  return s;
}

/** Device `device`'s address on the command line and its credentials in the env: Enter through the target step. */
async function pastTarget(name: string, device: string, args: string[] = []): Promise<PtySession> {
  const info = lab.device(device).info;
  const s = wizard(name, [`${info.ssh.host}:${info.ssh.port}`, ...args], {
    ASA_USERNAME: info.username,
    ASA_PASSWORD: info.password,
    ASA_ENABLE_SECRET: info.enableSecret,
  });
  await s.expect(/Firewall address/, KEY.enter);
  await s.expect(/Connect with:/, KEY.enter);
  await s.expect(/Port:/, KEY.enter);
  return s;
}

/** Wait until `cond` holds (checked every 50 ms), or fail after `timeoutMs`. */
async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Progress lines of the change (listr2 glyph + a step title, or a plain `-->`/`ok` line). */
const PROGRESS_LINE =
  /^(?:[✔✖↓◼⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] +(?:Check options|Probe SMTP|Connect and|Read platform|Plan the|Back up|Schedule a|Apply the|Re-read|Save \(|Reload and|Roll back|Write the change)|--> |ok {2}|FAIL )/m;

beforeAll(async () => {
  if (!driver) return;
  ensureBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'mailguard-wizard-'));
  lab = await startTestLab(
    [
      { name: 'happy', dialect: 'asa9', hostname: 'fw-happy' },
      { name: 'other', dialect: 'asa9', hostname: 'fw-other' },
      { name: 'slow', dialect: 'asa9', hostname: 'fw-slow', faults: { slowSaveSec: 3 } },
      // Down for 1.5 s on reload, so the reload wait's elapsed-seconds counter must tick past 0s.
      { name: 'verify', dialect: 'asa9', hostname: 'fw-verify', reloadDelaySec: 1.5 },
      { name: 'idle', dialect: 'asa9', hostname: 'fw-idle' },
      { name: 'pix', dialect: 'pix6', hostname: 'pixfw' },
      { name: 'asa8', dialect: 'asa8', hostname: 'fw-asa8' },
      { name: 'multi', dialect: 'asa9', hostname: 'fw-multi', contextMode: 'multiple', contexts: ['admin', 'ctx1'] },
      { name: 'standby', dialect: 'asa9', hostname: 'fw-standby', faults: { standby: true } },
      // `write memory` fails and so does the inverse: the engine's rollback cannot finish, the wizard asks.
      {
        name: 'broken',
        dialect: 'asa9',
        hostname: 'fw-broken',
        faults: { errorAt: [/^wr(ite)? mem/, /^inspect esmtp/] },
      },
    ],
    { smtp: true },
  );
}, 60_000);

afterEach(() => {
  for (const s of sessions.splice(0)) {
    // WIZARD_SCREEN_DUMP=/tmp/wiz keeps each session's raw terminal output (README examples, debugging).
    const cwd = (s as PtySession & { cwd?: string }).cwd;
    if (process.env.WIZARD_SCREEN_DUMP && cwd) {
      writeFileSync(`${process.env.WIZARD_SCREEN_DUMP}-${cwd.split('/').pop()}.raw`, s.raw);
    }
    s.kill();
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!driver)('wizard in a pseudo-terminal', () => {
  it('happy path: host key, probe, findings, plan, hostname, progress, verified, playbook', async () => {
    const d = lab.device('happy');
    const info = d.info;
    const before = d.runningConfig();
    const s = wizard('happy');
    const cwd = (s as PtySession & { cwd: string }).cwd;
    await s.expect(/Step 1 of 9/);
    await s.expect(/Firewall address/, `${info.ssh.host}${KEY.enter}`);
    await s.expect(/Connect with:/, KEY.enter); // SSH
    await s.expect(/Port:/, `${info.ssh.port}${KEY.enter}`);
    await s.expect(/Username:/, `${info.username}${KEY.enter}`);
    await s.expect(/Password:/, `${info.password}${KEY.enter}`);
    await s.expect(/Enable secret/, `${info.enableSecret}${KEY.enter}`);
    // 2: the unknown host key with its SHA256 fingerprint
    await s.expect(/never seen the SSH host key/);
    await s.expect(new RegExp(info.hostKeySha256.replace(/[+/]/g, '\\$&')));
    await s.expect(/Trust this key/, `y${KEY.enter}`);
    await s.expect(/Recorded in/);
    await s.expect(/ok: logged in to fw-happy/);
    // 3: the outside probe with its evidence
    await s.expect(/Probe SMTP from outside:/, KEY.enter); // host[:port]
    await s.expect(/Mail server host\[:port\]:/, `${info.smtp.host}:${info.smtp.port}${KEY.enter}`);
    await s.expect(/verdict: inspected/);
    // 4: the device and the findings with their config lines
    await s.expect(/Step 4 of 9/);
    await s.expect(/hostname +fw-happy/);
    await s.expect(/context mode +single/);
    await s.expect(/failover +off/);
    await s.expect(/ACTIVE: inspect esmtp/);
    await s.expect(/\| +inspect esmtp/);
    // 5: plan, inverse, diff, the four choices
    await s.expect(/no inspect esmtp/);
    await s.expect(/Inverse/);
    await s.expect(/What now\?/);
    await s.expect(/Cancel/, `${KEY.down}${KEY.enter}`); // Apply and save
    await s.expect(/Change or ticket id for the record/, `CHG-4711${KEY.enter}`);
    await s.expect(/Schedule the safety reload/, KEY.enter); // default yes
    // 6: a wrong hostname is refused, the right one confirms
    await s.expect(/Type the device's hostname \(fw-happy\)/, `fw-other${KEY.enter}`);
    await s.expect(/That is not "fw-happy"/);
    s.type('\x7f'.repeat(8));
    s.type(`fw-happy${KEY.enter}`);
    // 7: progress, then the verdict and where the files are
    await s.expect(/Step 7 of 9/);
    await s.expect(/Result: done \(exit 0\)/, undefined, 60_000);
    await s.expect(/outside probe: inspected before, clean after: verified/);
    await s.expect(/backup: backups\/fw-happy_[A-Z0-9]+\/\S+-backup\.json/);
    await s.expect(/change record: backups\/fw-happy_[A-Z0-9]+\/\S+-change\.md/);
    await s.expect(/Outside check after the change:/);
    await s.expect(/verdict: clean/);
    // 9: the playbook
    await s.expect(/Save a playbook\?/, `y${KEY.enter}`);
    await s.expect(/Playbook file:/, KEY.enter);
    await s.expect(/Inventory: mailguard-fw-happy\.inventory\.yml/);
    expect(await s.exit()).toBe(0);

    // The safety net was scheduled before the change and cancelled once it was verified and saved.
    const log = d.commandLog();
    expect(log.findIndex((l) => /^reload in 10/.test(l))).toBeLessThan(
      log.findIndex((l) => /no inspect esmtp/.test(l)),
    );
    expect(log.some((l) => /^reload cancel/.test(l))).toBe(true);
    expect(d.runningConfig()).not.toMatch(/^\s*inspect esmtp/m);
    expect(d.startupConfig()).not.toMatch(/^\s*inspect esmtp/m);
    expect(before).toMatch(/^\s*inspect esmtp/m);
    const pb = join(cwd, 'mailguard-fw-happy.playbook.yml');
    const loaded = await loadPlaybook(pb);
    expect(loaded.playbook.mode).toBe('disable-smtp-inspection');
    expect(loaded.playbook.credentials?.all?.passwordEnv).toBe('ASA_PASSWORD');
    expect(loaded.playbook.changeId).toBe('CHG-4711');
    // The change record holds the change id the person typed.
    const recordDir = join(cwd, 'backups', readdirSync(join(cwd, 'backups')).find((f) => f.startsWith('fw-happy_'))!);
    const record = readdirSync(recordDir).find((f) => f.endsWith('-change.json'));
    expect(JSON.parse(readFileSync(join(recordDir, record!), 'utf8')).provenance.changeId).toBe('CHG-4711');
    expect(statSync(pb).mode & 0o777).toBe(0o600);
    // No secret anywhere on screen or in any file the wizard wrote.
    const files = readdirSync(cwd, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    for (const secret of [info.password, info.enableSecret]) {
      expect(s.screen).not.toContain(secret);
      for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toContain(secret);
    }
  }, 120_000);

  it('a wrong enable secret is asked again once, then the wizard stops (exit 3)', async () => {
    const info = lab.device('other').info;
    const s = wizard('enable', [`${info.ssh.host}:${info.ssh.port}`, '--host-key-policy', 'accept-new'], {
      ASA_USERNAME: info.username,
      ASA_PASSWORD: info.password,
    });
    await s.expect(/Firewall address/, KEY.enter);
    await s.expect(/Connect with:/, KEY.enter);
    await s.expect(/Port:/, KEY.enter);
    await s.expect(/Username: .*ASA_USERNAME from the environment/);
    await s.expect(/Password: \(not shown\), ASA_PASSWORD from the environment/);
    await s.expect(/Enable secret/, `wrong-1${KEY.enter}`);
    await s.expect(/enable secret was not accepted/);
    await s.expect(/Enable secret \(one more try\):/, `wrong-2${KEY.enter}`);
    await s.expect(
      /Stopped: \[ENABLE_FAILED\] Could not reach privileged mode on 127\.0\.0\.1: the\s+enable secret was refused/,
    );
    await s.expect(/Nothing was changed/);
    expect(await s.exit()).toBe(3);
    // Asked once more, not twice (inquirer redraws a prompt per key; count the answered ones).
    expect(s.screen.match(/✔ Enable secret \(one more try\)/g)).toHaveLength(1);
  }, 60_000);

  it('an unreachable port and a refused password go back to their questions; an existing playbook name is asked again', async () => {
    const info = lab.device('other').info;
    const closed = await closedPort();
    const s = wizard(
      'recover',
      [`${info.ssh.host}:${closed}`, '--host-key-policy', 'accept-new'],
      { ASA_USERNAME: info.username, ASA_PASSWORD: 'not-the-password', ASA_ENABLE_SECRET: info.enableSecret },
      (cwd) => writeFileSync(join(cwd, 'mailguard-fw-other.playbook.yml'), '# mine\n'),
    );
    const cwd = (s as PtySession & { cwd: string }).cwd;
    await s.expect(/Firewall address/, KEY.enter);
    await s.expect(/Connect with:/, KEY.enter);
    await s.expect(/Port:/, KEY.enter);
    // Nothing listens there: back to the address and the port (the credentials stay).
    await s.expect(/Could not reach 127\.0\.0\.1:\d+/);
    await s.expect(/Firewall address/, KEY.enter);
    await s.expect(/Port:/, `${info.ssh.port}${KEY.enter}`);
    // The password from the environment is wrong: asked once more, typed right this time.
    await s.expect(/refused the login/);
    await s.expect(/Password \(one more try\):/, `${info.password}${KEY.enter}`);
    await s.expect(/ok: logged in to fw-other/);
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`); // skip
    await s.expect(/What now\?/);
    await s.expect(/Cancel/, KEY.enter); // dry run only
    await s.expect(/Save a playbook\?/, `y${KEY.enter}`);
    // Checked as --change-id is: 201 characters are refused, then a good one taken.
    await s.expect(/Change or ticket id for the record/, `${'x'.repeat(201)}${KEY.enter}`);
    await s.expect(/one printable line/);
    s.type('\x7f'.repeat(201));
    s.type(`CHG-77${KEY.enter}`);
    await s.expect(/Playbook file:/, KEY.enter);
    // The default name is taken: the wizard asks for another instead of ending.
    await s.expect(/exists already; it is not\s+overwritten/);
    await s.expect(/Another playbook file name/, KEY.enter);
    await s.expect(/Playbook: +mailguard-fw-other-2\.playbook\.yml/);
    expect(await s.exit()).toBe(0);
    expect(readFileSync(join(cwd, 'mailguard-fw-other.playbook.yml'), 'utf8')).toBe('# mine\n');
    expect(existsSync(join(cwd, 'mailguard-fw-other-2.playbook.yml'))).toBe(true);
    expect((await loadPlaybook(join(cwd, 'mailguard-fw-other-2.playbook.yml'))).playbook.changeId).toBe('CHG-77');
    expect(s.screen).not.toContain(info.password);
  }, 120_000);

  it('cancel at the plan: nothing is sent in config mode', async () => {
    const d = lab.device('other');
    const info = d.info;
    const before = d.runningConfig();
    const logStart = d.commandLog().length;
    const s = wizard(
      'cancel',
      [`${info.username}@${info.ssh.host}:${info.ssh.port}`, '--host-key-policy', 'accept-new'],
      { ASA_PASSWORD: info.password },
      (cwd) => writeFileSync(join(cwd, '.env'), `ASA_ENABLE_SECRET=${info.enableSecret}\n`, { mode: 0o600 }),
    );
    await s.expect(/Firewall address/, KEY.enter);
    await s.expect(/Connect with:/, KEY.enter);
    await s.expect(/Port:/, KEY.enter);
    await s.expect(/Username: .* from the command line/);
    await s.expect(/Password: \(not shown\), ASA_PASSWORD from the environment/);
    await s.expect(/Enable secret: \(not shown\), ASA_ENABLE_SECRET from \.env/);
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`); // skip
    await s.expect(/No outside check/);
    await s.expect(/What now\?/);
    await s.expect(/Cancel/, `${KEY.down}${KEY.down}${KEY.down}${KEY.enter}`);
    await s.expect(/Cancelled: nothing was changed on fw-other/);
    expect(await s.exit()).toBe(0);
    expect(d.runningConfig()).toBe(before);
    expect(
      d
        .commandLog()
        .slice(logStart)
        .filter((l) => /^conf/.test(l.trim())),
    ).toEqual([]);
  }, 60_000);

  /** Env credentials and a recorded host key: straight to the probe question. */
  function toProbe(name: string): Promise<PtySession> {
    return pastTarget(name, name, ['--host-key-policy', 'accept-new']);
  }

  it('Ctrl-C during the change asks to roll back (default yes): rolled back, exit 130', async () => {
    const d = lab.device('slow');
    const before = { running: d.runningConfig(), startup: d.startupConfig() };
    const s = await toProbe('slow');
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`); // skip
    await s.expect(/What now\?/);
    await s.expect(/Cancel/, `${KEY.down}${KEY.enter}`); // apply and save
    await s.expect(/Change or ticket id/, KEY.enter); // none
    await s.expect(/Schedule the safety reload/, `n${KEY.enter}`);
    await s.expect(/hostname \(fw-slow\)/, `fw-slow${KEY.enter}`);
    // The save (3 s in this lab device) starts right after the on-device check.
    await s.expect(/Re-read the config on the device: no active SMTP/, KEY.ctrlC, 30_000);
    await s.expect(/Stop the change and roll back what was done\?/, KEY.enter, 10_000);
    await s.expect(/rolls back any config command sent/);
    // The question had the terminal to itself: no progress between it and its answer.
    const asked = s.screen.indexOf('Stop the change and roll back');
    expect(s.screen.slice(asked, s.screen.indexOf('rolls back any config command sent'))).not.toMatch(PROGRESS_LINE);
    await s.expect(/Result: FAILED and rolled back/, undefined, 60_000);
    await s.expect(/INTERRUPTED/);
    await s.expect(/rolled the change back/);
    expect(await s.exit()).toBe(130);
    expect(d.runningConfig()).toMatch(/^\s*inspect esmtp/m);
    expect(d.startupConfig()).toMatch(/^\s*inspect esmtp/m);
    expect(before.running).toMatch(/^\s*inspect esmtp/m);
  }, 120_000);

  it('Ctrl-C answered only after the change ended: nothing printed over the question, then the result (exit 0)', async () => {
    const d = lab.device('slow');
    const s = await toProbe('slow');
    const cwd = (s as PtySession & { cwd: string }).cwd;
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`); // skip
    await s.expect(/What now\?/);
    await s.expect(/Cancel/, `${KEY.down}${KEY.enter}`); // apply and save
    await s.expect(/Change or ticket id/, KEY.enter);
    await s.expect(/Schedule the safety reload/, `n${KEY.enter}`);
    await s.expect(/hostname \(fw-slow\)/, `fw-slow${KEY.enter}`);
    await s.expect(/Re-read the config on the device: no active SMTP/, KEY.ctrlC, 30_000);
    await s.expect(/Stop the change and roll back what was done\?/, undefined, 10_000);
    const asked = s.screen.lastIndexOf('Stop the change and roll back');
    // The engine goes on (the 3 s save, the record) while the question waits: wait until it has ended.
    await until(() => {
      const folder = existsSync(join(cwd, 'backups'))
        ? readdirSync(join(cwd, 'backups')).find((f) => f.startsWith('fw-slow_'))
        : undefined;
      return !!folder && readdirSync(join(cwd, 'backups', folder)).some((f) => f.endsWith('-change.json'));
    }, 60_000);
    await until(() => !/^\s*inspect esmtp/m.test(d.startupConfig()), 10_000);
    // The engine's last act is releasing its locks (HOME is the test folder: the default lock folder is in it).
    const locks = join(dir, '.local', 'state', 'asa-mailguard', 'locks');
    await until(() => !existsSync(locks) || !readdirSync(locks).some((f) => f.endsWith('.lock')), 30_000);
    s.type(KEY.enter); // yes, but there is nothing left to stop
    await s.expect(/The change had ended before the answer/);
    // Nothing was drawn after the question while it was open (the held lines come after the answer).
    const answered = s.screen.indexOf('✔ Stop the change and roll back', asked);
    expect(answered).toBeGreaterThan(asked);
    expect(s.screen.slice(asked, answered)).not.toMatch(PROGRESS_LINE);
    expect(s.screen.slice(asked, answered)).not.toMatch(/Result:|Step 8|Save a playbook/);
    await s.expect(/Result: done \(exit 0\)/, undefined, 30_000);
    await s.expect(/Save a playbook\?/, KEY.enter);
    expect(await s.exit()).toBe(0);
  }, 120_000);

  it('outside check still masked: the change is kept until the rollback offer (default yes) restores it', async () => {
    const d = lab.device('verify');
    // The probe target is another device's Mailguard front: it stays masked whatever this device does.
    const masked = lab.device('other').info.smtp;
    const s = await toProbe('verify');
    await s.expect(/Probe SMTP from outside:/, KEY.enter);
    await s.expect(/Mail server host\[:port\]:/, `${masked.host}:${masked.port}${KEY.enter}`);
    await s.expect(/verdict: inspected/);
    await s.expect(/What now\?/);
    await s.expect(/Cancel/, `${KEY.down}${KEY.enter}`);
    await s.expect(/Change or ticket id/, KEY.enter); // none
    await s.expect(/Schedule the safety reload/, `n${KEY.enter}`);
    await s.expect(/hostname \(fw-verify\)/, `fw-verify${KEY.enter}`);
    await s.expect(/Step 8 of 9 - What happened/, undefined, 90_000);
    await s.expect(/the outside check does not prove it/);
    await s.expect(/Roll back to the backup now\?/);
    expect(d.runningConfig()).not.toMatch(/^\s*inspect esmtp/m); // kept until the person answers
    // The reload wait (the unit is down 1.5 s) counted its seconds on the step's line while it ran.
    expect(s.screen).toMatch(/Reload and wait for the device \.\.\. [1-9]\d*s/);
    s.type(KEY.enter); // default yes
    await s.expect(/Result: done/, undefined, 60_000);
    expect(await s.exit()).toBe(5);
    expect(d.runningConfig()).toMatch(/^\s*inspect esmtp/m);
    expect(d.startupConfig()).toMatch(/^\s*inspect esmtp/m);
  }, 150_000);

  it('a failed change at 60 columns: the rollback question with no progress drawn after it; the record keeps the change id', async () => {
    const d = lab.device('broken');
    const info = d.info;
    const s = wizard(
      'broken',
      [`${info.ssh.host}:${info.ssh.port}`, '--host-key-policy', 'accept-new', '--change-id', 'CHG-60'],
      { ASA_USERNAME: info.username, ASA_PASSWORD: info.password, ASA_ENABLE_SECRET: info.enableSecret },
      undefined,
      60,
    );
    const cwd = (s as PtySession & { cwd: string }).cwd;
    await s.expect(/Firewall address/, KEY.enter);
    await s.expect(/Connect with:/, KEY.enter);
    await s.expect(/Port:/, KEY.enter);
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`); // skip
    await s.expect(/What now\?/);
    await s.expect(/Cancel/, `${KEY.down}${KEY.enter}`); // apply and save
    await s.expect(/Change or ticket id for the record.*\(CHG-60\)/, KEY.enter); // the --change-id default
    await s.expect(/Schedule the safety reload/, `n${KEY.enter}`);
    await s.expect(/hostname \(fw-broken\)/, `fw-broken${KEY.enter}`);
    await s.expect(/Step 8 of 9 - What happened/, undefined, 60_000);
    await s.expect(/Try the rollback again now\?/, undefined, 30_000);
    // The answer comes only after everything up to the question is on screen: any progress frame drawn while it
    // waited shows up between the question and the answer.
    const q = s.screen.lastIndexOf('Try the rollback again now?');
    s.type(`n${KEY.enter}`);
    await s.expect(/Left as it is/);
    const code = await s.exit();
    expect(code).toBe(6);
    const fromQuestion = s.screen.slice(q, s.screen.indexOf('Left as it is'));
    expect(fromQuestion).not.toMatch(PROGRESS_LINE);
    // The last progress line on screen comes before the "What happened" heading.
    const step8 = s.screen.indexOf('Step 8 of 9');
    expect(s.screen.slice(step8)).not.toMatch(PROGRESS_LINE);
    // 60 columns: the heading fills them, the result and the explanations wrap within them.
    const lines = s.screen.slice(step8, q).split('\n');
    expect(lines[0]).toMatch(/^Step 8 of 9 - What happened -+$/);
    expect(lines[0]).toHaveLength(60);
    // Only a word longer than the line (a path) may stick out.
    for (const l of lines) if (l.trim().includes(' ')) expect(l.length, l).toBeLessThanOrEqual(60);
    expect(lines.some((l) => l.length > 50)).toBe(true);
    // The change record written by the wizard carries the change id.
    const folder = readdirSync(join(cwd, 'backups')).find((f) => f.startsWith('fw-broken_'));
    const record = readdirSync(join(cwd, 'backups', folder!)).find((f) => f.endsWith('-change.json'));
    const json = JSON.parse(readFileSync(join(cwd, 'backups', folder!, record!), 'utf8'));
    expect(json.provenance.changeId).toBe('CHG-60');
  }, 120_000);

  it('a port that never answers at 120 columns: a spinner counts the seconds, then the timeout and the address again', async () => {
    const hole = await silentPort();
    try {
      const info = lab.device('other').info;
      const s = wizard(
        'silent',
        [`127.0.0.1:${hole.port}`, '--connect-timeout', '3', '--host-key-policy', 'accept-new'],
        { ASA_USERNAME: info.username, ASA_PASSWORD: info.password, ASA_ENABLE_SECRET: info.enableSecret },
        undefined,
        120,
      );
      await s.expect(/Firewall address/, KEY.enter);
      await s.expect(/Connect with:/, KEY.enter);
      await s.expect(/Port:/, KEY.enter);
      // The seconds go up while nothing answers.
      await s.expect(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
      await s.expect(new RegExp(`Connecting to 127\\.0\\.0\\.1:${hole.port} \\.\\.\\. 1s`), undefined, 20_000);
      await s.expect(new RegExp(`Connecting to 127\\.0\\.0\\.1:${hole.port} \\.\\.\\. 2s`), undefined, 20_000);
      await s.expect(/Could not reach 127\.0\.0\.1:\d+/, undefined, 30_000);
      await s.expect(/Firewall address/, KEY.ctrlC);
      expect(await s.exit()).toBe(130);
      // 120 columns: headings fill them; paragraphs use more than 80 of them.
      const lines = s.screen.split('\n');
      const heading = lines.find((l) => l.startsWith('Step 1 of 9 - Target'));
      expect(heading).toHaveLength(120);
      const intro = lines.find((l) => l.startsWith('Each step shows what it found'));
      expect(intro!.length).toBeGreaterThan(80);
      expect(intro!.length).toBeLessThanOrEqual(120);
    } finally {
      await hole.close();
    }
  }, 60_000);

  it('a changed host key stops before any login (exit 3)', async () => {
    const info = lab.device('other').info;
    // Another ed25519 key recorded for this host:port: what a replaced device or an attacker looks like.
    const x = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]).toString('base64');
    const s = wizard(
      'changed',
      [`${info.ssh.host}:${info.ssh.port}`],
      { ASA_USERNAME: info.username, ASA_PASSWORD: info.password, ASA_ENABLE_SECRET: info.enableSecret },
      (cwd) => writeFileSync(join(cwd, 'known_hosts'), `[${info.ssh.host}]:${info.ssh.port} ssh-ed25519 ${blob}\n`),
    );
    const d = lab.device('other');
    const logStart = d.commandLog().length;
    await s.expect(/Firewall address/, KEY.enter);
    await s.expect(/Connect with:/, KEY.enter);
    await s.expect(/Port:/, KEY.enter);
    await s.expect(/STOP: The host key of .* has CHANGED/);
    await s.expect(/HOST_KEY_CHANGED/);
    expect(await s.exit()).toBe(3);
    expect(s.screen).not.toMatch(/Trust this key/);
    expect(d.commandLog().slice(logStart)).toEqual([]);
  }, 60_000);

  it('an unknown host key that is not trusted: nothing recorded, nothing sent (exit 3)', async () => {
    const d = lab.device('other');
    const info = d.info;
    const logStart = d.commandLog().length;
    const s = wizard('untrusted', [`${info.ssh.host}:${info.ssh.port}`], {
      ASA_USERNAME: info.username,
      ASA_PASSWORD: info.password,
      ASA_ENABLE_SECRET: info.enableSecret,
    });
    const cwd = (s as PtySession & { cwd: string }).cwd;
    await s.expect(/Firewall address/, KEY.enter);
    await s.expect(/Connect with:/, KEY.enter);
    await s.expect(/Port:/, KEY.enter);
    await s.expect(new RegExp(info.hostKeySha256.replace(/[+/]/g, '\\$&')));
    await s.expect(/Trust this key/, KEY.enter); // default no
    await s.expect(/Stopped: \[HOST_KEY_UNKNOWN\] The host key was not trusted/);
    expect(await s.exit()).toBe(3);
    expect(existsSync(join(cwd, 'known_hosts'))).toBe(false);
    expect(d.commandLog().slice(logStart)).toEqual([]);
  }, 60_000);

  it('the standby unit of a failover pair: shown, then refused before any question about the change', async () => {
    const s = await toProbe('standby');
    await s.expect(/Step 4 of 9 - The device/);
    await s.expect(/failover +on, this unit is standby/);
    await s.expect(/Stopped: \[STANDBY_UNIT\]/);
    await s.expect(/active unit/);
    expect(await s.exit()).toBe(4);
    expect(s.screen).not.toMatch(/Probe SMTP from outside:|What now\?/);
  }, 60_000);

  it('nothing active: says so and stops without a change (exit 0)', async () => {
    const d = lab.device('idle');
    d.setRunningConfig(d.runningConfig().replace(/^ +inspect esmtp *\n/m, ''));
    const before = d.runningConfig();
    const s = await toProbe('idle');
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`);
    await s.expect(/Step 4 of 9/);
    await s.expect(/SMTP inspection is not active on fw-idle: nothing to do/);
    expect(await s.exit()).toBe(0);
    expect(s.screen).not.toMatch(/What now\?/);
    expect(d.runningConfig()).toBe(before);
  }, 60_000);

  it('PIX 6.x over telnet (warned): password-only login, dry run only, playbook saved', async () => {
    const d = lab.device('pix');
    const info = d.info;
    const before = d.runningConfig();
    const s = wizard('pix', [], {}, undefined);
    const cwd = (s as PtySession & { cwd: string }).cwd;
    await s.expect(/Firewall address/, `${info.telnet.host}${KEY.enter}`);
    await s.expect(/Connect with:/, `${KEY.down}${KEY.enter}`);
    await s.expect(/telnet sends the password and the enable secret in clear text/);
    await s.expect(/Use telnet anyway\?/, `y${KEY.enter}`);
    await s.expect(/Port: \(23\)/, `${info.telnet.port}${KEY.enter}`);
    await s.expect(/Username \(empty if the device asks only a password\):/, KEY.enter);
    await s.expect(/Password:/, `${info.password}${KEY.enter}`);
    await s.expect(/Enable secret/, `${info.enableSecret}${KEY.enter}`);
    await s.expect(/Telnet has no host key/);
    await s.expect(/ok: logged in to pixfw/);
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`);
    await s.expect(/platform +Cisco PIX 6/);
    await s.expect(/ACTIVE: fixup protocol smtp, port 25/);
    await s.expect(/\| fixup protocol smtp 25/);
    await s.expect(/no fixup protocol smtp 25/);
    await s.expect(/What now\?/, KEY.enter); // the default: dry run only
    await s.expect(/Dry run only: nothing was changed on pixfw/);
    expect(s.screen).not.toMatch(/safety reload/i); // PIX 6.x has no `reload in`
    await s.expect(/Save a playbook\?/, `y${KEY.enter}`);
    await s.expect(/Change or ticket id/, KEY.enter); // none
    await s.expect(/Playbook file:/, KEY.enter);
    await s.expect(/Playbook: +mailguard-pixfw\.playbook\.yml/);
    expect(await s.exit()).toBe(0);
    expect(d.runningConfig()).toBe(before);
    const pb = await loadPlaybook(join(cwd, 'mailguard-pixfw.playbook.yml'));
    expect(pb.playbook.probe?.all).toEqual({ enabled: false });
    expect(pb.playbook.options?.reload).toBe('if-needed');
    const inv = readFileSync(join(cwd, 'mailguard-pixfw.inventory.yml'), 'utf8');
    expect(inv).toMatch(/transport: telnet/);
    expect(inv + readFileSync(join(cwd, 'mailguard-pixfw.playbook.yml'), 'utf8')).not.toContain(info.password);
    // The playbook is one `run` accepts: a dry run of it against the same device.
    const run = await new Promise<{ code: number; out: string }>((done) => {
      execFile(
        process.execPath,
        [cli, 'run', 'mailguard-pixfw.playbook.yml', '--dry-run'],
        { cwd, env: env({ ASA_PASSWORD: info.password, ASA_ENABLE_SECRET: info.enableSecret }), timeout: 60_000 },
        (err, stdout, stderr) => done({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
      );
    });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/\[pixfw\] ok +plan .*1 command/);
    expect(run.out).toMatch(/1 done \(dry run\)/);
    expect(d.runningConfig()).toBe(before);
  }, 60_000);

  it('ASA 8.x with only old SSH algorithms: asked once (default no), reconnects with them, playbook keeps them', async () => {
    const d = lab.device('asa8');
    const before = d.runningConfig();
    const s = await pastTarget('asa8', 'asa8', ['--host-key-policy', 'accept-new']);
    await s.expect(/offers only old SSH algorithms/);
    await s.expect(/diffie-hellman-group1-sha1/);
    await s.expect(/Connect with the legacy algorithms\? \(y\/N\)/, `y${KEY.enter}`);
    await s.expect(/ok: logged in to fw-asa8/);
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`); // skip
    await s.expect(/What now\?/, KEY.enter); // dry run only
    await s.expect(/Save a playbook\?/, `y${KEY.enter}`);
    await s.expect(/Change or ticket id/, KEY.enter); // none
    await s.expect(/Playbook file:/, KEY.enter);
    await s.expect(/Playbook: +mailguard-fw-asa8\.playbook\.yml/);
    expect(await s.exit()).toBe(0);
    expect(d.runningConfig()).toBe(before);
    const cwd = (s as PtySession & { cwd: string }).cwd;
    expect(readFileSync(join(cwd, 'mailguard-fw-asa8.inventory.yml'), 'utf8')).toMatch(/legacyAlgorithms: true/);
  }, 60_000);

  it('multiple-context ASA: findings and plan per context, dry run only', async () => {
    const d = lab.device('multi');
    const s = await toProbe('multi');
    await s.expect(/Probe SMTP from outside:/, `${KEY.down}${KEY.down}${KEY.enter}`);
    await s.expect(/context mode +multiple/);
    await s.expect(/ACTIVE: \[context \w+\] inspect esmtp/);
    await s.expect(/Commands \[context \w+\]/);
    await s.expect(/What now\?/, KEY.enter);
    await s.expect(/Dry run only: nothing was changed on fw-multi/);
    await s.expect(/Save a playbook\?/, KEY.enter);
    expect(await s.exit()).toBe(0);
    expect(d.commandLog().filter((l) => /^conf/.test(l.trim()))).toEqual([]);
  }, 60_000);

  it('`asa-mailguard` alone in a terminal starts the wizard', async () => {
    const cwd = mkdtempSync(join(dir, 'bare-'));
    const s = new PtySession(process.execPath, [cli], { cwd, env: env() });
    sessions.push(s);
    await s.expect(/Step 1 of 9 - Target/);
    await s.expect(/Firewall address/, KEY.ctrlC);
    expect(await s.exit()).toBe(130);
  }, 30_000);

  it('Ctrl-C at the host key question (asked while connecting) exits 130 too', async () => {
    const s = await pastTarget('ctrlc-key', 'other');
    await s.expect(/Trust this key/, KEY.ctrlC);
    await s.expect(/Stopped \(Ctrl-C\)/);
    expect(await s.exit()).toBe(130);
    expect(s.screen).not.toMatch(/INTERNAL|Step 3 of 9/);
  }, 30_000);

  it('Ctrl-C at a prompt exits 130 cleanly', async () => {
    const s = wizard('ctrlc');
    await s.expect(/Firewall address/, KEY.ctrlC);
    await s.expect(/Stopped \(Ctrl-C\)/);
    expect(await s.exit()).toBe(130);
    expect(s.screen).not.toMatch(/ExitPromptError|at .*\.js:\d+/);
  }, 30_000);
});

describe.skipIf(!driver)('wizard outside a terminal', () => {
  it('refuses with exit 2 and points to apply and run', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(process.execPath, [cli, 'wizard'], { cwd: dir, env: env() }, (err, _out, stderr) =>
        done({ code: err ? Number(err.code) : 0, stderr }),
      );
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal/);
    expect(r.stderr).toMatch(/apply/);
    expect(r.stderr).toMatch(/run PLAYBOOK/);
  });

  it('`asa-mailguard` alone outside a terminal prints the help', async () => {
    const r = await new Promise<{ code: number; stdout: string }>((done) => {
      execFile(process.execPath, [cli], { cwd: dir, env: env() }, (err, stdout) =>
        done({ code: err ? Number(err.code) : 0, stdout }),
      );
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: asa-mailguard/);
    expect(r.stdout).toMatch(/wizard/);
  });
});
