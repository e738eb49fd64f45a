// Which DataJoint a workspace folder's Python definitions are written for. In order: an
// explicit `datajoint.targetVersion` (`2`, `0.14` or `0.13`; `auto` looks further), the `datajoint`
// installed in the folder's Python environment, the pin in the folder's pyproject.toml /
// requirements*.txt / setup.cfg / setup.py / environment.yml, the kind of types its
// definitions use, else 2. TypeScript and JavaScript pipelines are always 2 (TableIndex).
// An explicit setting wins over detection: it is the user's answer where detection guesses.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { classifyType, type DataJointTarget } from '../definition/types';
import type { Definition } from '../definition/ast';

export type TargetSetting = 'auto' | DataJointTarget;

export interface FolderTarget {
  target: DataJointTarget;
  /** How it was decided. */
  source: 'setting' | 'installed' | 'pin' | 'definitions' | 'default';
  /** For people: `datajoint 0.14.3 in .venv/bin/python`, `pyproject.toml: datajoint>=0.14.5,<2.0`. */
  detail: string;
}

/** A version string's target: 2.x and later are 2, 0.14 (and 1.x, never released) 0.14, older 0.x 0.13. */
export function targetOfVersion(version: string): DataJointTarget | undefined {
  const m = /^\s*v?(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return undefined;
  const major = Number(m[1]);
  if (major >= 2) return '2';
  return major === 0 && m[2] !== undefined && Number(m[2]) < 14 ? '0.13' : '0.14';
}

/**
 * The target a version specifier pins: `==0.14.3`, `~=0.13`, `^0.14` (Poetry), `=0.14`
 * (conda) name one line; `<2` or `<2.0` caps below 2; a lower bound alone names the line it
 * was written for (`>=0.13` was written for 0.x even where it now installs 2.x).
 */
export function targetOfSpecifier(spec: string): DataJointTarget | undefined {
  const clauses = spec.split(',').map((c) => c.trim()).filter(Boolean);
  let lower: DataJointTarget | undefined;
  for (const c of clauses) {
    const m = /^(===|==|~=|\^|~|=|<=|<|>=|>|!=)?\s*v?([\d][\w.*+-]*)$/.exec(c);
    if (!m) continue;
    const op = m[1] ?? '==';
    const version = m[2]!;
    const t = targetOfVersion(version);
    if (!t) continue;
    if (op === '!=') continue;
    if (op === '<') {
      // Below 2: the newest 0.x allowed; below 0.14: the 0.13 line.
      if (/^2(\.0+)*$/.test(version.replace(/\.\*$/, ''))) return '0.14';
      if (t === '0.14' && !/^0\.14(\.0+)*$/.test(version)) return '0.14';
      if (t !== '2') return '0.13';
      continue;
    }
    if (op === '<=') {
      if (t !== '2') return t;
      continue;
    }
    if (op === '>=' || op === '>') {
      lower = t;
      continue;
    }
    return t;
  }
  return lower;
}

/** `datajoint` followed by its specifier in a requirement line (`datajoint[extras]>=0.14; python_version>"3"`). */
function requirementSpec(requirement: string): string | undefined {
  const m = /^\s*datajoint\s*(?:\[[^\]]*\])?\s*([^;#]*)/i.exec(requirement);
  if (!m) return undefined;
  const rest = m[1]!.trim();
  // `datajoint-utilities`, `datajoint_plus`: other packages.
  if (rest !== '' && !/^[<>=!~^(]/.test(rest)) return undefined;
  return rest.replace(/^\(|\)$/g, '').trim();
}

export interface Pin {
  target: DataJointTarget;
  /** The file, relative to the folder. */
  file: string;
  requirement: string;
}

/** Pins in the text of one of the files that hold them, by its name. */
export function pinsIn(fileName: string, text: string): Array<{ requirement: string; target: DataJointTarget | undefined }> {
  const out: Array<{ requirement: string; target: DataJointTarget | undefined }> = [];
  const add = (requirement: string, spec: string | undefined): void => {
    if (spec === undefined) return;
    out.push({ requirement: requirement.trim(), target: spec === '' ? undefined : targetOfSpecifier(spec) });
  };
  const base = path.basename(fileName);
  if (/^requirements.*\.txt$/i.test(base) || base === 'setup.cfg') {
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      add(line, requirementSpec(line));
    }
  } else if (/^environment.*\.ya?ml$/i.test(base)) {
    for (const raw of text.split(/\r?\n/)) {
      const m = /^\s*-\s*(?:conda-forge::)?(datajoint\b.*)$/i.exec(raw.replace(/\s#.*$/, ''));
      if (m) add(m[1]!, requirementSpec(m[1]!));
    }
  } else {
    // pyproject.toml and setup.py: quoted requirement strings, and Poetry's `datajoint = "^0.14"` tables.
    for (const m of text.matchAll(/["'](datajoint\b[^"'\n]*)["']/gi)) add(m[1]!, requirementSpec(m[1]!));
    for (const m of text.matchAll(/^\s*datajoint\s*=\s*(?:["']([^"']+)["']|\{[^}\n]*version\s*=\s*["']([^"']+)["'])/gim)) {
      const spec = (m[1] ?? m[2]!).trim();
      add(`datajoint = "${spec}"`, spec === '*' ? '' : spec);
    }
  }
  return out;
}

const PIN_FILES = /^(pyproject\.toml|setup\.cfg|setup\.py|requirements[^/]*\.txt|environment[^/]*\.ya?ml)$/i;

/**
 * The project a file belongs to, for grouping evidence: the nearest folder above it with a
 * Python project file (pyproject.toml, setup.py, setup.cfg, requirements*.txt) or `.git`.
 */
export function projectFolderOf(file: string): string {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // unreadable: look further up
    }
    if (names.some((n) => n === '.git' || /^(pyproject\.toml|setup\.cfg|setup\.py|requirements[^/]*\.txt)$/i.test(n))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
}

/** The first pin that names a target, looking in the folder and its `environments/` and `requirements/` subfolders. */
export function pinnedTarget(folder: string): Pin | undefined {
  const candidates: string[] = [];
  for (const sub of ['', 'requirements', 'environments', 'env']) {
    const dir = path.join(folder, sub);
    if (sub && !existsSync(dir)) continue;
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => PIN_FILES.test(n)).sort(pinOrder);
    } catch {
      continue;
    }
    for (const n of names) candidates.push(path.join(sub, n));
  }
  for (const rel of candidates) {
    let text: string;
    try {
      text = readFileSync(path.join(folder, rel), 'utf8');
    } catch {
      continue;
    }
    for (const p of pinsIn(rel, text)) if (p.target) return { target: p.target, file: rel.split(path.sep).join('/'), requirement: p.requirement };
  }
  return undefined;
}

/** pyproject.toml first (the project's own metadata), then setup.*, requirements, environments. */
function pinOrder(a: string, b: string): number {
  const rank = (n: string): number => (/^pyproject/i.test(n) ? 0 : /^setup/i.test(n) ? 1 : /^requirements/i.test(n) ? 2 : 3);
  return rank(a) - rank(b) || a.localeCompare(b);
}

export interface DefinitionEvidence {
  /** Types only DataJoint 2 declares (`int32`, `<blob>`). */
  newer: number;
  /** Types DataJoint 0.14 declares that 2 refuses or reads differently (`longblob`, `blob@store`, `boolean`). */
  legacy: number;
  /** Old-style foreign keys `(a) -> Parent(b)`, which only 0.13 and earlier read. */
  oldForeignKeys: number;
}

/** Counts the version-specific types in definitions. */
export function definitionEvidence(definitions: Iterable<Definition>): DefinitionEvidence {
  const e: DefinitionEvidence = { newer: 0, legacy: 0, oldForeignKeys: 0 };
  for (const ast of definitions) {
    for (const line of ast.lines) {
      if (line.kind === 'foreignKey' && line.legacyRename) e.oldForeignKeys++;
      if (line.kind !== 'attribute' || !line.type) continue;
      const info = classifyType(line.type.text, '0.14');
      if (info.era === 'newer') e.newer++;
      else if (info.era === 'legacy') e.legacy++;
    }
  }
  return e;
}

export interface TargetInputs {
  setting?: TargetSetting;
  /** The `datajoint` version installed in the folder's interpreter, null when it has none. */
  installed?: { version: string | null; interpreter: string };
  pin?: Pin;
  evidence?: DefinitionEvidence;
}

export function chooseTarget(inputs: TargetInputs): FolderTarget {
  if (inputs.setting && inputs.setting !== 'auto') return { target: inputs.setting, source: 'setting', detail: `datajoint.targetVersion is ${inputs.setting}` };
  const installed = inputs.installed?.version ? targetOfVersion(inputs.installed.version) : undefined;
  if (installed) return { target: installed, source: 'installed', detail: `datajoint ${inputs.installed!.version} in ${inputs.installed!.interpreter}` };
  if (inputs.pin) return { target: inputs.pin.target, source: 'pin', detail: `${inputs.pin.file}: ${inputs.pin.requirement}` };
  const e = inputs.evidence;
  // Old-style foreign keys with no 2.x type beside them: written for 0.13 or earlier.
  if (e && e.oldForeignKeys > 0 && e.newer === 0) {
    return { target: '0.13', source: 'definitions', detail: `the definitions use ${e.oldForeignKeys} old-style foreign key${e.oldForeignKeys === 1 ? '' : 's'} and ${e.legacy} DataJoint 0.x types` };
  }
  if (e && e.legacy !== e.newer) {
    const target: DataJointTarget = e.legacy > e.newer ? '0.14' : '2';
    return { target, source: 'definitions', detail: `the definitions use ${e.legacy} DataJoint 0.x and ${e.newer} DataJoint 2 types` };
  }
  return { target: '2', source: 'default', detail: 'nothing names a DataJoint version' };
}

/** `--target` and the setting's values. */
export function parseTargetSetting(value: unknown): TargetSetting | undefined {
  if (value === 'auto' || value === '2' || value === '0.14' || value === '0.13') return value;
  if (value === '2.x' || value === 2) return '2';
  if (value === '0.x' || value === 0.14) return '0.14';
  return undefined;
}

/**
 * The pin that governs a file: the nearest folder above it, up to `top` (a workspace folder)
 * or the file system's root, whose pin files name a target. Cached per folder.
 */
export class PinLookup {
  private readonly byDir = new Map<string, Pin | null>();

  constructor(private readonly top?: readonly string[]) {}

  forFile(file: string): (Pin & { folder: string }) | undefined {
    const chain: string[] = [];
    let found: (Pin & { folder: string }) | null = null;
    for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
      const cached = this.byDir.get(dir);
      if (cached !== undefined) {
        found = cached as (Pin & { folder: string }) | null;
        break;
      }
      chain.push(dir);
      const pin = pinnedTarget(dir);
      if (pin) {
        found = { ...pin, folder: dir };
        break;
      }
      const parent = path.dirname(dir);
      if (parent === dir || this.top?.includes(dir)) break;
    }
    for (const d of chain) this.byDir.set(d, found);
    return found ?? undefined;
  }

  /** Pin files changed on disk. */
  clear(): void {
    this.byDir.clear();
  }
}
