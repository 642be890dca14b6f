/** Connection settings (everything but secrets), validated with zod; shared by CLI flags, wizard and playbooks. */
import { z } from 'zod';
import { MailguardError } from '../errors.js';

export interface Target {
  username?: string;
  host: string;
  port?: number;
}

/** `[user@]host[:port]`; IPv6 as `[::1]` or `[::1]:2222`. */
export function parseTarget(text: string): Target {
  const m = /^(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^\s:@[\]]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m?.[2]) {
    throw new MailguardError('USAGE', `"${text}" is not a target of the form [user@]host[:port]`, {
      hint: 'Examples: fw1.example.net, admin@192.0.2.1, admin@fw1:2222, [2001:db8::1]:22',
    });
  }
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new MailguardError('USAGE', `Port ${port} in "${text}" is out of range (1-65535)`);
  }
  return { username: m[1], host: m[2].replace(/^\[|\]$/g, ''), port };
}

const seconds = z.coerce
  .number({ message: 'must be a number of seconds' })
  .positive('must be more than 0 seconds')
  .max(3600, 'must be at most 3600 seconds');

export const connectionSettingsSchema = z.object({
  transport: z.enum(['ssh', 'telnet']).default('ssh'),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  identity: z.string().min(1).optional(),
  agent: z.union([z.string().min(1), z.literal(true)]).optional(),
  knownHosts: z.string().min(1).optional(),
  hostKeyPolicy: z.enum(['strict', 'accept-new', 'off']).default('strict'),
  legacyAlgorithms: z.boolean().default(false),
  jump: z
    .string()
    .regex(/^(?:[^@\s]+@)?(?:\[[^\]]+\]|[^\s:@]+)(?::\d{1,5})?$/, 'must be user@host[:port]')
    .optional(),
  connectTimeout: seconds.default(10),
  loginTimeout: seconds.default(20),
  commandTimeout: seconds.default(30),
  transcript: z.string().min(1).optional(),
});

export type ConnectionSettings = z.infer<typeof connectionSettingsSchema>;

export function parseConnectionSettings(raw: Record<string, unknown>): ConnectionSettings {
  const r = connectionSettingsSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const flag = String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new MailguardError('USAGE', `--${flag}: ${issue?.message}`, {
      hint: 'Run with --help to see the accepted values.',
    });
  }
  return r.data;
}
