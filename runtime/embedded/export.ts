// `djx db export`: the embedded database as SQL that a PostgreSQL server (15 or later) loads
// with `psql -v ON_ERROR_STOP=1 -f dump.sql`: schemas, enum types, sequences, tables with
// their columns, defaults, keys, checks and comments, the rows as INSERTs, indexes, then the
// foreign keys (after the rows, as pg_dump orders them, so the rows load in any order).
//
// Written here from the catalog rather than with pglite-tools' pgDump (checked with PGlite
// 0.5.17 and pglite-tools 0.4.8): that one runs only inside the process holding PGlite,
// so it cannot dump a database another process serves; its peer dependency pins PGlite
// 0.5.8; and its output carries PGlite's own `ALTER COLUMN … SET (pg_attver=…)`, which a
// stock PostgreSQL rejects (`unrecognized parameter "pg_attver"`).
//
// It runs in one read-only REPEATABLE READ transaction, so the export is one consistent
// snapshot; on the embedded server that transaction holds the database until it ends.
// Not exported: roles and privileges (everything loads as the loading user), views,
// functions, triggers, domains and composite types, non-default collations — DataJoint
// creates none of them.
import type { Connection } from '../connection/index';
import { postgresDialect } from '../dialect/postgres';

export interface ExportSummary {
  schemas: string[];
  tables: number;
  rows: number;
}

export interface ExportOptions {
  /** Rows per INSERT statement (default 500). */
  batch?: number;
  /** Header lines (without `-- `): what was exported, from where. */
  header?: string[];
}

const qi = (name: string): string => postgresDialect.quote(name);
/** A string literal under standard_conforming_strings (backslashes literal). */
const lit = (text: string): string => "'" + text.replace(/'/g, "''") + "'";

type Write = (chunk: string) => void | Promise<void>;

type TableRow = {
  oid: number;
  schema: string;
  name: string;
  comment: string | null;
};

type ColumnRow = {
  name: string;
  type: string;
  notnull: boolean;
  def: string | null;
  identity: string;
  generated: string;
  comment: string | null;
};

/** The schemas a user made: every one but PostgreSQL's own. */
export async function userSchemas(conn: Connection): Promise<string[]> {
  const rows = await conn.query<{ s: string }>(
    "SELECT nspname AS s FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%' ORDER BY 1",
  );
  return rows.map((r) => r.s);
}

export async function exportDatabase(conn: Connection, write: Write, options: ExportOptions = {}): Promise<ExportSummary> {
  const batch = options.batch ?? 500;
  return conn.transaction(async () => {
    await conn.execute('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // Every name the catalog functions print comes out schema-qualified (pg_catalog's
    // excepted), as the load below runs with the same empty search_path. SET LOCAL: the
    // embedded server's one session is shared by all its clients; this ends with the export.
    await conn.execute("SET LOCAL search_path = ''");
    const schemas = await userSchemas(conn);
    const summary: ExportSummary = { schemas, tables: 0, rows: 0 };
    for (const h of options.header ?? []) await write(`-- ${h}\n`);
    await write(
      [
        '',
        "SET client_encoding = 'UTF8';",
        'SET standard_conforming_strings = on;',
        'SET check_function_bodies = false;',
        // As pg_dump's: no NOTICE for the public schema that every database already has.
        'SET client_min_messages = warning;',
        "SELECT pg_catalog.set_config('search_path', '', false);",
        'BEGIN;',
        '',
      ].join('\n') + '\n',
    );
    for (const s of schemas) await write(s === 'public' ? `CREATE SCHEMA IF NOT EXISTS ${qi(s)};\n` : `CREATE SCHEMA ${qi(s)};\n`);

    const enums = await conn.query<{ schema: string; name: string; labels: string }>(
      `SELECT n.nspname AS schema, t.typname AS name, json_agg(e.enumlabel ORDER BY e.enumsortorder)::text AS labels
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
        WHERE n.nspname = ANY(CAST(? AS text[])) GROUP BY 1, 2 ORDER BY 1, 2`,
      [schemas],
    );
    for (const e of enums) {
      const labels = (JSON.parse(e.labels) as string[]).map(lit).join(', ');
      await write(`CREATE TYPE ${qi(e.schema)}.${qi(e.name)} AS ENUM (${labels});\n`);
    }

    // Sequences of serial columns and free-standing ones (identity columns make their own).
    const sequences = await conn.query<{ schema: string; name: string; type: string; start: string; inc: string; min: string; max: string; cache: string; cycle: boolean; owner: string | null }>(
      `SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS inc,
              s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
              (SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || '.' || quote_ident(a.attname)
                 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a' LIMIT 1) AS owner
         FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY(CAST(? AS text[]))
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
        ORDER BY 1, 2`,
      [schemas],
    );
    for (const q of sequences) {
      await write(
        `CREATE SEQUENCE ${qi(q.schema)}.${qi(q.name)} AS ${q.type} START WITH ${q.start} INCREMENT BY ${q.inc} MINVALUE ${q.min} MAXVALUE ${q.max} CACHE ${q.cache}${q.cycle ? ' CYCLE' : ''};\n`,
      );
    }

    const tables = await conn.query<TableRow>(
      `SELECT c.oid AS oid, n.nspname AS schema, c.relname AS name, obj_description(c.oid, 'pg_class') AS comment
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = ANY(CAST(? AS text[])) ORDER BY 2, 3`,
      [schemas],
    );
    const after: string[] = [];
    const foreignKeys: string[] = [];
    for (const t of tables) {
      const full = `${qi(t.schema)}.${qi(t.name)}`;
      const columns = await conn.query<ColumnRow>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS def,
                a.attidentity::text AS identity, a.attgenerated::text AS generated, col_description(a.attrelid, a.attnum) AS comment
           FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = CAST(? AS oid) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [t.oid],
      );
      const constraints = await conn.query<{ name: string; type: string; def: string }>(
        `SELECT conname AS name, contype::text AS type, pg_get_constraintdef(oid) AS def FROM pg_catalog.pg_constraint
          WHERE conrelid = CAST(? AS oid) AND contype IN ('p', 'u', 'c', 'x', 'f') ORDER BY contype <> 'p', conname`,
        [t.oid],
      );
      const lines = columns.map((c) => {
        let line = `    ${qi(c.name)} ${c.type}`;
        if (c.generated === 's') line += ` GENERATED ALWAYS AS (${c.def}) STORED`;
        else if (c.generated === 'v') line += ` GENERATED ALWAYS AS (${c.def}) VIRTUAL`;
        else if (c.identity === 'a') line += ' GENERATED ALWAYS AS IDENTITY';
        else if (c.identity === 'd') line += ' GENERATED BY DEFAULT AS IDENTITY';
        else if (c.def !== null) line += ` DEFAULT ${c.def}`;
        if (c.notnull) line += ' NOT NULL';
        return line;
      });
      for (const k of constraints) {
        if (k.type === 'f') foreignKeys.push(`ALTER TABLE ONLY ${full} ADD CONSTRAINT ${qi(k.name)} ${k.def};`);
        else lines.push(`    CONSTRAINT ${qi(k.name)} ${k.def}`);
      }
      await write(`\nCREATE TABLE ${full} (\n${lines.join(',\n')}\n);\n`);
      if (t.comment !== null) await write(`COMMENT ON TABLE ${full} IS ${lit(t.comment)};\n`);
      for (const c of columns) if (c.comment !== null) await write(`COMMENT ON COLUMN ${full}.${qi(c.name)} IS ${lit(c.comment)};\n`);

      // The rows, in primary-key order (then physical order) so that two exports compare.
      const stored = columns.filter((c) => c.generated === '');
      const pk = await conn.query<{ name: string }>(
        `SELECT a.attname AS name FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
          WHERE i.indrelid = CAST(? AS oid) AND i.indisprimary ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)`,
        [t.oid],
      );
      const order = [...pk.map((k) => qi(k.name)), 'ctid'].join(', ');
      const values = stored.map((c) => `quote_nullable(${qi(c.name)})`).join(" || ', ' || ");
      const head = `INSERT INTO ${full} (${stored.map((c) => qi(c.name)).join(', ')})${stored.some((c) => c.identity === 'a') ? ' OVERRIDING SYSTEM VALUE' : ''} VALUES\n`;
      if (stored.length > 0) {
        for (let offset = 0; ; offset += batch) {
          const rows = await conn.query<{ v: string }>(`SELECT ${values} AS v FROM ${full} ORDER BY ${order} LIMIT ${batch} OFFSET ${offset}`);
          if (rows.length === 0) break;
          await write(head + rows.map((r) => `(${r.v})`).join(',\n') + ';\n');
          summary.rows += rows.length;
          if (rows.length < batch) break;
        }
      }
      summary.tables++;

      const indexes = await conn.query<{ def: string }>(
        `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_catalog.pg_index i
          WHERE i.indrelid = CAST(? AS oid)
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
          ORDER BY 1`,
        [t.oid],
      );
      for (const i of indexes) after.push(`${i.def};`);
      // Where an identity column's sequence stands, so that the next insert continues there.
      for (const c of columns.filter((x) => x.identity !== '')) {
        const [seq] = await conn.query<{ v: string | null; called: boolean }>(
          `SELECT s.last_value::text AS v, s.is_called AS called FROM pg_catalog.pg_sequences s
            WHERE quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename) = pg_get_serial_sequence(?, ?)`,
          [full, c.name],
        );
        if (seq?.v != null) after.push(`SELECT pg_catalog.setval(pg_get_serial_sequence(${lit(full)}, ${lit(c.name)}), ${seq.v}, true);`);
      }
    }
    for (const q of sequences) {
      const full = `${qi(q.schema)}.${qi(q.name)}`;
      const [v] = await conn.query<{ v: string; called: boolean }>(`SELECT last_value::text AS v, is_called AS called FROM ${full}`);
      if (v) after.push(`SELECT pg_catalog.setval(${lit(full)}, ${v.v}, ${v.called ? 'true' : 'false'});`);
      if (q.owner) after.push(`ALTER SEQUENCE ${full} OWNED BY ${q.owner};`);
    }
    await write('\n' + [...after, ...foreignKeys].join('\n') + (after.length + foreignKeys.length ? '\n' : '') + '\nCOMMIT;\n');
    return summary;
  });
}
