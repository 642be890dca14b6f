/** Multiple-context mode: `changeto context X` / `changeto system` (the prompt shows the context: session.ts). */
import { CliError, kw, type Token } from './parse.js';
import type { Session } from './session.js';

export function changeto(s: Session, t: Token[]): void {
  const dev = s.device;
  if (dev.opts.contextMode !== 'multiple') throw new CliError('invalid', t[0]?.pos ?? 0);
  const k = kw(t[1], ['context', 'system'], t[0]?.pos ?? 0);
  if (k === 'system') {
    s.ctx = 'system';
    return;
  }
  const name = t[2];
  if (!name) throw new CliError('incomplete');
  if (name.text === 'system' || !dev.hasContext(name.text)) {
    s.lines([`ERROR: '${name.text}' is not valid`]); // unicon mock (asa-cli.md §4.4)
    return;
  }
  s.ctx = name.text;
}
