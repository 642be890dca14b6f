/**
 * OpenSSH client configuration (ssh_config(5)) for one host, resolved as `ssh -G HOST` resolves it.
 *
 * Hand-written, parser included. The npm `ssh-config` package (5.3) was checked against ssh_config(5) and is not
 * sound for this: compute() ignores Include, matches `?` as "zero or one character", runs `Match exec` commands
 * and `nslookup` (CanonicalizeHostName) while evaluating, keeps no line numbers (a broken file cannot be reported
 * as file:line), its tokenizer has no single quotes, and it knows no tokens, `~` or `+`/`-`/`^` algorithm lists.
 * The format itself is small: `Keyword [=] args` lines with quotes, `Host`/`Match` blocks, first value wins.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { MailguardError, systemErrorWords } from '../errors.js';

export interface SshConfigSource {
  file: string;
  line: number;
}

/** The keys the tool uses, lower-cased as OpenSSH compares them. */
const KEYS = [
  'hostname',
  'user',
  'port',
  'identityfile',
  'identitiesonly',
  'identityagent',
  'proxyjump',
  'proxycommand',
  'userknownhostsfile',
  'stricthostkeychecking',
  'hostkeyalgorithms',
  'kexalgorithms',
  'ciphers',
  'macs',
  'connecttimeout',
] as const;
type Key = (typeof KEYS)[number];

/** Values as OpenSSH resolved them (tokens and `~` expanded), each with the file:line it came from. */
export interface SshHostConfig {
  /** The name looked up (alias). */
  alias: string;
  values: Partial<Record<Exclude<Key, 'identityfile'>, { value: string[]; from: SshConfigSource }>>;
  identityFiles: Array<{ value: string; from: SshConfigSource }>;
  /** Files read, in order (for `-v`). */
  files: string[];
  warnings: string[];
}

interface Line {
  keyword: string;
  args: string[];
  file: string;
  line: number;
}

export interface ReadSshConfigOptions {
  /** `-F FILE`; `none` reads nothing. Default: ~/.ssh/config then /etc/ssh/ssh_config. */
  configFile?: string;
  /** Remote user given on the command line (OpenSSH `-l`/`user@`): `Match user` and %r see it. */
  user?: string;
  /** The system file (tests point it elsewhere). */
  systemFile?: string;
  home?: string;
  /** Files already parsed in this run (a fleet resolves many hosts through the same files): read each once. */
  parsed?: SshConfigFileCache;
}

/** Parsed ssh_config files by path, shared by the look-ups of one run. */
export type SshConfigFileCache = Map<string, readonly Line[]>;

function parseError(file: string, line: number, message: string): MailguardError {
  return new MailguardError('BAD_INPUT', `${file}:${line}: ${message}`, {
    hint: 'Fix the ssh_config line (ssh_config(5)), or ignore the file with -F none.',
    details: { file, line },
  });
}

/** OpenSSH's argv_split: words split on blanks, "double" or 'single' quotes, `\` escapes, `#` word starts a comment. */
export function splitArgs(text: string, file: string, lineNo: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[ \t]/.test(text[i] as string)) i++;
    if (i >= text.length || text[i] === '#') break;
    let word = '';
    let quote: string | null = null;
    for (; i < text.length; i++) {
      const c = text[i] as string;
      if (quote) {
        if (c === '\\' && (text[i + 1] === quote || text[i + 1] === '\\')) word += text[++i];
        else if (c === quote) quote = null;
        else word += c;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '\\' && i + 1 < text.length) word += text[++i];
      else if (c === ' ' || c === '\t') break;
      else word += c;
    }
    if (quote) throw parseError(file, lineNo, `unclosed quote (${quote})`);
    out.push(word);
  }
  return out;
}

/** The file's lines, parsed once per cache. */
function linesOf(cache: SshConfigFileCache | undefined, file: string, fromInclude: SshConfigSource | null) {
  const hit = cache?.get(file);
  if (hit) return hit;
  const lines = readLines(file, fromInclude);
  cache?.set(file, lines);
  return lines;
}

function readLines(file: string, fromInclude: SshConfigSource | null): Line[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = systemErrorWords(e);
    if (fromInclude) throw parseError(fromInclude.file, fromInclude.line, `cannot read included ${file}: ${code}`);
    throw new MailguardError('BAD_INPUT', `Cannot read the ssh_config file ${file}: ${code}`, {
      hint: 'Check the path given to -F (or use -F none).',
      details: { file },
    });
  }
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    // `Keyword value`, `Keyword=value` or `Keyword = value`
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line) ?? /^([A-Za-z][A-Za-z0-9]*)()$/.exec(line);
    if (!m) throw parseError(file, i + 1, `not a "Keyword value" line: ${line.slice(0, 40)}`);
    const args = splitArgs(m[2] as string, file, i + 1);
    lines.push({ keyword: (m[1] as string).toLowerCase(), args, file, line: i + 1 });
  });
  return lines;
}

/** ssh_config(5) PATTERNS: `*` any run, `?` exactly one character; case-sensitive (`ssh -G FW1` skips `Host fw1`). */
function globMatch(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

/** A pattern-list: true when a positive pattern matches and no negated one does. */
export function matchPatternList(patterns: string[], text: string): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), text)) return false;
    } else if (globMatch(p, text)) hit = true;
  }
  return hit;
}

/** Include: `*`/`?` in the last path part (lexical order), `~`, relative to ~/.ssh (user) or /etc/ssh (system). */
function expandInclude(pattern: string, base: string, home: string): string[] {
  const p = expandTilde(pattern, home);
  const abs = isAbsolute(p) ? p : join(base, p);
  const dir = dirname(abs);
  const name = abs.slice(dir.length + 1);
  if (!/[*?[]/.test(name)) {
    try {
      statSync(abs);
      return [abs];
    } catch {
      return []; // OpenSSH skips an Include that matches nothing
    }
  }
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((e) => globMatch(name, e) && !e.startsWith('.'))
    .sort()
    .map((e) => join(dir, e));
}

function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

const MULTI_ARG: ReadonlySet<string> = new Set(['userknownhostsfile', 'proxycommand']);

interface EvalState {
  host: string;
  originalHost: string;
  cfg: SshHostConfig;
  user: string | undefined;
  localUser: string;
  home: string;
  parsed: SshConfigFileCache | undefined;
  finalPass: boolean;
  wantFinal: boolean;
}

function setValue(st: EvalState, l: Line): void {
  const k = l.keyword as Key;
  if (!(KEYS as readonly string[]).includes(k)) return;
  if (l.args.length === 0) throw parseError(l.file, l.line, `${l.keyword} needs a value`);
  const from = { file: l.file, line: l.line };
  if (k === 'identityfile') {
    st.cfg.identityFiles.push({ value: l.args[0] as string, from });
    return;
  }
  if (st.cfg.values[k]) return; // first obtained value wins
  const value = MULTI_ARG.has(k) ? l.args : [l.args[0] as string];
  st.cfg.values[k] = { value, from };
  // `Match host` sees the HostName with %h already expanded (as ssh -G shows)
  if (k === 'hostname') st.host = expand(value[0] as string, from, { h: st.originalHost });
  if (k === 'user' && st.user === undefined) st.user = value[0];
}

/** `Match` criteria (ssh_config(5)); exec, localnetwork and tagged are not evaluated: never match, with a warning. */
function matchLine(st: EvalState, l: Line): boolean {
  const a = l.args;
  if (a.length === 0) throw parseError(l.file, l.line, 'Match needs criteria');
  let i = 0;
  let all = true;
  while (i < a.length) {
    let crit = (a[i++] as string).toLowerCase();
    const negate = crit.startsWith('!');
    if (negate) crit = crit.slice(1);
    let r: boolean;
    if (crit === 'all') r = true;
    else if (crit === 'canonical') r = false;
    else if (crit === 'final') {
      st.wantFinal = true;
      r = st.finalPass;
    } else {
      const arg = a[i++];
      if (arg === undefined) throw parseError(l.file, l.line, `Match ${crit} needs an argument`);
      const list = arg.split(',');
      if (crit === 'host') r = matchPatternList(list, st.host);
      else if (crit === 'originalhost') r = matchPatternList(list, st.originalHost);
      else if (crit === 'user') r = matchPatternList(list, st.user ?? st.localUser);
      else if (crit === 'localuser') r = matchPatternList(list, st.localUser);
      else if (['exec', 'localnetwork', 'tagged'].includes(crit)) {
        st.cfg.warnings.push(
          `${l.file}:${l.line}: Match ${crit} is not evaluated by asa-mailguard (treated as no match)`,
        );
        r = false;
      } else throw parseError(l.file, l.line, `unknown Match criterion "${crit}"`);
    }
    if (negate) r = !r;
    if (!r) all = false;
  }
  return all;
}

function evalFile(
  st: EvalState,
  lines: readonly Line[],
  base: string,
  depth: number,
  neverMatch: boolean,
  seen: string[],
): void {
  let active = true; // lines before the first Host/Match apply to every host
  for (const l of lines) {
    if (l.keyword === 'host') {
      if (l.args.length === 0) throw parseError(l.file, l.line, 'Host needs at least one pattern');
      active = !neverMatch && matchPatternList(l.args, st.originalHost);
    } else if (l.keyword === 'match') {
      const m = matchLine(st, l);
      active = !neverMatch && m;
    } else if (l.keyword === 'include') {
      if (depth >= 16) throw parseError(l.file, l.line, 'Include nested too deeply (a loop?)');
      for (const pat of l.args) {
        for (const f of expandInclude(pat, base, st.home)) {
          if (seen.includes(f)) throw parseError(l.file, l.line, `Include loop: ${[...seen, f].join(' -> ')}`);
          st.cfg.files.push(f);
          const inc = linesOf(st.parsed, f, { file: l.file, line: l.line });
          evalFile(st, inc, base, depth + 1, neverMatch || !active, [...seen, f]);
        }
      }
    } else if (active && !neverMatch) setValue(st, l);
  }
}

/** Resolve `alias` through the user's and the system's ssh_config (or `-F FILE`, or nothing for `-F none`). */
export function readSshConfig(alias: string, opts: ReadSshConfigOptions = {}): SshHostConfig {
  const home = opts.home ?? homedir();
  const cfg: SshHostConfig = { alias, values: {}, identityFiles: [], files: [], warnings: [] };
  if (opts.configFile === 'none') return cfg;
  let localUser = '';
  try {
    localUser = userInfo().username;
  } catch {
    localUser = process.env.USER ?? '';
  }
  const st: EvalState = {
    host: alias,
    originalHost: alias,
    cfg,
    user: opts.user,
    localUser,
    home,
    parsed: opts.parsed,
    finalPass: false,
    wantFinal: false,
  };
  const sources: Array<{ file: string; base: string; required: boolean }> = opts.configFile
    ? [{ file: resolve(expandTilde(opts.configFile, home)), base: join(home, '.ssh'), required: true }]
    : [
        { file: join(home, '.ssh', 'config'), base: join(home, '.ssh'), required: false },
        { file: opts.systemFile ?? '/etc/ssh/ssh_config', base: '/etc/ssh', required: false },
      ];
  const loaded = sources.flatMap((s) => {
    // An optional file is looked for once per cache: a fleet resolves every host through the same files.
    if (!s.required && !opts.parsed?.has(s.file)) {
      try {
        statSync(s.file);
      } catch {
        return [];
      }
    }
    return [{ ...s, lines: linesOf(opts.parsed, s.file, null) }];
  });
  const pass = () => {
    for (const s of loaded) {
      if (!cfg.files.includes(s.file)) cfg.files.push(s.file);
      evalFile(st, s.lines, s.base, 0, false, [s.file]);
    }
  };
  pass();
  if (st.wantFinal) {
    st.finalPass = true;
    pass();
  }
  expandTokens(cfg, st);
  return cfg;
}

/** %-tokens (ssh_config(5) TOKENS) and `~` in the keys that take them. */
function expandTokens(cfg: SshHostConfig, st: EvalState): void {
  const hostname = cfg.values.hostname
    ? expand(cfg.values.hostname.value[0] as string, cfg.values.hostname.from, { h: st.originalHost })
    : st.originalHost.toLowerCase(); // ssh connects to (and %h is) the lower-cased name
  if (cfg.values.hostname) cfg.values.hostname.value = [hostname];
  const port = cfg.values.port?.value[0] ?? '22';
  const user = st.user ?? st.localUser;
  const tokens: Record<string, string> = {
    h: hostname,
    n: st.originalHost,
    p: port,
    r: user,
    u: st.localUser,
    d: st.home,
    i: String(process.getuid?.() ?? ''),
  };
  const path = (v: string, from: SshConfigSource) => expandTilde(expand(v, from, tokens), st.home);
  for (const f of cfg.identityFiles) f.value = path(f.value, f.from);
  for (const k of ['identityagent', 'userknownhostsfile'] as const) {
    const v = cfg.values[k];
    if (v) v.value = v.value.map((x) => (x === 'none' || x === 'SSH_AUTH_SOCK' ? x : path(x, v.from)));
  }
  const pc = cfg.values.proxycommand;
  if (pc) pc.value = pc.value.map((x) => expand(x, pc.from, tokens));
}

function expand(text: string, from: SshConfigSource, tokens: Record<string, string>): string {
  return text.replace(/%(.)/g, (_all, t: string) => {
    if (t === '%') return '%';
    const v = tokens[t];
    if (v === undefined) throw parseError(from.file, from.line, `token %${t} is not supported here`);
    return v;
  });
}
