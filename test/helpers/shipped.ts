/**
 * Run the shipped forms of the CLI (the installed npm package, the single-file bundle, the single executable) as
 * processes, with a clean environment: only PATH, HOME and TMPDIR, so nothing from the repository can help them.
 */
import { spawn } from 'node:child_process';

export interface ExeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ExeOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

function cleanEnv(opts: ExeOptions): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: opts.cwd ?? process.env.HOME ?? '', NO_COLOR: '1', ...opts.env };
}

/** `command ...args` to its end with exactly `env`; killed (and the promise rejected) after `timeoutMs`. */
export function runProcess(
  command: string,
  args: string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs?: number; label?: string },
): Promise<ExeRun> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      const label = opts.label ?? `${command} ${args.join(' ')}`;
      reject(new Error(`${label} did not finish in ${timeoutMs / 1000} s\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `command ...args` in the clean environment of a shipped form. */
export function runExe(command: string, args: string[], opts: ExeOptions = {}): Promise<ExeRun> {
  return runProcess(command, args, { cwd: opts.cwd, env: cleanEnv(opts), timeoutMs: opts.timeoutMs });
}

/**
 * `command ...prefix lab --json`: waits for the one JSON document the lab prints once ready, then stops it with
 * SIGTERM and returns the document and the exit code.
 */
export function labJson(
  command: string,
  prefix: string[],
  opts: ExeOptions = {},
): Promise<{ doc: { devices: Array<Record<string, unknown>> }; code: number | null }> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, 'lab', '--json', '--dialect', 'pix6,asa9'], {
      cwd: opts.cwd,
      env: cleanEnv(opts),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let doc: { devices: Array<Record<string, unknown>> } | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lab --json gave no document in ${timeoutMs / 1000} s\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (doc) return;
      try {
        doc = JSON.parse(stdout);
      } catch {
        return; // not complete yet
      }
      child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (doc) resolve({ doc, code });
      else reject(new Error(`lab --json ended (${code}) without a document\n${stdout}\n${stderr}`));
    });
  });
}
