/** Line handling shared by the platform parsers. Devices send `\r\n`, `\r\n\r` and bare `\r` before prompts. */

/**
 * Lines of a device text, newline-normalized; trailing spaces kept. `\r+\n\r*` is one line break (`\r\n`, `\r\r\n`,
 * `\r\n\r`), `\r`s right after a `\n` are dropped, any other `\r` is a line break of its own (CR-only files).
 * Hand-written single pass (no regex): the regex form backtracks on long `\r` runs and was quadratic (issue #12).
 */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  const n = text.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) {
      i++;
      continue;
    }
    lines.push(text.slice(start, i));
    if (c === 10) {
      i++;
      // `\n\r+` not followed by `\n`: the CRs vanish; followed by `\n` they make the next line break.
      let j = i;
      while (j < n && text.charCodeAt(j) === 13) j++;
      if (j > i && (j >= n || text.charCodeAt(j) !== 10)) i = j;
    } else {
      let j = i;
      while (j < n && text.charCodeAt(j) === 13) j++;
      if (j < n && text.charCodeAt(j) === 10) {
        // `\r+\n\r*`: one break.
        j++;
        while (j < n && text.charCodeAt(j) === 13) j++;
        i = j;
      } else {
        // A run of k bare CRs is k breaks: this one is pushed, the other k-1 give empty lines.
        for (let k = i + 1; k < j; k++) lines.push('');
        i = j;
      }
    }
    start = i;
  }
  lines.push(text.slice(start));
  return lines;
}

/** `\r\n`, `\n\r`, `\r\r\n` and stray `\r` all become `\n`; trailing spaces inside lines are kept (they matter). */
export function normalizeNewlines(text: string): string {
  return splitLines(text).join('\n');
}
