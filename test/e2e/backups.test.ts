/**
 * `asa-mailguard backups` (issue 15) after a real apply against a lab asa9: the backup is listed with the device's
 * hostname, serial, address, files and the change id of the record that took it; a missing --backup-dir is exit 2.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestLab } from '../helpers/lab.js';
import { resultOf, runCli, runOn, tempDir } from './apply-helpers.js';

const lab = await startTestLab([{ name: 'asa9', dialect: 'asa9' }], { smtp: true });

describe('backups', () => {
  const dev = lab.device('asa9');
  const info = dev.info;
  const cwd = tempDir();

  it('lists the backup an apply wrote, newest first, with serial and change id', async () => {
    const smtp = ['--smtp', `${info.smtp.host}:${info.smtp.port}`];
    const apply = await runOn('apply', info, cwd, [...smtp, '--yes', '--change-id', 'CHG-4711', '--json'], 'ssh');
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const result = resultOf(apply);
    const r = await runCli(['backups', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as {
      backups: Array<{
        hostname: string;
        serial: string | null;
        files: string[];
        changeId: string | null;
        metadataPath: string;
      }>;
    };
    expect(list.backups).toHaveLength(1);
    const b = list.backups[0];
    expect(b?.hostname).toBe(result.platform?.hostname);
    expect(b?.serial).toBeTruthy();
    expect(b?.changeId).toBe('CHG-4711');
    expect(b?.files.some((f) => f.endsWith('-running.cfg'))).toBe(true);
    const human = await runCli(['backups', b?.hostname as string], { cwd });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('change CHG-4711');
    const none = await runCli(['backups', 'no-such-device'], { cwd });
    expect(none.stdout).toMatch(/No backups of no-such-device/);
  }, 90_000);

  it('a missing --backup-dir given explicitly is exit 2', async () => {
    const r = await runCli(['backups', '--backup-dir', join(cwd, 'nope')], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
  });
});
