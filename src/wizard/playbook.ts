/**
 * What the wizard did, as a playbook + inventory for `asa-mailguard run` in a change window. Credentials appear
 * only as environment variable names, never values. Both files are validated against src/playbook's schemas
 * (and re-read with its loaders) before the wizard says they are written.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { formatPath, safeParseInVoice } from '../config/zod-voice.js';
import { MailguardError } from '../errors.js';
import { loadInventory, loadPlaybook } from '../playbook/index.js';
import { InventorySchema, type PlaybookInput, PlaybookSchema } from '../playbook/schema.js';
import type { TransportKind } from '../session/types.js';

export interface PlaybookFacts {
  /** Inventory host name (the device's hostname, else its address). */
  name: string;
  host: string;
  port?: number;
  transport: TransportKind;
  /** SSH-2 with the old algorithms added (the person agreed at the connect step). */
  legacyAlgorithms?: boolean;
  username?: string;
  /** Env var that held the username, when it came from the environment. */
  usernameEnv?: string;
  passwordEnv: string;
  enableSecretEnv?: string;
  smtp?: string[];
  domain?: string;
  reload: 'never' | 'if-needed' | 'after-save';
  safetyReloadMin?: number;
  backupDir?: string;
  knownHosts?: string;
  /** Multiple-context mode: one context (absent or `all`: every context). */
  context?: string;
  /** The change or ticket id the person gave (the playbook's changeId). */
  changeId?: string;
  /** What the wizard run ended with, for the description. */
  outcome: string;
}

export interface PlaybookFiles {
  playbook: string;
  inventory: string;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

export function playbookDocuments(
  f: PlaybookFacts,
  inventoryRef: string,
): { playbook: PlaybookInput; inventory: unknown } {
  const name = safeName(f.name);
  const inventory = {
    hosts: {
      [name]: {
        host: f.host,
        ...(f.port ? { port: f.port } : {}),
        transport: f.transport,
        ...(f.legacyAlgorithms ? { legacyAlgorithms: true } : {}),
      },
    },
  };
  const cred: Record<string, string> = { passwordEnv: f.passwordEnv };
  if (f.usernameEnv) cred.usernameEnv = f.usernameEnv;
  else if (f.username) cred.username = f.username;
  if (f.enableSecretEnv) cred.enableSecretEnv = f.enableSecretEnv;
  const probe = f.smtp?.length ? { smtp: f.smtp } : f.domain ? { domain: f.domain } : { enabled: false };
  const playbook: PlaybookInput = {
    name: `Disable SMTP inspection on ${f.name}`,
    ...(f.changeId ? { changeId: f.changeId } : {}),
    description: `Written by asa-mailguard wizard on ${new Date().toISOString().slice(0, 10)} (${f.outcome}).`,
    inventory: inventoryRef,
    targets: name,
    credentials: { all: cred as never },
    mode: 'disable-smtp-inspection',
    options: {
      reload: f.reload,
      safetyReload: f.safetyReloadMin ?? false,
      hostKeyPolicy: 'strict',
      // Absolute: the runner's working directory may differ from the wizard's.
      ...(f.knownHosts ? { knownHosts: resolve(f.knownHosts) } : {}),
      ...(f.backupDir ? { backupDir: resolve(f.backupDir) } : {}),
      ...(f.context && f.context !== 'all' ? { context: f.context } : {}),
    },
    probe: { all: probe },
  };
  return { playbook, inventory };
}

/** Write `<path>` (playbook) and `<stem>.inventory.yml` beside it, both mode 0600; validate both. */
/** The inventory written beside a playbook: `<stem>.inventory.yml`. */
export function inventoryPathOf(path: string): string {
  const file = resolve(path);
  const stem = basename(file).replace(/(\.playbook)?\.ya?ml$/i, '');
  return join(dirname(file), `${stem}.inventory.yml`);
}

export async function writePlaybook(path: string, f: PlaybookFacts): Promise<PlaybookFiles> {
  const file = resolve(path);
  const inventoryFile = inventoryPathOf(file);
  const { playbook, inventory } = playbookDocuments(f, `./${basename(inventoryFile)}`);
  const p = safeParseInVoice(PlaybookSchema, playbook);
  const i = safeParseInVoice(InventorySchema, inventory);
  if (!p.success || !i.success) {
    const issue = (p.error ?? i.error)?.issues[0];
    throw new MailguardError(
      'INTERNAL',
      `The playbook the wizard wrote does not validate: ${formatPath(issue?.path ?? [])}: ${issue?.message}`,
    );
  }
  for (const target of [file, inventoryFile]) {
    if (existsSync(target)) {
      throw new MailguardError('BAD_INPUT', `${target} exists already; not overwritten.`, {
        hint: 'Give another file name.',
      });
    }
  }
  const envs = [f.usernameEnv, f.passwordEnv, f.enableSecretEnv].filter(Boolean).join(', ');
  const header = [
    '# asa-mailguard playbook written by the wizard.',
    `# Credentials are read at run time from the environment or .env: ${envs}.`,
    `# Add a change window (window: {start: ..., end: ...})${f.changeId ? '' : ' and a changeId'}, then:`,
    `#   asa-mailguard run ${basename(file)} --dry-run`,
    '',
  ].join('\n');
  writeFileSync(inventoryFile, `# Inventory for ${basename(file)}\n${stringify(inventory)}`, { mode: 0o600 });
  writeFileSync(file, `${header}${stringify(playbook)}`, { mode: 0o600 });
  // Read them back with the runner's own loaders: what is written is what `run` accepts.
  await loadPlaybook(file);
  await loadInventory(inventoryFile);
  return { playbook: file, inventory: inventoryFile };
}
