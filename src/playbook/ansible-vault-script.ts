/**
 * Executable vault password files, as Ansible runs them (ansible/parsing/vault get_file_vault_secret): a password
 * file with an execute bit is run and its standard output, stripped of line breaks at both ends, is the password.
 * A file named `NAME-client` or `NAME-client.EXT` is a client script: it is asked for one vault id with
 * `--vault-id LABEL` (when the --vault-id has a label; `--vault-password-file` passes `default`), exit 2 means
 * "no secret for that id". Plain scripts keep our standard error (so they can prompt, as Ansible lets them); a
 * client's standard error is captured for the message. Hand-written on node:child_process (no library needed).
 * The password never appears in a message: only the script's name, exit status and (client) standard error.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { MailguardError, systemErrorWords } from '../errors.js';

/** Default limit for a password script (it may ask a person, e.g. a gpg pinentry). */
export const VAULT_SCRIPT_TIMEOUT_MS = 60_000;

/** Any execute bit on a regular file, as Ansible's loader.is_executable. */
export function isExecutableFile(file: string): boolean {
  if (process.platform === 'win32') return false;
  try {
    const st = statSync(file);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** `vault-client`, `vault-client.py`: Ansible's script_is_client (the name without its extension ends in -client). */
export function isClientScript(file: string): boolean {
  return file.slice(0, file.length - extname(file).length).endsWith('-client');
}

export interface VaultScriptRun {
  file: string;
  /** The vault id to ask a client script for (`--vault-id LABEL`); none: no arguments. */
  vaultId?: string;
  /** Where the file was named (--vault-id, --vault-password-file, ANSIBLE_VAULT_PASSWORD_FILE), for messages. */
  from: string;
  timeoutMs?: number;
}

const fail = (message: string, hint: string) =>
  new MailguardError('BAD_INPUT', message, { hint: `${hint} Nothing was contacted.` });

/** Run a vault password script; resolves to the password or rejects with one BAD_INPUT error (exit 2). */
export function runVaultScript(o: VaultScriptRun): Promise<string> {
  const client = isClientScript(o.file);
  const what = client ? 'vault password client script' : 'vault password script';
  const args = client && o.vaultId ? ['--vault-id', o.vaultId] : [];
  const timeoutMs = o.timeoutMs ?? VAULT_SCRIPT_TIMEOUT_MS;
  return new Promise((done, reject) => {
    // an absolute path, as Ansible's unfrackpath: a bare name would be looked up in PATH
    const child = spawn(resolve(o.file), args, { stdio: ['inherit', 'pipe', client ? 'pipe' : 'inherit'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        fail(
          `Cannot run the ${what} ${o.file} (${o.from}): ${systemErrorWords(e)}`,
          'An executable vault password file is run as a script; if it holds the password, remove its execute bit (chmod 600).',
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const said = err.trim().split('\n').at(-1)?.trim().slice(0, 200);
      const tail = said ? `: ${said}` : '';
      if (timedOut) {
        return reject(
          fail(
            `The ${what} ${o.file} (${o.from}) did not finish within ${timeoutMs / 1000} s and was stopped`,
            'Run the script by hand to see where it waits.',
          ),
        );
      }
      if (code !== 0) {
        const idText = o.vaultId ? ` for vault id ${o.vaultId}` : '';
        if (client && code === 2) {
          return reject(
            fail(
              `The ${what} ${o.file} (${o.from}) found no secret${idText} (exit 2)${tail}`,
              'Check the vault id label before the @ of --vault-id.',
            ),
          );
        }
        return reject(
          fail(
            `The ${what} ${o.file} (${o.from}) failed${idText} (${signal ? `killed by ${signal}` : `exit ${code}`})${tail}`,
            'Run the script by hand; it must print the vault password on standard output and exit 0.',
          ),
        );
      }
      const password = Buffer.concat(out)
        .toString('utf8')
        .replace(/^[\r\n]+|[\r\n]+$/g, '');
      if (password === '') {
        return reject(
          fail(`The ${what} ${o.file} (${o.from}) printed no password`, 'It must print the vault password.'),
        );
      }
      done(password);
    });
  });
}
