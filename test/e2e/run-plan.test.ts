/**
 * End to end (issue #15 §4, issue #14 §5): `run --dry-run` on a small lab fleet (pix6 with `fixup protocol smtp
 * 25`, asa9 with `inspect esmtp`, an asa8 already clean) writes the implementation and back-out plan in the fleet
 * report (JSON, Markdown, HTML, CSV): per device the commands, their inverse, the expected diff, the verification
 * and the back-out command; the lab's running and startup configs stay as they were. `--diff` prints each device's
 * diff (planned in the dry run, before/after in a real change; `diff` per device with --json), and the back-out
 * command written in the plan puts the inspection back after the real change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { FleetReport } from '../../src/playbook/index.js';
import { chromiumMissing, openInChromium } from '../helpers/browser.js';
import { fleetCreds as creds, FLEET_RUN, smallFleet, startFleetLab } from '../helpers/fleet-lab.js';
import { CONFIG_COMMAND, modeOf, runCli } from './apply-helpers.js';

const fleet = await startFleetLab(
  [],
  (doc) => {
    // The shipped weekend-night window in Europe/Berlin (a dry run does not enforce it): the plan shows it in
    // that zone and in UTC.
    doc.set('window', { timezone: 'Europe/Berlin', days: ['sat', 'sun'], from: '22:00', to: '04:00' });
  },
  smallFleet([
    ['pix6-1', 'pix6'],
    ['asa9-1', 'asa9'],
    ['asa8-clean', 'asa8'],
  ]),
);
const { lab, dir } = fleet;
const clean = lab.device('asa8-clean');
const noEsmtp = (t: string) => t.replace(/^ +inspect esmtp *\r?\n/m, '');
clean.setStartupConfig(noEsmtp(clean.startupConfig()));
clean.setRunningConfig(noEsmtp(clean.runningConfig()));
const NAMES = ['pix6-1', 'asa9-1', 'asa8-clean'];
const env = {
  ASA_USERNAME: creds.username,
  ASA_PASSWORD: creds.password,
  ASA_ENABLE_SECRET: creds.enableSecret,
};

type Files = { json: string; markdown: string; html: string; csv: string };
const reportOf = (stdout: string, json: boolean): { report: FleetReport; files: Files } => {
  if (json) {
    const line = stdout
      .trim()
      .split('\n')
      .find((l) => l.startsWith('{"type":"report"'));
    const r = JSON.parse(line as string) as FleetReport & { files: Files };
    return { report: r, files: r.files };
  }
  const md = /Fleet report: (\S+\.md) \(and (\S+\.json)\)/.exec(stdout);
  const page = /As a page: (\S+\.html); as CSV: (\S+\.csv)/.exec(stdout);
  const files = {
    markdown: md?.[1] as string,
    json: md?.[2] as string,
    html: page?.[1] as string,
    csv: page?.[2] as string,
  };
  return { report: JSON.parse(readFileSync(files.json, 'utf8')) as FleetReport, files };
};

/** The plan's back-out command in the plan, as arguments for the built CLI. */
const argsOf = (command: string) =>
  command
    .replace(/^asa-mailguard /, '')
    .split(' ')
    .map((w) => w.replace(/^'(.*)'$/, '$1'));

const backout: Record<string, string> = {};
/** The plan page of the dry run, for the browser test. */
let planHtml: string | null = null;

describe('run --dry-run: the implementation and back-out plan for the change request', () => {
  it('per device commands, inverse, diff, verification and back-out in JSON, Markdown, HTML and CSV; nothing changed', async () => {
    const before = NAMES.map((n) => [lab.device(n).runningConfig(), lab.device(n).startupConfig()]);
    const logFrom = NAMES.map((n) => lab.device(n).commandLog().length);
    const run = await runCli([...FLEET_RUN, '--dry-run', '--diff', '--report-dir', 'plan'], {
      cwd: dir,
      env: { ASA_USERNAME: creds.username },
      timeoutMs: 60_000,
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);

    // Nothing changed on the lab: configs as before, no config command received.
    NAMES.forEach((n, i) => {
      expect([lab.device(n).runningConfig(), lab.device(n).startupConfig()], n).toEqual(before[i]);
      expect(
        lab
          .device(n)
          .commandLog()
          .slice(logFrom[i])
          .filter((c) => CONFIG_COMMAND.test(c)),
        n,
      ).toEqual([]);
    });

    // --diff: each device's planned diff on stdout (human form), before the summary.
    expect(run.stdout).toMatch(/^--- pix6-1: planned running-config diff$/m);
    expect(run.stdout).toMatch(/^-fixup protocol smtp 25$/m);
    expect(run.stdout).toMatch(/^\+no fixup protocol smtp 25$/m);
    expect(run.stdout).toMatch(/^--- asa9-1: planned running-config diff$/m);
    expect(run.stdout).toMatch(/^- +inspect esmtp *$/m);
    expect(run.stdout).toMatch(/^--- asa8-clean: no diff \(nothing-to-do\)$/m);

    const { report, files } = reportOf(run.stdout, false);
    planHtml = files.html;
    for (const f of Object.values(files)) expect(modeOf(f), f).toBe(0o600);
    expect(report.dryRun).toBe(true);
    // The scope: devices, window with its zone and UTC, canary, budget, concurrency.
    expect(report.plan).toMatchObject({
      devices: 3,
      order: NAMES,
      canaries: ['pix6-1'],
      concurrency: 4,
      failureBudget: { maxFailures: 1, limit: 1 },
      window: { timeZone: 'Europe/Berlin' },
    });
    const w = report.plan?.window;
    const next = w?.openNow ? w.closesAt : w?.opensAt;
    expect(next, 'the next opening or closing in UTC').toMatch(/Z$/);
    expect(w?.openNow ? w.closesAtLocal : w?.opensAtLocal).toMatch(/T(22|04):00:00\+0[12]:00$/);

    const dev = (n: string) => report.devices.find((d) => d.name === n)!;
    const pix = dev('pix6-1').plan!;
    expect(pix.contexts[0]).toMatchObject({
      commands: ['no fixup protocol smtp 25'],
      inverse: ['fixup protocol smtp 25'],
    });
    expect(pix.contexts[0]?.diff).toContain('+no fixup protocol smtp 25');
    // The shipped playbook asks for a safety reload: the PIX has none, the ASA schedules it.
    expect(pix.verification.steps.join('\n')).toContain('PIX 6.x has no `reload in`');
    const asa = dev('asa9-1').plan!;
    // The exact lines typed (the engine leaves the sub-modes with `exit`), from the detection on the live unit.
    expect(asa.contexts[0]?.commands).toEqual([
      'policy-map global_policy',
      'class inspection_default',
      'no inspect esmtp',
      'exit',
      'exit',
    ]);
    expect(asa.contexts[0]?.inverse).toEqual([
      'policy-map global_policy',
      'class inspection_default',
      'inspect esmtp',
      'exit',
      'exit',
    ]);
    expect(asa.verification.steps.join('\n')).toContain('`reload in 10` before the commands');
    expect(asa.contexts[0]?.changes[0]).toMatch(/inspect esmtp in global_policy\/inspection_default/);
    expect(dev('asa8-clean').plan).toMatchObject({ nothingToDo: true, backout: { commands: [] } });
    for (const [n, p] of [
      ['pix6-1', pix],
      ['asa9-1', asa],
    ] as const) {
      const info = lab.devices.find((d) => d.name === n)!;
      const port = n.startsWith('pix6') ? info.telnet.port : info.ssh.port;
      // Verification: the device re-read and the outside probe of this device's SMTP endpoint.
      expect(p.verification.probe, n).toEqual([`${info.smtp.host}:${info.smtp.port}`]);
      expect(p.verification.steps.join('\n'), n).toMatch(/re-read `show running-config`/);
      expect(p.verification.steps.join('\n'), n).toContain(
        `outside probe from this machine to ${info.smtp.host}:${info.smtp.port}`,
      );
      expect(p.backout.commands[0], n).toMatch(
        new RegExp(`^asa-mailguard rollback ${creds.username}@127\\.0\\.0\\.1:${port} .*--latest --backup-dir \\S+`),
      );
      expect(p.backout.commands[1], n).toMatch(/--backup \S+_[^/ ]+\/<UTC stamp>-backup\.json'?$/);
      backout[n] = p.backout.commands[0] as string;
    }

    // The same plan in the Markdown, the page and the CSV.
    const md = readFileSync(files.markdown, 'utf8');
    const html = readFileSync(files.html, 'utf8');
    const csv = readFileSync(files.csv, 'utf8');
    expect(md).toContain('## Implementation and back-out plan');
    expect(md).toMatch(/- Window: .*Europe\/Berlin.* UTC/);
    expect(md).toContain('- Canary: pix6-1 first');
    for (const text of [md, html]) {
      expect(text).toContain('no fixup protocol smtp 25');
      expect(text).toContain('no inspect esmtp');
      expect(text).toContain('Verification');
      // HTML escapes the quotes of the <UTC stamp> placeholder; the --latest form is the same in both.
      expect(text).toContain(backout['pix6-1']);
      expect(text).toContain(backout['asa9-1']);
      expect(text).toContain('nothing to change');
    }
    expect(html).not.toMatch(/<script|<link|src="http/i);
    expect(csv.split(/\r?\n/)[0]).toMatch(/,planned_commands,inverse_commands,backout_command$/);
    expect(csv).toContain('no fixup protocol smtp 25');
    for (const text of [md, html, csv, run.stdout, run.stderr]) {
      expect(text).not.toContain(creds.password);
      expect(text).not.toContain(creds.enableSecret);
    }
  }, 70_000);

  it.skipIf(chromiumMissing)(
    'the plan page in headless chromium: no error, no request, every device, prints',
    async () => {
      expect(planHtml, 'the dry run above must have passed').not.toBeNull();
      const b = await openInChromium(planHtml as string);
      try {
        expect(b.errors).toEqual([]);
        expect(b.requests).toEqual([]);
        expect(await b.page.locator('h1').textContent()).toMatch(/^Plan: /);
        const heads = await b.page
          .locator('h2:has-text("Implementation and back-out plan") ~ section h3')
          .allInnerTexts();
        expect(heads.map((h) => h.split(' ')[0])).toEqual(NAMES);
        const text = (await b.page.locator('body').textContent()) ?? '';
        expect(text).toContain('no fixup protocol smtp 25');
        expect(text).toContain(backout['asa9-1']);
        // Printed (A4, print media): a PDF of a few pages, the plan included.
        const pdf = await b.page.pdf({ format: 'A4' });
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
        expect(pdf.length).toBeGreaterThan(20_000);
      } finally {
        await b.close();
      }
    },
    90_000,
  );

  it('run --diff --json on the real change: a diff per device (before/after), then the plan’s back-out command restores', async () => {
    expect(Object.keys(backout), 'the dry run above must have passed').toHaveLength(2);
    // The real change inside a window that is open now (the dry run's playbook has the weekend-night one).
    const doc = parseDocument(readFileSync(join(dir, FLEET_RUN[1]), 'utf8'));
    doc.set('window', {
      start: new Date(Date.now() - 60_000).toISOString(),
      end: new Date(Date.now() + 3600_000).toISOString(),
    });
    writeFileSync(join(dir, 'now.yaml'), doc.toString());
    const run = await runCli(
      [
        'run',
        'now.yaml',
        ...FLEET_RUN.slice(2),
        '--diff',
        '--json',
        '--reload',
        'never',
        '--safety-reload',
        '0',
        '--report-dir',
        'change',
      ],
      { cwd: dir, env: { ASA_USERNAME: creds.username }, timeoutMs: 90_000 },
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const { report } = reportOf(run.stdout, true);
    const dev = (n: string) => report.devices.find((d) => d.name === n)!;
    expect(dev('pix6-1').diff).toMatch(/^--- running-config \(before\)$/m);
    expect(dev('pix6-1').diff).toMatch(/^-fixup protocol smtp 25$/m);
    expect(dev('pix6-1').diff).toMatch(/^\+no fixup protocol smtp 25$/m);
    expect(dev('asa9-1').diff).toMatch(/^- +inspect esmtp *$/m);
    expect(dev('asa8-clean').diff).toBeNull();
    expect(dev('asa9-1').plan, 'a plan only in a dry run').toBeUndefined();
    // The device:end lines carry it too.
    const ends = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"type":"device:end"'))
      .map((l) => JSON.parse(l) as { device: string; diff: string | null });
    expect(ends.find((e) => e.device === 'asa9-1')?.diff).toMatch(/inspect esmtp/);
    for (const n of ['pix6-1', 'asa9-1'])
      expect(findSmtpInspection(lab.device(n).runningConfig()).active, n).toBe(false);

    // The back-out command exactly as the plan wrote it (credentials from the environment, --yes for no terminal).
    const pixBefore = lab.device('pix6-1').commandLog().length;
    const back = await runCli([...argsOf(backout['pix6-1'] as string), '--yes'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(back.code, `${back.stdout}\n${back.stderr}`).toBe(0);
    expect(lab.device('pix6-1').commandLog().slice(pixBefore)).toContain('fixup protocol smtp 25');
    expect(findSmtpInspection(lab.device('pix6-1').runningConfig()).active).toBe(true);
    expect(findSmtpInspection(lab.device('pix6-1').startupConfig()).active).toBe(true);
  }, 160_000);
});
