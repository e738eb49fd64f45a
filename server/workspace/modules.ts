// Which indexed file an import names. Python: dotted modules relative to the importing
// file's package (`from . import x`, `from ..pkg import y`) or absolute from a workspace
// root or any ancestor folder (so `from pipeline.acquisition import Session` works from
// a notebook next to the package). TS/JS: relative specifiers with the usual extension
// and index-file rules, including `.js` specifiers that name `.ts` sources.
import { dirname, join, normalize } from 'node:path';
import type { HostLanguage } from '../../runtime/hosts/types';

export type FileExists = (key: string) => boolean;

function pythonCandidates(base: string, dotted: string): string[] {
  const rel = dotted ? dotted.split('.').join('/') : '';
  const p = rel ? join(base, rel) : base;
  return rel ? [`${p}.py`, join(p, '__init__.py'), `${p}.pyi`] : [join(p, '__init__.py')];
}

export function resolvePythonModule(fromKey: string, module: string, roots: readonly string[], exists: FileExists): string | undefined {
  const m = /^(\.*)(.*)$/.exec(module)!;
  const dots = m[1].length;
  const rest = m[2];
  if (dots > 0) {
    let base = dirname(fromKey);
    for (let i = 1; i < dots; i++) base = dirname(base);
    return pythonCandidates(base, rest).find(exists);
  }
  const bases: string[] = [];
  for (let d = dirname(fromKey); ; d = dirname(d)) {
    bases.push(d);
    if (dirname(d) === d) break;
  }
  for (const r of roots) if (!bases.includes(r)) bases.push(r);
  for (const b of bases) {
    const hit = pythonCandidates(b, rest).find(exists);
    if (hit) return hit;
  }
  return undefined;
}

const TS_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export function resolveScriptModule(fromKey: string, spec: string, exists: FileExists): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const p = normalize(join(dirname(fromKey), spec));
  const stem = p.replace(/\.(m|c)?js$/, '');
  const candidates = [p, ...TS_EXTS.map((e) => `${stem}${e}`), ...TS_EXTS.map((e) => join(p, `index${e}`))];
  return candidates.find(exists);
}

export function resolveModule(fromKey: string, language: HostLanguage, module: string, roots: readonly string[], exists: FileExists): string | undefined {
  return language === 'python' ? resolvePythonModule(fromKey, module, roots, exists) : resolveScriptModule(fromKey, module, exists);
}
