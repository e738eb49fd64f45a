// Which table "View Rows" is for, from what its callers pass: a Tables view node, an
// object `{ schema, table }` (the diagram), or a full name "`schema`.`table`" (also
// `schema.table`). No vscode import: unit-tested (test/unit/client/rows-target.test.ts).

export interface RowsTarget {
  schema: string;
  /** The SQL name (`__trial`, `#method`), as the catalog lists it. */
  table: string;
}

const QUOTED = /^`((?:[^`]|``)+)`\.`((?:[^`]|``)+)`$/;

/** The table an argument names, or a sentence saying why it names none. */
export function rowsTarget(arg: unknown): RowsTarget | string {
  if (typeof arg === 'string') return fromFullName(arg);
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as Record<string, unknown>;
    if (typeof o.schema === 'string' && typeof o.table === 'string' && o.schema && o.table) return { schema: o.schema, table: o.table };
    // A Tables view node: { kind: 'table', table: { schema, name } }.
    const t = o.table as Record<string, unknown> | undefined;
    if (o.kind === 'table' && t && typeof t.schema === 'string' && typeof t.name === 'string') return { schema: t.schema, table: t.name };
  }
  return 'View Rows needs a table: a Tables view item, { schema, table }, or "`schema`.`table`".';
}

function fromFullName(text: string): RowsTarget | string {
  const t = text.trim();
  const q = QUOTED.exec(t);
  if (q) return { schema: q[1]!.replaceAll('``', '`'), table: q[2]!.replaceAll('``', '`') };
  const dot = t.indexOf('.');
  if (dot > 0 && dot < t.length - 1 && !t.includes('`')) return { schema: t.slice(0, dot), table: t.slice(dot + 1) };
  return `"${text}" is not a table's full name ("\`schema\`.\`table\`").`;
}

/** "`schema`.`table`", as DataJoint writes a table's full name. */
export function fullName(target: RowsTarget): string {
  return `\`${target.schema.replaceAll('`', '``')}\`.\`${target.table.replaceAll('`', '``')}\``;
}
