/** Shapes shared by the wizard's steps. */
import type { ConnectionFlags } from '../cli/connection-options.js';
import type { ProbeReport } from '../probe/types.js';
import type { ConnectOptions } from '../session/types.js';

export interface WizardFlags extends ConnectionFlags {
  smtp?: string[];
  domain?: string;
  resolver?: string;
  backupDir?: string;
  safetyReload?: string;
  reloadTimeout?: string;
  context?: string;
  /** Default answer to the change id question (--change-id). */
  changeId?: string;
  /** Path of the .env file (--dotenv; default ./.env). */
  dotenv?: string;
}

/** The outside probe the person chose (step 3). */
export interface ProbeChoice {
  smtp?: string[];
  domain?: string;
  report?: ProbeReport;
}

/** Step 1: how to reach the device, and which credentials came from the environment. */
export interface Gathered {
  connect: ConnectOptions;
  label: string;
  usernameEnv?: string;
  passwordEnv: string;
  enableSecretEnv?: string;
}
