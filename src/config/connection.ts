/** Connection settings (everything but secrets), validated with zod; shared by CLI flags, wizard and playbooks. */
import * as z from 'zod';
import { MailguardError } from '../errors.js';
import { endpointSchema } from '../net/endpoint-schema.js';
import { TRANSPORT_KINDS } from '../transport/types.js';
import { durationProblem, parseDuration, SESSION_TIMEOUT_LIMITS } from './duration.js';
import { safeParseInVoice } from './zod-voice.js';

/** Seconds as a number, or any time the flags take (`90`, `90s`, `2m`): the one duration reader. */
const seconds = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const problem = durationProblem(v, 'sec', '', SESSION_TIMEOUT_LIMITS);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem, input: v });
    return z.NEVER;
  }
  return parseDuration(v, '', 'sec') / 1000;
});

export const connectionSettingsSchema = z.object({
  transport: z.enum(TRANSPORT_KINDS).default('ssh'),
  port: z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      const n = Number(v);
      if (/^\d{1,5}$/.test(String(v)) && n >= 1 && n <= 65535) return n;
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(String(v))} is not a port; give a number from 1 to 65535`,
      });
      return z.NEVER;
    })
    .optional(),
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
  const r = safeParseInVoice(connectionSettingsSchema, raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const flag = String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const given = raw[String(issue?.path[0])];
    throw new MailguardError('USAGE', `--${flag}: ${issue?.message}`, {
      hint: 'Run with --help to see the accepted values.',
      details: { input: `--${flag}`, given },
    });
  }
  return r.data;
}
