/**
 * zod schemas for playbooks and the tool's own inventory format. Every object is strict: an unknown key (a typo)
 * is an error, never silently ignored. No transforms here, so `z.toJSONSchema` can export them for editors.
 */
import * as z from 'zod';
import { RELOAD_POLICIES } from '../change/types.js';
import {
  type DurationLimits,
  durationForms,
  durationProblem,
  SAFETY_RELOAD_LIMITS,
  type TimeUnit,
} from '../config/duration.js';
import { endpointSchema, jumpSchema } from '../net/endpoint-schema.js';
import { HOST_KEY_POLICIES, TRANSPORT_KINDS } from '../transport/types.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** An environment variable name (the value is looked up at run time; `.env` is loaded by the CLI). */
const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name like ASA_PASSWORD' });

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day "HH:MM" (00:00 to 23:59)' });

/**
 * A time field: a number in the field's unit (seconds for `...Sec`, minutes for safetyReload) or a duration such as
 * "90s", "15m", "1h", read by the same parser as the time flags (src/config/duration.ts). A check, not a transform:
 * the JSON Schema export keeps the number-or-string shape.
 */
function timeField(unit: TimeUnit, limits: DurationLimits = {}) {
  return z
    .union([z.number(), z.string()], { error: (i) => `expected ${durationForms(unit)}, got ${typeof i.input}` })
    .superRefine((v, ctx) => {
      const problem = durationProblem(v, unit, '', limits);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: v });
    });
}

const seconds = () => timeField('sec');
const MAXF = 'expected a count (0, 1, 2, ...) or a percentage from "0%" to "100%"';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const AbsoluteWindowSchema = z
  .strictObject({
    start: z.iso.datetime({
      offset: true,
      error: 'expected an ISO-8601 date-time with an offset, e.g. 2026-11-28T22:00:00+01:00',
    }),
    end: z.iso.datetime({
      offset: true,
      error: 'expected an ISO-8601 date-time with an offset, e.g. 2026-11-29T04:00:00+01:00',
    }),
  })
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), {
    error: 'window end must be after its start',
    path: ['end'],
  })
  .meta({ description: 'A one-off window: start and end with an explicit UTC offset.' });

export const RecurringWindowSchema = z
  .strictObject({
    timezone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone such as Europe/Berlin or UTC' }),
    days: z
      .array(z.enum(WEEKDAYS, { error: `expected a weekday: ${WEEKDAYS.join(', ')}` }))
      .min(1, { error: 'expected at least one weekday' }),
    from: hhmm.meta({ description: 'Local opening time on each listed day.' }),
    to: hhmm.meta({ description: 'Local closing time; earlier than `from` means the next day (crossing midnight).' }),
  })
  .meta({ description: 'A recurring window: opens on the listed days at `from` local time, closes at `to`.' });

export const WindowSchema = z.union([AbsoluteWindowSchema, RecurringWindowSchema]);

/** Credentials as environment variable names; `username` may also be given literally (it is not a secret). */
export const CredentialRefSchema = z.strictObject({
  username: z.string().min(1).optional(),
  usernameEnv: envName.optional(),
  passwordEnv: envName.optional(),
  enableSecretEnv: envName.optional(),
  /** Path of an SSH private key file (not a secret by itself). */
  privateKeyFile: z.string().min(1).optional(),
  passphraseEnv: envName.optional(),
});

const hostPort = endpointSchema({ what: 'SMTP address' });

export const ProbeSchema = z
  .strictObject({
    smtp: z.array(hostPort).min(1).optional().meta({ description: 'SMTP addresses to probe from outside.' }),
    domain: z.string().min(1).optional().meta({ description: 'Mail domain: its MX hosts are probed.' }),
    enabled: z.boolean().optional().meta({ description: 'false disables the outside probe for this host.' }),
  })
  .meta({ description: 'Outside SMTP probe for a device (overrides inventory smtp_probe / mail_domain).' });

export const TimeoutsSchema = z.strictObject({
  connectSec: seconds().optional(),
  loginSec: seconds().optional(),
  commandSec: seconds().optional(),
  saveSec: seconds().optional(),
  reloadSec: seconds().optional().meta({ description: 'How long to wait for a device to come back.' }),
});

export const OptionsSchema = z.strictObject({
  dryRun: z.boolean().optional(),
  reload: z.enum(RELOAD_POLICIES).optional(),
  safetyReload: z
    .union([z.literal(false), timeField('min', SAFETY_RELOAD_LIMITS)], {
      error: `expected ${durationForms('min')}, or false`,
    })
    .optional()
    .meta({
      description: '`reload in N` minutes (or a duration such as "1h") as a dead-man switch (ASA); false to disable.',
    }),
  rollbackOnVerifyFailure: z.boolean().optional(),
  hostKeyPolicy: z.enum(HOST_KEY_POLICIES).optional(),
  legacyAlgorithms: z
    .boolean()
    .optional()
    .meta({ description: 'Old SSH-2 algorithms for every host (an inventory can set it per host instead).' }),
  knownHosts: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'OpenSSH known_hosts file, relative to the playbook (an inventory may set it per host).' }),
  backupDir: z.string().min(1).optional(),
  context: z.string().min(1).optional().meta({
    description: 'Security context name, or "all" (multiple-context); an inventory may set it per host.',
  }),
  jump: jumpSchema()
    .optional()
    .meta({ description: 'SSH jump host(s) for every host, as ssh -J (an inventory may set it per host or group).' }),
  transport: z.enum(TRANSPORT_KINDS).optional().meta({
    description: 'Transport for every host without one in the inventory: ssh (default), telnet or ssh1.',
  }),
  timeouts: TimeoutsSchema.optional(),
  expectedDurationSec: seconds().optional().meta({
    description: 'Expected time per device without reload; reload timeout is added when a reload may happen.',
  }),
});

const namePattern = z.string().min(1, { error: 'expected a host or group pattern' });

export const ShardsSchema = z
  .strictObject({
    by: z.enum(['hash', 'group']).optional().meta({
      description:
        'hash (default): a stable share of the devices by name, failover pairs together. group: shard i runs the devices of groups[i-1], the site its job can reach.',
    }),
    groups: z
      .array(
        z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
          error: 'expected a group name, or a list of group names one vantage point reaches',
        }),
      )
      .min(1)
      .optional()
      .meta({
        description:
          'One entry per vantage point (shard 1, 2, ...): the inventory group(s) its job can reach. Every target must be in exactly one entry.',
      }),
    budgetDir: z.string().min(1).optional().meta({
      description:
        'A folder every shard job sees (a mounted volume): maxFailures is shared through a state file there. Relative to the playbook; --budget-dir overrides.',
    }),
  })
  .meta({ description: 'How a fleet run is split into jobs of a CI engine or a Kubernetes Indexed Job.' });

export const PlaybookSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1),
    changeId: z.string().min(1).optional().meta({ description: 'Change ticket id, copied to the reports.' }),
    description: z.string().optional(),
    inventory: z.string().min(1).meta({ description: 'Inventory path, relative to this playbook.' }),
    inventoryFormat: z.enum(['auto', 'mailguard', 'ansible-ini', 'ansible-yaml']).optional(),
    targets: z
      .union([namePattern, z.array(namePattern).min(1, { error: 'expected at least one target pattern' })], {
        error: 'expected a pattern or a list of patterns (all, group, host, fw-*, !exclude, &intersect)',
      })
      .meta({ description: 'Ansible-style host patterns: all, group or host names, globs, !exclude, &intersect.' }),
    failoverPairGroups: z
      .union([namePattern, z.array(namePattern).min(1)], { error: 'expected a group name or glob, or a list of them' })
      .optional()
      .meta({
        description:
          'Groups (names or globs like "pair_*") that each hold the two units of a failover pair; with failover_peer, these units never run at the same time.',
      }),
    credentials: z
      .record(z.string(), CredentialRefSchema)
      .optional()
      .meta({ description: 'Keyed by "all", a group or a host name; the most specific wins, field by field.' }),
    window: WindowSchema.optional(),
    mode: z.enum(['audit', 'disable-smtp-inspection', 'rollback']),
    options: OptionsSchema.optional(),
    probe: z
      .record(z.string(), ProbeSchema)
      .optional()
      .meta({ description: 'Keyed by "all", a group or a host name; the most specific wins.' }),
    concurrency: z.int().min(1).max(256).optional(),
    canary: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'The first N devices run one at a time; a failure stops the run.' }),
    maxFailures: z
      .union([z.int({ error: MAXF }).min(0, { error: MAXF }), z.string().regex(/^(100|[1-9]?\d)%$/, { error: MAXF })], {
        error: MAXF,
      })
      .optional()
      .meta({ description: 'Stop starting devices once failures exceed this count or share of the targets.' }),
    reportDir: z.string().min(1).optional(),
    shards: ShardsSchema.optional(),
  })
  .meta({ title: 'asa-mailguard playbook', description: 'A fleet change run by `asa-mailguard run PLAYBOOK`.' });

export type PlaybookInput = z.input<typeof PlaybookSchema>;
export type Playbook = z.output<typeof PlaybookSchema>;
export type PlaybookWindow = z.output<typeof WindowSchema>;
export type PlaybookOptions = z.output<typeof OptionsSchema>;
export type CredentialRef = z.output<typeof CredentialRefSchema>;
export type ProbeSpec = z.output<typeof ProbeSchema>;
export type ShardsSpec = z.output<typeof ShardsSchema>;

// ---- the tool's own inventory format ----

/** Settings a host or a group may carry. Plain-text secrets are accepted with a warning; prefer the *Env forms. */
const settingsShape = {
  host: z.string().min(1).optional().meta({ description: 'Address to connect to (default: the host name).' }),
  port: z.int().min(1).max(65535).optional(),
  transport: z
    .enum(TRANSPORT_KINDS)
    .optional()
    .meta({ description: 'ssh (default); telnet (clear text) or ssh1 (SSH protocol 1, weak: PIX 6.x).' }),
  legacyAlgorithms: z.boolean().optional().meta({
    description:
      'Also offer the old SSH-2 algorithms (DH group 1/14 with SHA-1, AES-CBC/3DES, ssh-rsa, hmac-sha1/md5) that ASA 8.x-9.5 images need.',
  }),
  jump: jumpSchema().optional().meta({
    description:
      'SSH jump host(s) [user@]host[:port], a,b for a chain (as ssh -J / ProxyJump); none: connect directly (over a group jump host or ssh_config ProxyJump).',
  }),
  identity: z.string().min(1).optional().meta({
    description:
      'SSH private key file, relative to the inventory (~/ expanded); its passphrase from ASA_PASSPHRASE or the playbook passphraseEnv.',
  }),
  knownHosts: z.string().min(1).optional().meta({
    description: 'OpenSSH known_hosts file for these hosts (and their jump hosts), relative to the inventory.',
  }),
  context: z.string().min(1).optional().meta({
    description:
      'ASA multiple-context mode: the security context to change (changeto context NAME), or "all"; ignored on a single-context unit.',
  }),
  username: z.string().min(1).optional(),
  usernameEnv: envName.optional(),
  password: z.string().optional().meta({ description: 'Plain text: accepted with a warning; prefer passwordEnv.' }),
  passwordEnv: envName.optional(),
  enableSecret: z
    .string()
    .optional()
    .meta({ description: 'Plain text: accepted with a warning; prefer enableSecretEnv.' }),
  enableSecretEnv: envName.optional(),
  smtpProbe: z.array(hostPort).optional(),
  mailDomain: z.string().min(1).optional(),
};

export const InventoryHostSchema = z.strictObject({
  ...settingsShape,
  groups: z.array(z.string().min(1)).optional(),
  failoverPeer: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'The other unit of a failover pair (never changed at the same time).' }),
});

export const InventoryGroupSchema = z.strictObject({
  vars: z.strictObject(settingsShape).optional(),
  children: z.array(z.string().min(1)).optional(),
});

export const InventorySchema = z
  .strictObject({
    $schema: z.string().optional(),
    vars: z.strictObject(settingsShape).optional().meta({ description: 'Settings for every host.' }),
    groups: z.record(z.string(), InventoryGroupSchema.nullable()).optional(),
    hosts: z.record(z.string(), InventoryHostSchema.nullable()),
  })
  .meta({ title: 'asa-mailguard inventory' });

export type InventoryFile = z.output<typeof InventorySchema>;
export type InventorySettings = z.output<ReturnType<typeof z.strictObject<typeof settingsShape>>>;

/** JSON Schemas for editors (written to playbooks/*.schema.json; a test keeps the committed files current). */
export function playbookJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PlaybookSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
export function inventoryJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(InventorySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
