/**
 * The import graph follows architecture.md: arrows point down only (transport <- session <- platform users <- change
 * <- playbook <- cli/wizard), and the lab and the front ends are never imported by the core. Imports are read with
 * TypeScript's own pre-processor, so type-only and dynamic imports count too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** Top-level unit of src/ a file belongs to: its folder, or the file name for files directly under src/. */
function unitOf(absPath: string): string {
  const rel = relative(SRC, absPath).split(/[\\/]/);
  return rel.length > 1 ? (rel[0] as string) : (rel[0] as string).replace(/\.[cm]?[jt]s$/, '');
}

interface Edge {
  file: string;
  from: string;
  to: string;
  spec: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const imp of info.importedFiles) {
      if (!imp.fileName.startsWith('.')) continue; // node: builtins and npm packages
      const target = resolve(dirname(file), imp.fileName);
      if (!target.startsWith(SRC)) continue;
      edges.push({ file: relative(SRC, file), from: unitOf(file), to: unitOf(target), spec: imp.fileName });
    }
  }
  return edges;
}

const CORE = ['transport', 'session', 'platform', 'change', 'probe', 'playbook', 'config', 'net'];
/** src/cli/ and src/cli.ts are both unit `cli`. */
const FRONT_ENDS_AND_LAB = ['cli', 'wizard', 'lab', 'demo'];

/** What each lower layer may import besides itself (errors.ts is the shared error table). */
const ALLOWED: Record<string, string[]> = {
  /** net/endpoint.ts: the one host[:port] grammar, a leaf every layer may use. */
  net: ['errors'],
  transport: ['errors', 'net'],
  platform: ['errors'],
  session: ['errors', 'transport', 'platform'],
};

describe('import graph (architecture.md layers)', () => {
  const edges = importEdges();

  it('reads the real graph (session imports transport)', () => {
    expect(edges.some((e) => e.from === 'session' && e.to === 'transport')).toBe(true);
    expect(edges.length).toBeGreaterThan(100);
  });

  it.each(Object.entries(ALLOWED))('%s imports only the layers below it', (layer, allowed) => {
    const bad = edges.filter((e) => e.from === layer && e.to !== layer && !allowed.includes(e.to));
    expect(bad.map((e) => `${e.file} -> ${e.spec}`)).toEqual([]);
  });

  it('no core module imports the lab, the CLI, the wizard or the demo', () => {
    const bad = edges.filter((e) => CORE.includes(e.from) && FRONT_ENDS_AND_LAB.includes(e.to));
    expect(bad.map((e) => `${e.file} -> ${e.spec}`)).toEqual([]);
  });
});
