/**
 * The interactive wizard (issue #6): nine steps from "which firewall" to "verified from outside", driving the
 * change engine twice: a read-only look (dry run: connect, detect, plan) and, after the person chose and typed the
 * hostname, the change itself. It adds no change logic: plan, backup, apply, verify, save, reload and rollback are
 * the engine's.
 */
import { runChange } from '../change/engine.js';
import type { ChangeOptions, ChangePlan, ChangeResult, ReloadPolicy } from '../change/types.js';
import { parseSmtpEndpoint } from '../cli/option-parsers.js';
import { formatPlan, formatResult } from '../cli/render/summary.js';
import { parseDuration } from '../config/duration.js';
import { ExitCode, type MailguardError, toMailguardError } from '../errors.js';
import type { ConnectOptions } from '../session/types.js';
import { type ConnectState, wizardOpenSession } from './connect.js';
import { offerPlaybook } from './offer-playbook.js';
import { findingLines, platformLines, probeLines } from './present.js';
import { askProbe } from './probe-step.js';
import { afterFailure, runWithProgress, shortPaths } from './progress.js';
import { askAddressAgain, askChangeId, checkFlags, gatherTarget, safetyReloadMinutes } from './target.js';
import type { Gathered, ProbeChoice, WizardFlags } from './types.js';
import { Ui, type Waiting, WizardExit } from './ui.js';

export type { WizardFlags } from './types.js';

export interface WizardOptions {
  target?: string;
  flags: WizardFlags;
  env?: NodeJS.ProcessEnv;
  ui?: Ui;
}

type Choice = 'dry-run' | 'apply' | 'apply-reload' | 'cancel';

/** Runs the wizard; returns the exit code. Never throws for things the person did (Ctrl-C, no, wrong secret). */
export async function runWizard(opts: WizardOptions): Promise<number> {
  const ui = opts.ui ?? new Ui();
  try {
    return await wizard(ui, opts);
  } catch (e) {
    ui.idle();
    if (e instanceof WizardExit) return e.exitCode;
    const err = toMailguardError(e);
    ui.line();
    ui.para(`Stopped: [${err.code}] ${err.message}`);
    if (err.hint) ui.para(`Next step: ${err.hint}`);
    return err.exitCode;
  }
}

async function wizard(ui: Ui, opts: WizardOptions): Promise<number> {
  const flags = opts.flags;
  const env = opts.env ?? process.env;
  checkFlags(flags);
  ui.line('asa-mailguard wizard: turn off SMTP inspection (Mailguard) on one PIX/ASA.');
  ui.para(
    'Each step shows what it found. Nothing on the device changes until you pick a change and type the ' +
      "device's hostname. Ctrl-C at a question stops the wizard.",
  );

  // 1. target and credentials
  ui.heading(1, 'Target');
  const g = await gatherTarget(ui, opts.target, flags, env);

  // 2. host key, login, detect (read-only: the engine's dry run)
  ui.heading(2, 'Connect');
  if (g.connect.transport === 'telnet') ui.para('Telnet has no host key: the device identity cannot be checked.');
  else ui.para(`Connecting over SSH to ${g.label}; an unknown host key is shown before anything is sent.`);
  let state: ConnectState;
  let look: ChangeResult;
  let passwordRetried = false;
  // A mistyped address or a refused password goes back to that question instead of ending the wizard; the
  // password only once, since repeated refusals lock AAA accounts.
  for (;;) {
    state = { enableSecret: g.connect.enableSecret, interactive: true, enableRetried: false };
    look = await readOnlyLook(ui, g, state, flags);
    if (state.exit) throw state.exit;
    const code = look.outcome === 'failed' ? state.lastError?.code : undefined;
    if (code === 'CONNECT_FAILED' || code === 'CONNECT_TIMEOUT') {
      ui.line();
      ui.para(`Could not reach ${g.label}: ${state.lastError?.message} Check the address and the port.`);
      await askAddressAgain(ui, g);
      continue;
    }
    if (code === 'AUTH_FAILED' && !passwordRetried && g.connect.password !== undefined) {
      passwordRetried = true;
      ui.line();
      ui.para(
        `${g.label} refused the login. You can type the password once more (a second refusal stops the ` +
          'wizard: repeated failures lock AAA accounts).',
      );
      g.connect.password = await ui.secret('Password (one more try):');
      continue;
    }
    break;
  }
  // Agreed to at the connect step: the change run and the saved playbook use them too.
  if (state.legacyAlgorithms) g.connect.legacyAlgorithms = true;
  if (look.outcome === 'failed') {
    // e.g. the standby unit of a failover pair: show what the device is, then why the wizard stops.
    if (look.platform) {
      ui.heading(4, 'The device');
      ui.block(platformLines(look.platform, g.connect.host));
    }
    return stopOn(ui, look, state.lastError);
  }

  // 3. outside probe
  ui.heading(3, 'Outside check (SMTP probe)');
  const probe = await askProbe(ui, flags);

  // 4. what the device is and where inspection is on
  ui.heading(4, 'The device');
  const platform = look.platform;
  if (platform) ui.block(platformLines(platform, g.connect.host));
  const findings = look.inspection?.findings ?? [];
  if (findings.length === 0) ui.line('No SMTP inspection is configured.');
  else {
    ui.line('SMTP inspection in the running config:');
    ui.block(findingLines(findings));
  }

  // 5. plan
  ui.heading(5, 'Plan');
  const plan = look.plan as ChangePlan;
  const hostname = platform?.hostname ?? g.connect.host;
  if (!plan || plan.nothingToDo) {
    ui.para(`SMTP inspection is not active on ${hostname}: nothing to do. The device was not changed.`);
    if (probe.report?.verdict === 'inspected') {
      ui.para(
        'But the outside probe still sees inspection: another firewall or proxy on the path may be rewriting ' +
          'SMTP. Probe from another place, or check the other devices on the path.',
      );
    }
    return ExitCode.ok;
  }
  ui.block(formatPlan(plan).trimEnd().split('\n'), '');
  const choice = await askChoice(ui, probe);
  if (choice === 'cancel') {
    ui.line(`Cancelled: nothing was changed on ${hostname}.`);
    return ExitCode.ok;
  }
  const reload: ReloadPolicy = choice === 'apply-reload' ? 'after-save' : probe.report ? 'if-needed' : 'never';
  if (choice === 'dry-run') {
    ui.line(`Dry run only: nothing was changed on ${hostname}.`);
    await offerPlaybook(ui, g, probe, flags, {
      name: hostname,
      reload: 'if-needed',
      // For the change window: the ASA safety net on, as the wizard would have offered it.
      safetyReloadMin: platform?.family === 'asa' ? safetyReloadMinutes(flags) : undefined,
      // No record to put it in: asked only if a playbook is kept.
      changeId: 'ask',
      outcome: 'dry run',
    });
    return ExitCode.ok;
  }
  // For the change record and the playbook (a change advisory board asks every record for its ticket).
  const changeId = await askChangeId(ui, flags);
  let safetyReloadMin: number | undefined;
  if (platform?.family === 'asa') safetyReloadMin = await askSafetyReload(ui, flags);

  // 6. the hostname as the confirmation
  ui.heading(6, 'Confirm');
  ui.para(`Last check: the change starts only when you type the hostname of the device you mean to change.`);
  const typed = await ui.text(`Type the device's hostname (${hostname}) to confirm (empty: cancel):`, {
    validate: (v) =>
      v === '' || v === hostname ? true : `That is not "${hostname}". Type it exactly, or leave empty.`,
  });
  if (typed === '') {
    ui.line(`Cancelled: nothing was changed on ${hostname}.`);
    return ExitCode.ok;
  }

  // 7. the change, with progress
  ui.heading(7, 'Change');
  const base: Omit<ChangeOptions, 'connect'> = {
    label: g.label,
    smtp: probe.smtp?.map(parseSmtpEndpoint),
    domain: probe.domain,
    resolver: flags.resolver,
    backupDir: flags.backupDir,
    reloadTimeoutMs: flags.reloadTimeout ? parseDuration(flags.reloadTimeout, '--reload-timeout') : undefined,
    context: flags.context,
    ...(changeId ? { provenance: { changeId } } : {}),
  };
  const connect: ConnectOptions = { ...g.connect, enableSecret: state.enableSecret };
  const quiet: ConnectState = { ...state, interactive: false };
  let changed = '';
  const run = await runWithProgress(ui, {
    ...base,
    connect,
    reload,
    safetyReloadMin,
    // The wizard offers the rollback itself when the outside check fails (step 8).
    rollbackOnVerifyFailure: false,
    confirm: async (p) => {
      changed = samePlan(plan, p) ? '' : 'The device changed since the plan was shown; nothing was changed.';
      return changed === '';
    },
    deps: { openSession: wizardOpenSession(ui, quiet) },
  });
  const result = run.result;
  // 8. on failure the result itself says what happened and what the configs hold now
  if (result.exitCode !== ExitCode.ok) ui.heading(8, 'What happened');
  else ui.line();
  ui.block(shortPaths(formatResult(result)).trimEnd().split('\n'), '');
  if (changed) ui.para(changed);
  if (result.postProbe) {
    ui.line('Outside check after the change:');
    ui.block(probeLines(result.postProbe));
  }

  // 8. failure: the state and the rollback offer
  let exitCode = result.exitCode;
  if (result.exitCode !== ExitCode.ok) {
    exitCode = await afterFailure(ui, result, {
      ...base,
      connect,
      deps: { openSession: wizardOpenSession(ui, quiet) },
    });
    if (run.interrupted) {
      // SIGTERM/SIGHUP keep their own code (143/129); Ctrl-C is 130.
      exitCode = [ExitCode.hangup, ExitCode.terminated].includes(result.exitCode as 129 | 143)
        ? result.exitCode
        : ExitCode.interrupted;
      ui.line(`Exit ${exitCode}: the change was interrupted on your request.`);
    }
    return exitCode;
  }

  // 9. keep it as a playbook
  await offerPlaybook(ui, g, probe, flags, {
    name: hostname,
    reload,
    safetyReloadMin,
    changeId,
    outcome: result.verification,
  });
  return exitCode;
}

/** What the wizard is waiting for at each step of the read-only look (a spinner counts the seconds). */
const LOOK_WAITS: Partial<Record<string, (label: string) => string>> = {
  connect: (label) => `Connecting to ${label}`,
  detect: () => 'Reading the platform and the running config',
};

/** The engine's dry run: connect (host key, login, enable), read the device, plan. Sends no config command. */
async function readOnlyLook(ui: Ui, g: Gathered, state: ConnectState, flags: WizardFlags): Promise<ChangeResult> {
  // Read-only so far: Ctrl-C while connecting simply ends the wizard.
  const onSigint = () => {
    ui.idle();
    ui.line();
    ui.line('Stopped (Ctrl-C). Nothing was changed.');
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSigint);
  let waiting: Waiting | undefined;
  try {
    return await runChange(
      {
        // The session says when the login went through: the spinner then waits for the enable prompt.
        connect: {
          ...g.connect,
          onLog: (l) => {
            if (/^Logged in/.test(l)) waiting?.update(`Logged in to ${g.label}; entering privileged mode`);
          },
        },
        label: g.label,
        dryRun: true,
        context: flags.context,
        backupDir: flags.backupDir,
        deps: { openSession: wizardOpenSession(ui, state) },
      },
      (engine) => {
        engine.on('step:start', (e) => {
          const text = LOOK_WAITS[e.step]?.(g.label);
          if (text) waiting = ui.wait(text);
        });
        engine.on('step:done', (e) => {
          if (e.step === 'connect' || e.step === 'detect') waiting?.done(`  ok: ${e.summary ?? e.title}`);
        });
        engine.on('step:failed', () => waiting?.done());
      },
    );
  } finally {
    waiting?.done();
    process.off('SIGINT', onSigint);
  }
}

function stopOn(ui: Ui, r: ChangeResult, raw?: MailguardError): number {
  // The session's own error when it is the same one: its messages hold no secrets, and the record's redaction
  // (meant for config lines) would turn "the enable secret was not accepted" into "the enable secret ***".
  const e = raw && raw.code === r.error?.code ? raw : r.error;
  ui.line();
  if (e) {
    ui.para(`Stopped: [${e.code}] ${e.message}`);
    if (e.hint) ui.para(`Next step: ${e.hint}`);
  }
  ui.line('Nothing was changed on the device.');
  return r.exitCode;
}

async function askChoice(ui: Ui, probe: ProbeChoice): Promise<Choice> {
  ui.line();
  return ui.choose<Choice>(
    'What now?',
    [
      { value: 'dry-run', name: 'Dry run only: change nothing, stop here' },
      {
        value: 'apply',
        name: probe.report
          ? 'Apply and save (reload only if the outside check still sees it)'
          : 'Apply and save (no reload)',
      },
      { value: 'apply-reload', name: "Apply, save and reload (the KB's sequence)" },
      { value: 'cancel', name: 'Cancel' },
    ],
    'dry-run',
  );
}

async function askSafetyReload(ui: Ui, flags: WizardFlags): Promise<number | undefined> {
  const min = safetyReloadMinutes(flags); // checked in checkFlags
  ui.para(
    `Safety net: "reload in ${min}" before the change makes the ASA restart on its saved config in ${min} minutes ` +
      'if this session is lost; the wizard cancels it once the change is verified and saved.',
  );
  return (await ui.yesNo(`Schedule the safety reload (reload in ${min})?`, true)) ? min : undefined;
}

function samePlan(a: ChangePlan, b: ChangePlan): boolean {
  const key = (p: ChangePlan) => JSON.stringify(p.contexts.map((c) => [c.context, c.commands]));
  return key(a) === key(b);
}
