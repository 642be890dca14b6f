/**
 * End to end (issue #7 "Done when"): the built CLI runs the shipped playbook playbooks/disable-smtp-inspection.yaml
 * against a 20-device lab fleet started in this process: mixed dialects (pix6/asa8/asa9), two failover pairs
 * (active + standby), three devices with injected faults (device error on the `no` command, connection dropped at
 * the `no` command, `write memory` hanging with a short --save-timeout).
 *
 * The playbook is the shipped one with three lab-specific edits only: the window is moved to now (the shipped one
 * is a weekend night), maxFailures is 3 (the shipped 1 would, correctly, stop this run at the second fault) and
 * the per-host probe override for fw-south-1 (a host of the example inventory) is dropped. The inventory, known
 * hosts, save timeout and report dir come from the command line, the credentials from the environment and .env.
 */
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChangeResult } from '../../src/change/types.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import type { FleetReport } from '../../src/playbook/index.js';
import { chromiumMissing, openInChromium } from '../helpers/browser.js';
import { fleetCreds as creds, FLEET_RUN, STANDBY, startFleetLab } from '../helpers/fleet-lab.js';
import { runCli } from './apply-helpers.js';

const fleet = await startFleetLab(['err', 'drop', 'hang'], (doc) => doc.set('maxFailures', 3));
const { lab, devices, faulty: FAULTY, dir } = fleet;

const ms = (s: string | null) => Date.parse(s as string);
/** The report of the first run, for the browser test. */
let fleetRun: { report: FleetReport; html: string; csv: string } | null = null;

describe('asa-mailguard run: the shipped playbook on a 20-device lab fleet', () => {
  it('healthy devices verified, faulty ones rolled back, pairs never overlap, all 20 reported', async () => {
    const run = await runCli([...FLEET_RUN, '--save-timeout', '2s', '--report-dir', 'fleet-reports'], {
      cwd: dir,
      env: { ASA_USERNAME: creds.username },
      timeoutMs: 50_000,
    });
    const out = run.stdout;
    expect(run.code, `${out}\n${run.stderr}`).toBe(4);

    // Plain progress lines on stderr (not a terminal); the summary and the report paths on stdout.
    expect(run.stderr).toMatch(/^\[asa9-1\] start \(canary\)$/m);
    expect(run.stderr).toMatch(/^\[pix6-err\] FAIL apply: \[DEVICE_ERROR\]/m);
    expect(out).not.toMatch(/^\[asa9-1\] start/m);
    expect(out).toMatch(/Result: 20 devices: 15 done, 2 nothing to do, 3 rolled back; exit 4/);
    const md = /Fleet report: (\S+\.md) \(and (\S+\.json)\)/.exec(out);
    expect(md).not.toBeNull();
    const [mdPath, jsonPath] = [md?.[1] as string, md?.[2] as string];
    expect(mdPath.startsWith(join(dir, 'fleet-reports'))).toBe(true);
    for (const f of [mdPath, jsonPath]) expect(statSync(f).mode & 0o777).toBe(0o600);

    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as FleetReport;
    expect(report.devices.map((x) => x.name)).toEqual(devices.map((x) => x.name));
    expect(report.mode).toBe('disable-smtp-inspection');
    expect(report.changeId).toBe('CHG-0000');
    expect(report.summary).toMatchObject({ total: 20, done: 15, 'nothing-to-do': 2, 'rolled-back': 3, skipped: 0 });
    const row = (n: string) => report.devices.find((x) => x.name === n)!;

    for (const x of report.devices) {
      if (FAULTY.includes(x.name) || STANDBY.includes(x.name)) continue;
      expect(x, x.name).toMatchObject({ result: 'done', after: 'verified', before: 'inspected' });
      expect(x.platform, x.name).toContain(`(${devices.find((y) => y.name === x.name)?.dialect}`);
      expect(x.backupPath && x.reportPath, x.name).toBeTruthy();
      expect(findSmtpInspection(lab.device(x.name).runningConfig()).active, x.name).toBe(false);
      expect(findSmtpInspection(lab.device(x.name).startupConfig()).active, x.name).toBe(false);
    }
    expect(row('asa9-1').canary).toBe(true);
    for (const n of STANDBY) expect(row(n)).toMatchObject({ result: 'nothing-to-do', message: /standby unit/ });

    expect(row('pix6-err')).toMatchObject({ result: 'rolled-back', exitCode: 4, errorCode: 'DEVICE_ERROR' });
    expect(row('asa8-drop')).toMatchObject({ result: 'rolled-back', exitCode: 4, errorCode: 'CONNECTION_LOST' });
    expect(row('asa9-hang')).toMatchObject({ result: 'rolled-back', exitCode: 4, errorCode: 'COMMAND_TIMEOUT' });
    for (const n of FAULTY) {
      // Rolled back: the inspection is active again, the startup-config was never written without it.
      expect(findSmtpInspection(lab.device(n).runningConfig()).active, n).toBe(true);
      expect(findSmtpInspection(lab.device(n).startupConfig()).active, n).toBe(true);
      expect(row(n).backupPath, n).toMatch(/-backup\.json$/);
      expect(readFileSync(row(n).reportPath as string, 'utf8'), n).toMatch(/Outcome \| \*\*rolled-back/);
    }

    // The units of a pair never overlap (the scheduler's recorded start/end of each device).
    for (const [a, b] of [
      ['hq-a', 'hq-b'],
      ['dc-a', 'dc-b'],
    ] as const) {
      const [x, y] = [row(a), row(b)];
      expect(ms(x.endedAt) <= ms(y.startedAt) || ms(y.endedAt) <= ms(x.startedAt), `${a}/${b}`).toBe(true);
    }
    // The fleet did run devices in parallel (else the pair check above would prove nothing).
    const overlapping = report.devices.filter(
      (x) =>
        x.name !== 'asa9-2' &&
        ms(x.startedAt) < ms(row('asa9-2').endedAt) &&
        ms(x.endedAt) > ms(row('asa9-2').startedAt),
    );
    expect(overlapping.length).toBeGreaterThan(0);
    // The canary finished before any other device started.
    const others = report.devices.filter((x) => x.name !== 'asa9-1');
    expect(Math.min(...others.map((x) => ms(x.startedAt)))).toBeGreaterThanOrEqual(ms(row('asa9-1').endedAt));

    // The Markdown table lists all 20 with their backup and change-record paths.
    const table = readFileSync(mdPath, 'utf8');
    for (const x of report.devices) expect(table).toContain(`| ${x.name} | `);
    expect(table).toContain(row('asa9-hang').reportPath as string);
    // Identity and provenance: every record names the change, the operator, the tool version and the unit's
    // serial; the two units of a pair (one hostname) are filed in different folders.
    for (const x of report.devices) {
      const rec = JSON.parse(readFileSync((x.reportPath as string).replace(/\.md$/, '.json'), 'utf8')) as ChangeResult;
      expect(rec.provenance, x.name).toMatchObject({ changeId: 'CHG-0000', toolVersion: expect.any(String) });
      expect(rec.provenance.operator, x.name).toMatch(/^.+@.+$/);
      expect(rec.provenance.playbookSha256, x.name).toMatch(/^[0-9a-f]{64}$/);
      expect(rec.device.serial, x.name).toBe(lab.device(x.name).emulator.opts.serial);
      expect(x.serial, x.name).toBe(rec.device.serial);
      expect(existsSync((x.reportPath as string).replace(/\.md$/, '.html')), x.name).toBe(true);
    }
    for (const [a, b] of [
      ['hq-a', 'hq-b'],
      ['dc-a', 'dc-b'],
    ] as const) {
      expect(row(a).hostname).toBe(row(b).hostname);
      expect(dirname(row(a).reportPath as string)).not.toBe(dirname(row(b).reportPath as string));
    }
    const html = /As a page: (\S+\.html); as CSV: (\S+\.csv)/.exec(out);
    expect(html, out).not.toBeNull();
    fleetRun = { report, html: html?.[1] as string, csv: html?.[2] as string };
    const csvLines = readFileSync(fleetRun.csv, 'utf8').trim().split('\r\n');
    expect(csvLines).toHaveLength(21);
    expect(csvLines[0]).toMatch(/^device,host,port,transport,hostname,serial,/);

    // No secret in anything the run printed or wrote.
    for (const text of [out, run.stderr, table, readFileSync(jsonPath, 'utf8'), readFileSync(fleetRun.html, 'utf8')]) {
      expect(text).not.toContain(creds.password);
      expect(text).not.toContain(creds.enableSecret);
    }
  }, 55_000);

  it.skipIf(chromiumMissing)(
    'the HTML report opens in headless chromium: no console error, no request, one bar per device, pairs apart',
    async () => {
      expect(fleetRun, 'the fleet run above must have passed').not.toBeNull();
      const { report, html } = fleetRun as NonNullable<typeof fleetRun>;
      const b = await openInChromium(html);
      try {
        const shot = join(dir, 'fleet-report.png');
        await b.page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
        if (process.env.UPDATE_DOCS_SCREENSHOT)
          copyFileSync(shot, resolve(import.meta.dirname, '../../docs/img/fleet-report.png'));
        expect(b.errors).toEqual([]);
        expect(b.requests).toEqual([]);
        const text = await b.page.locator('body').textContent();
        expect(text).toContain('CHG-0000');
        const card = async (label: string) =>
          b.page
            .locator('.card', { hasText: new RegExp(`^\\d+\\s*${label}$`) })
            .first()
            .locator('b')
            .textContent();
        expect(await card('devices')).toBe('20');
        expect(await card('done')).toBe('15');
        expect(await card('nothing to do')).toBe('2');
        expect(await card('rolled back')).toBe('3');
        const rows = b.page.locator('table.devices tbody tr');
        expect(await rows.count()).toBe(20);
        const firstCells = await rows.locator('td:first-child b').allInnerTexts();
        expect(firstCells).toEqual(report.devices.map((x) => x.name));
        // The timeline: one bar per device, read back from the SVG's coordinates.
        const bars = await b.page.locator('svg.timeline rect.bar').evaluateAll((els) =>
          els.map((e) => ({
            name: e.getAttribute('data-device') as string,
            x: Number(e.getAttribute('x')),
            y: Number(e.getAttribute('y')),
            w: Number(e.getAttribute('width')),
            canary: e.classList.contains('canary'),
          })),
        );
        expect(bars.map((x) => x.name).sort()).toEqual(report.devices.map((x) => x.name).sort());
        expect(bars.filter((x) => x.canary).map((x) => x.name)).toEqual(['asa9-1']);
        const bar = (n: string) => bars.find((x) => x.name === n)!;
        for (const [p, q] of [
          ['hq-a', 'hq-b'],
          ['dc-a', 'dc-b'],
        ] as const) {
          const [u, v] = [bar(p), bar(q)];
          // Adjacent rows, and the bars do not overlap in time.
          expect(Math.abs(u.y - v.y), `${p}/${q} rows`).toBe(20);
          expect(u.x + u.w <= v.x + 0.01 || v.x + v.w <= u.x + 0.01, `${p}/${q} bars`).toBe(true);
        }
        // Concurrency is visible: some bars overlap in time (the run had 4 at a time).
        const overlaps = bars.filter((u) => bars.some((v) => v !== u && u.x < v.x + v.w && v.x < u.x + u.w));
        expect(overlaps.length).toBeGreaterThan(1);
      } finally {
        await b.close();
      }
    },
    90_000,
  );

  it('the shipped rollback playbook, unchanged, puts the inspection back from the latest backups', async () => {
    const run = await runCli(
      [
        'run',
        resolve(import.meta.dirname, '../../playbooks/rollback-smtp-inspection.yaml'),
        '--inventory',
        'inventory.yaml',
        '--backup-dir',
        'backups',
        '--known-hosts',
        'known_hosts',
        '--report-dir',
        'rollback-reports',
        '--json',
      ],
      { cwd: dir, env: { ASA_USERNAME: creds.username }, timeoutMs: 50_000 },
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as FleetReport & { type: string };
    expect(report.type).toBe('report');
    expect(report.mode).toBe('rollback');
    const byResult = (r: string) => report.devices.filter((x) => x.result === r).map((x) => x.name);
    // The faulty devices were already rolled back, the standby units were never changed: nothing to do.
    expect(byResult('nothing-to-do').sort()).toEqual([...FAULTY, ...STANDBY].sort());
    expect(byResult('done')).toHaveLength(15);
    for (const x of devices)
      expect(findSmtpInspection(lab.device(x.name as string).runningConfig()).active, x.name).toBe(true);
  }, 55_000);
});
