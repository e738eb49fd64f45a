// A table's definition reconstructed from the server, in the reference's format
// (table.py: describe; notes §5.6): what "show definition" displays for a table that
// has no source in the workspace, e.g. one declared from Python.
import { parseTableName } from './names';
import type { CatalogAttribute, CatalogTable } from './types';

/** Names a parent for `->` lines; default: its class name (`Master.Part` for parts) in the same schema, else `` `db`.`table` ``. */
export type ParentNamer = (schema: string, table: string) => string;

function defaultNamer(from: CatalogTable): ParentNamer {
  return (schema, table) => {
    const parsed = parseTableName(table);
    if (schema !== from.schema || !parsed) return `\`${schema}\`.\`${table}\``;
    if (parsed.tier === 'Part' && parsed.master) return `${parseTableName(parsed.master)?.className ?? parsed.master}.${parsed.className}`;
    return parsed.className;
  };
}

// heading.py: string attributes (ENUM, TEMPORAL, STRING patterns) show defaults in double
// quotes. PostgreSQL spells varchar `character varying`, and its enum columns have a type
// of their own (`enum_ab12cd34`): the DataJoint type (`enum('a','b')`) tells those.
const STRING_TYPE = /^(enum|(var)?char|character|date|datetime|time|timestamp|year|(tiny|medium|long)?text)\b/i;

function displayDefault(a: CatalogAttribute): string | null {
  if (a.nullable) return 'null';
  if (a.default === null) return null;
  if ((STRING_TYPE.test(a.sqlType) || STRING_TYPE.test(a.type)) && !/^current_timestamp/i.test(a.default)) return `"${a.default}"`;
  return a.default;
}

export function describeDefinition(t: CatalogTable, nameOf: ParentNamer = defaultNamer(t)): string {
  let out = t.comment ? `# ${t.comment}\n` : '';
  let inKey = true;
  const seen = new Set<string>();
  const indexes = new Map(t.indexes.map((ix) => [ix.columns.join('\u0000'), ix]));
  for (const a of t.attributes) {
    if (a.hidden) continue;
    if (inKey && !a.inKey) {
      out += '---\n';
      inKey = false;
    }
    seen.add(a.name);
    let include = true;
    for (const fk of t.foreignKeys) {
      if (!(a.name in fk.attrMap)) continue;
      include = false;
      // table.py: describe — printed once, when all of its columns have been passed.
      if (!fk.columns.every((c) => seen.has(c))) continue;
      const options: string[] = [];
      if (fk.nullable) options.push('nullable');
      const key = fk.columns.join('\u0000');
      const ix = indexes.get(key);
      if (ix) {
        indexes.delete(key);
        if (ix.unique) options.push('unique');
      }
      const opts = options.length ? ` [${options.join(', ')}]` : '';
      const parent = nameOf(fk.parentSchema, fk.parentTable);
      const renames = fk.columns.filter((c) => fk.attrMap[c] !== c).map((c) => `${c}="${fk.attrMap[c]}"`);
      out += renames.length ? `->${opts} ${parent}.proj(${renames.join(',')})\n` : `->${opts} ${parent}\n`;
    }
    if (!include) continue;
    const d = displayDefault(a);
    const name = d === null ? a.name : `${a.name}=${d}`;
    const type = `${a.type}${a.autoIncrement ? ' auto_increment' : ''}`;
    out += `${name.padEnd(20)} : ${type.padEnd(28)} ${a.comment ? `# ${a.comment}` : ''}\n`;
  }
  for (const ix of indexes.values()) out += `${ix.unique ? 'UNIQUE ' : ''}INDEX (${ix.columns.join(', ')})\n`;
  return out;
}
