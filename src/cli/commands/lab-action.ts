/** What `asa-mailguard lab` does (loaded by its action; the options are declared in lab.ts). */

import { writePrivate } from '../../change/backup.js';
import { parseDuration, parseTimeIn } from '../../config/duration.js';
import { checkWritableFile } from '../../config/paths.js';
import { MailguardError } from '../../errors.js';
import { failoverPairs, parseFailoverPairs } from '../../lab/failover.js';
import { parseFaults } from '../../lab/faults.js';
import { type Lab, startLab } from '../../lab/index.js';
import { labInventoryYaml } from '../../lab/inventory-out.js';
import { runStdio } from '../../lab/stdio.js';
import type { LabDeviceInfo, LabDeviceOptions, LabDialect, LabFaults } from '../../lab/types.js';
import { choiceError } from '../option-parsers.js';
import { LAB_LATENCY, LAB_RELOAD_DELAY, type LabCliOptions, TELNET_LOGINS } from './lab.js';

const DIALECTS: LabDialect[] = ['pix6', 'asa8', 'asa9'];

function dialects(values: string[]): LabDialect[] {
  const out = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const d of out) {
    if (!DIALECTS.includes(d as LabDialect)) throw choiceError('--dialect', d, DIALECTS);
  }
  return (out.length ? out : ['asa9']) as LabDialect[];
}

function faultsOf(o: LabCliOptions): LabFaults {
  const f = parseFaults(o.fault ?? []);
  if (o.latency !== undefined) f.latencyMs = parseDuration(o.latency, '--latency', 'ms', LAB_LATENCY);
  return f;
}

function telnetLogin(v: boolean | string | undefined): LabDeviceOptions['telnetLogin'] | undefined {
  if (v === undefined || v === true || v === false) return undefined;
  if (v === 'username-password' || v === 'password-only') return v;
  throw choiceError('--telnet-login', v, TELNET_LOGINS);
}

function deviceOptions(o: LabCliOptions): LabDeviceOptions[] {
  const ds = dialects(o.dialect ?? []);
  const count = o.devices === undefined ? ds.length : Number(o.devices);
  if (!Number.isInteger(count) || count < 1 || count > 2000)
    throw new MailguardError('USAGE', `--devices: "${o.devices}" is not a number from 1 to 2000`, {
      hint: 'Example: --devices 3',
    });
  const faults = faultsOf(o);
  const reloadDelaySec =
    o.reloadDelay === undefined ? 5 : parseTimeIn(o.reloadDelay, '--reload-delay', 'sec', LAB_RELOAD_DELAY);
  const common = {
    username: o.username,
    password: o.password,
    enableSecret: o.enableSecret,
    reloadDelaySec,
    faults,
    telnetLogin: telnetLogin(o.telnetLogin),
    ...(o.notice === false ? { anonymousReportingQuestion: false } : {}),
  };
  return [
    ...Array.from({ length: count }, (_, i) => ({ dialect: ds[i % ds.length] as LabDialect, ...common })),
    // --failover-pairs N: 2N more ASA units, active/standby, each naming its peer (src/lab/failover.ts).
    ...failoverPairs(parseFailoverPairs(o.failoverPairs), ds, common),
  ];
}

function table(devices: LabDeviceInfo[]): string {
  const rows = [
    ['NAME', 'DIALECT', 'HOSTNAME', 'SSH', 'TELNET', 'SMTP', 'USERNAME', 'PASSWORD', 'ENABLE SECRET'],
    ...devices.map((d) => [
      d.name,
      d.dialect,
      d.hostname,
      String(d.ssh.port),
      String(d.telnet.port),
      d.smtp.port ? String(d.smtp.port) : '-',
      d.username,
      d.password,
      d.enableSecret,
    ]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const first = devices[0];
  const how = first
    ? [
        '',
        `All ports on ${first.ssh.host}. Log in by hand, e.g. the first device:`,
        first.sshTransport === 'ssh1'
          ? `  plink -1 -P ${first.ssh.port} ${first.username}@${first.ssh.host}      (SSH-1 only, like PIX 6.x: password ${first.password}, then "enable" with ${first.enableSecret}; the tool: --transport ssh1)`
          : `  ssh -p ${first.ssh.port} ${first.username}@${first.ssh.host}      (password ${first.password}, then "enable" with ${first.enableSecret})`,
        `  telnet ${first.telnet.host} ${first.telnet.port}       (${first.dialect === 'pix6' ? 'password only' : 'Username: and Password:'})`,
        `SSH host key ${first.hostKeySha256}; known_hosts line:`,
        `  ${first.knownHostsLine}`,
        '',
        'Ctrl-C stops the lab.',
      ]
    : [];
  return `${[...lines, ...how].join('\n')}\n`;
}

async function runLab(o: LabCliOptions): Promise<number> {
  // Checked before the lab listens: a bad path must not leave ports open behind an error.
  if (o.inventoryOut) checkWritableFile(o.inventoryOut, '--inventory-out');
  const lab: Lab = await startLab({ devices: deviceOptions(o), stateDir: o.state, smtp: o.smtp !== false });
  if (o.inventoryOut) {
    // It holds the lab's passwords: owner-only, also when the file already existed.
    await writePrivate(o.inventoryOut, labInventoryYaml({ devices: lab.devices }));
    process.stderr.write(`inventory of the ${lab.devices.length} devices written to ${o.inventoryOut}\n`);
  }
  // Listen before saying ready: whoever reads the output may signal at once (a SIGINT then killed the process).
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // Fault hold-at / hold-smtp: SIGUSR2 lets everything held go on.
  const release = () => {
    for (const d of lab.devices) lab.device(d.name).release();
  };
  process.on('SIGUSR2', release);
  if (o.json) process.stdout.write(`${JSON.stringify({ devices: lab.devices })}\n`);
  else process.stdout.write(table(lab.devices));
  await stopped;
  process.off('SIGUSR2', release);
  await lab.stop();
  return 0;
}

async function runStdioMode(o: LabCliOptions): Promise<number> {
  const ds = dialects(o.dialect ?? []);
  if (ds.length !== 1)
    throw new MailguardError('USAGE', '--stdio emulates one device: give exactly one --dialect.', {
      hint: 'Example: asa-mailguard lab --stdio --dialect asa9',
    });
  const device: LabDeviceOptions = {
    dialect: ds[0] as LabDialect,
    username: o.username,
    password: o.password,
    enableSecret: o.enableSecret,
    faults: faultsOf(o),
    telnetLogin: telnetLogin(o.telnetLogin),
    ...(o.notice === false ? { anonymousReportingQuestion: false } : {}),
  };
  return runStdio({ device, telnetLogin: o.telnetLogin !== undefined && o.telnetLogin !== false, stateDir: o.state });
}

/** The lab action: a CLI session on stdin/stdout, or the devices until SIGINT/SIGTERM. */
export function labAction(o: LabCliOptions): Promise<number> {
  return o.stdio ? runStdioMode(o) : runLab(o);
}
