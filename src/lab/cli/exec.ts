/** Exec-mode commands (`host>` and `host#`), also reachable from config modes; each hands off to its module. */
import { configure } from './config-mode.js';
import { changeto } from './contexts.js';
import { enable, loginCommand } from './login.js';
import { pixPager, terminal } from './pager.js';
import { CliError, HELP_LINE, kw, type Token } from './parse.js';
import { copyCommand, reloadCommand, writeCommand } from './save-reload.js';
import type { Session } from './session.js';
import { more, show } from './show-commands.js';

/** The exec keywords at the session's privilege level and dialect. */
export function execCommands(s: Session): string[] {
  const pix = s.device.isPix;
  const user = ['enable', 'exit', 'quit', 'logout', 'login', 'show', 'terminal', 'help'];
  if (pix) user.push('pager');
  if (!s.privileged) return user;
  const priv = [...user, 'disable', 'configure', 'write', 'copy', 'reload', 'more', 'no'];
  if (!pix) priv.push('changeto');
  return priv;
}

/** Run exec command `k` (already resolved from its abbreviation); `filter` is the text after ` | `. */
export async function execExec(s: Session, k: string, t: Token[], filter?: string): Promise<void> {
  const dev = s.device;
  switch (k) {
    case 'enable':
      if (s.privileged) throw new CliError('invalid', t[0]?.pos ?? 0); // ansible-modules-extras#3260 capture
      return enable(s);
    case 'disable':
      if (t.length > 1) throw new CliError('invalid', t[1]?.pos ?? 0);
      s.privileged = false;
      s.modes = [];
      return;
    case 'exit':
    case 'quit':
    case 'logout':
      // asa_session-transcript_2.txt: `exit` -> blank line, `Logoff`, session ends.
      s.lines(['', 'Logoff', '']);
      s.close();
      return;
    case 'login':
      return loginCommand(s);
    case 'help':
      s.lines([HELP_LINE]);
      return;
    case 'show':
      return show(s, t, filter);
    case 'more':
      return more(s, t, filter);
    case 'terminal':
      return terminal(s, t.slice(1), t[0]?.pos ?? 0);
    case 'pager':
      return pixPager(s, t, false);
    case 'no': {
      const sub = kw(t[1], ['terminal', ...(dev.isPix ? ['pager'] : [])], t[0]?.pos);
      if (sub === 'pager') {
        s.pagerLines = 0;
        return;
      }
      kw(t[2], ['pager'], t[1]?.pos);
      s.pagerLines = 0;
      return;
    }
    case 'configure':
      return configure(s, t);
    case 'write':
      return writeCommand(s, t, filter);
    case 'copy':
      return copyCommand(s, t);
    case 'reload':
      return reloadCommand(s, t);
    case 'changeto':
      return changeto(s, t);
  }
  throw new CliError('invalid', t[0]?.pos ?? 0);
}
