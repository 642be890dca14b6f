/**
 * The wizard's way into the device, plugged into the change engine as `deps.openSession`: an unknown SSH host key
 * is shown (SHA256) and recorded only when the person trusts it; a changed key stops; a refused enable secret is
 * asked once more. A refused login is never retried (AAA lockouts).
 */
import { MailguardError, toMailguardError } from '../errors.js';
import { openSession } from '../session/index.js';
import type { CliSession, ConnectOptions } from '../session/types.js';
import { appendKnownHostLine, defaultKnownHostsFile, knownHostsName } from '../transport/index.js';
import { describeLegacyAlgorithms } from '../transport/ssh-algorithms.js';
import { type Ui, WizardExit } from './ui.js';

export interface ConnectState {
  /** Updated when the person types the enable secret again: the change run reuses it. */
  enableSecret: string | undefined;
  /** Host key questions and the enable retry are asked only while this is true (the look-around run). */
  interactive: boolean;
  /** Set when the person pressed Ctrl-C at a question asked inside the engine (the engine wraps errors). */
  exit?: WizardExit;
  enableRetried: boolean;
  /** Set when the person agreed to the legacy SSH-2 algorithms: the change run and the playbook keep them. */
  legacyAlgorithms?: boolean;
  legacyAsked?: boolean;
  /** The last error of the session layer, unredacted (session errors never hold secrets). */
  lastError?: MailguardError;
}

export function wizardOpenSession(ui: Ui, state: ConnectState): (o: ConnectOptions) => Promise<CliSession> {
  return async (opts) => {
    for (;;) {
      try {
        const legacyAlgorithms = opts.legacyAlgorithms || state.legacyAlgorithms;
        return await openSession({ ...opts, enableSecret: state.enableSecret, legacyAlgorithms });
      } catch (e) {
        const err = toMailguardError(e);
        state.lastError = err;
        if (!state.interactive) throw err;
        try {
          if (err.code === 'HOST_KEY_UNKNOWN' && typeof err.details.knownHostsKey === 'string') {
            if (await trustHostKey(ui, opts, err)) continue;
            state.lastError = new MailguardError(
              'HOST_KEY_UNKNOWN',
              'The host key was not trusted: nothing was sent.',
              {
                hint: `Check the fingerprint on the device's console, then run the wizard again.`,
              },
            );
            throw state.lastError;
          }
          if (err.code === 'SSH_NO_COMMON_ALGORITHM' && err.details.legacyWouldMatch === true && !state.legacyAsked) {
            state.legacyAsked = true;
            if (await allowLegacy(ui, opts, err)) {
              state.legacyAlgorithms = true;
              continue;
            }
            throw err;
          }
          if (err.code === 'HOST_KEY_CHANGED') {
            ui.line();
            ui.para(`STOP: ${err.message}`);
            if (err.hint) ui.para(`Next step: ${err.hint}`);
            throw err;
          }
          if (err.code === 'ENABLE_FAILED' && !state.enableRetried) {
            state.enableRetried = true;
            ui.line();
            ui.para(`The enable secret was not accepted by ${opts.host}. You can type it once more.`);
            const secret = await ui.secret('Enable secret (one more try):');
            state.enableSecret = secret === '' ? undefined : secret;
            continue;
          }
        } catch (inner) {
          if (inner instanceof WizardExit) state.exit = inner;
          throw inner;
        }
        throw err;
      }
    }
  };
}

async function trustHostKey(ui: Ui, opts: ConnectOptions, err: MailguardError): Promise<boolean> {
  const port = opts.port ?? 22;
  const file = opts.knownHostsFile ?? defaultKnownHostsFile();
  const fp = String(err.details.fingerprint);
  ui.line();
  ui.para(`This machine has never seen the SSH host key of ${knownHostsName(opts.host, port)}:`);
  ui.line(`    ${err.details.keyType} ${fp}${err.details.md5 ? ` (${err.details.md5})` : ''}`);
  ui.para(
    'Compare it with the key on the device console (show crypto key mypubkey rsa, or ask whoever set it up). ' +
      'If they differ, someone may be in the middle: answer no.',
  );
  const ok = await ui.yesNo(`Trust this key and record it in ${file}?`, false);
  if (!ok) return false;
  appendKnownHostLine(file, opts.host, port, String(err.details.knownHostsKey));
  ui.line(`Recorded in ${file}.`);
  return true;
}

/** An ASA 8.x / 9.x before 9.6 offers only old SSH-2 algorithms: ask once (default no) before offering them too. */
async function allowLegacy(ui: Ui, opts: ConnectOptions, err: MailguardError): Promise<boolean> {
  const offered = (err.details.offered ?? {}) as Partial<Record<string, string[]>>;
  const category = String(err.details.category);
  ui.line();
  ui.para(
    `${opts.host} offers only old SSH algorithms (an ASA 8.x or 9.x before 9.6 does): ` +
      `${(offered[category] ?? []).join(', ') || 'unknown'}.`,
  );
  ui.para(
    `The tool can offer old ones too (--legacy-algorithms): ${describeLegacyAlgorithms()}. ` +
      'They are weaker; newer ones can be configured on the device (ssh key-exchange group dh-group14-sha256).',
  );
  return ui.yesNo('Connect with the legacy algorithms?', false);
}
