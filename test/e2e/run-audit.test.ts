/**
 * End to end (issue #15 "Done when", first bullet): the shipped playbooks/audit.yaml, run by the built CLI in one
 * process against a lab fleet with every combination the audit must tell apart:
 *
 * - on-asa9: `inspect esmtp` on (the lab's default config), the outside probe sees the masking;
 * - off-asa8: `inspect esmtp` removed, probe clean;
 * - alt-pix6: `fixup protocol smtp 2525` instead of 25: the device inspects SMTP, but not on the mail path the
 *   probe takes (port 25), so the probe is clean: mismatch "device-only" (a real PIX inspects only the fixup's ports);
 * - behind-asa9: inspection off, but its mail path runs through another inspecting unit (the lab unit `upstream`,
 *   not in the inventory): the probe is inspected, mismatch "path-inspects";
 * - gone: nothing listens on its SSH port or its SMTP probe port (unreachable).
 *
 * Asserted: the summary table rows, the counts line, the JSON report (audit per device and fleet counts) and exit
 * 10 (inspection seen; the unreachable device's own code, 3, is in its row, and 10 wins as README's table says).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { FleetReport } from '../../src/playbook/index.js';
import type { InventoryFile } from '../../src/playbook/schema.js';
import { smallFleet, startFleetLab } from '../helpers/fleet-lab.js';
import { closedPort } from '../helpers/lab.js';
import { runCli } from './apply-helpers.js';

const fleet = await startFleetLab(
  [],
  () => {},
  smallFleet([
    ['on-asa9', 'asa9'],
    ['off-asa8', 'asa8'],
    ['alt-pix6', 'pix6'],
    ['behind-asa9', 'asa9'],
    ['upstream', 'asa9'],
  ]),
);
const { lab, dir } = fleet;

/** Edit running and startup config alike (the unit booted with it). */
function edit(name: string, from: RegExp, to: string) {
  const h = lab.device(name);
  const running = h.runningConfig();
  expect(running).toMatch(from);
  h.setRunningConfig(running.replace(from, to));
  h.setStartupConfig(h.startupConfig().replace(from, to));
}
edit('off-asa8', /^\s*inspect esmtp\s*\n/m, '');
edit('behind-asa9', /^\s*inspect esmtp\s*\n/m, '');
edit('alt-pix6', /^fixup protocol smtp 25$/m, 'fixup protocol smtp 2525');

const gonePort = await closedPort();
const goneSmtp = await closedPort();
const inv = parse(readFileSync(join(dir, 'inventory.yaml'), 'utf8')) as InventoryFile;
const hosts = inv.hosts as Record<string, NonNullable<InventoryFile['hosts']>[string]>;
hosts['behind-asa9'] = { ...hosts['behind-asa9'], smtpProbe: hosts.upstream?.smtpProbe };
delete hosts.upstream;
hosts.gone = { host: '127.0.0.1', port: gonePort, transport: 'ssh', smtpProbe: [`127.0.0.1:${goneSmtp}`] };
writeFileSync(join(dir, 'inventory.yaml'), stringify(inv));
writeFileSync(
  join(dir, 'audit.yaml'),
  readFileSync(resolve(import.meta.dirname, '../../playbooks/audit.yaml'), 'utf8').replace(
    /^inventory: .*$/m,
    'inventory: inventory.yaml',
  ),
);

describe('asa-mailguard run playbooks/audit.yaml on a mixed lab fleet', () => {
  it('table, counts, JSON and exit 10; the unreachable device is reported as such', async () => {
    const before = ['on-asa9', 'off-asa8', 'alt-pix6', 'behind-asa9'].map((n) => lab.device(n).runningConfig());
    const run = await runCli(['run', 'audit.yaml', '--known-hosts', 'known_hosts', '--report-dir', 'audit-out'], {
      cwd: dir,
      env: fleet.env,
      timeoutMs: 40_000,
    });
    const out = run.stdout;
    expect(run.code, `${out}\n${run.stderr}`).toBe(10);

    // The summary table: DEVICE PLATFORM ON-DEVICE PROBE-BEFORE AFTER RESULT TIME NOTE (columns split on 2+ spaces).
    const row = (name: string) => {
      const line = out.split('\n').find((l) => l.startsWith(`${name} `));
      expect(line, `${name} row in\n${out}`).toBeDefined();
      return (line as string).split(/ {2,}/);
    };
    expect(row('on-asa9').slice(2, 4)).toEqual(['on (1 place)', 'inspected']);
    expect(row('off-asa8').slice(2, 4)).toEqual(['off', 'clean']);
    expect(row('alt-pix6').slice(2, 4)).toEqual(['on (1 place)', 'clean (!)']);
    expect(row('alt-pix6').at(-1)).toMatch(/the device inspects but the probe is clean/);
    expect(row('behind-asa9').slice(2, 4)).toEqual(['off', 'inspected (!)']);
    expect(row('behind-asa9').at(-1)).toMatch(/another box in the mail path inspects/);
    const gone = row('gone');
    expect(gone.slice(2, 4)).toEqual(['?', 'unreachable']);
    expect(gone.join(' ')).toMatch(/failed \(3\) .*Connection refused by 127\.0\.0\.1:\d+/);
    expect(out).toMatch(/\(!\) device and outside probe disagree: see NOTE/);
    expect(out).toMatch(/Result: 5 devices: 4 done, 1 failed; exit 10/);
    expect(out).toMatch(
      /Audit: SMTP inspection on 2 devices \(off on 2\), seen by the outside probe on 2; 2 mismatches; 1 not read/,
    );

    const jsonPath = /Fleet report: \S+\.md \(and (\S+\.json)\)/.exec(out)?.[1] as string;
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as FleetReport;
    expect(report.mode).toBe('audit');
    expect(report.exitCode).toBe(10);
    expect(report.audit).toEqual({
      deviceInspected: 2,
      deviceClean: 2,
      probeInspected: 2,
      probeClean: 2,
      inspected: 3,
      mismatches: 2,
      unknown: 1,
    });
    const dev = (n: string) => report.devices.find((d) => d.name === n);
    expect(dev('on-asa9')?.audit).toMatchObject({
      device: true,
      probe: 'inspected',
      probeFamily: 'asa-esmtp',
      mismatch: null,
      places: [{ kind: 'inspect', protocol: 'esmtp', policyMap: 'global_policy', binding: 'global', active: true }],
    });
    expect(dev('off-asa8')?.audit).toMatchObject({ device: false, places: [], probe: 'clean', mismatch: null });
    expect(dev('alt-pix6')?.audit).toMatchObject({
      device: true,
      probe: 'clean',
      mismatch: 'device-only',
      places: [{ kind: 'fixup', protocol: 'smtp', ports: [2525], active: true }],
    });
    expect(dev('behind-asa9')?.audit).toMatchObject({
      device: false,
      probe: 'inspected',
      probeFamily: 'asa-esmtp',
      mismatch: 'path-inspects',
    });
    // not read: the device side unknown, the probe's own verdict kept; counted in `unknown`, never as clean
    expect(dev('gone')).toMatchObject({
      result: 'failed',
      exitCode: 3,
      audit: { device: null, places: [], probe: 'unreachable', mismatch: null },
    });
    expect(dev('gone')?.errorCode).toMatch(/^CONNECT/);
    // an audit changes nothing
    expect(['on-asa9', 'off-asa8', 'alt-pix6', 'behind-asa9'].map((n) => lab.device(n).runningConfig())).toEqual(
      before,
    );
  });
});
