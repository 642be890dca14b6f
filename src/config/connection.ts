/** Connection settings (everything but secrets), validated with zod; shared by CLI flags, wizard and playbooks. */
import { z } from 'zod';
import { MailguardError } from '../errors.js';
import { endpointSchema } from '../net/endpoint-schema.js';
import { TRANSPORT_KINDS } from '../transport/types.js';

const seconds = z.coerce
  .number({ message: 'must be a number of seconds' })
  .positive('must be more than 0 seconds')
  .max(3600, 'must be at most 3600 seconds');

export const connectionSettingsSchema = z.object({
  transport: z.enum(TRANSPORT_KINDS).default('ssh'),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  identity: z.string().min(1).optional(),
  agent: z.union([z.string().min(1), z.literal(true)]).optional(),
  knownHosts: z.string().min(1).optional(),
  hostKeyPolicy: z.enum(['strict', 'accept-new', 'off']).default('strict'),
  legacyAlgorithms: z.boolean().default(false),
  jump: endpointSchema({ user: true, what: '--jump' }).optional(),
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
