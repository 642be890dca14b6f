/** The transcript file: a reconnect appends with a marker line, so what was sent before a failure stays readable. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Transcript } from '../../src/session/transcript.js';

it('the second session of a run appends after a marker; secrets stay redacted; mode 0600', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'mg-transcript-')), 't.log');
  const first = new Transcript(file);
  first.addSecret('S3cret-pw');
  first.append('fw1# no inspect esmtp\nS3cret-pw\n');
  first.close();
  const second = new Transcript(file);
  second.append('fw1# show running-config\n');
  second.close();
  const text = readFileSync(file, 'utf8');
  expect(text).toMatch(
    /no inspect esmtp\n\*\*\*\n[\s\S]*! mailguard: --- new session \d{4}-.*\(reconnect\) ---\nfw1# show running-config/,
  );
  expect(statSync(file).mode & 0o777).toBe(0o600);
});
