/**
 * Ansible Vault: `$ANSIBLE_VAULT;1.1;AES256` (and 1.2 with a vault id) values and whole files, and the vault
 * passwords (--vault-password-file, --vault-id [label@]file, ANSIBLE_VAULT_PASSWORD_FILE).
 * The cipher is the npm `ansible-vault` package (1.3: PBKDF2-SHA256 10000 rounds, AES-256-CTR, HMAC-SHA256 over the
 * hexlified envelope, node:crypto only, no dependencies, Node >= 18); checked here against texts made by the real
 * `ansible-vault encrypt_string` (test/unit/playbook-ansible-vault.test.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { Vault } from 'ansible-vault';
import { MailguardError, systemErrorWords } from '../errors.js';
import type { SourcePos } from './source.js';

/** A `!vault |` YAML value, kept encrypted until a credential is needed. */
export class VaultText {
  constructor(readonly text: string) {}
}

/** The yaml package's custom tag for `!vault`. */
export const VAULT_YAML_TAG = {
  tag: '!vault',
  resolve: (s: string) => new VaultText(s),
};

export function isVaultText(v: string): boolean {
  return /^\s*\$ANSIBLE_VAULT;1\.[12];AES256/.test(v);
}

export interface VaultSecret {
  /** The vault id label (`--vault-id label@file`); `default` otherwise. */
  id: string;
  password: string;
  file: string;
}

export interface VaultPasswordSources {
  passwordFiles?: string[];
  /** `[label@]file` as --vault-id takes it (`@prompt` is not supported: no prompt in fleet runs). */
  vaultIds?: string[];
  env: Record<string, string | undefined>;
  warn?: (line: string) => void;
}

/** Read the vault passwords (first line of each file, as Ansible). World-readable files are warned. */
export function loadVaultSecrets(src: VaultPasswordSources): VaultSecret[] {
  const specs: Array<{ id: string; file: string; from: string }> = [];
  for (const f of src.passwordFiles ?? []) specs.push({ id: 'default', file: f, from: '--vault-password-file' });
  for (const v of src.vaultIds ?? []) {
    const at = v.indexOf('@');
    const id = at >= 0 ? v.slice(0, at) : 'default';
    const file = at >= 0 ? v.slice(at + 1) : v;
    if (file === 'prompt') {
      throw new MailguardError('USAGE', `--vault-id ${v}: asking for the vault password is not supported`, {
        hint: 'Put the password in a file readable only by you and give --vault-id label@FILE.',
      });
    }
    specs.push({ id, file, from: '--vault-id' });
  }
  if (specs.length === 0 && src.env.ANSIBLE_VAULT_PASSWORD_FILE) {
    specs.push({ id: 'default', file: src.env.ANSIBLE_VAULT_PASSWORD_FILE, from: 'ANSIBLE_VAULT_PASSWORD_FILE' });
  }
  return specs.map((s) => {
    let text: string;
    try {
      text = readFileSync(s.file, 'utf8');
      warnIfOpen(s.file, 'vault password file', src.warn);
    } catch (e) {
      throw new MailguardError(
        'BAD_INPUT',
        `Cannot read the vault password file ${s.file} (${s.from}): ${systemErrorWords(e)}`,
        {
          hint: 'Check the path; the file holds the vault password on its first line.',
        },
      );
    }
    const password = text.split(/\r?\n/)[0] ?? '';
    if (password === '') {
      throw new MailguardError('BAD_INPUT', `The vault password file ${s.file} is empty`, {
        hint: 'Write the vault password on its first line.',
      });
    }
    return { id: s.id, password, file: s.file };
  });
}

/** Warn when a secret file can be read by others (group or world), as ssh does for keys. */
export function warnIfOpen(file: string, what: string, warn: ((line: string) => void) | undefined): void {
  if (!warn || process.platform === 'win32') return;
  try {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o044) warn(`warning: ${what} ${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  } catch {
    /* unreadable: the reader reports it */
  }
}

/** Decrypt a vault text with the first password that fits; wrong password: one BAD_INPUT error naming the file. */
export function decryptVault(text: string, secrets: VaultSecret[], at: SourcePos): string {
  const body = text.trim().replace(/\r\n/g, '\n');
  const where = `${at.file}:${at.line}`;
  if (secrets.length === 0) {
    throw new MailguardError('BAD_INPUT', `${where} holds an Ansible Vault value and no vault password was given`, {
      hint: 'Give --vault-password-file FILE or --vault-id label@FILE (or set ANSIBLE_VAULT_PASSWORD_FILE).',
      details: { file: at.file, line: at.line },
    });
  }
  const header = body.split('\n', 1)[0] ?? '';
  const label = header.split(';')[3];
  const ordered = label
    ? [...secrets.filter((s) => s.id === label), ...secrets.filter((s) => s.id !== label)]
    : secrets;
  for (const s of ordered) {
    try {
      const out = new Vault({ password: s.password }).decryptSync(body, undefined);
      if (out !== undefined) return out;
    } catch (e) {
      if (!/Integrity check failed/.test((e as Error).message)) {
        throw new MailguardError('BAD_INPUT', `${where}: not a valid Ansible Vault text (${(e as Error).message})`, {
          hint: 'Re-create the value with ansible-vault encrypt_string.',
          details: { file: at.file, line: at.line },
        });
      }
    }
  }
  throw new MailguardError(
    'BAD_INPUT',
    `The vault password does not decrypt ${where} (tried ${ordered.map((s) => s.file).join(', ')})`,
    {
      hint: 'Give the vault password this inventory was encrypted with (--vault-password-file or --vault-id); nothing was contacted.',
      details: { file: at.file, line: at.line },
    },
  );
}
