/**
 * Each test process (vitest fork) takes its device locks in its own folder: labs in two test files running at once
 * may hold units with the same hostname and serial (serials are derived from the device name), and the device lock
 * (hostname + serial) must not make one file's change wait on the other's.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.MAILGUARD_LOCK_DIR = join(tmpdir(), `asa-mailguard-test-locks-${process.pid}`);
