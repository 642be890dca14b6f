// Per-device costs through the tool's own code paths (dist/): detect = openSession + readDevice + close, as the
// `detect` command does; apply and dry run = the change engine's runChange, as the `apply` command does.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { CLI, distImport } from './lab.mjs';

const { runChange } = await distImport('change/engine.js');
const { openSession, readDevice } = await distImport('session/index.js');

export function connectOptions(device, knownHostsFile) {
  return {
    host: device.ssh.host,
    port: device.ssh.port,
    transport: device.sshTransport ?? 'ssh', // ssh1 on the lab's pix6
    username: device.username,
    password: device.password,
    enableSecret: device.enableSecret,
    knownHostsFile,
    hostKeyPolicy: 'strict',
  };
}

/** One detect, in process; resolves with ms. */
export async function detectOnce(device, knownHostsFile) {
  const t0 = performance.now();
  const session = await openSession(connectOptions(device, knownHostsFile));
  try {
    const r = await readDevice(session);
    if (!r.inspection.active) throw new Error(`detect: ${device.name} should show SMTP inspection on`);
  } finally {
    await session.close();
  }
  return performance.now() - t0;
}

/**
 * The lines one detect sends, read back from its transcript (prompt + echoed command; the secret after
 * `Password:` is not echoed), so the bench can check that the floor still sends the same.
 */
export async function detectLines(device, knownHostsFile) {
  const session = await openSession(connectOptions(device, knownHostsFile));
  try {
    await readDevice(session);
  } finally {
    await session.close();
  }
  return [...session.transcript().matchAll(/^\S+[>#] ?(.*)$/gm)].map((m) => m[1].trimEnd());
}

/** `asa-mailguard --version`: Node start-up plus loading the CLI's modules; resolves with ms. */
export function cliStartOnce() {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--version'], { stdio: 'ignore' });
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`--version: ${code}`)),
    );
  });
}

/** `asa-mailguard detect --json` as a new process (adds Node start-up and module loading); resolves with ms. */
export function detectCliOnce(device, knownHostsFile) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const args = [CLI, 'detect', `${device.username}@${device.ssh.host}:${device.ssh.port}`, '--json', '-q'];
    args.push('--known-hosts', knownHostsFile);
    const env = { ...process.env, ASA_PASSWORD: device.password, ASA_ENABLE_SECRET: device.enableSecret };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      if (code === 0) resolve(performance.now() - t0);
      else reject(new Error(`detect CLI exited ${code}: ${err.slice(-300)}`));
    });
  });
}

/**
 * One apply (no reload, no outside probe) or dry run through the change engine; resolves with ms and the
 * engine's own step timings. A real apply changes the device: give each run a fresh device.
 */
export async function changeOnce(device, knownHostsFile, backupDir, dryRun) {
  const t0 = performance.now();
  const r = await runChange({
    connect: connectOptions(device, knownHostsFile),
    label: device.name,
    dryRun,
    reload: 'never',
    backupDir,
  });
  const ms = performance.now() - t0;
  const want = dryRun ? 'dry-run' : 'done';
  if (r.outcome !== want)
    throw new Error(`${dryRun ? 'dry run' : 'apply'} on ${device.name}: ${r.outcome} ${r.error?.message ?? ''}`);
  return { ms, steps: Object.fromEntries((r.steps ?? []).map((s) => [s.step, s.durationMs])) };
}
