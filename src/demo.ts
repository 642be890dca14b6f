/**
 * `asa-mailguard demo` (and `npm run demo`): the whole job against an emulated ASA 9.x with Mailguard on and a real SMTP server behind it.
 * Everything runs in this process over real TCP on 127.0.0.1: the lab, the outside probe, the session, the change
 * engine. Exit 0 only when the change is verified from outside.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeEngine } from './change/engine.js';
import type { ChangeResult } from './change/types.js';
import { PlainRenderer } from './cli/render/plain.js';
import { formatPlan } from './cli/render/summary.js';
import { startLab } from './lab/index.js';
import { probeAll, resolveTargets } from './probe/index.js';
import type { ProbeReport } from './probe/types.js';
import { openSession, readDevice } from './session/index.js';
import type { ConnectOptions } from './session/types.js';

const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[22m` : s);
const green = (s: string) => (tty ? `\x1b[32m${s}\x1b[39m` : s);
const red = (s: string) => (tty ? `\x1b[31m${s}\x1b[39m` : s);
const say = (s = '') => process.stdout.write(`${s}\n`);
const indent = (text: string, n = 4) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');

let chapter = 0;
const heading = (title: string, command?: string) => {
  say();
  say(bold(`${++chapter}. ${title}`));
  if (command) say(dim(`   $ ${command}`));
};

/** The server lines that carry the evidence: the greeting and the EHLO reply. */
function evidence(report: ProbeReport): string {
  const p = report.probes[0];
  if (!p) return '(no probe)';
  const lines = p.transcript
    .filter((e) => e.dir === 'S' || e.dir === 'C')
    .slice(0, 10)
    .map((e) => `${e.dir === 'S' ? 'S:' : 'C:'} ${'text' in e ? e.text : ''}`);
  return lines.join('\n');
}

async function probe(host: string, port: number): Promise<ProbeReport> {
  return probeAll(await resolveTargets({ hosts: [`${host}:${port}`] }));
}

export interface DemoOptions {
  /** Keep the temporary folder (backups, change record, known_hosts) instead of removing it at the end. */
  keep?: boolean;
}

/** Runs the demo; the exit code is 0 only when the change is verified from outside. */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'asa-mailguard-demo-'));
  // Ctrl-C or a kill mid-demo: remove the folder before leaving (the lab's sockets close with the process).
  const onSignal = (signal: NodeJS.Signals) => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    process.stderr.write(`\ndemo stopped (${signal})${options.keep ? `; kept ${work}` : ''}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await demo(work);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (options.keep) say(dim(`    the demo's files are kept in ${work}`));
    else rmSync(work, { recursive: true, force: true });
  }
}

async function demo(work: string): Promise<number> {
  const t0 = Date.now();
  say(bold('asa-mailguard demo: disable SMTP inspection (Mailguard) on an ASA, proven from outside'));
  say(dim('Everything below talks real SSH and SMTP over 127.0.0.1 to an emulated ASA 9.x (src/lab/).'));

  heading('Start the lab: an ASA 9.x with `inspect esmtp` on, a mail server behind it');
  const lab = await startLab({ devices: [{ name: 'demo-asa', dialect: 'asa9', reloadDelaySec: 1 }], smtp: true });
  try {
    const info = lab.devices[0];
    if (!info?.smtpBackend) throw new Error('the lab started without its SMTP server');
    const knownHosts = join(work, 'known_hosts');
    writeFileSync(knownHosts, `${info.knownHostsLine}\n`, { mode: 0o600 });
    say(`    firewall   ${info.hostname}, SSH ${info.ssh.host}:${info.ssh.port} (host key ${info.hostKeySha256})`);
    say(`    mail, seen through the firewall   ${info.smtp.host}:${info.smtp.port}`);
    say(`    mail server itself (behind it)    ${info.smtpBackend.host}:${info.smtpBackend.port}`);
    say(dim('    credentials: random for this run, passed as ASA_USERNAME / ASA_PASSWORD / ASA_ENABLE_SECRET'));
    const connect: ConnectOptions = {
      host: info.ssh.host,
      port: info.ssh.port,
      transport: 'ssh',
      username: info.username,
      password: info.password,
      enableSecret: info.enableSecret,
      knownHostsFile: knownHosts,
      hostKeyPolicy: 'strict',
      // As the real image needs: an ASA 8.x offers only the old SSH-2 algorithms (docs/transports.md).
      legacyAlgorithms: info.legacyAlgorithms ?? false,
    };
    const target = `${info.ssh.host} --port ${info.ssh.port}${info.legacyAlgorithms ? ' --legacy-algorithms' : ''}`;
    const smtp = `${info.smtp.host}:${info.smtp.port}`;

    heading('Probe SMTP from outside, before the change', `asa-mailguard probe ${smtp}`);
    const before = await probe(info.smtp.host, info.smtp.port);
    say(
      `    verdict: ${before.verdict === 'inspected' ? red(before.verdict) : before.verdict}${before.probes[0]?.family ? ` (${before.probes[0].family})` : ''}`,
    );
    say(indent(evidence(before), 6));
    const real = await probe(info.smtpBackend.host, info.smtpBackend.port);
    const realGreeting = real.probes[0]?.transcript.find((e) => e.dir === 'S');
    say(
      `    ${dim(`for comparison, the mail server itself greets with: ${realGreeting && 'text' in realGreeting ? realGreeting.text : '?'}`)}`,
    );

    heading('Detect: read the firewall', `asa-mailguard detect ${target}`);
    const session = await openSession(connect);
    try {
      const device = await readDevice(session);
      const p = device.platform;
      say(
        `    ${p.family.toUpperCase()} ${p.version}${p.model ? ` (${p.model})` : ''}, ${p.contextMode} context, failover ${p.failover.enabled ? p.failover.role : 'off'}`,
      );
      for (const f of device.inspection.findings) {
        say(
          `    ${f.active ? red('ACTIVE') : 'inactive'}: ${f.kind} ${f.protocol} on port ${f.ports.join(',')}${f.binding ? `, bound ${f.binding}` : ''}`,
        );
        say(indent(f.lines.join('\n'), 6));
      }
    } finally {
      await session.close();
    }

    heading(
      'Dry run: the plan, its inverse and the expected diff (nothing is changed)',
      `asa-mailguard apply ${target} --dry-run`,
    );
    const dry = await new ChangeEngine({ connect, dryRun: true, backupDir: join(work, 'backups') }).run();
    if (!dry.plan) throw new Error(`dry run failed: ${dry.error?.message}`);
    say(indent(formatPlan(dry.plan)));

    heading(
      'Apply: back up, change, verify, save, reload, wait, re-probe (rolls back on any failure)',
      `asa-mailguard apply ${target} --smtp ${smtp} --reload after-save --yes`,
    );
    const engine = new ChangeEngine({
      connect,
      smtp: [{ host: info.smtp.host, port: info.smtp.port }],
      reload: 'after-save',
      reloadBackoff: { initialMs: 500, maxMs: 2000 },
      backupDir: join(work, 'backups'),
    });
    const indented = {
      write: (chunk: string) => process.stdout.write(indent(chunk, 4).concat('\n')),
    } as unknown as NodeJS.WritableStream;
    new PlainRenderer({ out: indented, showStart: false }).attach(engine);
    const result: ChangeResult = await engine.run();

    heading('Probe SMTP from outside, after the change', `asa-mailguard probe ${smtp}`);
    // A fresh probe, independent of the engine's own post-probe.
    const after = await probe(info.smtp.host, info.smtp.port);
    say(`    verdict: ${after.verdict === 'clean' ? green(after.verdict) : red(after.verdict)}`);
    say(indent(evidence(after), 6));

    say();
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (result.exitCode === 0 && result.verification === 'verified' && after.verdict === 'clean') {
      say(bold(green(`Verified from outside in ${secs} s: the banner was masked before, the real one is seen now,`)));
      say(bold(green('and the change survived a reload.')));
    } else {
      say(
        bold(
          red(
            `Not verified (${result.outcome}, exit ${result.exitCode}): ${result.error?.message ?? result.verification}`,
          ),
        ),
      );
    }
    if (result.backup) say(`    backup         ${result.backup.metadataPath}`);
    if (result.reportFiles) say(`    change record  ${result.reportFiles.markdown}`);
    say(dim('    (the demo removes its folder at the end; `asa-mailguard demo --keep` keeps it)'));
    say(dim('    Try it yourself: `asa-mailguard lab` starts the same emulated devices; see docs/lab.md.'));
    return result.exitCode === 0 && result.verification === 'verified' && after.verdict === 'clean'
      ? 0
      : result.exitCode || 1;
  } finally {
    await lab.stop();
  }
}
