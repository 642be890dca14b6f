/**
 * YAML documents that remember where every value came from, so validation errors can name file:line:column.
 * zod validates plain JS values; `locate()` maps a zod issue path back to the YAML node it came from.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { expectedWords, formatPath, NO_FORM } from '../config/zod-voice.js';
import { MailguardError, systemErrorWords } from '../errors.js';
import { VAULT_YAML_TAG } from './ansible-vault.js';

export interface SourcePos {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export function formatPos(p: SourcePos): string {
  return `${p.file}:${p.line}:${p.column}`;
}

/** One problem in a playbook or inventory file. */
export interface SourceIssue extends SourcePos {
  /** Dotted field path, e.g. `options.reload` or `targets[1]`; empty for the whole document. */
  path: string;
  message: string;
}

export { formatPath };

export function formatIssue(i: SourceIssue): string {
  return `${formatPos(i)}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}

/** The PLAYBOOK_INVALID error (exit 2) listing every issue, one per line. */
export function invalidFileError(kind: 'playbook' | 'inventory', issues: SourceIssue[], hint?: string): MailguardError {
  const shown = issues.slice(0, 25).map(formatIssue);
  if (issues.length > shown.length) shown.push(`... and ${issues.length - shown.length} more`);
  const first = issues[0];
  const head = first ? formatPos(first) : kind;
  const summary =
    issues.length === 1
      ? `invalid ${kind}: ${shown[0]}`
      : `invalid ${kind} ${head}: ${issues.length} problems:\n  ${shown.join('\n  ')}`;
  return new MailguardError('PLAYBOOK_INVALID', summary, {
    hint:
      hint ??
      `Fix the ${kind} at the position shown (the JSON Schema playbooks/playbook.schema.json helps editors check it).`,
    details: { issues },
  });
}

export class YamlSource {
  readonly file: string;
  readonly text: string;
  readonly lineCounter: LineCounter;
  readonly doc: ReturnType<typeof parseDocument>;

  private constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lineCounter = new LineCounter();
    // YAML 1.2 core schema: `22:00` stays a string and timestamps stay strings (no Date surprises).
    this.doc = parseDocument(text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      customTags: [VAULT_YAML_TAG],
    });
  }

  /** Parse; YAML syntax errors (and duplicate keys) become PLAYBOOK_INVALID with file:line:col. */
  static parse(file: string, text: string, kind: 'playbook' | 'inventory'): YamlSource {
    const src = new YamlSource(file, text);
    if (src.doc.errors.length > 0) {
      const issues = src.doc.errors.map((e) => ({
        ...src.posAt(e.pos[0]),
        path: '',
        message:
          e.code === 'DUPLICATE_KEY'
            ? 'duplicate key (each key, e.g. a host name, may appear once)'
            : `YAML syntax: ${firstLine(e.message)}`,
      }));
      throw invalidFileError(kind, issues);
    }
    return src;
  }

  static async load(file: string, kind: 'playbook' | 'inventory'): Promise<YamlSource> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new MailguardError('PLAYBOOK_INVALID', `cannot read ${kind} ${file}: ${systemErrorWords(e)}`, {
        hint: `Check the path of the ${kind}.`,
        cause: e,
      });
    }
    return YamlSource.parse(file, text, kind);
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  posAt(offset: number): SourcePos {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /**
   * Position of the value at `path`; when it does not exist (a missing key) the closest existing parent.
   * `keyOf` points at the key instead of the value (unknown keys).
   */
  locate(path: readonly PropertyKey[], keyOf?: string): SourcePos {
    let node: unknown = this.doc.contents;
    let pos: SourcePos = this.nodePos(node) ?? { file: this.file, line: 1, column: 1 };
    const steps = keyOf === undefined ? path : [...path, keyOf];
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const last = i === steps.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) return pos;
        const keyPos = this.nodePos(pair.key);
        if (last && keyOf !== undefined) return keyPos ?? pos;
        node = pair.value;
        pos = this.nodePos(node) ?? keyPos ?? pos;
      } else if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step];
        if (item === undefined) return pos;
        node = item;
        pos = this.nodePos(node) ?? pos;
      } else {
        return pos;
      }
    }
    return pos;
  }

  private nodePos(node: unknown): SourcePos | null {
    const range = (node as Node | null | undefined)?.range;
    return range ? this.posAt(range[0]) : null;
  }

  /** zod issues -> positioned issues with readable messages. */
  zodIssues(
    issues: readonly z.core.$ZodIssue[],
    schema?: z.ZodType,
    basePath: readonly PropertyKey[] = [],
  ): SourceIssue[] {
    const out: SourceIssue[] = [];
    for (const issue of issues) {
      const path = [...basePath, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message.endsWith(NO_FORM)) {
        // Report the branch that came closest (fewest problems) instead of a bare "Invalid input".
        const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
        out.push(...this.zodIssues(best, schema, path));
        continue;
      }
      if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeysAt(schema, path);
        for (const key of issue.keys) {
          const where = { ...this.locate(path, key), path: formatPath([...path, key]) };
          if (allowed?.includes(key)) {
            // Valid in another form of a union (e.g. `days` in a start/end window): the mix is the problem.
            out.push({ ...where, message: `"${key}" cannot be combined with the other keys here${unionForms(path)}` });
            continue;
          }
          const suggestion = allowed ? nearest(key, allowed) : null;
          out.push({
            ...where,
            message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}${allowed ? `; allowed here: ${allowed.join(', ')}` : ''}`,
          });
        }
        continue;
      }
      out.push({ ...this.locate(path), path: formatPath(path), message: describeIssue(issue, isSecretPath(path)) });
    }
    return out;
  }
}

function unionForms(path: readonly PropertyKey[]): string {
  return path.at(-1) === 'window' ? ': a window is either start + end, or timezone + days + from + to' : '';
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** zod's messages, made to say "expected X, got Y" for the common cases. */
/** Fields whose values must never be echoed in an error (a password given with the wrong type, say). */
function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((k) => typeof k === 'string' && /pass|secret/i.test(k) && !/Env$/.test(k));
}

function describeIssue(issue: z.core.$ZodIssue, secret: boolean): string {
  const input = (issue as { input?: unknown }).input;
  if (secret) {
    if (issue.code === 'invalid_type')
      return input === undefined
        ? `required field is missing (expected ${expectedWords(issue.expected)})`
        : `expected ${expectedWords(issue.expected)} (value not shown: secret)`;
    return 'invalid value (not shown: secret)';
  }
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `required field is missing (expected ${expectedWords(issue.expected)})`;
      return `expected ${expectedWords(issue.expected)}, got ${typeName(input)}`;
    case 'invalid_value':
      if (input === undefined)
        return `required field is missing (expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`;
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(input)}`;
    default:
      return issue.message;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null (empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** The keys a strict object accepts at `path` of `schema` (for "did you mean"), walking through wrappers. */
export function allowedKeysAt(schema: z.ZodType | undefined, path: readonly PropertyKey[]): string[] | null {
  let cur: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    let x = s as { _zod?: { def?: { type?: string; innerType?: unknown; in?: unknown } } } | undefined;
    for (let i = 0; i < 10 && x?._zod?.def; i++) {
      const def = x._zod.def;
      if (def.innerType) x = def.innerType as typeof x;
      else if (def.type === 'pipe') x = def.in as typeof x;
      else break;
    }
    return x;
  };
  const objectOptions = (s: unknown): Array<Record<string, unknown>> => {
    const def = (unwrap(s) as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
    if (!def) return [];
    if (def.type === 'object') return [def.shape as Record<string, unknown>];
    if (def.type === 'union') return (def.options as unknown[]).flatMap(objectOptions);
    return [];
  };
  for (const step of path) {
    const def = (unwrap(cur) as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
    if (!def) return null;
    if (def.type === 'array') cur = def.element;
    else if (def.type === 'record') cur = def.valueType;
    else {
      const shapes = objectOptions(cur);
      const hit = shapes.find((sh) => String(step) in sh);
      if (!hit) return null;
      cur = hit[String(step)];
    }
  }
  const shapes = objectOptions(cur);
  if (shapes.length === 0) return null;
  return [...new Set(shapes.flatMap((sh) => Object.keys(sh)))];
}

/** The closest allowed key by edit distance, when close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
