/** Line handling shared by the platform parsers. Devices send `\r\n`, `\r\n\r` and bare `\r` before prompts. */

/**
 * Lines of a device text, newline-normalized; trailing spaces kept. `\r+\n\r*` is one line break (`\r\n`, `\r\r\n`,
 * `\r\n\r`), `\r`s right after a `\n` are dropped, any other `\r` is a line break of its own (CR-only files).
 * Native splits, no regex: the regex form backtracked on long `\r` runs and was quadratic (issue #12).
 */
export function splitLines(text: string): string[] {
  const parts = text.split('\n');
  if (!text.includes('\r')) return parts;
  const lines: string[] = [];
  const last = parts.length - 1;
  for (let p = 0; p <= last; p++) {
    let part = parts[p]!;
    if (!part.includes('\r')) {
      lines.push(part);
      continue;
    }
    // CRs right after a `\n` and right before one belong to that line break.
    let from = 0;
    let to = part.length;
    if (p > 0) while (from < to && part.charCodeAt(from) === 13) from++;
    if (p < last) while (to > from && part.charCodeAt(to - 1) === 13) to--;
    part = part.slice(from, to);
    if (part.includes('\r')) for (const piece of part.split('\r')) lines.push(piece);
    else lines.push(part);
  }
  return lines;
}

/** `\r\n`, `\n\r`, `\r\r\n` and stray `\r` all become `\n`; trailing spaces inside lines are kept (they matter). */
export function normalizeNewlines(text: string): string {
  return splitLines(text).join('\n');
}
