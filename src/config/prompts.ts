/**
 * The Inquirer prompts the tool asks with, one package each (@inquirer/prompts re-exports these): the places that
 * load them lazily pull in only these four, where the bundler keeps every prompt of @inquirer/prompts behind a lazy
 * import, the editor prompt's encoding tables among them (0.5 MB of the bundle that every start would read).
 */
export { default as confirm } from '@inquirer/confirm';
export { default as input } from '@inquirer/input';
export { default as password } from '@inquirer/password';
export { default as select } from '@inquirer/select';

/** Inquirer's answer to Ctrl-C at a prompt (ExitPromptError) or to a prompt's abort signal (AbortPromptError). */
export function isPromptExit(e: unknown): boolean {
  return e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError');
}
