/**
 * The emulated device's configuration as text: a header (`: Saved` ... lines), a body (what the commands edit) and
 * the `Cryptochecksum:` + `: end` trailer computed from the body. Pure functions, no I/O.
 */
import { createHash } from 'node:crypto';

export interface ConfigDoc {
  /** Lines before the first real config line (`: Saved`, `:`, `: Serial Number ...`). */
  header: string[];
  /** Config lines, indentation significant (children start with a space). */
  body: string[];
}

/** md5 of the body, the value `show running-config` prints after `Cryptochecksum:` and `write memory` spaces out. */
export function checksum(doc: ConfigDoc): string {
  return createHash('md5')
    .update(`${doc.body.join('\n')}\n`)
    .digest('hex');
}

/** `2cf58565 6729bff7 83f7247b 760f1d15`, as `write memory` prints it (asa_session-transcript_1.txt). */
export function spacedChecksum(sum: string): string {
  return sum.match(/.{8}/g)?.join(' ') ?? sum;
}

export function renderConfig(doc: ConfigDoc): string[] {
  return [...doc.header, ...doc.body, `Cryptochecksum:${checksum(doc)}`, ': end'];
}

export function configBytes(doc: ConfigDoc): number {
  return Buffer.byteLength(`${renderConfig(doc).join('\n')}\n`);
}

/**
 * Parse text as `show running-config` / `write terminal` prints it. Leading `Building configuration...` and trailing
 * `Cryptochecksum:`, `: end`, `[OK]` are dropped (the checksum is recomputed). Without a header, `fallbackHeader` is used.
 */
export function parseConfig(text: string, fallbackHeader: string[] = [': Saved', ':']): ConfigDoc {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length && /^(Building configuration\.\.\.|\s*)$/.test(lines[i] ?? '') && !lines[i]?.startsWith(':'))
    i++;
  const header: string[] = [];
  while (i < lines.length && /^(:.*|)$/.test(lines[i] ?? '')) header.push(lines[i++] ?? '');
  const body: string[] = [];
  for (; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l.startsWith('Cryptochecksum:') || l === ': end' || l === '[OK]') break;
    body.push(l);
  }
  while (body.length && body[body.length - 1] === '') body.pop();
  return { header: header.length ? header : [...fallbackHeader], body };
}

export function cloneDoc(doc: ConfigDoc): ConfigDoc {
  return { header: [...doc.header], body: [...doc.body] };
}

/** A top-level block: a line without leading space and its indented children. */
export interface Block {
  start: number;
  /** Exclusive. */
  end: number;
}

function indent(l: string): number {
  return l.length - l.trimStart().length;
}

export function blocks(body: string[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < body.length; i++) {
    const l = body[i] ?? '';
    if (l === '' || indent(l) > 0) continue;
    let j = i + 1;
    while (j < body.length && indent(body[j] ?? '') > 0 && body[j] !== '') j++;
    out.push({ start: i, end: j });
  }
  return out;
}

/** Lines of every top-level block whose first line starts with `prefix` (word-wise), as `show run <section>` does. */
export function section(body: string[], prefix: string): string[] {
  const want = prefix.trim().split(/\s+/);
  const out: string[] = [];
  for (const b of blocks(body)) {
    const words = (body[b.start] ?? '').trim().split(/\s+/);
    if (want.every((w, k) => words[k] === w)) out.push(...body.slice(b.start, b.end));
  }
  return out;
}

export function findBlock(body: string[], header: string): Block | undefined {
  const h = header.trim();
  return blocks(body).find((b) => (body[b.start] ?? '').trim() === h);
}

/** Children of `parent` (1-space lines) and their own 2-space children. */
export function findChild(body: string[], parent: Block, childHeader: string): Block | undefined {
  const h = childHeader.trim();
  for (let i = parent.start + 1; i < parent.end; i++) {
    if (indent(body[i] ?? '') === 1 && (body[i] ?? '').trim() === h) {
      let j = i + 1;
      while (j < parent.end && indent(body[j] ?? '') > 1) j++;
      return { start: i, end: j };
    }
  }
  return undefined;
}

/** Insert a new top-level block after the last block starting with `after` words, else before `before`, else at end. */
export function insertTopLevel(body: string[], lines: string[], afterPrefix: string, beforePrefix?: string): void {
  const after = blocks(body).filter((b) => (body[b.start] ?? '').startsWith(afterPrefix));
  const last = after[after.length - 1];
  if (last) {
    body.splice(last.end, 0, ...lines);
    return;
  }
  const before = beforePrefix ? body.findIndex((l) => l.startsWith(beforePrefix)) : -1;
  if (before >= 0) body.splice(before, 0, ...lines);
  else body.push(...lines);
}

/** Get or create `header` as a top-level block. */
export function ensureBlock(body: string[], header: string, afterPrefix: string, beforePrefix?: string): Block {
  const found = findBlock(body, header);
  if (found) return found;
  insertTopLevel(body, [header], afterPrefix, beforePrefix);
  return findBlock(body, header) as Block;
}

export function ensureChild(body: string[], parent: Block, childHeader: string): Block {
  const found = findChild(body, parent, childHeader);
  if (found) return found;
  body.splice(parent.end, 0, ` ${childHeader.trim()}`);
  return { start: parent.end, end: parent.end + 1 };
}

/** Set the value of a single-line top-level setting (`hostname X`), replacing lines that start with `key`. */
export function setTopLine(body: string[], key: RegExp, line: string | null, afterPrefix?: string): void {
  const i = body.findIndex((l) => key.test(l));
  if (i >= 0) {
    if (line === null) body.splice(i, 1);
    else body[i] = line;
    return;
  }
  if (line === null) return;
  const a = afterPrefix ? body.findIndex((l) => l.startsWith(afterPrefix)) : -1;
  if (a >= 0) body.splice(a + 1, 0, line);
  else body.push(line);
}
