// The lab in its own process (`asa-mailguard lab --json`), so its CPU is not counted as the tool's.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The built tool (`npm run build`); BENCH_DIST points elsewhere, e.g. at a build kept still while others rebuild. */
export const DIST = resolve(process.env.BENCH_DIST ?? join(ROOT, 'dist'));
export const CLI = join(DIST, 'cli.js');
/** Import a module of the built tool, e.g. distImport('session/index.js'). */
export const distImport = (path) => import(pathToFileURL(join(DIST, path)).href);
/** For `node --import` (a file URL, so it also works with drive letters). */
export const HOOK = pathToFileURL(join(ROOT, 'bench', 'usage-hook.mjs')).href;

let seq = 0;

/** Read the usage JSON the hook wrote (waits for the file: the signal handler runs asynchronously). */
export async function readUsage(file, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(file)) {
      try {
        const u = JSON.parse(readFileSync(file, 'utf8'));
        rmSync(file, { force: true });
        return { cpuS: (u.userUs + u.systemUs) / 1e6, maxRssMB: u.maxRssKB / 1024 };
      } catch {
        // written half-way: read again
      }
    }
    await delay(20);
  }
  return null;
}

/**
 * Start `asa-mailguard lab --json` with N devices (asa9 unless told; pix6 speaks SSH-1.5 only) (fixed credentials, no NOTICE question so every run is the
 * same) and resolve with its devices once it printed its JSON.
 */
export async function startLab({ devices, dialect = 'asa9', extra = [] }) {
  const usageFile = join(tmpdir(), `asa-bench-lab-${process.pid}-${seq++}.json`);
  const args = [
    '--import',
    HOOK,
    CLI,
    'lab',
    '--json',
    '--dialect',
    dialect,
    '--devices',
    String(devices),
    '--username',
    'admin',
    '--password',
    'bench-pass-7Q',
    '--enable-secret',
    'bench-enable-7Q',
    ...extra,
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_USAGE_FILE: usageFile },
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const doc = await new Promise((res, rej) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        child.stdout.off('data', onData);
        try {
          res(JSON.parse(out.slice(0, nl)));
        } catch (e) {
          rej(e);
        }
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => rej(new Error(`lab exited (${code}) before it was ready: ${err.slice(-500)}`)));
  });
  child.removeAllListeners('exit');
  return {
    devices: doc.devices,
    pid: child.pid,
    /** CPU seconds and peak RSS so far (a snapshot taken by the hook on SIGUSR2). */
    async usage() {
      child.kill('SIGUSR2');
      return readUsage(`${usageFile}.snap`);
    },
    async stop() {
      if (child.exitCode !== null) return readUsage(usageFile, 1);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      return readUsage(usageFile);
    },
  };
}

/** OpenSSH known_hosts text for the lab devices, so the tool checks host keys as in production (strict). */
export function knownHosts(devices) {
  return `${devices.map((d) => d.knownHostsLine).join('\n')}\n`;
}
