/** Line handling shared by the platform parsers. Devices send `\r\n`, `\r\n\r` and bare `\r` before prompts. */

/** `\r\n`, `\n\r`, `\r\r\n` and stray `\r` all become `\n`; trailing spaces inside lines are kept (they matter). */
export function normalizeNewlines(text: string): string {
  return text
    .replace(/\r+\n\r*/g, '\n')
    .replace(/\n\r+/g, '\n')
    .replace(/\r/g, '\n');
}

/** Lines of a device text, newline-normalized; trailing spaces kept. */
export function splitLines(text: string): string[] {
  return normalizeNewlines(text).split('\n');
}
