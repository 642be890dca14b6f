/** Step 1: the target and its credentials (defaults from flags, the environment and .env; said, not asked). */

import { toConnectOptions } from '../cli/connection-options.js';
import { parseChangeId, parseSmtpEndpoint } from '../cli/option-parsers.js';
import { type CredentialSource, ENV_NAMES, resolveCredentials } from '../config/credentials.js';
import { parseDuration, parseTimeIn, SAFETY_RELOAD_LIMITS } from '../config/duration.js';
import { parseTarget } from '../net/endpoint.js';
import type { Gathered, WizardFlags } from './types.js';
import type { Ui } from './ui.js';

const SOURCE_TEXT: Record<CredentialSource, string> = {
  flag: 'from the command line',
  env: 'from the environment',
  dotenv: 'from .env',
  prompt: 'typed',
};

/** `--safety-reload` in minutes (default 10; `1h` is 60). */
export function safetyReloadMinutes(flags: WizardFlags): number {
  return parseTimeIn(flags.safetyReload ?? 10, '--safety-reload', 'min', SAFETY_RELOAD_LIMITS);
}

/** Bad flags stop before the first question (exit 2), not in the middle of the change. */
export function checkFlags(flags: WizardFlags): void {
  safetyReloadMinutes(flags);
  if (flags.reloadTimeout) parseDuration(flags.reloadTimeout, '--reload-timeout');
  for (const s of flags.smtp ?? []) parseSmtpEndpoint(s);
  if (flags.changeId !== undefined) parseChangeId(flags.changeId);
}

/**
 * The change or ticket id for the change record and the playbook (optional): the rule of `--change-id`, which
 * gives the default.
 */
export async function askChangeId(ui: Ui, flags: WizardFlags): Promise<string | undefined> {
  const id = await ui.text('Change or ticket id for the record (empty: none):', {
    default: flags.changeId?.trim() || undefined,
    validate: (v) => {
      if (v === '') return true;
      try {
        parseChangeId(v);
        return true;
      } catch {
        return 'A change id is one printable line of at most 200 characters, e.g. CHG-12345.';
      }
    },
  });
  return id === '' ? undefined : parseChangeId(id);
}

export async function gatherTarget(ui: Ui, target: string | undefined, flags: WizardFlags, env: NodeJS.ProcessEnv) {
  const given = target ? parseTarget(target) : undefined;
  const t = await askHost(ui, given?.host);
  let transport = await ui.choose<'ssh' | 'telnet' | 'ssh1'>(
    'Connect with:',
    [
      { value: 'ssh', name: 'SSH (recommended)' },
      { value: 'telnet', name: 'Telnet (clear text: passwords readable on the network)' },
      { value: 'ssh1', name: 'SSH protocol 1 (PIX 6.x only: old and weak)' },
    ],
    flags.transport === 'telnet' || flags.transport === 'ssh1' ? flags.transport : 'ssh',
  );
  if (transport === 'telnet') {
    ui.para(
      'Warning: telnet sends the password and the enable secret in clear text. Use it only on a trusted management network, e.g. for PIX 6.x without SSH.',
    );
    if (!(await ui.yesNo('Use telnet anyway?', false))) transport = 'ssh';
  }
  if (transport === 'ssh1') {
    ui.para(
      'Warning: SSH protocol 1 has known weaknesses (CRC-32 integrity, DES/3DES, no forward secrecy). PIX 5.2-6.3 speak nothing newer over SSH; use it only on a trusted management network.',
    );
    if (!(await ui.yesNo('Use SSH protocol 1 anyway?', false))) transport = 'ssh';
  }
  const portDefault = String(t.port ?? given?.port ?? flags.port ?? (transport === 'telnet' ? 23 : 22));
  const port = await askPort(ui, portDefault);
  const known = await resolveCredentials({
    flags: {
      username: flags.username ?? t.username ?? given?.username,
      password: flags.password,
      enableSecret: flags.enableSecret,
    },
    env,
    envFile: flags.dotenv,
    interactive: false,
  });
  const said = (key: 'username' | 'password' | 'enableSecret', label: string, value?: string) => {
    const src = known.sources[key] as CredentialSource;
    const where = src === 'env' || src === 'dotenv' ? `${ENV_NAMES[key]} ${SOURCE_TEXT[src]}` : SOURCE_TEXT[src];
    ui.line(`${label}: ${value ?? '(not shown)'}, ${where}`);
  };
  let username = known.username;
  if (username !== undefined) said('username', 'Username', username);
  else {
    const label =
      transport === 'telnet'
        ? 'Username (empty if the device asks only a password):'
        : transport === 'ssh1'
          ? 'Username (pix on a PIX without AAA):'
          : 'Username:';
    username = await ui.text(label, {
      validate: (v) => (v === '' && transport !== 'telnet' ? 'SSH needs a username.' : true),
    });
  }
  const keyAuth = Boolean(flags.identity || flags.agent);
  let password = known.password;
  if (password !== undefined) said('password', 'Password');
  else if (!keyAuth) password = await ui.secret('Password:');
  let enableSecret = known.enableSecret;
  if (enableSecret !== undefined) said('enableSecret', 'Enable secret');
  else {
    enableSecret = await ui.secret('Enable secret (empty: use `login` with the same user):');
    if (enableSecret === '') enableSecret = undefined;
  }
  const hostForTarget = t.host.includes(':') ? `[${t.host}]` : t.host;
  const connect = await toConnectOptions(
    { ...flags, transport, port, username: username || undefined, password, enableSecret },
    hostForTarget,
    { interactive: false, env, envFile: flags.dotenv, onLog: (l) => ui.para(l) },
  );
  // The warnings above were shown; the session's own log lines would draw over the progress list.
  connect.onLog = undefined;
  const envName = (k: 'username' | 'password' | 'enableSecret') =>
    known.sources[k] === 'env' || known.sources[k] === 'dotenv' ? ENV_NAMES[k] : undefined;
  return {
    connect,
    label: `${hostForTarget}:${port}`,
    usernameEnv: envName('username'),
    passwordEnv: ENV_NAMES.password,
    enableSecretEnv: enableSecret !== undefined ? ENV_NAMES.enableSecret : undefined,
  } satisfies Gathered;
}

/** The device could not be reached: ask the address and the port again (the credentials stay). */
export async function askAddressAgain(ui: Ui, g: Gathered): Promise<void> {
  const t = await askHost(ui, g.connect.host.replace(/^\[|\]$/g, ''));
  const port = await askPort(ui, String(t.port ?? g.connect.port ?? (g.connect.transport === 'telnet' ? 23 : 22)));
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  g.connect.host = host;
  g.connect.port = Number(port);
  g.label = `${host}:${port}`;
}

async function askHost(ui: Ui, fallback: string | undefined) {
  const hostText = await ui.text('Firewall address (host name or IP):', {
    default: fallback,
    validate: (v) => {
      if (v === '') return 'Type the address of the firewall.';
      try {
        parseTarget(v);
        return true;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  return parseTarget(hostText);
}

function askPort(ui: Ui, fallback: string): Promise<string> {
  return ui.text('Port:', {
    default: fallback,
    validate: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? true : 'A port is 1 to 65535.'),
  });
}
