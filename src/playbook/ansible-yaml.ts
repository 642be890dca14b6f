/**
 * Ansible YAML inventories: top-level group names (usually `all`), each with `hosts`, `children` and `vars`.
 * Any other key inside a group is an error (Ansible only warns; a typo must never be silently ignored here).
 */
import { expandHostPattern } from './ansible-ini.js';
import { applyAnsibleVar, recordAnsibleVar } from './ansible-vars.js';
import { type AnsibleLoadOptions, finishAnsible } from './ansible-vars-dirs.js';
import { type HostSettings, type Inventory, InventoryBuilder } from './inventory.js';
import type { YamlSource } from './source.js';

type Path = (string | number)[];

const GROUP_KEYS = ['hosts', 'children', 'vars'];

export function parseAnsibleYaml(src: YamlSource, data: unknown, opts: AnsibleLoadOptions = {}): Inventory {
  const b = new InventoryBuilder(src.file, 'ansible-yaml');
  if (!isObject(data)) {
    b.issue(src.locate([]), '', 'expected a mapping of group names (e.g. all:) at the top of the inventory');
    return b.finish();
  }
  for (const [name, body] of Object.entries(data)) walkGroup(b, src, name, body, [name], null);
  return finishAnsible(b, opts);
}

function walkGroup(
  b: InventoryBuilder,
  src: YamlSource,
  name: string,
  body: unknown,
  path: Path,
  parent: string | null,
): void {
  const g = b.group(name, src.locate(path.slice(0, -1), String(path.at(-1))));
  if (parent) b.child(parent, name, g.at!);
  if (body === null || body === undefined) return;
  if (!isObject(body)) {
    b.issue(src.locate(path), path.join('.'), `expected a group mapping (hosts, children, vars), got ${typeof body}`);
    return;
  }
  for (const key of Object.keys(body)) {
    if (!GROUP_KEYS.includes(key)) {
      b.issue(
        src.locate(path, key),
        [...path, key].join('.'),
        `unknown key "${key}" in group ${name}; expected hosts, children or vars`,
      );
    }
  }
  if (body.vars !== undefined && body.vars !== null) {
    if (!isObject(body.vars))
      b.issue(src.locate([...path, 'vars']), [...path, 'vars'].join('.'), 'expected a mapping of variables');
    else applyVars(b, src, g.vars, `group ${name}`, body.vars, [...path, 'vars']);
  }
  if (body.hosts !== undefined && body.hosts !== null) {
    if (!isObject(body.hosts)) {
      b.issue(
        src.locate([...path, 'hosts']),
        [...path, 'hosts'].join('.'),
        'expected a mapping of host names (host: or host: {vars})',
      );
    } else {
      for (const [pattern, vars] of Object.entries(body.hosts)) {
        const hp: Path = [...path, 'hosts', pattern];
        const at = src.locate([...path, 'hosts'], pattern);
        const { names, port, error } = expandHostPattern(pattern);
        if (error) {
          b.issue(at, hp.join('.'), error);
          continue;
        }
        for (const hn of names) {
          const h = b.host(hn, at, name);
          if (port !== undefined) recordAnsibleVar(h.vars, 'ansible_port', port, at);
          if (vars === null || vars === undefined) continue;
          if (!isObject(vars))
            b.issue(src.locate(hp), hp.join('.'), `expected host variables as a mapping, got ${typeof vars}`);
          else applyVars(b, src, h.vars, hn, vars, hp);
        }
      }
    }
  }
  if (body.children !== undefined && body.children !== null) {
    if (!isObject(body.children)) {
      b.issue(src.locate([...path, 'children']), [...path, 'children'].join('.'), 'expected a mapping of child groups');
    } else {
      for (const [child, cbody] of Object.entries(body.children))
        walkGroup(b, src, child, cbody, [...path, 'children', child], name);
    }
  }
}

function applyVars(
  b: InventoryBuilder,
  src: YamlSource,
  target: HostSettings,
  owner: string,
  vars: Record<string, unknown>,
  path: Path,
): void {
  for (const [k, v] of Object.entries(vars)) applyAnsibleVar(b, target, owner, k, v, src.locate([...path, k]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
