/**
 * Which command a typed line is, given the current mode: exec commands, the mode's own commands, and (like the
 * device, which leaves a sub-mode for a parent-mode command) the global config commands.
 */
import { configCommand } from './config-commands.js';
import { execCommands, execExec } from './exec.js';
import { CliError, kw, tokenize } from './parse.js';
import type { Mode, ModeKind, Session } from './session.js';

function modeCommands(kind: ModeKind): string[] {
  switch (kind) {
    case 'config':
      return [
        'hostname',
        'domain-name',
        'policy-map',
        'class-map',
        'service-policy',
        'fixup',
        'no',
        'end',
        'exit',
        'quit',
        'call-home',
        'pager',
        'prompt',
        'banner',
        'enable',
        'ssh',
      ];
    case 'pmap':
      return ['class', 'description', 'parameters', 'no', 'exit', 'end', 'quit'];
    case 'pmap-c':
      return ['inspect', 'no', 'exit', 'end', 'quit'];
    case 'cmap':
      return ['match', 'description', 'no', 'exit', 'end', 'quit'];
    case 'pmap-p':
      return ['mask-banner', 'allow-tls', 'mail-relay', 'special-character', 'no', 'exit', 'end', 'quit'];
  }
}

/** Run one command line; parse errors come out as CliError. */
export async function execute(s: Session, line: string): Promise<void> {
  const pipe = line.indexOf(' | ');
  const main = pipe >= 0 ? line.slice(0, pipe) : line;
  const filter = pipe >= 0 ? line.slice(pipe + 3) : undefined;
  const t = tokenize(main);
  const mode = s.mode;
  const execSet = execCommands(s);
  if (mode === 'exec') {
    const k = kw(t[0], execSet);
    return execExec(s, k, t, filter);
  }
  // Config modes: the mode's own commands, exec commands, and (like the device, which leaves a sub-mode for a
  // parent-mode command) the config-mode commands.
  const own = modeCommands(mode);
  const root = mode === 'config' ? [] : modeCommands('config');
  const execOnly = execSet.filter((c) => !['enable', 'exit', 'quit', 'no'].includes(c));
  const k = kw(t[0], [...new Set([...own, ...execOnly, ...root])]);
  let ownError: unknown;
  if (own.includes(k)) {
    try {
      if (await configCommand(s, mode, k, t)) return;
    } catch (e) {
      if (!(e instanceof CliError) || !root.includes(k)) throw e;
      ownError = e;
    }
  } else if (execOnly.includes(k)) {
    return execExec(s, k, t, filter);
  }
  if (root.includes(k)) {
    const saved = s.modes;
    s.modes = [saved[0] as Mode];
    try {
      if (await configCommand(s, 'config', k, t)) return;
    } catch (e) {
      s.modes = saved;
      throw ownError ?? e;
    }
    s.modes = saved;
  }
  throw ownError ?? new CliError('invalid', t[0]?.pos ?? 0);
}
