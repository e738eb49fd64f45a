// Our PostgreSQL DDL against the real DataJoint for Python's, offline: for each definition
// both sides lay out the same table — declare.py: declare with adapters/postgres.py on
// Python's side (test/fixtures/python/pg_declare.py), compileTable and the PostgreSQL
// dialect on ours — and the statements must be the same strings in the same order. No
// server runs: the parents' headings come on both sides from the same information_schema
// rows (as PostgreSQL 15 reports the parents as declared here), read by Python's heading
// code and by our Catalog. Also the jobs table (jobs.py: Job._generate_definition declared
// through declare.py) and `~lineage` (lineage.py: ensure_lineage_table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Catalog } from '../../../runtime/catalog/index';
import { compileTable, type ParentTable } from '../../../runtime/declare/compile';
import { parseDefinition } from '../../../runtime/definition/index';
import { postgresDialect as d, type Sql } from '../../../runtime/dialect/index';
import { jobsTableStatements, lineageTableStatements } from '../../../runtime/jobs/definition';
import { PYTHON_FIXTURES, pythonInterpreter } from './helpers';

/** One row of information_schema.columns with the column's comment, as both sides query it. */
type ColumnInfo = Record<string, string | number | null>;
interface TableInfo {
  comment: string;
  primary_key: string[];
  columns: ColumnInfo[];
}

// information_schema.columns udt_name of the built-in types used here.
const UDT: Record<string, string> = {
  integer: 'int4',
  smallint: 'int2',
  'character varying': 'varchar',
  'timestamp without time zone': 'timestamp',
  'double precision': 'float8',
};

function col(name: string, dataType: string, o: { comment?: string; nullable?: boolean; default?: string; udt?: string; length?: number; precision?: number; scale?: number } = {}): ColumnInfo {
  return {
    column_name: name,
    data_type: dataType,
    udt_name: o.udt ?? UDT[dataType] ?? dataType,
    is_nullable: o.nullable ? 'YES' : 'NO',
    column_default: o.default ?? null,
    is_identity: 'NO',
    character_maximum_length: o.length ?? null,
    numeric_precision: o.precision ?? null,
    numeric_scale: o.scale ?? null,
    column_comment: o.comment ?? null,
  };
}

// The parents as PostgreSQL 15 reports them once declared (by either side) from:
//   Subject:      subject_id : int32 # unique id / --- / name = "" : varchar(64)
//   Experimenter: experimenter_id : uuid # who
//   Kind:         kind : enum('a','b')          (in schema `other`)
//   Method:       method : varchar(16)
//   Clock:        t : datetime(3)
//   Price:        p : decimal(5,2)
//   Session:      -> Subject / session_idx : int16
//   Analysis:     -> Session / -> Method.proj(amethod='method') / --- / result : float64
const TABLES: Record<string, TableInfo> = {
  'lab.subject': {
    comment: 'subjects',
    primary_key: ['subject_id'],
    columns: [
      col('subject_id', 'integer', { comment: ':int32:unique id', precision: 32, scale: 0 }),
      col('name', 'character varying', { comment: ':varchar(64):', default: "''::character varying", length: 64 }),
    ],
  },
  'lab.#experimenter': { comment: '', primary_key: ['experimenter_id'], columns: [col('experimenter_id', 'uuid', { comment: ':uuid:who' })] },
  'other.#kind': { comment: '', primary_key: ['kind'], columns: [col('kind', 'USER-DEFINED', { udt: 'enum_dbf08e00', comment: ":enum('a','b'):" })] },
  'lab.#method': { comment: '', primary_key: ['method'], columns: [col('method', 'character varying', { comment: ':varchar(16):', length: 16 })] },
  'lab.#clock': { comment: '', primary_key: ['t'], columns: [col('t', 'timestamp without time zone', { comment: ':datetime(3):' })] },
  'lab.#price': { comment: '', primary_key: ['p'], columns: [col('p', 'numeric', { comment: ':decimal(5,2):', precision: 5, scale: 2 })] },
  'lab.session': {
    comment: '',
    primary_key: ['subject_id', 'session_idx'],
    columns: [col('subject_id', 'integer', { precision: 32, scale: 0 }), col('session_idx', 'smallint', { comment: ':int16:', precision: 16, scale: 0 })],
  },
  'lab.__analysis': {
    comment: '',
    primary_key: ['subject_id', 'session_idx', 'amethod'],
    columns: [
      col('subject_id', 'integer', { precision: 32, scale: 0 }),
      col('session_idx', 'smallint', { precision: 16, scale: 0 }),
      col('amethod', 'character varying', { length: 16 }),
      col('result', 'double precision', { comment: ':float64:', precision: 53 }),
    ],
  },
};

/** Answers exactly the catalog queries our dialect builds for TABLES (no foreign keys, indexes or lineage). */
function catalogOf(tables: Record<string, TableInfo>): Catalog {
  const answers = new Map<string, Array<Record<string, unknown>>>();
  const answer = (q: Sql, rows: Array<Record<string, unknown>>) => answers.set(JSON.stringify([q.sql, q.params]), rows);
  const schemas = new Set<string>();
  for (const [key, t] of Object.entries(tables)) {
    const [schema, table] = key.split(/\.(.*)/s);
    schemas.add(schema);
    answer(d.tableInfo(schema, table), [{ name: table, comment: t.comment, estimated_rows: 0 }]);
    answer(d.columns(schema, table), t.columns);
    answer(d.primaryKey(schema, table), t.primary_key.map((name) => ({ name })));
    answer(d.indexes(schema, table), []);
  }
  for (const schema of schemas) {
    const names = Object.keys(tables).filter((k) => k.startsWith(`${schema}.`)).map((k) => k.slice(schema.length + 1));
    answer(d.foreignKeys(schema), []);
    answer(d.tableInfo(schema, '~lineage'), []);
    answer(d.listTables(schema), names.map((name) => ({ name })));
  }
  return new Catalog({
    dialect: d,
    query: async (sql, params = []) => {
      const rows = answers.get(JSON.stringify([sql, params]));
      if (!rows) throw new Error(`unexpected catalog query: ${sql} ${JSON.stringify(params)}`);
      return rows;
    },
  });
}

/** A parent's heading as runtime/schema/index.ts passes it to compileTable. */
async function parent(catalog: Catalog, key: string): Promise<ParentTable> {
  const [schema, table] = key.split(/\.(.*)/s);
  const t = await catalog.describeTable(schema, table);
  return { schema, table, primaryKey: t.primaryKey, attributes: t.attributes.map((a) => ({ name: a.name, sqlType: a.sqlType, type: a.type, comment: a.comment })) };
}

type Case =
  | { kind: 'table'; name: string; table: string; definition: string; context: Record<string, string>; add_job_metadata?: boolean }
  | { kind: 'jobs'; name: string; target: string; keys: Array<[string, string]> }
  | { kind: 'lineage'; name: string; schema: string };

const CASES: Case[] = [
  {
    kind: 'table',
    name: 'rich manual table',
    table: 'lab.session_detail',
    context: { Subject: 'lab.subject', Experimenter: 'lab.#experimenter', Kind: 'other.#kind', Method: 'lab.#method', Clock: 'lab.#clock', Price: 'lab.#price' },
    definition: `
      # Details of "a" session, it's here
      -> Subject
      detail_idx : int16          # index, it's "n"
      ---
      -> [nullable] Experimenter
      -> [unique] Method
      -> Subject.proj(buddy_id='subject_id')
      -> Kind
      -> Clock
      -> [nullable] Price
      kind2 = 'b' : enum('a','b')
      tag = 'x' : enum('x', 'y', 'z')   # a 'tag'
      uid = null : uuid
      info = null : json
      data = null : <blob>
      flag = 1 : bool
      started = CURRENT_TIMESTAMP : datetime(3)
      stamped = CURRENT_TIMESTAMP(3) : datetime(3)
      price = 1.5 : decimal(5,2)
      note = "it's" : varchar(64)     # say "hi" and 'bye' \\o/
      day = "2020-01-01" : date
      count : smallint
      INDEX (tag)
      UNIQUE INDEX (started, detail_idx)
      index (kind2, tag)
    `,
  },
  {
    kind: 'table',
    name: 'computed table with job metadata and overlapping foreign keys',
    table: 'lab.__result',
    add_job_metadata: true,
    context: { Session: 'lab.session', Method: 'lab.#method', Subject: 'lab.subject' },
    definition: `
      -> Session
      -> Method.proj(amethod='method')
      ---
      mean : float64        # mean "rate"
      -> [nullable] Session.proj(o_subject='subject_id', o_idx='session_idx')
      -> [nullable] Subject.proj(o_subject='subject_id')
      -> [nullable] Subject.proj(p_subject='subject_id')
    `,
  },
  {
    kind: 'table',
    name: 'part of a computed table (no job metadata)',
    table: 'lab.__analysis__unit',
    add_job_metadata: true,
    context: { master: 'lab.__analysis' },
    definition: `
      -> master
      unit_id : int32
      ---
      spikes = null : <blob>
    `,
  },
  {
    kind: 'table',
    name: 'imported table with job metadata',
    table: 'lab._recording',
    add_job_metadata: true,
    context: { Session: 'lab.session' },
    definition: `
      -> Session
      ---
      file : varchar(255)  # path
    `,
  },
  {
    kind: 'table',
    name: 'imported part: no job metadata',
    table: 'lab._recording__channel',
    add_job_metadata: true,
    context: { master: 'lab.session' },
    definition: `
      -> master
      channel : int16
    `,
  },
  {
    kind: 'table',
    name: 'one enum type for the same values in another order',
    table: 'lab.#choice',
    context: {},
    definition: `
      k : enum('b','a')
      ---
      x = 'a' : enum('a','b')
      y : enum('n', 'm')
      z : enum('b', 'a')
    `,
  },
  {
    kind: 'table',
    name: 'singleton lookup',
    table: 'lab.#config',
    context: {},
    definition: `
      # settings
      ---
      value = 5 : int32     # the "value"
      mode = "fast" : enum('fast', 'slow')
    `,
  },
  { kind: 'jobs', name: 'jobs table', target: 'lab.__analysis', keys: [['subject_id', 'integer'], ['session_idx', 'int16'], ['amethod', 'varchar(16)']] },
  { kind: 'jobs', name: 'jobs table with a uuid key', target: 'lab._scan', keys: [['experimenter_id', 'uuid'], ['p', 'decimal(5,2)']] },
  { kind: 'lineage', name: '~lineage', schema: 'lab' },
];

interface PyResult {
  statements?: string[];
  error?: string;
}

async function python(cases: object[]): Promise<PyResult[]> {
  const py = await pythonInterpreter();
  const r = spawnSync(py, [join(PYTHON_FIXTURES, 'pg_declare.py')], { input: JSON.stringify({ tables: TABLES, cases }), encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, `pg_declare.py failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as PyResult[];
}

/**
 * The one difference allowed: we create an enum type in a DO block that ignores an
 * existing type, where Python sends the bare CREATE TYPE and ignores any error of it
 * (table.py: declare). The catalog either leaves is the same; the wrapper is removed.
 */
function normalize(statement: string): string {
  const m = /^DO \$dj\$ BEGIN (CREATE TYPE .*); EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$dj\$$/s.exec(statement);
  return m ? m[1] : statement;
}

async function ours(c: Case, catalog: Catalog): Promise<string[]> {
  if (c.kind === 'jobs') {
    const [schema, table] = c.target.split(/\.(.*)/s);
    return jobsTableStatements(d, schema, table, c.keys.map(([name, type]) => ({ name, type })));
  }
  if (c.kind === 'lineage') return lineageTableStatements(d, c.schema);
  const [schema, table] = c.table.split(/\.(.*)/s);
  const parents = new Map<string, ParentTable>();
  for (const [name, key] of Object.entries(c.context)) parents.set(name, await parent(catalog, key));
  const { ast, diagnostics } = parseDefinition(c.definition);
  assert.deepEqual(diagnostics.filter((x) => x.severity === 'error'), [], c.name);
  const compiled = compileTable({ ast, schema, table, dialect: d, resolve: (p) => parents.get(p.join('.')), addJobMetadata: c.add_job_metadata ?? false });
  return d.createTable(compiled.spec);
}

test('our PostgreSQL statements are the ones DataJoint for Python sends', async () => {
  const results = await python(CASES);
  const catalog = catalogOf(TABLES);
  for (const [i, c] of CASES.entries()) {
    const py = results[i];
    assert.equal(py.error, undefined, `${c.name}: Python refused it: ${py.error}`);
    assert.deepEqual((await ours(c, catalog)).map(normalize), py.statements, c.name);
  }
});

test('what the reference cannot declare on PostgreSQL is refused', async () => {
  const long = `lab.${'a'.repeat(64)}`;
  const cases: Case[] = [
    { kind: 'table', name: 'json-path index', table: 'lab.doc', context: {}, definition: 'doc_id : int32\n---\ninfo : json\nindex (info.name:varchar(20))\n' },
    { kind: 'table', name: 'name too long', table: long, context: {}, definition: 'k : int32\n' },
  ];
  const [jsonIndex, tooLong] = await python(cases);
  const catalog = catalogOf(TABLES);
  // Python splits the expression at commas and quotes the pieces as columns: its CREATE
  // INDEX names no existing column and does not parse, so the server would refuse it.
  assert.ok(jsonIndex.statements?.some((s) => s.startsWith('CREATE INDEX') && s.includes('"((jsonb_extract_path_text(')), JSON.stringify(jsonIndex));
  await assert.rejects(ours(cases[0], catalog), /index member `info\.name:varchar\(20\)` is not an attribute/);
  assert.match(tooLong.error ?? '', /exceeds the max length of 63/);
  await assert.rejects(ours(cases[1], catalog), { message: tooLong.error!.replace(/^DataJointError: /, '') });
});
