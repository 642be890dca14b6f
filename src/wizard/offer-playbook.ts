/** Step 9: offer to keep what was done as a playbook (credentials as environment variable names). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ReloadPolicy } from '../change/types.js';
import { MailguardError, toMailguardError } from '../errors.js';
import { inventoryPathOf, writePlaybook } from './playbook.js';
import { shortPath } from './progress.js';
import { askChangeId } from './target.js';
import type { Gathered, ProbeChoice, WizardFlags } from './types.js';
import type { Ui } from './ui.js';

export async function offerPlaybook(
  ui: Ui,
  g: Gathered,
  probe: ProbeChoice,
  flags: WizardFlags,
  what: {
    name: string;
    reload: ReloadPolicy;
    safetyReloadMin?: number;
    /** `ask`: no change was made, so it was not asked yet. */
    changeId?: string | 'ask';
    outcome: string;
  },
): Promise<void> {
  ui.heading(9, 'Keep it as a playbook');
  ui.para(
    'A playbook repeats this on the same firewall in a change window (asa-mailguard run). It names the environment variables for the credentials, never their values.',
  );
  if (!(await ui.yesNo('Save a playbook?', false))) return;
  const changeId = what.changeId === 'ask' ? await askChangeId(ui, flags) : what.changeId;
  const safe = what.name.replace(/[^A-Za-z0-9._-]/g, '_');
  let path = await ui.text('Playbook file:', { default: `./mailguard-${safe}.playbook.yml` });
  // A file that exists already is never overwritten: ask for another name (empty: do not save).
  for (let n = 2; existsSync(path) || existsSync(inventoryPathOf(path)); n++) {
    ui.para(`${shortPath(resolve(path))} or its inventory exists already; it is not overwritten.`);
    path = await ui.text('Another playbook file name (empty: do not save):', {
      default: `./mailguard-${safe}-${n}.playbook.yml`,
    });
    if (path === '') return;
  }
  try {
    const files = await writePlaybook(path, {
      name: what.name,
      host: g.connect.host,
      port: g.connect.port,
      transport: g.connect.transport,
      legacyAlgorithms: g.connect.legacyAlgorithms,
      username: g.usernameEnv ? undefined : g.connect.username,
      usernameEnv: g.usernameEnv,
      passwordEnv: g.passwordEnv,
      enableSecretEnv: g.enableSecretEnv,
      smtp: probe.smtp,
      domain: probe.domain,
      reload: what.reload,
      safetyReloadMin: what.safetyReloadMin,
      backupDir: flags.backupDir,
      knownHosts: g.connect.knownHostsFile,
      context: flags.context,
      changeId,
      outcome: what.outcome,
    });
    ui.line(`Playbook:  ${shortPath(files.playbook)}`);
    ui.line(`Inventory: ${shortPath(files.inventory)}`);
    const envs = [g.usernameEnv, g.passwordEnv, g.enableSecretEnv].filter(Boolean).join(', ');
    ui.para(`Set ${envs} before running it: asa-mailguard run ${shortPath(files.playbook)} --dry-run`);
  } catch (e) {
    const err = e instanceof MailguardError ? e : toMailguardError(e);
    ui.para(`Not saved: ${err.message}${err.hint ? ` ${err.hint}` : ''}`);
  }
}
