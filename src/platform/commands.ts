/**
 * The command set per dialect (asa-cli.md §1.5, §1.7, §3.1, §3.3, §4.1): what disables and re-enables one SMTP
 * inspection finding, and the exec-level commands the session and change layers type.
 */
import { MailguardError } from '../errors.js';
import type { Dialect, Finding } from './types.js';

function fixupSpec(finding: Finding): string {
  if (finding.portSpec) return finding.portSpec;
  const [first] = finding.ports;
  if (first === undefined) {
    throw new MailguardError('BAD_INPUT', 'A fixup finding without a port cannot be turned into a command.', {
      hint: 'Re-run detect on the device config; the finding must carry its port.',
    });
  }
  const last = finding.ports[finding.ports.length - 1]!;
  return last === first ? String(first) : `${first}-${last}`;
}

function inspectArgs(finding: Finding): string {
  return finding.inspectMap ? `${finding.protocol} ${finding.inspectMap}` : finding.protocol;
}

function checkInspect(finding: Finding, dialect: Dialect): { policyMap: string; cls: string } {
  if (dialect === 'pix6') {
    throw new MailguardError('BAD_INPUT', 'PIX 6.x has no policy-maps; an `inspect` finding cannot apply to it.', {
      hint: 'Check the dialect detected from `show version`.',
    });
  }
  if (!finding.policyMap || !finding.class) {
    throw new MailguardError('BAD_INPUT', 'An inspect finding needs its policy-map and class.', {
      hint: 'Re-run detect on the device config.',
    });
  }
  return { policyMap: finding.policyMap, cls: finding.class };
}

/**
 * Commands typed in `configure terminal` that disable one finding. ASA: into the policy-map and class, `no
 * inspect <smtp|esmtp> [map]` (keyword and map kept exactly), then `exit` twice back to `(config)#`.
 * PIX 6.x (and a fixup line on ASA, which converts it): `no fixup protocol smtp <port|range>`.
 */
export function disableCommands(finding: Finding, dialect: Dialect): string[] {
  if (finding.kind === 'fixup') return [`no fixup protocol smtp ${fixupSpec(finding)}`];
  const { policyMap, cls } = checkInspect(finding, dialect);
  return [`policy-map ${policyMap}`, `class ${cls}`, `no inspect ${inspectArgs(finding)}`, 'exit', 'exit'];
}

/** The exact inverse of disableCommands: puts the finding back. */
export function enableCommands(finding: Finding, dialect: Dialect): string[] {
  if (finding.kind === 'fixup') return [`fixup protocol smtp ${fixupSpec(finding)}`];
  const { policyMap, cls } = checkInspect(finding, dialect);
  return [`policy-map ${policyMap}`, `class ${cls}`, `inspect ${inspectArgs(finding)}`, 'exit', 'exit'];
}

export interface ExecCommands {
  /** Commands that turn paging off, in the order to try (PIX 6.x has no `terminal pager`). */
  pagerOff: string[];
  configure: string;
  /** Leave config mode back to `#`: ASA `end`; PIX 6.x "doesn't like end" (Netspoc-Approve), so `exit`. */
  leaveConfig: string;
  save: string;
  showVersion: string;
  showRunning: string;
  showStartup: string;
  /** `show mode` exists from ASA 7.0 (multiple context); null on PIX 6.x. */
  showMode: string | null;
  showFailover: string;
  reload: string;
}

export function execCommands(dialect: Dialect): ExecCommands {
  if (dialect === 'pix6') {
    return {
      // `no pager` is what Netspoc-Approve asks for; `pager 0` the alternative named in issue #3 [unverified].
      pagerOff: ['no pager', 'pager 0'],
      configure: 'configure terminal',
      leaveConfig: 'exit',
      save: 'write memory',
      showVersion: 'show version',
      showRunning: 'show running-config',
      // PIX 6.x names the startup config `show configure` [unverified].
      showStartup: 'show configure',
      showMode: null,
      showFailover: 'show failover',
      reload: 'reload',
    };
  }
  return {
    pagerOff: ['terminal pager 0'],
    configure: 'configure terminal',
    leaveConfig: 'end',
    save: 'write memory',
    showVersion: 'show version',
    showRunning: 'show running-config',
    showStartup: 'show startup-config',
    showMode: 'show mode',
    showFailover: 'show failover',
    reload: 'reload',
  };
}
