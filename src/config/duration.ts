/** Duration flags (`--reload-timeout`, `--save-timeout`...), shared by apply, rollback, run and the wizard. */
import { MailguardError } from '../errors.js';

/** `90`, `90s`, `15m`, `1h`, `500ms` to milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/i.exec(value.trim());
  if (!m) {
    throw new MailguardError('USAGE', `${flag} takes a duration like 90, 90s, 15m or 1h (got "${value}").`, {
      hint: `For example ${flag} 15m.`,
    });
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'h' ? 3_600_000 : 60_000;
  return Math.round(n * factor);
}
