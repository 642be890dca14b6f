/**
 * The interactive wizard (issue #6): nine steps from "which firewall" to "verified from outside", driving the
 * change engine twice: a read-only look (dry run: connect, detect, plan) and, after the person chose and typed the
 * hostname, the change itself. It adds no change logic: plan, backup, apply, verify, save, reload and rollback are
 * the engine's.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { ChangeEngine, runChange } from '../change/engine.js';
import { ChangeEmitter } from '../change/events.js';
import type { ChangeOptions, ChangePlan, ChangeResult, ReloadPolicy } from '../change/types.js';
import { parseSmtpEndpoint } from '../cli/commands/apply.js';
import { type ConnectionFlags, toConnectOptions } from '../cli/connection-options.js';
import { ListrRenderer, PlainRenderer } from '../cli/render/index.js';
import { parseDuration } from '../cli/render/run-change.js';
import { formatPlan, formatResult } from '../cli/render/summary.js';
import { parseTarget } from '../config/connection.js';
import { type CredentialSource, ENV_NAMES, resolveCredentials } from '../config/credentials.js';
import { ExitCode, MailguardError, toMailguardError } from '../errors.js';
import { probeAll, resolveTargets } from '../probe/index.js';
import type { ProbeReport } from '../probe/types.js';
import type { ConnectOptions } from '../session/types.js';
import { type ConnectState, wizardOpenSession } from './connect.js';
import { writePlaybook } from './playbook.js';
import { findingLines, platformLines, probeLines } from './present.js';
import { Ui, WizardExit } from './ui.js';

export interface WizardFlags extends ConnectionFlags {
  smtp?: string[];
  domain?: string;
  resolver?: string;
  backupDir?: string;
  safetyReload?: string;
  reloadTimeout?: string;
  context?: string;
  /** Path of the .env file (default ./.env). */
  envFile?: string;
}

export interface WizardOptions {
  target?: string;
  flags: WizardFlags;
  env?: NodeJS.ProcessEnv;
  ui?: Ui;
}

type Choice = 'dry-run' | 'apply' | 'apply-reload' | 'cancel';

interface ProbeChoice {
  smtp?: string[];
  domain?: string;
  report?: ProbeReport;
}

interface Gathered {
  connect: ConnectOptions;
  label: string;
  usernameEnv?: string;
  passwordEnv: string;
  enableSecretEnv?: string;
}

const SOURCE_TEXT: Record<CredentialSource, string> = {
  flag: 'from the command line',
  env: 'from the environment',
  dotenv: 'from .env',
  prompt: 'typed',
};

/** Runs the wizard; returns the exit code. Never throws for things the person did (Ctrl-C, no, wrong secret). */
export async function runWizard(opts: WizardOptions): Promise<number> {
  const ui = opts.ui ?? new Ui();
  try {
    return await wizard(ui, opts);
  } catch (e) {
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
  const state: ConnectState = { enableSecret: g.connect.enableSecret, interactive: true, enableRetried: false };
  const look = await readOnlyLook(ui, g, state, flags);
  if (state.exit) throw state.exit;
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
      safetyReloadMin: platform?.family === 'asa' ? Number(flags.safetyReload ?? 10) : undefined,
      outcome: 'dry run',
    });
    return ExitCode.ok;
  }
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
      exitCode = ExitCode.interrupted;
      ui.line('Exit 130: the change was interrupted on your request.');
    }
    return exitCode;
  }

  // 9. keep it as a playbook
  await offerPlaybook(ui, g, probe, flags, {
    name: hostname,
    reload,
    safetyReloadMin,
    outcome: result.verification,
  });
  return exitCode;
}

/** Bad flags stop before the first question (exit 2), not in the middle of the change. */
function checkFlags(flags: WizardFlags): void {
  const min = Number(flags.safetyReload ?? 10);
  if (!Number.isInteger(min) || min < 1) {
    throw new MailguardError('USAGE', `--safety-reload takes whole minutes (got "${flags.safetyReload}").`, {
      hint: 'For example --safety-reload 10.',
    });
  }
  if (flags.reloadTimeout) parseDuration(flags.reloadTimeout, '--reload-timeout');
  for (const s of flags.smtp ?? []) parseSmtpEndpoint(s);
}

async function gatherTarget(ui: Ui, target: string | undefined, flags: WizardFlags, env: NodeJS.ProcessEnv) {
  const given = target ? parseTarget(target) : undefined;
  const hostText = await ui.text('Firewall address (host name or IP):', {
    default: given?.host,
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
  const t = parseTarget(hostText);
  let transport = await ui.choose<'ssh' | 'telnet'>(
    'Connect with:',
    [
      { value: 'ssh', name: 'SSH (recommended)' },
      { value: 'telnet', name: 'Telnet (clear text: passwords readable on the network)' },
    ],
    flags.transport === 'telnet' ? 'telnet' : 'ssh',
  );
  if (transport === 'telnet') {
    ui.para(
      'Warning: telnet sends the password and the enable secret in clear text. Use it only on a trusted management network, e.g. for PIX 6.x without SSH.',
    );
    if (!(await ui.yesNo('Use telnet anyway?', false))) transport = 'ssh';
  }
  const portDefault = String(t.port ?? given?.port ?? flags.port ?? (transport === 'telnet' ? 23 : 22));
  const port = await ui.text('Port:', {
    default: portDefault,
    validate: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? true : 'A port is 1 to 65535.'),
  });
  const known = await resolveCredentials({
    flags: {
      username: flags.username ?? t.username ?? given?.username,
      password: flags.password,
      enableSecret: flags.enableSecret,
    },
    env,
    envFile: flags.envFile,
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
    username = await ui.text(
      transport === 'ssh' ? 'Username:' : 'Username (empty if the device asks only a password):',
      { validate: (v) => (v === '' && transport === 'ssh' ? 'SSH needs a username.' : true) },
    );
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
    { interactive: false, env, envFile: flags.envFile, onLog: (l) => ui.para(l) },
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

/** The engine's dry run: connect (host key, login, enable), read the device, plan. Sends no config command. */
async function readOnlyLook(ui: Ui, g: Gathered, state: ConnectState, flags: WizardFlags): Promise<ChangeResult> {
  // Read-only so far: Ctrl-C while connecting simply ends the wizard.
  const onSigint = () => {
    ui.line();
    ui.line('Stopped (Ctrl-C). Nothing was changed.');
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSigint);
  try {
    return await runChange(
      {
        connect: g.connect,
        label: g.label,
        dryRun: true,
        context: flags.context,
        backupDir: flags.backupDir,
        deps: { openSession: wizardOpenSession(ui, state) },
      },
      (engine) => {
        engine.on('step:done', (e) => {
          if (e.step === 'connect' || e.step === 'detect') ui.line(`  ok: ${e.summary ?? e.title}`);
        });
      },
    );
  } finally {
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

async function askProbe(ui: Ui, flags: WizardFlags): Promise<ProbeChoice> {
  ui.para(
    'To prove the result from outside, the wizard talks SMTP to your mail server the way a sending server ' +
      'would (greeting, EHLO, one unknown command, QUIT; no mail is sent). Run it from outside the firewall.',
  );
  let kind: 'domain' | 'host' | 'skip' = flags.smtp?.length ? 'host' : flags.domain ? 'domain' : 'host';
  for (;;) {
    kind = await ui.choose(
      'Probe SMTP from outside:',
      [
        { value: 'host', name: 'The mail server address (host[:port])' },
        { value: 'domain', name: 'A mail domain (its MX hosts)' },
        { value: 'skip', name: 'Skip (no proof from outside)' },
      ],
      kind,
    );
    if (kind === 'skip') {
      ui.line('No outside check: the result will be "not probed".');
      return {};
    }
    let choice: ProbeChoice;
    if (kind === 'host') {
      const spec = await ui.text('Mail server host[:port]:', {
        default: flags.smtp?.join(' '),
        validate: (v) => {
          try {
            for (const s of v.split(/\s+/)) parseSmtpEndpoint(s);
            return true;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
      choice = { smtp: spec.split(/\s+/) };
    } else {
      const domain = await ui.text('Mail domain:', {
        default: flags.domain,
        validate: (v) => (/^[A-Za-z0-9.-]+\.?$/.test(v) ? true : 'A domain such as example.com.'),
      });
      choice = { domain };
    }
    ui.line('Probing...');
    try {
      const hosts = choice.smtp?.map((s) => {
        const e = parseSmtpEndpoint(s);
        return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
      });
      const targets = await resolveTargets(
        choice.domain ? { domain: choice.domain, resolver: flags.resolver } : { hosts, resolver: flags.resolver },
      );
      const report = await probeAll(targets);
      if (choice.domain) report.domain = choice.domain;
      ui.block(probeLines(report));
      if (report.verdict === 'unreachable') {
        ui.para('Nothing answered SMTP there: choose another address, or skip.');
        continue;
      }
      if (report.verdict === 'clean') {
        ui.para(
          'The path looks clean from here already; the device may still hold SMTP inspection that this path does not cross.',
        );
      }
      return { ...choice, report };
    } catch (e) {
      const err = toMailguardError(e);
      ui.para(`The probe failed: [${err.code}] ${err.message}`);
    }
  }
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
  const min = Number(flags.safetyReload ?? 10); // checked in checkFlags
  ui.para(
    `Safety net: "reload in ${min}" before the change makes the ASA restart on its saved config in ${min} minutes ` +
      'if this session is lost; the wizard cancels it once the change is verified and saved.',
  );
  return (await ui.yesNo(`Schedule the safety reload (reload in ${min})?`, true)) ? min : undefined;
}

/** A path under the current directory, shown relative (readable at 80 columns). */
function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** The engine names `apply`'s flags; in the wizard these were answers to its questions. */
const FLAG_WORDING: Array<[string, string]> = [
  ['not asked (--safety-reload MIN)', 'not chosen'],
  ['not asked (--reload never)', 'not chosen'],
  ['not asked (--no-rollback-on-verify-failure)', 'the wizard asks first (below)'],
  [' (--no-rollback-on-verify-failure)', ' until you answer below'],
  ['The change was kept (--no-rollback-on-verify-failure); ', 'The change is kept until you answer below; '],
];

/** The same text with paths under the current directory shown relative, and the wizard's wording. */
function shortPaths(text: string): string {
  let out = text.split(`${process.cwd()}${sep}`).join('');
  for (const [from, to] of FLAG_WORDING) out = out.split(from).join(to);
  return out;
}

function samePlan(a: ChangePlan, b: ChangePlan): boolean {
  const key = (p: ChangePlan) => JSON.stringify(p.contexts.map((c) => [c.context, c.commands]));
  return key(a) === key(b);
}

/**
 * Run the engine with listr2 progress. Ctrl-C asks whether to stop and roll back (default yes); the progress then
 * continues as plain lines, because listr2 owns the terminal while it draws.
 */
async function runWithProgress(
  ui: Ui,
  options: ChangeOptions,
): Promise<{ result: ChangeResult; interrupted: boolean }> {
  const controller = new AbortController();
  const engine = new ChangeEngine({ ...options, signal: controller.signal });
  let relay = new ChangeEmitter();
  const listr = new ListrRenderer({});
  listr.attach(relay);
  engine.on('step:start', (e) => relay.emit('step:start', e));
  engine.on('step:done', (e) => relay.emit('step:done', { ...e, summary: e.summary && shortPaths(e.summary) }));
  engine.on('step:failed', (e) =>
    relay.emit('step:failed', { ...e, error: { ...e.error, message: shortPaths(e.error.message) } }),
  );
  engine.on('log', (e) => relay.emit('log', { ...e, message: shortPaths(e.message) }));
  let asking = false;
  let interrupted = false;
  const onSigint = async () => {
    if (asking || controller.signal.aborted) return;
    asking = true;
    relay = new ChangeEmitter();
    new PlainRenderer({ out: ui.out }).attach(relay);
    await listr.suspend('interrupted: see below');
    ui.line();
    let stop = true;
    try {
      stop = await ui.yesNo('Stop the change and roll back what was done?', true);
    } catch {
      stop = true; // a second Ctrl-C: take the default
    }
    if (stop) {
      interrupted = true;
      ui.line('Stopping after the current step; the engine rolls back any config command sent.');
      controller.abort(
        new MailguardError('INTERRUPTED', 'Interrupted by the operator.', { hint: 'Read the change record.' }),
      );
    } else ui.line('Continuing.');
    asking = false;
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await engine.run();
    await listr.finish();
    return { result, interrupted };
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function afterFailure(ui: Ui, r: ChangeResult, base: ChangeOptions): Promise<number> {
  const keptAfterProbe = r.error?.code === 'VERIFY_FAILED' && r.finalState.running !== 'original';
  if (
    r.outcome === 'failed' ||
    (!keptAfterProbe && r.outcome === 'rolled-back' && r.finalState.running === 'original')
  ) {
    ui.para(
      r.outcome === 'failed'
        ? 'No config command had been sent: the device is as it was.'
        : 'The engine rolled the change back: the device holds its SMTP inspection as before.',
    );
    return r.exitCode;
  }
  if (!r.backup) {
    ui.para('There is no backup to roll back from: read the change record and restore by hand.');
    return r.exitCode;
  }
  ui.para(
    keptAfterProbe
      ? 'The change is on the device (saved) but the outside check does not prove it: the inspection may sit elsewhere on the path, or the change did not take effect. The backup can put the SMTP inspection back.'
      : 'The rollback did not finish: the device may hold part of the change. It can be tried again from the backup.',
  );
  const question = keptAfterProbe ? 'Roll back to the backup now?' : 'Try the rollback again now?';
  if (!(await ui.yesNo(question, true))) {
    ui.para(`Left as it is. To roll back later: asa-mailguard rollback ${r.target} --backup ${r.backup.metadataPath}`);
    return r.exitCode;
  }
  const back = await runWithProgress(ui, {
    ...base,
    mode: 'restore',
    restoreFrom: r.backup.metadataPath,
    reload: 'never',
  });
  ui.line();
  ui.block(shortPaths(formatResult(back.result)).trimEnd().split('\n'), '');
  if (back.result.exitCode !== ExitCode.ok) return ExitCode.rollbackFailed;
  return keptAfterProbe ? ExitCode.verifyFailed : ExitCode.deviceError;
}

async function offerPlaybook(
  ui: Ui,
  g: Gathered,
  probe: ProbeChoice,
  flags: WizardFlags,
  what: { name: string; reload: ReloadPolicy; safetyReloadMin?: number; outcome: string },
): Promise<void> {
  ui.heading(9, 'Keep it as a playbook');
  ui.para(
    'A playbook repeats this on the same firewall in a change window (asa-mailguard run). It names the environment variables for the credentials, never their values.',
  );
  if (!(await ui.yesNo('Save a playbook?', false))) return;
  const safe = what.name.replace(/[^A-Za-z0-9._-]/g, '_');
  const path = await ui.text('Playbook file:', { default: `./mailguard-${safe}.playbook.yml` });
  try {
    const files = await writePlaybook(path, {
      name: what.name,
      host: g.connect.host,
      port: g.connect.port,
      transport: g.connect.transport,
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
