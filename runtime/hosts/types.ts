// What the finder reports about one host file (Python, TypeScript or JavaScript): the
// DataJoint table classes it declares, the definition strings they carry with an exact
// position map, and the imports that let `-> module.Table` resolve across files.
import type { Span } from '../definition/ast';
import type { PositionMap } from './position-map';

export type HostLanguage = 'python' | 'typescript' | 'javascript';

export type Tier = 'Manual' | 'Lookup' | 'Imported' | 'Computed' | 'Part';

/** How the definition literal is written, so that edits can be encoded back into it. */
export interface LiteralStyle {
  /** Python prefix as written (`r`, `f`, `Rb`...), '' for none; always '' for JS/TS. */
  prefix: string;
  /** `"""`, `'''`, `"`, `'` or a backtick. */
  quote: string;
  /** Backslashes are kept as written (Python `r"..."`). */
  raw: boolean;
}

/** A class that looks like a DataJoint table (a tier base class or a `definition`). */
export interface HostTable {
  /**
   * The name other definitions use: the class name, or for a TypeScript part declared
   * as `static Trial = class extends Part {...}` the field name.
   */
  className: string;
  /** Span of that name in the host. */
  classSpan: Span;
  /** From the `class` keyword (or first decorator) to the end of the class body as far as it is written. */
  span: Span;
  /** Base classes as written, e.g. `dj.Manual`, `Part`. */
  bases: string[];
  /** From the bases (or a TS `static tier = '...'` field); undefined when no base is a tier. */
  tier?: Tier;
  /** The enclosing class for nested (Python) or static-field (TS) parts, or a TS `static master = X` marker. */
  masterName?: string;
  /** Decorator expressions without `@`, e.g. `schema`, `schema.table()`. */
  decorators: string[];
  /** The decorator that names the schema, when one is visible (Python `@schema`). */
  schema?: string;
  /** The class has a `definition` that is built at run time (f-string, concatenation, variable). */
  dynamicDefinition: boolean;
  /** The static definition, when the class has one. */
  definition?: HostDefinition;
}

export interface HostDefinition {
  className: string;
  classSpan: Span;
  bases: string[];
  tier?: Tier;
  masterName?: string;
  decorators: string[];
  schema?: string;
  /** The decoded value of the string: what DataJoint would see. */
  text: string;
  /** The literal including prefix and quotes. */
  literalSpan: Span;
  /** Between the quotes. */
  contentSpan: Span;
  /** The `definition` field name. */
  nameSpan: Span;
  style: LiteralStyle;
  /** False while the user is still typing the closing quote. */
  terminated: boolean;
  map: PositionMap;
}

/**
 * One binding created by an import. Python: `import a.b as c` → {module:'a.b', local:'c'};
 * `import a.b` → {module:'a', local:'a'}; `from ..pkg import x as y` → {module:'..pkg',
 * name:'x', local:'y'}; `from .m import *` → {module:'.m', name:'*', local:'*'}.
 * TS/JS: `import * as m from './m'` → {module:'./m', local:'m'}; `import {A as B} from
 * './x'` → {module:'./x', name:'A', local:'B'}; `import D from './d'` → name 'default';
 * `const {A} = require('./x')` → name 'A'; `export {A} from './x'` → reexport.
 */
export interface HostImport {
  module: string;
  /** Undefined when the module itself is bound. */
  name?: string;
  local: string;
  span: Span;
  /** TS/JS `export ... from`: visible to importers of this file only. */
  reexport?: boolean;
}

/** A module-level `Local = Other` / `Local = module.Other` (Python): another name for what `target` names. */
export interface HostAlias {
  local: string;
  target: string[];
  span: Span;
}

export interface HostScan {
  language: HostLanguage;
  tables: HostTable[];
  definitions: HostDefinition[];
  imports: HostImport[];
  /** Python only; absent elsewhere. */
  aliases?: HostAlias[];
}
