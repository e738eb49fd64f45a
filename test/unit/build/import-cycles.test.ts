// No import cycles in our code (runtime/, client/, server/): modules import what they use,
// never back up the chain (a cycle makes load order matter and hides which concept owns
// what). Type-only imports count too. The folders are walked together, so a cycle that
// crosses them (client -> runtime -> client) is found as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..', '..');
const FOLDERS = ['runtime', 'client', 'server'];

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules') sources(p, out);
    } else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  for (const c of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(c)) return c;
  return undefined;
}

/** Every cycle found by a depth-first walk, each as the chain of files that closes it. */
export function importCycles(files: readonly string[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
    edges.set(f, [...new Set(info.importedFiles.map((i) => resolveImport(f, i.fileName)).filter((x): x is string => x !== undefined))]);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of edges.get(f) ?? []) {
      if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g]);
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of edges.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

test(`no import cycles in ${FOLDERS.map((f) => `${f}/`).join(', ')}`, () => {
  const files = FOLDERS.flatMap((folder) => sources(join(ROOT, folder)));
  const cycles = importCycles(files);
  assert.deepEqual(cycles.map((c) => c.map((f) => relative(ROOT, f)).join(' -> ')), []);
});
