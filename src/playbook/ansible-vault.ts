/**
 * Ansible Vault: `$ANSIBLE_VAULT;1.1;AES256` (and 1.2 with a vault id) values and whole files, and the vault
 * passwords (--vault-password-file, --vault-id [label@]file|[label]@prompt, --ask-vault-pass,
 * ANSIBLE_VAULT_PASSWORD_FILE; executable files are run as Ansible runs them).
 * The cipher is the npm `ansible-vault` package (1.3: PBKDF2-SHA256 10000 rounds, AES-256-CTR, HMAC-SHA256 over the
 * hexlified envelope, node:crypto only, no dependencies, Node >= 18); checked here against texts made by the real
 * `ansible-vault encrypt_string` (test/unit/playbook-ansible-vault.test.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { Vault } from 'ansible-vault';
import { MailguardError, systemErrorWords } from '../errors.js';
import { isExecutableFile, runVaultScript } from './ansible-vault-script.js';
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
  /** `[label@]file` or `[label]@prompt` as --vault-id takes it. */
  vaultIds?: string[];
  /** --ask-vault-pass: ask for the `default` password ("Vault password: "). */
  askVaultPass?: boolean;
  env: Record<string, string | undefined>;
  warn?: (line: string) => void;
  /**
   * Ask a person for a password without echo (the CLI's terminal prompt); it throws when there is no terminal.
   * Absent: @prompt and --ask-vault-pass are refused.
   */
  prompt?: (message: string, from: string) => Promise<string>;
  /** Limit for an executable password file (default VAULT_SCRIPT_TIMEOUT_MS). */
  scriptTimeoutMs?: number;
}

type SecretSpec =
  | { kind: 'file'; id: string; label: string | null; file: string; from: string }
  | { kind: 'prompt'; id: string; message: string; from: string };

/**
 * The vault secrets in Ansible's order (cli/__init__.py build_vault_ids): every --vault-id, then every
 * --vault-password-file and ANSIBLE_VAULT_PASSWORD_FILE (as `default@FILE`), then --ask-vault-pass.
 */
function secretSpecs(src: VaultPasswordSources): SecretSpec[] {
  if (src.askVaultPass && (src.passwordFiles?.length ?? 0) > 0) {
    throw new MailguardError('USAGE', '--ask-vault-pass and --vault-password-file exclude each other (as in Ansible)', {
      hint: 'Give one of them; several vault passwords go with --vault-id label@FILE or label@prompt.',
    });
  }
  const specs: SecretSpec[] = [];
  for (const v of src.vaultIds ?? []) {
    const at = v.indexOf('@');
    const label = at >= 0 ? v.slice(0, at) : null;
    const file = at >= 0 ? v.slice(at + 1) : v;
    const id = label || 'default';
    if (file === 'prompt') {
      specs.push({ kind: 'prompt', id, message: `Vault password (${id})`, from: `--vault-id ${v}` });
    } else specs.push({ kind: 'file', id, label: label || null, file, from: '--vault-id' });
  }
  const files = src.passwordFiles ?? [];
  for (const f of files)
    specs.push({ kind: 'file', id: 'default', label: 'default', file: f, from: '--vault-password-file' });
  // Ansible appends its configured default password file (DEFAULT_VAULT_PASSWORD_FILE) to the given ones.
  if (src.env.ANSIBLE_VAULT_PASSWORD_FILE && !files.includes(src.env.ANSIBLE_VAULT_PASSWORD_FILE)) {
    const file = src.env.ANSIBLE_VAULT_PASSWORD_FILE;
    specs.push({ kind: 'file', id: 'default', label: 'default', file, from: 'ANSIBLE_VAULT_PASSWORD_FILE' });
  }
  if (src.askVaultPass)
    specs.push({ kind: 'prompt', id: 'default', message: 'Vault password', from: '--ask-vault-pass' });
  return specs;
}

/**
 * Read the vault passwords as Ansible does: a password file's whole text without surrounding white space; an
 * executable file is run (ansible-vault-script.ts); `@prompt` asks on the terminal. World-readable files are warned.
 */
export async function loadVaultSecrets(src: VaultPasswordSources): Promise<VaultSecret[]> {
  const out: VaultSecret[] = [];
  for (const s of secretSpecs(src)) {
    if (s.kind === 'prompt') {
      if (!src.prompt) {
        throw new MailguardError('USAGE', `${s.from}: asking for the vault password is not possible here`, {
          hint: 'Give --vault-password-file FILE or --vault-id label@FILE.',
        });
      }
      const password = await src.prompt(s.message, s.from);
      if (password.trim() === '') {
        throw new MailguardError('BAD_INPUT', `${s.from}: the vault password given is empty`, {
          hint: 'Type the vault password the inventory was encrypted with. Nothing was contacted.',
        });
      }
      out.push({ id: s.id, password: password.trim(), file: `the password typed for ${s.from}` });
      continue;
    }
    if (isExecutableFile(s.file)) {
      warnIfOpen(s.file, 'vault password script', src.warn);
      const password = await runVaultScript({
        file: s.file,
        from: s.from,
        ...(s.label ? { vaultId: s.label } : {}),
        ...(src.scriptTimeoutMs !== undefined ? { timeoutMs: src.scriptTimeoutMs } : {}),
      });
      out.push({ id: s.id, password, file: s.file });
      continue;
    }
    let text: string;
    try {
      text = readFileSync(s.file, 'utf8');
      warnIfOpen(s.file, 'vault password file', src.warn);
    } catch (e) {
      throw new MailguardError(
        'BAD_INPUT',
        `Cannot read the vault password file ${s.file} (${s.from}): ${systemErrorWords(e)}`,
        { hint: 'Check the path; the file holds the vault password (or is an executable script printing it).' },
      );
    }
    // Ansible: the whole file, white space stripped at both ends (not only its first line).
    const password = text.trim();
    if (password === '') {
      throw new MailguardError('BAD_INPUT', `The vault password file ${s.file} is empty`, {
        hint: 'Write the vault password into it.',
      });
    }
    out.push({ id: s.id, password, file: s.file });
  }
  return out;
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
