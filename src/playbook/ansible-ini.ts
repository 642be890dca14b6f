/**
 * Ansible INI inventories. Hand-written because Ansible's INI dialect is not standard INI (no npm INI parser
 * fits): host lines are shell-quoted `name[:port] key=value ...` with `[a:b]` ranges, sections are `[group]`,
 * `[group:vars]` and `[group:children]`, hosts before any section are ungrouped. Follows
 * ansible/plugins/inventory/ini.py: `#`/`;` start comments, inline `#` comments only on host lines.
 */
import { applyAnsibleVar, recordAnsibleVar } from './ansible-vars.js';
import { type AnsibleLoadOptions, finishAnsible } from './ansible-vars-dirs.js';
import { type Inventory, InventoryBuilder } from './inventory.js';
import type { SourcePos } from './source.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$/;
const GROUP_NAME = /^[A-Za-z0-9_.-]+$/;

export function parseAnsibleIni(file: string, text: string, opts: AnsibleLoadOptions = {}): Inventory {
  const b = new InventoryBuilder(file, 'ansible-ini');
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' } = { group: 'ungrouped', kind: 'hosts' };
  const lines = text.split(/\r?\n/);
  // Vars may name groups defined later in the file; apply them after all hosts are known.
  const pendingVars: Array<{ group: string; key: string; value: string; at: SourcePos }> = [];
  const hostLinesSeen = new Map<string, number>();
  for (const [i, rawLine] of lines.entries()) {
    const line = rawLine.trim();
    const at: SourcePos = { file, line: i + 1, column: rawLine.length - rawLine.trimStart().length + 1 };
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const m = SECTION.exec(line);
      if (!m) {
        b.issue(at, '', `invalid section header "${line}"; expected [group], [group:vars] or [group:children]`);
        continue;
      }
      const [, group, suffix] = m;
      if (suffix !== undefined && suffix !== 'vars' && suffix !== 'children') {
        b.issue(at, '', `invalid section suffix ":${suffix}"; expected :vars or :children`);
        continue;
      }
      section = { group: group!, kind: (suffix as 'vars' | 'children' | undefined) ?? 'hosts' };
      b.group(group!, at);
      continue;
    }
    if (section.kind === 'children') {
      if (!GROUP_NAME.test(line)) b.issue(at, '', `invalid child group name "${line}"`);
      else b.child(section.group, line, at);
      continue;
    }
    if (section.kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) {
        b.issue(at, '', `expected key=value in [${section.group}:vars] (the line is not shown: it may hold a secret)`);
        continue;
      }
      pendingVars.push({
        group: section.group,
        key: line.slice(0, eq).trim(),
        value: unquote(line.slice(eq + 1).trim()),
        at,
      });
      continue;
    }
    let tokens: Array<{ text: string; col: number }>;
    try {
      tokens = shellSplit(rawLine);
    } catch (e) {
      b.issue(at, '', (e as Error).message);
      continue;
    }
    if (tokens.length === 0) continue;
    const [first, ...rest] = tokens;
    const { names, port, error } = expandHostPattern(first!.text);
    if (error) {
      b.issue({ ...at, column: first!.col }, '', error);
      continue;
    }
    for (const name of names) {
      const key = `${section.group}\u0000${name}`;
      const prev = hostLinesSeen.get(key);
      if (prev !== undefined) {
        b.issue(at, '', `duplicate host "${name}" in [${section.group}] (first on line ${prev})`);
        continue;
      }
      hostLinesSeen.set(key, at.line);
      const host = b.host(name, at, section.group);
      if (port !== undefined) recordAnsibleVar(host.vars, 'ansible_port', port, { ...at, column: first!.col });
      for (const t of rest) {
        const eq = t.text.indexOf('=');
        if (eq <= 0) {
          b.issue(
            { ...at, column: t.col },
            '',
            'expected key=value host variable here (the text is not shown: it may be part of a secret)',
          );
          continue;
        }
        applyAnsibleVar(b, host.vars, name, t.text.slice(0, eq), t.text.slice(eq + 1), { ...at, column: t.col });
      }
    }
  }
  for (const v of pendingVars) {
    const g = b.group(v.group, null);
    applyAnsibleVar(b, g.vars, `group ${v.group}`, v.key, v.value, v.at);
  }
  return finishAnsible(b, opts);
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) return v.slice(1, -1);
  return v;
}

/** POSIX shell word splitting with `#` comments, as Python's shlex.split(line, comments=True). Columns 1-based. */
export function shellSplit(line: string): Array<{ text: string; col: number }> {
  const out: Array<{ text: string; col: number }> = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    const col = i + 1;
    let word = '';
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unclosed quote (') at column ${i + 1}`);
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
          word += line[i];
          i++;
        }
        if (i >= line.length) throw new Error(`unclosed quote (") at column ${col}`);
        i++;
      } else if (c === '\\' && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    out.push({ text: word, col });
  }
  return out;
}

/**
 * `fw[01:10].example.com:2222` -> names and port. Ranges are numeric (zero padding kept) or alphabetic, with an
 * optional step `[1:9:2]`, as Ansible's hostpattern expansion.
 */
export function expandHostPattern(pattern: string): { names: string[]; port?: number; error?: string } {
  let body = pattern;
  let port: number | undefined;
  const portM = /^(.*[^:]):(\d+)$/.exec(pattern);
  if (portM && !portM[1]!.replace(/\[[^\]]*\]/g, '').includes(':')) {
    body = portM[1]!;
    port = Number(portM[2]);
    if (port < 1 || port > 65535) return { names: [], error: `invalid port ${portM[2]} in "${pattern}"` };
  }
  const m = /^(.*?)\[([^\]]+)\](.*)$/.exec(body);
  if (!m) return { names: [body], port };
  const [, head, range, tail] = m;
  const parts = range!.split(':');
  if (parts.length < 2 || parts.length > 3)
    return { names: [], error: `invalid host range "[${range}]" in "${pattern}"` };
  const [from, to, stepS] = parts as [string, string, string | undefined];
  const step = stepS === undefined ? 1 : Number(stepS);
  if (!Number.isInteger(step) || step < 1) return { names: [], error: `invalid range step in "${pattern}"` };
  const expandTail = (t: string) => expandHostPattern(t);
  const tails = expandTail(tail!);
  if (tails.error) return { names: [], error: tails.error };
  const heads: string[] = [];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const width = from.length;
    const a = Number(from);
    const z = Number(to);
    if (z < a) return { names: [], error: `range end before start in "${pattern}"` };
    for (let n = a; n <= z; n += step) heads.push(`${head}${String(n).padStart(width, '0')}`);
  } else if (/^[a-z]$/.test(from) && /^[a-z]$/.test(to)) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) heads.push(`${head}${String.fromCharCode(c)}`);
  } else {
    return { names: [], error: `invalid host range "[${range}]" in "${pattern}"` };
  }
  return { names: heads.flatMap((h) => tails.names.map((t) => h + t)), port };
}
