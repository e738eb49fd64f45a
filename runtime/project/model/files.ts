// The files of the index: one entry per host file, its scan, its tables and their
// definition records. A new version of a file keeps the records of unchanged definitions.
import { scanHost } from '../../hosts';
import type { HostDefinition, HostLanguage, HostScan, HostTable, Tier } from '../../hosts';
import type { LineIndex } from '../lines';
import { DefinitionRecord } from './records';

export interface IndexedTable {
  /** Stable while the file keeps the table: `<path>#<name>` (`#<name>~2` for a second class of that name). */
  id: string;
  /** The name within its module: `Session`, or `Session.Trial` for a part. */
  name: string;
  className: string;
  /** Python dotted module name, or for TS/JS the path without extension. */
  module: string;
  path: string;
  language: HostLanguage;
  /** From the bases, or inherited from a base class that is itself a table class. */
  tier?: Tier;
  /** The master's name for parts. */
  master?: string;
  /** The id of the class a nested part is declared in (of two classes of its master's name, the one that holds it). */
  masterId?: string;
  /** Names of the parts (`Session.Trial`). */
  parts: string[];
  host: HostTable;
  definition?: HostDefinition;
  /** The definition's record (parse, heading, diagnostics), for tables with a definition. */
  record?: DefinitionRecord;
}

export interface FileEntry {
  path: string;
  key: string;
  language: HostLanguage;
  text: string;
  scan: HostScan;
  tables: IndexedTable[];
  byName: Map<string, IndexedTable>;
  byId: Map<string, IndexedTable>;
  /** The record of every definition of the scan, a table's or not (a class without a tier). */
  records: Map<HostDefinition, DefinitionRecord>;
  /** Every definition's table, tier or not. */
  tableOf: Map<HostDefinition, IndexedTable>;
  /** Everything that the resolution of names depends on (not the definitions' text). */
  nameSignature: string;
  lines?: LineIndex;
  /** Why the file's text is not indexed (its tables are unknown), e.g. its size in the editor. */
  notIndexed?: string;
}

/** Scans a file's text into its tables; `previous` (the file's last version) lends its records. */
export function buildFile(path: string, key: string, text: string, language: HostLanguage, module: string, previous?: FileEntry): FileEntry {
  const scan = scanHost(text, language);
  const tables: IndexedTable[] = [];
  const byName = new Map<string, IndexedTable>();
  const byId = new Map<string, IndexedTable>();
  const hostTables = scan.tables;
  const recordOf = recordsFrom(previous);
  const records = new Map<HostDefinition, DefinitionRecord>();
  const tableOf = new Map<HostDefinition, IndexedTable>();
  // By class name, in scan order, and the tables made so far by host class: a part's master
  // is looked up, not searched for (a file of thousands of parts is scanned on every edit).
  const byClassName = new Map<string, HostTable[]>();
  for (const h of hostTables) {
    const same = byClassName.get(h.className);
    if (same) same.push(h);
    else byClassName.set(h.className, [h]);
  }
  const tableOfHost = new Map<HostTable, IndexedTable>();
  for (const h of hostTables) {
    let name = h.className;
    let master: string | undefined;
    let masterTable: IndexedTable | undefined;
    if (h.masterName) {
      // Nested (Python) or static-field (TS) parts are named through their master;
      // a top-level part with a `static master = X` marker keeps its own name.
      const enclosing = byClassName.get(h.masterName)?.find((m) => m !== h && m.span.start <= h.span.start && m.span.end >= h.span.end);
      if (enclosing) {
        masterTable = tableOfHost.get(enclosing);
        master = masterTable ? masterTable.name : enclosing.className;
        name = `${master}.${h.className}`;
      } else {
        master = h.masterName;
      }
    }
    let id = `${path}#${name}`;
    // A class redefined under the same name: the later one is what the name means
    // (byName below), each keeps its own id so that caches never mix them.
    for (let n = 2; byId.has(id); n++) id = `${path}#${name}~${n}`;
    const t: IndexedTable = { id, name, className: h.className, module, path, language, parts: [], host: h };
    if (master) t.master = master;
    if (masterTable) t.masterId = masterTable.id;
    if (h.definition) {
      t.definition = h.definition;
      t.record = recordOf(id, h.definition.text);
      records.set(h.definition, t.record);
      tableOf.set(h.definition, t);
    }
    tables.push(t);
    tableOfHost.set(h, t);
    byName.set(name, t);
    byId.set(id, t);
  }
  for (const d of scan.definitions) if (!records.has(d)) records.set(d, recordOf(undefined, d.text));
  for (const t of tables) {
    if (!t.master) continue;
    const m = byName.get(t.master);
    if (!m) continue;
    m.parts.push(t.name);
    // `Master.Part` also names a top-level part declared with a master marker.
    const alias = `${m.name}.${t.className}`;
    if (!byName.has(alias)) byName.set(alias, t);
  }
  const nameSignature = JSON.stringify([
    scan.tables.map((h) => [h.className, h.tier, h.masterName, h.bases, h.dynamicDefinition, h.definition !== undefined]),
    scan.imports.map((i) => [i.module, i.name, i.local, i.reexport]),
    (scan.aliases ?? []).map((a) => [a.local, a.target]),
  ]);
  return { path, key, language, text, scan, tables, byName, byId, records, tableOf, nameSignature };
}

/**
 * The record for a definition of the new version: the same table's when its text is
 * unchanged (its heading and checks are confirmed on use), else one with the same text
 * (a moved or renamed class: its parse only), else a new one.
 */
function recordsFrom(previous: FileEntry | undefined): (id: string | undefined, text: string) => DefinitionRecord {
  if (!previous) return (_id, text) => new DefinitionRecord(text);
  let byText: Map<string, DefinitionRecord> | undefined;
  return (id, text) => {
    const same = id !== undefined ? previous.byId.get(id)?.record : undefined;
    if (same && same.text === text) return same;
    if (!byText) {
      byText = new Map();
      for (const r of previous.records.values()) byText.set(r.text, r);
    }
    const twin = byText.get(text);
    const record = new DefinitionRecord(text);
    if (twin) record.adoptParse(twin);
    return record;
  };
}

/** The same definitions in the same order (typing outside them, or nothing changed). */
export function sameDefinitions(a: FileEntry, b: FileEntry): boolean {
  const x = a.scan.definitions;
  const y = b.scan.definitions;
  return x.length === y.length && x.every((d, i) => d.text === y[i]!.text);
}
