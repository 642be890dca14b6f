/**
 * Helpers for the end-to-end tests of `apply`, `rollback` and the demo: run the BUILT CLI as a child process
 * against a lab started in the test process. Credentials go through the environment, never argv.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { ChangeResult } from '../../src/change/types.js';
import type { LabDeviceInfo } from '../../src/lab/types.js';
import type { TransportKind } from '../../src/transport/types.js';
import { runProcess } from '../helpers/shipped.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node <script> ...args` (a built entry point) and collect its output; killed after `timeoutMs`. */
export function runNode(
  script: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  return runProcess(process.execPath, [script, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? '', ...(opts.cwd ? { HOME: opts.cwd } : {}), ...opts.env },
    timeoutMs: opts.timeoutMs,
    label: `${basename(script)} ${args.join(' ')}`,
  });
}

/** Run `node dist/cli.js ...args` in `cwd` (a temp dir: no stray .env, backups land there). */
export function runCli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliRun> {
  return runNode(CLI, args, opts);
}

/**
 * `asa-mailguard <command> <connection args> ...args` against a lab device, in `cwd`, with its credentials in
 * the environment.
 */
export function runOn(
  command: 'apply' | 'rollback',
  info: LabDeviceInfo,
  cwd: string,
  args: string[],
  transport: TransportKind = 'ssh',
): Promise<CliRun> {
  return runCli([command, ...connArgs(info, cwd, transport), ...args], { cwd, env: credsEnv(info) });
}

export function tempDir(prefix = 'mg-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Environment carrying the device's credentials (so they never appear on a command line). */
export function credsEnv(info: LabDeviceInfo): Record<string, string> {
  return { ASA_USERNAME: info.username, ASA_PASSWORD: info.password, ASA_ENABLE_SECRET: info.enableSecret };
}

/** Connection arguments: SSH (or SSH-1) with the lab's host key in a known_hosts file, or telnet. */
export function connArgs(info: LabDeviceInfo, cwd: string, transport: TransportKind = 'ssh'): string[] {
  if (transport === 'telnet') return ['127.0.0.1', '--transport', 'telnet', '--port', String(info.telnet.port)];
  const kh = join(cwd, 'known_hosts');
  writeFileSync(kh, `${info.knownHostsLine}\n`);
  // asa8 offers only the old SSH-2 algorithms, as the real 8.x image (asa-cli.md §1.8); pix6 speaks SSH-1 only.
  const legacy = info.legacyAlgorithms && transport === 'ssh' ? ['--legacy-algorithms'] : [];
  const ssh1 = transport === 'ssh1' ? ['--transport', 'ssh1'] : [];
  return ['127.0.0.1', ...ssh1, '--port', String(info.ssh.port), '--known-hosts', kh, ...legacy];
}

/** The `{"type":"result",...}` line of a --json run. */
export function resultOf(run: CliRun): ChangeResult & { type: 'result' } {
  const line = run.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"type":"result"'));
  if (!line) throw new Error(`no result line (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line);
}

/** Every regular file under dir (recursively). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export const modeOf = (path: string): number => statSync(path).mode & 0o777;
export const read = (path: string): string => readFileSync(path, 'utf8');

/** Config commands (anything that changes the device) in a lab command log. */
export const CONFIG_COMMAND =
  /^\s*(conf(ig(ure)?)?\s+t|no\s+(inspect|fixup)|inspect\s|fixup\s|wr(ite)?\s+mem|copy\s|reload)/i;

/** The config commands a lab device received since `from` (an index into its command log). */
export function configCommandsSince(dev: { commandLog(): string[] }, from: number): string[] {
  return dev
    .commandLog()
    .slice(from)
    .filter((c) => CONFIG_COMMAND.test(c));
}

/** The files the tool wrote under `cwd` (backups, records, transcripts): not its lock folder, not known_hosts. */
export function toolFiles(cwd: string): string[] {
  return filesUnder(cwd).filter((f) => !f.includes('/.local/state/') && !f.endsWith('known_hosts'));
}

/** Lock files left in the per-user lock folder of a run with HOME=`cwd` (runOn/runCli). */
export function locksLeft(cwd: string): string[] {
  const dir = join(cwd, '.local', 'state', 'asa-mailguard', 'locks');
  return existsSync(dir) ? readdirSync(dir) : [];
}
