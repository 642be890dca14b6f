/** Turn the raw bytes between a command and its prompt into the command's output. */

const MORE = '<--- More --->';

/**
 * Remove pager residue: the `<--- More --->` marker and whatever erases it (CR + 14 spaces + CR, or backspaces;
 * the exact erase bytes were not found in any capture, asa-cli.md §1.7, so both are handled).
 */
export function stripPagerResidue(text: string): string {
  let out = text;
  if (out.includes(MORE)) {
    // marker + optional erase (spaces/backspaces, CR) up to the next real character
    out = out.replace(/<--- More --->(?:[ \x08]*\r)?(?: {14}|\x08+ *\x08*)?\r?/g, '');
  }
  return out.replace(/\x08+ +\x08+/g, '');
}

/** Apply carriage-return overwrite per line (`abc\rxy` shows `xy`), line endings become `\n`. */
export function normalizeTerminalLines(text: string): string[] {
  const lines = text.replace(/\r+\n/g, '\n').split('\n');
  return lines.map((line) => {
    const parts = line.split('\r');
    // the text after the last CR is what a terminal shows (all pagers/prompts redraw from column 0)
    for (let i = parts.length - 1; i >= 0; i--) {
      if (parts[i] !== '') return parts[i] as string;
    }
    return '';
  });
}

function looksLikeEcho(line: string, command: string): boolean {
  const l = line.replace(/^\$/, '').replace(/\$$/, '').trim();
  const c = command.trim();
  if (c === '') return l === '';
  // long commands come back `$`-scrolled on narrow terminals: accept a fragment of the command
  return l === c || (l.length >= 3 && (c.endsWith(l) || c.startsWith(l))) || l.endsWith(c);
}

/** The command's output without echo, pager residue and the CR before the prompt; trailing spaces kept. */
export function cleanOutput(raw: string, command: string): string {
  const lines = normalizeTerminalLines(stripPagerResidue(raw));
  if (lines.length > 0 && looksLikeEcho(lines[0] as string, command)) lines.shift();
  // drop the empty tail that the CR/LF before the prompt leaves
  while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
  return lines.join('\n');
}
