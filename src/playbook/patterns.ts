/**
 * Ansible host patterns: `all`/`*`, group and host names, globs (`fw-*`), regexes (`~fw-\d+`), exclusion
 * (`!name`) and intersection (`&name`), separated by `:` or `,` or given as a list. As in Ansible, unions are
 * taken first, then intersections, then exclusions, whatever their order. Unlike Ansible (which warns), a pattern
 * that matches nothing is an error: a typo in targets must not silently shrink the change.
 */
import { groupsOf, type Inventory } from './inventory.js';

export interface PatternProblem {
  /** Index in the pattern list. */
  index: number;
  pattern: string;
  message: string;
}

export interface PatternResult {
  hosts: string[];
  problems: PatternProblem[];
}

/** Split `a:b,!c` into terms; a list is taken as is (each entry may itself hold separators). */
export function splitPatterns(patterns: string | readonly string[]): Array<{ index: number; term: string }> {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  const out: Array<{ index: number; term: string }> = [];
  list.forEach((p, index) => {
    // `:` separates terms except inside a regex term (`~...`), which is taken whole.
    const parts = p.trim().startsWith('~') ? [p.trim()] : p.split(/[,:]/);
    for (const t of parts.map((s) => s.trim()).filter((s) => s !== '')) out.push({ index, term: t });
  });
  return out;
}

/** `*` and `?` globs, anchored, case-sensitive (as Ansible's fnmatch). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const c of glob) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Hosts one term selects (before its `!`/`&` prefix is applied), or null when it matches nothing. */
function matchTerm(inv: Inventory, term: string): Set<string> | null {
  const hostsOfGroup = (g: string): string[] => [...inv.hosts.keys()].filter((h) => groupsOf(inv, h).includes(g));
  if (term === 'all' || term === '*') return new Set(inv.hosts.keys());
  let test: (name: string) => boolean;
  if (term.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch {
      return null;
    }
    test = (n) => re.test(n);
  } else if (/[*?]/.test(term)) {
    const re = globToRegExp(term);
    test = (n) => re.test(n);
  } else {
    test = (n) => n === term;
  }
  const out = new Set<string>();
  let matched = false;
  for (const g of inv.groups.keys()) {
    if (test(g)) {
      matched = true;
      for (const h of hostsOfGroup(g)) out.add(h);
    }
  }
  for (const h of inv.hosts.keys()) {
    if (test(h)) {
      matched = true;
      out.add(h);
    }
  }
  return matched ? out : null;
}

/** Select hosts (in inventory order). Problems name the pattern entry that matched nothing. */
export function selectHosts(inv: Inventory, patterns: string | readonly string[]): PatternResult {
  const terms = splitPatterns(patterns);
  const problems: PatternProblem[] = [];
  const union = new Set<string>();
  const intersections: Set<string>[] = [];
  const exclusions: Set<string>[] = [];
  let positive = 0;
  for (const { index, term } of terms) {
    const kind = term.startsWith('!') ? '!' : term.startsWith('&') ? '&' : '';
    const body = kind ? term.slice(1) : term;
    const set = body === '' ? null : matchTerm(inv, body);
    if (!set) {
      problems.push({
        index,
        pattern: term,
        message: body.startsWith('~')
          ? `regex "${body.slice(1)}" is invalid or matches no host or group in ${inv.file}`
          : `"${body}" matches no host or group in ${inv.file}`,
      });
      continue;
    }
    if (kind === '!') exclusions.push(set);
    else if (kind === '&') intersections.push(set);
    else {
      positive++;
      for (const h of set) union.add(h);
    }
  }
  if (positive === 0 && terms.length > 0 && problems.length === 0) {
    // Ansible: a pattern of only exclusions/intersections starts from nothing; say so instead of selecting nothing.
    problems.push({
      index: 0,
      pattern: terms[0]!.term,
      message: 'patterns need at least one host or group to start from (e.g. all, !lab)',
    });
  }
  const hosts = [...inv.hosts.keys()].filter(
    (h) => union.has(h) && intersections.every((s) => s.has(h)) && !exclusions.some((s) => s.has(h)),
  );
  return { hosts, problems };
}
