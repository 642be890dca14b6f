/**
 * Credentials: flags > environment (ASA_USERNAME, ASA_PASSWORD, ASA_ENABLE_SECRET, ASA_PASSPHRASE) > `.env`
 * (read with dotenv.parse, so process.env is not modified) > masked prompt when interactive. Never logged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import * as z from 'zod';
import { MailguardError, systemErrorWords } from '../errors.js';
import { formatPath, safeParseInVoice } from './zod-voice.js';

export interface Credentials {
  username?: string;
  password?: string;
  enableSecret?: string;
  passphrase?: string;
}

export type CredentialSource = 'flag' | 'env' | 'dotenv' | 'prompt';

export interface ResolvedCredentials extends Credentials {
  /** Where each value came from (for `--verbose`-style logs; the values themselves are never logged). */
  sources: Partial<Record<keyof Credentials, CredentialSource>>;
}

export type SecretPrompt = (
  message: string,
  kind: 'username' | 'password' | 'passphrase' | 'enableSecret',
) => Promise<string>;

export interface ResolveCredentialsInput {
  flags: Credentials;
  env?: NodeJS.ProcessEnv;
  /** Path of the .env file; false to skip. Default `./.env`. */
  envFile?: string | false;
  /** Prompt for what is missing (TTY only). */
  interactive?: boolean;
  prompt?: SecretPrompt;
  /** What the login needs: a password is prompted only when no key or agent is configured. */
  needs?: { password?: boolean; username?: boolean };
  /** Shown in prompts, e.g. `admin@fw1`. */
  target?: string;
}

const optionalSecret = z.string().max(1024).optional();
export const credentialsSchema = z.object({
  username: z
    .string()
    .min(1, 'the username is empty')
    .max(128)
    .regex(/^[^\s@]+$/, 'a username has no spaces or @')
    .optional(),
  password: optionalSecret,
  enableSecret: optionalSecret,
  passphrase: optionalSecret,
});

/** Environment variable per credential (the wizard and playbooks name them; values are never written). */
export const ENV_NAMES: Record<keyof Credentials, string> = {
  username: 'ASA_USERNAME',
  password: 'ASA_PASSWORD',
  enableSecret: 'ASA_ENABLE_SECRET',
  passphrase: 'ASA_PASSPHRASE',
};

/** Masked prompt on stderr (stdout stays clean for --json). */
export async function inquirerPrompt(message: string, kind: Parameters<SecretPrompt>[1]): Promise<string> {
  const { input, password } = await import('./prompts.js');
  const context = { output: process.stderr };
  if (kind === 'username') return input({ message }, context);
  return password({ message, mask: '*' }, context);
}

export async function resolveCredentials(inp: ResolveCredentialsInput): Promise<ResolvedCredentials> {
  const env = inp.env ?? process.env;
  let dotenv: Record<string, string> = {};
  const envFile = inp.envFile === undefined ? resolve('.env') : inp.envFile;
  if (envFile && existsSync(envFile)) {
    try {
      dotenv = parseDotenv(readFileSync(envFile));
    } catch (e) {
      throw new MailguardError('BAD_INPUT', `Cannot read ${envFile}: ${systemErrorWords(e)}`, {
        hint: 'Fix or remove the .env file.',
      });
    }
  }
  const out: ResolvedCredentials = { sources: {} };
  for (const key of Object.keys(ENV_NAMES) as Array<keyof Credentials>) {
    const name = ENV_NAMES[key];
    if (inp.flags[key] !== undefined) {
      out[key] = inp.flags[key];
      out.sources[key] = 'flag';
    } else if (env[name] !== undefined && env[name] !== '') {
      out[key] = env[name];
      out.sources[key] = 'env';
    } else if (dotenv[name] !== undefined && dotenv[name] !== '') {
      out[key] = dotenv[name];
      out.sources[key] = 'dotenv';
    }
  }
  const prompt = inp.prompt ?? inquirerPrompt;
  const where = inp.target ? ` for ${inp.target}` : '';
  if (inp.interactive) {
    if (inp.needs?.username && out.username === undefined) {
      out.username = await prompt(`Username${where}:`, 'username');
      out.sources.username = 'prompt';
    }
    if (inp.needs?.password && out.password === undefined) {
      out.password = await prompt(`Password${where}:`, 'password');
      out.sources.password = 'prompt';
    }
  }
  const parsed = safeParseInVoice(credentialsSchema, out);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MailguardError('USAGE', `credentials: ${formatPath(issue?.path ?? [])}: ${issue?.message}`, {
      hint: 'Check --username (or ASA_USERNAME).',
    });
  }
  return out;
}
