/**
 * No secret in anything the tool writes (issue #5 "Done when"): run apply (with --transcript) on a healthy and
 * a failing device, then scan every file the tool wrote for the password and the enable secret; and check the
 * modes of backups, records and transcripts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestLab } from '../helpers/lab.js';
import { modeOf, read, runOn, tempDir, toolFiles } from './apply-helpers.js';

const lab = await startTestLab(
  [
    { name: 'ok', dialect: 'asa9', reloadDelaySec: 0.3 },
    { name: 'bad', dialect: 'asa8', reloadDelaySec: 0.3 },
    { name: 'pix', dialect: 'pix6', reloadDelaySec: 0.3 },
  ],
  { smtp: true },
);

describe('secrets never reach the files the tool writes', () => {
  it('backups, change records and transcripts hold neither the password nor the enable secret', async () => {
    const cwd = tempDir();
    const runs = [
      { name: 'ok', transport: 'ssh' as const, extra: ['--reload', 'after-save', '--report', 'records/ok.json'] },
      { name: 'pix', transport: 'telnet' as const, extra: ['--reload', 'never'] },
      { name: 'bad', transport: 'ssh' as const, extra: ['--reload', 'never'] },
    ];
    lab.device('bad').setFaults({ errorAt: [/^no inspect esmtp/] });
    const secrets: string[] = [];
    for (const r of runs) {
      const info = lab.device(r.name).info;
      secrets.push(info.password, info.enableSecret);
      const run = await runOn(
        'apply',
        info,
        cwd,
        [
          '--smtp',
          `${info.smtp.host}:${info.smtp.port}`,
          '--yes',
          '--json',
          '--verbose',
          '--transcript',
          `transcript-${r.name}.txt`,
          ...r.extra,
        ],
        r.transport,
      );
      expect(run.code, run.stdout + run.stderr).toBe(r.name === 'bad' ? 4 : 0);
      // Nor on the console (events, verbose session log, result).
      for (const s of [info.password, info.enableSecret]) {
        expect(run.stdout).not.toContain(s);
        expect(run.stderr).not.toContain(s);
      }
    }
    const written = toolFiles(cwd);
    expect(written.filter((f) => f.endsWith('-running.cfg')).length).toBe(3);
    expect(written.filter((f) => f.endsWith('-change.md')).length).toBe(2);
    // --report FILE: both forms at the given place.
    expect(written).toContain(join(cwd, 'records', 'ok.json'));
    expect(written).toContain(join(cwd, 'records', 'ok.md'));
    expect(written.filter((f) => f.includes('transcript-')).length).toBe(3);
    for (const f of written) {
      const text = read(f);
      for (const s of secrets) expect(text.includes(s), `${s} found in ${f}`).toBe(false);
      expect(modeOf(f), f).toBe(0o600);
    }
  }, 90_000);
});
