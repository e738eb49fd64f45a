// The diagram of a workspace's definitions alone, from the index the language server and
// `djx lint` share (runtime/project): every table class with its tier (inherited through
// the project's base classes), parts with their master, the schema its source binds it to
// (Python: the `@schema` decorator's `dj.Schema("name")`; TypeScript/JavaScript: the
// module-binding analysis), and each foreign key as the definition's analysis resolves
// it, with the properties datajoint/dependencies.py gives an edge.
import type { IndexedTable, TableIndex } from '../project/index';
import { LineIndex } from '../project/lines';
import { ModuleBindings, pythonSchemaOf, type ModuleFiles } from '../project/module-bindings';
import { tableNameFor } from '../catalog/names';
import { tableNodeId, type DiagramEdge, type DiagramGraph, type DiagramNode, type DiagramSchema } from './model';

export interface WorkspaceGraphOptions {
  /** The text of an indexed file, as indexed (the editor's buffer for an open document). */
  textOf(path: string): string | undefined;
  /** The files the TypeScript/JavaScript schema analysis reads; default: textOf, versioned by text. */
  files?: ModuleFiles;
  /** Environment for `process.env.NAME` schema names (the CLI's); default process.env. */
  env?: NodeJS.ProcessEnv;
}

interface Placed {
  table: IndexedTable;
  node: DiagramNode;
}

/** The workspace's tables and foreign keys. */
export function graphFromIndex(index: TableIndex, options: WorkspaceGraphOptions): DiagramGraph {
  const files: ModuleFiles = options.files ?? { version: (p) => options.textOf(p), read: (p) => options.textOf(p) };
  const bindings = new ModuleBindings(files, options.env ?? process.env);
  const lines = new Map<string, LineIndex | undefined>();
  const lineIndex = (path: string): LineIndex | undefined => {
    if (!lines.has(path)) {
      const text = options.textOf(path);
      lines.set(path, text === undefined ? undefined : new LineIndex(text));
    }
    return lines.get(path);
  };
  const masterOf = (t: IndexedTable): IndexedTable | undefined => index.masterOf(t);

  const schemaOf = (t: IndexedTable): string | undefined => {
    const owner = masterOf(t) ?? t;
    if (owner.language === 'python') {
      const text = options.textOf(owner.path);
      const at = lineIndex(owner.path)?.position(owner.host.classSpan.start);
      return text === undefined || !at ? undefined : pythonSchemaOf(text, at.line);
    }
    try {
      return bindings.binding(owner.path, owner.className).schema;
    } catch {
      return undefined;
    }
  };
  const sqlNameOf = (t: IndexedTable): string | undefined => {
    if (!t.tier) return undefined;
    if (t.tier !== 'Part') return tableNameFor(t.tier, t.className);
    const m = masterOf(t);
    const masterTable = m?.tier && m.tier !== 'Part' ? tableNameFor(m.tier, m.className) : undefined;
    return masterTable === undefined ? undefined : tableNameFor('Part', t.className, masterTable);
  };

  // Sorted by path, so that of two definitions of one table (a Python and a TypeScript
  // pipeline on the same schema) the same one is the node every time.
  const tables = index.tables().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const byIndexId = new Map<string, Placed>();
  const nodes = new Map<string, DiagramNode>();
  /** By schema: module label -> the files of that module declaring tables in it. */
  const modulesOf = new Map<string, Map<string, Set<string>>>();
  for (const t of tables) {
    const schema = schemaOf(t);
    const table = sqlNameOf(t);
    const id = schema !== undefined && table !== undefined ? tableNodeId(schema, table) : `workspace:${t.id}`;
    let node = nodes.get(id);
    if (!node) {
      const at = lineIndex(t.path)?.position(t.host.classSpan.start);
      node = { id, className: t.className, name: t.name, inWorkspace: true, introducesDimension: false };
      if (schema !== undefined) node.schema = schema;
      if (table !== undefined) node.table = table;
      if (t.tier) node.tier = t.tier;
      if (at) node.location = { path: t.path, line: at.line, character: at.character };
      nodes.set(id, node);
    }
    byIndexId.set(t.id, { table: t, node });
    if (schema !== undefined) {
      let mods = modulesOf.get(schema);
      if (!mods) modulesOf.set(schema, (mods = new Map()));
      const label = moduleLabel(t.module);
      let paths = mods.get(label);
      if (!paths) mods.set(label, (paths = new Set()));
      paths.add(t.path);
    }
  }
  // Masters by node id, once every node is placed.
  for (const { table, node } of byIndexId.values()) {
    const m = masterOf(table);
    const placed = m ? byIndexId.get(m.id) : undefined;
    if (placed && node.tier === 'Part') node.master = placed.node.id;
  }

  const edges = new Map<string, DiagramEdge>();
  const analysed = new Set<string>();
  for (const { table, node } of byIndexId.values()) {
    const def = table.definition;
    // The first definition of a node speaks for it.
    if (!def || analysed.has(node.id)) continue;
    analysed.add(node.id);
    let model;
    try {
      // The index's own parse and model of the definition: parsed once per process.
      model = index.model(table);
    } catch {
      model = undefined;
    }
    if (!model) continue; // a definition the parser gives up on draws as a table without edges
    if (model.tableComment !== undefined) node.comment = model.tableComment;
    const pk = new Set(model.primaryKey);
    const inherited = new Set<string>();
    for (const fk of model.foreignKeys) {
      const parentId = fk.parent?.id;
      const parent = parentId !== undefined ? byIndexId.get(parentId)?.node : undefined;
      if (!parent || fk.attributes.length === 0) continue;
      const attrMap: Record<string, string> = {};
      for (const a of fk.attributes) attrMap[a.name] = a.parentName;
      const names = Object.keys(attrMap);
      // dependencies.py: primary = attr_map ⊆ child pk; multi = attr_map ≠ child pk.
      const primary = names.every((n) => pk.has(n));
      if (primary) for (const n of names) inherited.add(n);
      const edge: DiagramEdge = {
        id: `${parent.id}->${node.id}:${names.join(',')}`,
        from: parent.id,
        to: node.id,
        primary,
        multi: !(names.length === pk.size && primary),
        aliased: fk.attributes.some((a) => a.name !== a.parentName),
        attrMap,
      };
      edges.set(edge.id, edge);
    }
    // diagram.py _make_graph: the primary-FK attributes are a proper subset of the key.
    node.introducesDimension = pk.size > 0 && [...pk].some((n) => !inherited.has(n));
  }

  const schemas = schemaGroups(modulesOf);
  return { nodes: [...nodes.values()], edges: [...edges.values()], schemas, connected: false };
}

/**
 * The schemas' groups, labelled as diagram.py labels its clusters (the module name when one
 * module declares the schema, else the schema's name). Its label alone does not say which
 * schema a group is when two modules of one name (lab/pipeline.py, rig/pipeline.py) declare
 * different schemas, so every group's tooltip names the schema and its files, and groups whose
 * labels collide get a second line: the schema and the folder that tells them apart.
 */
function schemaGroups(modulesOf: Map<string, Map<string, Set<string>>>): DiagramSchema[] {
  const groups = [...modulesOf.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, mods]) => {
      const paths = [...mods.values()].flatMap((p) => [...p]).sort();
      const one = mods.size === 1 ? [...mods.keys()][0]! : undefined;
      return { name, label: one ?? name, paths, single: one !== undefined };
    });
  const byLabel = new Map<string, typeof groups>();
  for (const g of groups) byLabel.set(g.label, [...(byLabel.get(g.label) ?? []), g]);
  return groups.map((g): DiagramSchema => {
    const out: DiagramSchema = { name: g.name, label: g.label, title: `schema ${g.name}${g.paths.length ? ` · ${g.paths.join(', ')}` : ''}` };
    const same = byLabel.get(g.label)!;
    if (same.length > 1) {
      const folder = g.single ? distinctFolder(g.paths, same.filter((o) => o !== g).flatMap((o) => o.paths)) : undefined;
      out.detail = folder ? `${g.name} · ${folder}` : g.name;
    }
    return out;
  });
}

/** The fewest trailing folders of `paths`' directory that none of `others` shares (`lab/`, `a/lab/`). */
function distinctFolder(paths: string[], others: string[]): string | undefined {
  const dirs = (ps: string[]) => [...new Set(ps.map((p) => p.split(/[/\\]/).slice(0, -1).filter(Boolean).join('/')))].map((d) => d.split('/'));
  const mine = dirs(paths);
  if (mine.length !== 1) return undefined;
  const segments = mine[0]!;
  const theirs = dirs(others);
  for (let n = 1; n <= segments.length; n++) {
    const tail = segments.slice(-n).join('/');
    if (!theirs.some((o) => o.slice(-n).join('/') === tail)) return `${tail}/`;
  }
  return undefined;
}

/** diagram.py: `cls.__module__.split(".")[-1]`; a TS/JS module is its file name. */
function moduleLabel(module: string): string {
  const last = module.split(/[./\\]/).filter(Boolean).pop();
  return last ?? module;
}
