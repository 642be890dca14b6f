/** `--fault` flag parsing (issue #2 §5): `NAME` or `NAME=VALUE`, repeatable, merged into one LabFaults. */
import { MailguardError } from '../errors.js';
import type { LabFaults } from './types.js';

export const FAULT_HELP = [
  'latency=MS          delay every response by MS milliseconds',
  'drop-at=REGEX       close the connection when a matching command arrives (before running it)',
  'error-at=REGEX      answer a matching command with the invalid-input error instead of running it',
  'hang-at=REGEX       never answer a matching command',
  'hold-at=REGEX       hold a matching command until released (SIGUSR2 to the lab), then run it',
  'hold-smtp           hold each new SMTP connection to the front until released (SIGUSR2 to the lab)',
  'flood-at=REGEX      stream output lines forever (no prompt) for a matching command',
  'authz-fail=REGEX    answer a matching command with "Command authorization failed"',
  'auth-fail           every login fails',
  'config-lock         configure terminal is refused (configuration locked)',
  'slow-save=SEC       write memory takes SEC seconds',
  'no-return           the device never comes back after reload',
  'standby             the device is the standby unit of a failover pair',
  'needs-reload        the SMTP front follows the config the device booted with: inspection changes bite after a reload',
];

function regex(name: string, value: string | undefined): RegExp {
  if (!value) throw usage(`--fault ${name} needs a pattern: ${name}=REGEX`);
  try {
    return new RegExp(value);
  } catch (e) {
    // JavaScript's own text is "Invalid regular expression: /(/: Unterminated group": keep only the reason.
    const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw usage(`--fault ${name}: "${value}" is not a regular expression (${why})`);
  }
}

function number(name: string, value: string | undefined, max: number): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || n < 0 || n > max)
    throw usage(`--fault ${name}: "${value ?? ''}" is not a number from 0 to ${max}`);
  return n;
}

function usage(message: string): MailguardError {
  return new MailguardError('USAGE', message, {
    hint: `Faults: ${FAULT_HELP.map((l) => l.split(' ')[0]).join(', ')} (lab --help says what each does).`,
  });
}

/** Faults that take a REGEX, by name: repeatable, the patterns add up. */
const PATTERN_FAULTS = new Map<string, 'dropAt' | 'errorAt' | 'hangAt' | 'holdAt' | 'floodAt' | 'authzFail'>([
  ['drop-at', 'dropAt'],
  ['error-at', 'errorAt'],
  ['hang-at', 'hangAt'],
  ['hold-at', 'holdAt'],
  ['flood-at', 'floodAt'],
  ['authz-fail', 'authzFail'],
]);

/** Faults that are on or off, by name (a value after `=` is ignored). */
const SWITCH_FAULTS = new Map<string, 'holdSmtp' | 'authFail' | 'configLock' | 'noReturn' | 'standby' | 'needsReload'>([
  ['hold-smtp', 'holdSmtp'],
  ['auth-fail', 'authFail'],
  ['config-lock', 'configLock'],
  ['no-return', 'noReturn'],
  ['standby', 'standby'],
  ['needs-reload', 'needsReload'],
]);

export function parseFaults(specs: string[], into: LabFaults = {}): LabFaults {
  const f: LabFaults = { ...into };
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = (eq >= 0 ? spec.slice(0, eq) : spec).trim();
    const value = eq >= 0 ? spec.slice(eq + 1) : undefined;
    const pattern = PATTERN_FAULTS.get(name);
    const onOff = SWITCH_FAULTS.get(name);
    if (pattern) f[pattern] = [...(f[pattern] ?? []), regex(name, value)];
    else if (onOff) f[onOff] = true;
    else if (name === 'latency') f.latencyMs = number(name, value, 600_000);
    else if (name === 'slow-save') f.slowSaveSec = number(name, value, 3600);
    else throw usage(`--fault: "${spec}" is not a fault; give one of the faults named below`);
  }
  return f;
}
