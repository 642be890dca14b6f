/**
 * The vault password prompt of `--vault-id [label]@prompt` and `--ask-vault-pass`: on the terminal, no echo
 * (Inquirer's password prompt), written to stderr so stdout stays the result stream. Without a terminal on
 * stdin it refuses at once (exit 2) instead of waiting for input that never comes.
 */
import { MailguardError } from '../errors.js';

export async function promptVaultPassword(message: string, from: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new MailguardError('BAD_INPUT', `${from} asks for the vault password, but stdin is not a terminal`, {
      hint: 'Run it in a terminal, or give --vault-password-file FILE / --vault-id label@FILE (an executable file is run and prints the password). Nothing was contacted.',
    });
  }
  const { isPromptExit, password } = await import('../config/prompts.js');
  try {
    return await password({ message }, { output: process.stderr });
  } catch (e) {
    if (isPromptExit(e)) {
      throw new MailguardError('INTERRUPTED', 'Stopped at the vault password prompt; nothing was contacted');
    }
    throw e;
  }
}
