/**
 * The bench's own machinery (bench/*.mjs, issue #8), without timing assertions: the floor must keep sending exactly
 * what detect sends, over SSH-2 (asa9) and SSH-1.5 (pix6) (else detectOverFloor compares different work), and the usage hook must report the child's
 * CPU time and peak RSS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltCli, repoRoot } from '../helpers/built-cli.js';

// Plain JS modules without type declarations: imported by computed URL, so they are typed `any` here.
const benchModule = (name: string) => import(pathToFileURL(join(repoRoot, 'bench', name)).href);

interface LabDevice {
  name: string;
}
interface BenchLab {
  devices: LabDevice[];
  usage(): Promise<{ cpuS: number; maxRssMB: number } | null>;
  stop(): Promise<{ cpuS: number; maxRssMB: number } | null>;
}

describe('bench machinery against the lab', () => {
  let lab: BenchLab;
  let dir: string;
  let knownHostsFile: string;

  beforeAll(async () => {
    ensureBuiltCli();
    const { startLab, knownHosts } = await benchModule('lab.mjs');
    lab = await startLab({ devices: 1 });
    dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, knownHosts(lab.devices));
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the floor sends exactly the lines detect sends (read back from detect transcript)', async () => {
    const { DETECT_LINES } = await benchModule('floor.mjs');
    const { detectLines } = await benchModule('device.mjs');
    const sent: string[] = await detectLines(lab.devices[0], knownHostsFile);
    const floor = (DETECT_LINES as Array<{ send: string }>).filter((l) => l.send !== '<secret>').map((l) => l.send);
    expect(sent).toEqual([...floor, 'exit']);
  });

  it('over ssh1 (pix6) too: the floor sends the lines detect sends, and completes the conversation', async () => {
    const { startLab, knownHosts } = await benchModule('lab.mjs');
    const { PIX_DETECT_LINES, floorSsh1Once } = await benchModule('floor.mjs');
    const { detectLines } = await benchModule('device.mjs');
    const pix: BenchLab = await startLab({ devices: 1, dialect: 'pix6' });
    try {
      const kh = join(dir, 'known_hosts_ssh1');
      writeFileSync(kh, knownHosts(pix.devices));
      const sent: string[] = await detectLines(pix.devices[0], kh);
      const floor = (PIX_DETECT_LINES as Array<{ send: string }>)
        .filter((l) => l.send !== '<secret>')
        .map((l) => l.send);
      expect(sent).toEqual([...floor, 'exit']);
      expect(Number.isFinite(await floorSsh1Once(pix.devices[0]))).toBe(true);
    } finally {
      await pix.stop();
    }
  }, 60_000);

  it('a floor run completes the whole conversation against the lab', async () => {
    const { floorOnce } = await benchModule('floor.mjs');
    const ms: number = await floorOnce(lab.devices[0]);
    expect(Number.isFinite(ms)).toBe(true);
  });

  it('the process floor does the job Ansible is timed on: running and startup config lose inspect esmtp', async () => {
    const { startLab: start, knownHosts: kh } = await benchModule('lab.mjs');
    const { floorForm, floorOnce } = await benchModule('startup.mjs');
    const { connectOptions } = await benchModule('device.mjs');
    const { openSession } = await import(pathToFileURL(join(repoRoot, 'dist/session/index.js')).href);
    // A device as the start-up bench uses them: the NOTICE already answered (Ansible cannot answer it).
    const fresh: BenchLab = await start({ devices: 1, extra: ['--no-notice'] });
    try {
      const khFile = join(dir, 'known_hosts_floor');
      writeFileSync(khFile, kh(fresh.devices));
      // The unit starts with the inspection on both configs, so the checks below see the floor's work.
      const before = await openSession(connectOptions(fresh.devices[0], khFile));
      try {
        for (const show of ['show running-config', 'show startup-config'])
          expect(await before.send(show), show).toMatch(/^\s*inspect esmtp/m);
      } finally {
        await before.close();
      }
      const floor = await floorForm(dir);
      expect(Number.isFinite(await floorOnce(floor, fresh.devices[0]))).toBe(true);
      const session = await openSession(connectOptions(fresh.devices[0], khFile));
      try {
        for (const show of ['show running-config', 'show startup-config']) {
          const config: string = await session.send(show);
          expect(config).toContain('class inspection_default');
          expect(config, show).not.toMatch(/^\s*inspect esmtp/m);
        }
      } finally {
        await session.close();
      }
    } finally {
      await fresh.stop();
    }
  }, 60_000);

  it('the usage hook reports the lab process CPU time and peak RSS while it runs', async () => {
    const u = await lab.usage();
    expect(u).not.toBeNull();
    expect(u?.maxRssMB).toBeGreaterThan(10);
    expect(u?.cpuS).toBeGreaterThan(0);
  });
});

describe('bench/config-read.mjs (issue #12)', () => {
  it("builds a config of the asked size whose answer is the capture's own (one active inspect esmtp)", async () => {
    ensureBuiltCli();
    const { configReadBench } = await benchModule('config-read.mjs');
    const r = await configReadBench({ mb: 1, runs: 1 });
    expect(r.configMB).toBeGreaterThanOrEqual(1);
    expect(r.answerOk).toBe(true);
    expect(Number.isFinite(r.configReadCpuMs)).toBe(true);
  }, 60_000);
});
