// The PostgreSQL dialect without a server: the statements declaring a table as DataJoint
// for Python sends them on PostgreSQL (declare.py: declare, adapters/postgres.py; notes
// §4.9 — the same strings test/integration/python/pg-ddl.test.ts checks against the real
// library), the jobs and `~lineage` tables, type maps both ways, information_schema rows
// read back, a declared table compared with what the server reports, and error codes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog } from '../../../runtime/catalog/index';
import { compileTable, type ParentTable } from '../../../runtime/declare/compile';
import { compareWithExisting } from '../../../runtime/declare/compare';
import { parseDefinition } from '../../../runtime/definition/index';
import { postgresDialect as d, type Sql, type TableSpec } from '../../../runtime/dialect/index';
import { enumTypeName, plainDefault } from '../../../runtime/dialect/postgres';
import { jobsTableStatements, lineageTableStatements } from '../../../runtime/jobs/definition';

// Parent headings as our catalog reads them from PostgreSQL: types as information_schema
// reports them (`integer`, `enum_…`, `timestamp without time zone`), user comments.
const parents: Record<string, ParentTable> = {
  Subject: {
    schema: 'lab',
    table: 'subject',
    primaryKey: ['subject_id'],
    attributes: [
      { name: 'subject_id', sqlType: 'integer', type: 'int32', comment: 'unique id' },
      { name: 'name', sqlType: 'varchar(64)', type: 'varchar(64)', comment: '' },
    ],
  },
  Experimenter: { schema: 'lab', table: '#experimenter', primaryKey: ['experimenter_id'], attributes: [{ name: 'experimenter_id', sqlType: 'uuid', type: 'uuid', comment: 'who' }] },
  Kind: { schema: 'other', table: '#kind', primaryKey: ['kind'], attributes: [{ name: 'kind', sqlType: 'enum_dbf08e00', type: "enum('a','b')", comment: '' }] },
  Method: { schema: 'lab', table: '#method', primaryKey: ['method'], attributes: [{ name: 'method', sqlType: 'varchar(16)', type: 'varchar(16)', comment: '' }] },
  Clock: { schema: 'lab', table: '#clock', primaryKey: ['t'], attributes: [{ name: 't', sqlType: 'timestamp without time zone', type: 'datetime(3)', comment: '' }] },
  Session: {
    schema: 'lab',
    table: 'session',
    primaryKey: ['subject_id', 'session_idx'],
    attributes: [
      { name: 'subject_id', sqlType: 'integer', type: 'int32', comment: '' },
      { name: 'session_idx', sqlType: 'smallint', type: 'int16', comment: '' },
    ],
  },
};

function spec(definition: string, table: string, addJobMetadata = false, schema = 'lab'): TableSpec {
  const { ast, diagnostics } = parseDefinition(definition);
  assert.deepEqual(diagnostics.filter((x) => x.severity === 'error'), []);
  const all: Record<string, ParentTable> = { ...parents, master: parents.Session };
  return compileTable({ ast, schema, table, dialect: d, resolve: (p) => all[p.join('.')], addJobMetadata }).spec;
}

const statements = (definition: string, table: string, addJobMetadata = false) => d.createTable(spec(definition, table, addJobMetadata));

describe('postgresql dialect: declaring tables', () => {
  it('lays out a rich definition as the reference does, statement by statement', () => {
    const out = statements(
      `
      # Sessions of "a" subject, it's here
      -> Subject
      session_idx : int16          # index, it's "n"
      ---
      -> [nullable] Experimenter
      -> [unique] Method
      -> Subject.proj(buddy_id='subject_id')
      -> Kind
      -> Clock
      tag = 'x' : enum('x', 'y', 'z')   # a 'tag'
      uid = null : uuid
      info = null : json
      data = null : <blob>
      flag = 1 : bool
      started = CURRENT_TIMESTAMP : datetime(3)
      stamped = CURRENT_TIMESTAMP(3) : datetime(3)
      price = 1.5 : decimal(5,2)
      note = "it's" : varchar(64)     # say "hi" \\o/
      count : smallint
      INDEX (tag)
      UNIQUE INDEX (started, session_idx)
      `,
      'session',
    );
    assert.deepEqual(out, [
      `DO $dj$ BEGIN CREATE TYPE "lab"."enum_46d061b7" AS ENUM ('x', 'y', 'z'); EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $dj$`,
      [
        'CREATE TABLE IF NOT EXISTS "lab"."session" (',
        '"subject_id" integer NOT NULL,',
        '"session_idx" smallint NOT NULL,',
        '"experimenter_id" uuid,',
        '"method" varchar(16) NOT NULL,',
        '"buddy_id" integer NOT NULL,',
        '"kind" "other"."enum_dbf08e00" NOT NULL,',
        '"t" timestamp without time zone NOT NULL,',
        `"tag" "lab"."enum_46d061b7" NOT NULL DEFAULT 'x',`,
        '"uid" uuid DEFAULT NULL,',
        '"info" jsonb DEFAULT NULL,',
        '"data" bytea DEFAULT NULL,',
        `"flag" boolean NOT NULL DEFAULT '1',`,
        '"started" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,',
        '"stamped" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),',
        `"price" numeric(5,2) NOT NULL DEFAULT '1.5',`,
        `"note" varchar(64) NOT NULL DEFAULT 'it''s',`,
        '"count" smallint NOT NULL,',
        'PRIMARY KEY ("subject_id", "session_idx"),',
        'FOREIGN KEY ("subject_id") REFERENCES "lab"."subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT,',
        'FOREIGN KEY ("experimenter_id") REFERENCES "lab"."#experimenter" ("experimenter_id") ON UPDATE CASCADE ON DELETE RESTRICT,',
        'FOREIGN KEY ("method") REFERENCES "lab"."#method" ("method") ON UPDATE CASCADE ON DELETE RESTRICT,',
        'FOREIGN KEY ("buddy_id") REFERENCES "lab"."subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT,',
        'FOREIGN KEY ("kind") REFERENCES "other"."#kind" ("kind") ON UPDATE CASCADE ON DELETE RESTRICT,',
        'FOREIGN KEY ("t") REFERENCES "lab"."#clock" ("t") ON UPDATE CASCADE ON DELETE RESTRICT',
        ') ',
      ].join('\n'),
      // Declared and unique-FK indexes in line order, then the FK support indexes (#1512).
      'CREATE UNIQUE INDEX "idx_session_method" ON "lab"."session" ("method")',
      'CREATE INDEX "idx_session_tag" ON "lab"."session" ("tag")',
      'CREATE UNIQUE INDEX "idx_session_started_session_idx" ON "lab"."session" ("started", "session_idx")',
      'CREATE INDEX "idx_session_experimenter_id" ON "lab"."session" ("experimenter_id")',
      'CREATE INDEX "idx_session_buddy_id" ON "lab"."session" ("buddy_id")',
      'CREATE INDEX "idx_session_kind" ON "lab"."session" ("kind")',
      'CREATE INDEX "idx_session_t" ON "lab"."session" ("t")',
      // The table comment unescaped but for '', the `"` → `\"` of compile_attribute kept in column comments.
      `COMMENT ON TABLE "lab"."session" IS 'Sessions of "a" subject, it''s here'`,
      `COMMENT ON COLUMN "lab"."session"."session_idx" IS ':int16:index, it''s \\"n\\"'`,
      `COMMENT ON COLUMN "lab"."session"."tag" IS ':enum(''x'', ''y'', ''z''):a ''tag'''`,
      `COMMENT ON COLUMN "lab"."session"."uid" IS ':uuid:'`,
      `COMMENT ON COLUMN "lab"."session"."info" IS ':json:'`,
      `COMMENT ON COLUMN "lab"."session"."data" IS ':<blob>:'`,
      `COMMENT ON COLUMN "lab"."session"."flag" IS ':bool:'`,
      `COMMENT ON COLUMN "lab"."session"."started" IS ':datetime(3):'`,
      `COMMENT ON COLUMN "lab"."session"."stamped" IS ':datetime(3):'`,
      `COMMENT ON COLUMN "lab"."session"."price" IS ':decimal(5,2):'`,
      `COMMENT ON COLUMN "lab"."session"."note" IS ':varchar(64):say \\"hi\\" \\o/'`,
    ]);
  });

  it('adds no support index where the primary key, a declared index or a longer FK index covers the columns', () => {
    const out = statements(
      `
      -> Session
      -> Method.proj(amethod='method')
      ---
      -> [nullable] Session.proj(o_subject='subject_id', o_idx='session_idx')
      -> [nullable] Subject.proj(o_subject='subject_id')
      -> [nullable] Subject.proj(p_subject='subject_id')
      -> [nullable] Experimenter
      index (experimenter_id, p_subject)
      `,
      '__result',
    );
    assert.deepEqual(
      out.filter((s) => s.startsWith('CREATE') && s.includes('INDEX')),
      [
        'CREATE INDEX "idx___result_experimenter_id_p_subject" ON "lab"."__result" ("experimenter_id", "p_subject")',
        'CREATE INDEX "idx___result_o_subject_o_idx" ON "lab"."__result" ("o_subject", "o_idx")',
        'CREATE INDEX "idx___result_amethod" ON "lab"."__result" ("amethod")',
        'CREATE INDEX "idx___result_p_subject" ON "lab"."__result" ("p_subject")',
      ],
    );
  });

  it('gives Computed and Imported masters the job columns, after the declared ones, with their comments', () => {
    const computed = statements('-> Session\n---\nmean : float64 # mean "rate"\n', '__analysis', true);
    assert.deepEqual(computed, [
      [
        'CREATE TABLE IF NOT EXISTS "lab"."__analysis" (',
        '"subject_id" integer NOT NULL,',
        '"session_idx" smallint NOT NULL,',
        '"mean" double precision NOT NULL,',
        '"_job_start_time" timestamp(3) DEFAULT NULL,',
        '"_job_duration" real DEFAULT NULL,',
        `"_job_version" varchar(64) NOT NULL DEFAULT '',`,
        'PRIMARY KEY ("subject_id", "session_idx"),',
        'FOREIGN KEY ("subject_id", "session_idx") REFERENCES "lab"."session" ("subject_id", "session_idx") ON UPDATE CASCADE ON DELETE RESTRICT',
        ') ',
      ].join('\n'),
      `COMMENT ON TABLE "lab"."__analysis" IS ''`,
      `COMMENT ON COLUMN "lab"."__analysis"."mean" IS ':float64:mean \\"rate\\"'`,
      `COMMENT ON COLUMN "lab"."__analysis"."_job_start_time" IS ':datetime(3):when computation began'`,
      `COMMENT ON COLUMN "lab"."__analysis"."_job_duration" IS ':float32:computation duration in seconds'`,
      `COMMENT ON COLUMN "lab"."__analysis"."_job_version" IS ':varchar(64):code version'`,
    ]);
    assert.ok(statements('-> Session\n', '_recording', true)[0].includes('"_job_start_time"'));
    // Parts (of Computed and of Imported masters) and other tiers get none; nor without the setting.
    for (const t of ['__analysis__unit', '_recording__unit', 'session_note', '#kind2']) assert.ok(!statements('-> master\nunit_id : int32\n', t, true)[0].includes('_job_'), t);
    assert.ok(!statements('-> Session\n', '__analysis', false)[0].includes('_job_'));
  });

  it('declares a part table with its master key copied, without comments on the copies', () => {
    assert.deepEqual(statements('-> master\nunit_id : int32\n---\nspikes = null : <blob>\n', '__analysis__unit'), [
      [
        'CREATE TABLE IF NOT EXISTS "lab"."__analysis__unit" (',
        '"subject_id" integer NOT NULL,',
        '"session_idx" smallint NOT NULL,',
        '"unit_id" integer NOT NULL,',
        '"spikes" bytea DEFAULT NULL,',
        'PRIMARY KEY ("subject_id", "session_idx", "unit_id"),',
        'FOREIGN KEY ("subject_id", "session_idx") REFERENCES "lab"."session" ("subject_id", "session_idx") ON UPDATE CASCADE ON DELETE RESTRICT',
        ') ',
      ].join('\n'),
      `COMMENT ON TABLE "lab"."__analysis__unit" IS ''`,
      `COMMENT ON COLUMN "lab"."__analysis__unit"."unit_id" IS ':int32:'`,
      `COMMENT ON COLUMN "lab"."__analysis__unit"."spikes" IS ':<blob>:'`,
    ]);
  });

  it('puts _singleton after the declared columns of a table without a primary key', () => {
    assert.deepEqual(statements('# settings\n---\nvalue = 5 : int32 # the "value"\n', '#config'), [
      ['CREATE TABLE IF NOT EXISTS "lab"."#config" (', `"value" integer NOT NULL DEFAULT '5',`, `"_singleton" boolean NOT NULL DEFAULT '1',`, 'PRIMARY KEY ("_singleton")', ') '].join('\n'),
      `COMMENT ON TABLE "lab"."#config" IS 'settings'`,
      `COMMENT ON COLUMN "lab"."#config"."value" IS ':int32:the \\"value\\"'`,
      `COMMENT ON COLUMN "lab"."#config"."_singleton" IS ':bool:singleton primary key'`,
    ]);
  });

  it('creates each enum type once, before the table, in first-use order with the values written last', () => {
    const out = statements("k : enum('a','b')\n---\nx = 'a' : enum('a','b')\ny : enum('n', 'm')\nz : enum('b','a')\n", 't');
    assert.deepEqual(
      out.filter((s) => s.startsWith('DO ')),
      [
        // k's place, z's values.
        `DO $dj$ BEGIN CREATE TYPE "lab"."enum_dbf08e00" AS ENUM ('b', 'a'); EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $dj$`,
        `DO $dj$ BEGIN CREATE TYPE "lab"."enum_eed7e22b" AS ENUM ('n', 'm'); EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $dj$`,
      ],
    );
    assert.equal(enumTypeName(['a', 'b']), 'enum_dbf08e00'); // notes §2.2
    assert.ok(out[2].includes('"x" "lab"."enum_dbf08e00" NOT NULL DEFAULT \'a\''));
  });

  it('quotes enum labels as literals, in a dollar-quoted body whose tag no label contains', () => {
    const out = statements(
      `
      id : int32
      ---
      mood : enum("it's", 'a$dj$b')
      `,
      'moods',
    );
    const create = out.find((s) => typeof s === 'string' && s.startsWith('DO '));
    assert.ok(typeof create === 'string', JSON.stringify(out));
    assert.match(create, /AS ENUM \('it''s', 'a\$dj\$b'\);/);
    assert.ok(create.startsWith('DO $dj_$ BEGIN ') && create.endsWith(' END $dj_$'), create);
  });

  it('refuses what the reference cannot declare on PostgreSQL', () => {
    assert.throws(() => statements('k : int32\n---\ninfo : json\nindex (info.name:varchar(20))\n', 'doc'), /index member `info\.name:varchar\(20\)` is not an attribute/);
    assert.throws(() => statements('k : int32\n', 'a'.repeat(64)), { name: 'DeclarationError', message: `Table name \`${'a'.repeat(64)}\` exceeds the max length of 63` });
    assert.equal(statements('k : int32\n', 'a'.repeat(63))[0].split('\n')[0], `CREATE TABLE IF NOT EXISTS "lab"."${'a'.repeat(63)}" (`);
  });

  it('declares the jobs table from the generated definition', () => {
    const out = jobsTableStatements(d, 'lab', '__analysis', [
      { name: 'subject_id', type: 'integer' },
      { name: 'session_idx', type: 'int16' },
      { name: 'experimenter_id', type: 'uuid' },
    ]);
    assert.equal(out[0], `DO $dj$ BEGIN CREATE TYPE "lab"."enum_609a743e" AS ENUM ('pending', 'reserved', 'success', 'error', 'ignore'); EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $dj$`);
    assert.equal(
      out[1],
      [
        'CREATE TABLE IF NOT EXISTS "lab"."~~analysis" (',
        '"subject_id" integer NOT NULL,',
        '"session_idx" smallint NOT NULL,',
        '"experimenter_id" uuid NOT NULL,',
        '"status" "lab"."enum_609a743e" NOT NULL,',
        '"priority" smallint NOT NULL,',
        '"created_time" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),',
        '"scheduled_time" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),',
        '"reserved_time" timestamp(3) DEFAULT NULL,',
        '"completed_time" timestamp(3) DEFAULT NULL,',
        '"duration" double precision DEFAULT NULL,',
        `"error_message" varchar(2047) NOT NULL DEFAULT '',`,
        '"error_stack" bytea DEFAULT NULL,',
        `"user" varchar(255) NOT NULL DEFAULT '',`,
        `"host" varchar(255) NOT NULL DEFAULT '',`,
        `"pid" integer NOT NULL DEFAULT '0',`,
        `"connection_id" bigint NOT NULL DEFAULT '0',`,
        `"version" varchar(64) NOT NULL DEFAULT '',`,
        'PRIMARY KEY ("subject_id", "session_idx", "experimenter_id")',
        ') ',
      ].join('\n'),
    );
    assert.equal(out[2], 'CREATE INDEX "idx_~~analysis_status_priority_scheduled_time" ON "lab"."~~analysis" ("status", "priority", "scheduled_time")');
    assert.equal(out[3], `COMMENT ON TABLE "lab"."~~analysis" IS 'Job queue for "lab"."__analysis"'`);
    assert.deepEqual(out.slice(4, 8), [
      `COMMENT ON COLUMN "lab"."~~analysis"."session_idx" IS ':int16:'`,
      `COMMENT ON COLUMN "lab"."~~analysis"."experimenter_id" IS ':uuid:'`,
      `COMMENT ON COLUMN "lab"."~~analysis"."status" IS ':enum(''pending'', ''reserved'', ''success'', ''error'', ''ignore''):'`,
      `COMMENT ON COLUMN "lab"."~~analysis"."priority" IS ':int8:'`,
    ]);
    assert.equal(out.length, 4 + 16);
    // An enum key reads back by its type name (the reference cannot declare that one at all).
    assert.ok(jobsTableStatements(d, 'lab', '__x', [{ name: 'k', type: 'enum_dbf08e00' }])[1].includes('"k" "lab"."enum_dbf08e00" NOT NULL'));
    assert.throws(() => jobsTableStatements(d, 'lab', '__x', []), /Cannot create jobs table for "lab"."__x": no FK-derived primary key attributes found/);
  });

  it('creates ~lineage without any comment (lineage.py: ensure_lineage_table)', () => {
    assert.deepEqual(lineageTableStatements(d, 'lab'), [
      [
        'CREATE TABLE IF NOT EXISTS "lab"."~lineage" (',
        '"table_name" VARCHAR(64) NOT NULL,',
        '"attribute_name" VARCHAR(64) NOT NULL,',
        '"lineage" VARCHAR(255) NOT NULL,',
        'PRIMARY KEY ("table_name", "attribute_name")',
        ') ',
      ].join('\n'),
    ]);
  });
});

// information_schema and pg_catalog rows as PostgreSQL 15 returned them for this
// definition declared with the statements above.
const THING = `# things "quoted" it's
thing_id : int32 # the "id"
---
kind = 'a' : enum('a','b')
flag = 1 : bool
off = 0 : bool
price = 1.5 : decimal(5,2)
neg = -1 : int32
stamp = CURRENT_TIMESTAMP(3) : datetime(3)
day = "2020-01-01" : date
note = "it's" : varchar(64) # say "hi"
code : char(4)
data = null : <blob>
info = null : json
count : smallint
UNIQUE INDEX (code)
INDEX (kind, flag)
`;
const row = (name: string, dataType: string, udt: string, o: { nullable?: boolean; def?: string; len?: number; p?: number; s?: number; comment?: string } = {}) => ({
  column_name: name,
  data_type: dataType,
  udt_name: udt,
  is_nullable: o.nullable ? 'YES' : 'NO',
  column_default: o.def ?? null,
  is_identity: 'NO',
  character_maximum_length: o.len ?? null,
  numeric_precision: o.p ?? null,
  numeric_scale: o.s ?? null,
  column_comment: o.comment ?? null,
});
const THING_ROWS = [
  row('thing_id', 'integer', 'int4', { p: 32, s: 0, comment: ':int32:the \\"id\\"' }),
  row('kind', 'USER-DEFINED', 'enum_dbf08e00', { def: "'a'::lab.enum_dbf08e00", comment: ":enum('a','b'):" }),
  row('flag', 'boolean', 'bool', { def: 'true', comment: ':bool:' }),
  row('off', 'boolean', 'bool', { def: 'false', comment: ':bool:' }),
  row('price', 'numeric', 'numeric', { def: '1.5', p: 5, s: 2, comment: ':decimal(5,2):' }),
  row('neg', 'integer', 'int4', { def: "'-1'::integer", p: 32, s: 0, comment: ':int32:' }),
  row('stamp', 'timestamp without time zone', 'timestamp', { def: 'CURRENT_TIMESTAMP(3)', comment: ':datetime(3):' }),
  row('day', 'date', 'date', { def: "'2020-01-01'::date", comment: ':date:' }),
  row('note', 'character varying', 'varchar', { def: "'it''s'::character varying", len: 64, comment: ':varchar(64):say \\"hi\\"' }),
  row('code', 'character', 'bpchar', { len: 4, comment: ':char(4):' }),
  row('data', 'bytea', 'bytea', { nullable: true, comment: ':<blob>:' }),
  row('info', 'jsonb', 'jsonb', { nullable: true, comment: ':json:' }),
  row('count', 'smallint', 'int2', { p: 16, s: 0 }),
];

function thingCatalog(rows = THING_ROWS): Catalog {
  const answers = new Map<string, unknown[]>();
  const answer = (q: Sql, r: unknown[]) => answers.set(JSON.stringify([q.sql, q.params]), r);
  answer(d.tableInfo('lab', '#thing'), [{ name: '#thing', comment: `things "quoted" it's`, estimated_rows: '0' }]);
  answer(d.tableInfo('lab', '~lineage'), []);
  answer(d.columns('lab', '#thing'), rows);
  answer(d.primaryKey('lab', '#thing'), [{ name: 'thing_id' }]);
  answer(d.foreignKeys('lab'), []);
  answer(d.indexes('lab', '#thing'), [
    { indexName: 'idx_#thing_code', column: 'code', nonUnique: false, seq: '1' },
    { indexName: 'idx_#thing_kind_flag', column: 'kind', nonUnique: true, seq: '1' },
    { indexName: 'idx_#thing_kind_flag', column: 'flag', nonUnique: true, seq: '2' },
  ]);
  return new Catalog({
    dialect: d,
    query: async (sql, params = []) => {
      const r = answers.get(JSON.stringify([sql, params]));
      if (!r) throw new Error(`unexpected query ${sql}`);
      return r as Array<Record<string, unknown>>;
    },
  });
}

describe('postgresql dialect: reading tables back', () => {
  it('reads information_schema rows as the reference heading sees them', () => {
    const parsed = THING_ROWS.map((r) => d.parseColumnRow(r));
    assert.deepEqual(
      parsed.map((c) => [c.name, c.type, c.nullable, c.default]),
      [
        ['thing_id', 'integer', false, null],
        ['kind', 'enum_dbf08e00', false, 'a'],
        ['flag', 'boolean', false, 'true'],
        ['off', 'boolean', false, 'false'],
        ['price', 'decimal(5,2)', false, '1.5'],
        ['neg', 'integer', false, '-1'],
        ['stamp', 'timestamp without time zone', false, 'CURRENT_TIMESTAMP(3)'],
        ['day', 'date', false, '2020-01-01'],
        ['note', 'varchar(64)', false, "it's"],
        ['code', 'char(4)', false, null],
        ['data', 'bytea', true, null],
        ['info', 'jsonb', true, null],
        ['count', 'smallint', false, null],
      ],
    );
    assert.equal(parsed[0].comment, ':int32:the \\"id\\"');
    const serial = d.parseColumnRow(row('id', 'integer', 'int4', { def: "nextval('lab.t_id_seq'::regclass)" }));
    assert.deepEqual([serial.default, serial.extra], [null, 'auto_increment']);
    assert.equal(d.parseColumnRow(row('n', 'numeric', 'numeric', { p: 5, s: 0 })).type, 'decimal(5)');
    assert.equal(d.parseColumnRow(row('n', 'numeric', 'numeric')).type, 'numeric');
  });

  it('finds a table declared from the same definition identical (re-declaring is a no-op)', async () => {
    const catalog = thingCatalog();
    const existing = await catalog.describeTable('lab', '#thing');
    assert.deepEqual(compareWithExisting(spec(THING, '#thing'), existing, d), []);
    assert.deepEqual(
      existing.attributes.map((a) => [a.name, a.type, a.comment]).slice(0, 3),
      // The user comment as declared: the `\"` that PostgreSQL stores reads back as `"`.
      [
        ['thing_id', 'int32', 'the "id"'],
        ['kind', "enum('a','b')", ''],
        ['flag', 'bool', ''],
      ],
    );
    const changed = THING_ROWS.map((r) => (r.column_name === 'price' ? { ...r, column_default: '2.5' } : r));
    assert.deepEqual(compareWithExisting(spec(THING, '#thing'), await thingCatalog(changed).describeTable('lab', '#thing'), d), ['column `price`: default 1.5 declared, 2.5 in the database']);
  });

  it('turns column defaults into plain values', () => {
    const cases: Array<[unknown, string | null]> = [
      [null, null],
      ["'a'::\"lab\".enum_x", 'a'],
      ["''::character varying", ''],
      ["'it''s'::text", "it's"],
      ["'2020-01-01 00:00:00'::timestamp without time zone", '2020-01-01 00:00:00'],
      ['NULL::character varying', null],
      ['(-1.5)', '-1.5'],
      ["'-1'::integer", '-1'],
      ['CURRENT_TIMESTAMP', 'CURRENT_TIMESTAMP'],
      ['true', 'true'],
      ["'1.5'::numeric(5,2)", '1.5'],
    ];
    for (const [raw, want] of cases) assert.equal(plainDefault(raw), want, String(raw));
  });

  it('normalizes declared spellings to the reported ones', () => {
    const cases: Array<[string, string]> = [
      ['timestamp(3)', 'timestamp without time zone'],
      ['timestamp', 'timestamp without time zone'],
      ['timestamp(6) with time zone', 'timestamp with time zone'],
      ['timestamptz', 'timestamp with time zone'],
      ['numeric(5,2)', 'decimal(5,2)'],
      ['numeric(5, 2)', 'decimal(5,2)'],
      ['decimal(5,0)', 'decimal(5)'],
      ['character varying(64)', 'varchar(64)'],
      ['varchar(64)', 'varchar(64)'],
      ['character(4)', 'char(4)'],
      ['"lab"."enum_dbf08e00"', 'enum_dbf08e00'],
      ['lab.enum_dbf08e00', 'enum_dbf08e00'],
      ['int', 'integer'],
      ['int4', 'integer'],
      ['float8', 'double precision'],
      ['float(10)', 'real'],
      ['bool', 'boolean'],
      ['bit(3)', 'bit'],
      ['integer[]', 'ARRAY'],
      ['double precision', 'double precision'],
      ['jsonb', 'jsonb'],
    ];
    for (const [declared, reported] of cases) assert.equal(d.normalizeSqlType(declared), reported, declared);
  });

  it('maps core types to SQL and back (notes §2.2, §5.7)', () => {
    const pairs: Array<[string, string]> = [
      ['int8', 'smallint'],
      ['int16', 'smallint'],
      ['int32', 'integer'],
      ['int64', 'bigint'],
      ['float32', 'real'],
      ['float64', 'double precision'],
      ['bool', 'boolean'],
      ['uuid', 'uuid'],
      ['json', 'jsonb'],
      ['bytes', 'bytea'],
      ['date', 'date'],
      ['datetime', 'timestamp'],
      ['datetime(3)', 'timestamp(3)'],
      ['char(4)', 'char(4)'],
      ['varchar(64)', 'varchar(64)'],
      ['decimal(5,2)', 'numeric(5,2)'],
      ["enum('a','b')", '"lab"."enum_dbf08e00"'],
    ];
    for (const [core, sql] of pairs) assert.equal(d.coreTypeToSql(core, 'lab'), sql, core);
    assert.throws(() => d.coreTypeToSql("enum('a')"), /schema/);
    assert.equal(d.coreTypeToSql('int unsigned', 'lab'), undefined);
    assert.deepEqual(d.enumType("enum('x', 'y')"), { name: enumTypeName(['x', 'y']), values: ['x', 'y'] });
    const back: Array<[string, string | undefined]> = [
      ['integer', 'int32'],
      ['smallint', 'int16'],
      ['bigint', 'int64'],
      ['real', 'float32'],
      ['double precision', 'float64'],
      ['boolean', 'bool'],
      ['uuid', 'uuid'],
      ['bytea', 'bytes'],
      ['jsonb', 'json'],
      ['date', 'date'],
      ['timestamp without time zone', 'datetime'],
      ['timestamp(3)', 'datetime'],
      ['varchar(16)', 'varchar(16)'],
      ['decimal(5,2)', 'decimal(5,2)'],
      ['numeric(5,2)', 'decimal(5,2)'],
      ['text', undefined],
      ['enum_dbf08e00', undefined],
    ];
    for (const [sql, core] of back) assert.equal(d.sqlToCoreType(sql), core, sql);
  });
});

describe('postgresql dialect: queries, sessions and errors', () => {
  it('quotes identifiers with double quotes, doubling embedded ones', () => {
    assert.equal(d.quote('a"b'), '"a""b"');
    assert.equal(d.qualified('lab', '#method'), '"lab"."#method"');
    assert.equal(d.quoteString("it's \\"), "'it''s \\'");
  });

  it('skips or replaces rows on a primary-key conflict only', () => {
    assert.equal(d.insert('lab', 't', ['a', 'b'], '(?, ?)', 'insert', ['a']), 'INSERT INTO "lab"."t" ("a", "b") VALUES (?, ?)');
    assert.equal(d.insert('lab', 't', ['a', 'b'], '(?, ?)', 'skip', ['a']), 'INSERT INTO "lab"."t" ("a", "b") VALUES (?, ?) ON CONFLICT ("a") DO NOTHING');
    assert.equal(
      d.insert('lab', 't', ['a', 'b', 'c'], '(?, ?, ?)', 'replace', ['a']),
      'INSERT INTO "lab"."t" ("a", "b", "c") VALUES (?, ?, ?) ON CONFLICT ("a") DO UPDATE SET "b" = EXCLUDED."b", "c" = EXCLUDED."c"',
    );
    assert.equal(d.insert('lab', 't', ['a'], '(?)', 'replace', ['a']), 'INSERT INTO "lab"."t" ("a") VALUES (?) ON CONFLICT ("a") DO NOTHING');
    assert.equal(d.upsertTail(['t', 'a'], ['lineage']), ' ON CONFLICT ("t", "a") DO UPDATE SET "lineage" = EXCLUDED."lineage"');
  });

  it('limits and offsets', () => {
    assert.equal(d.limitOffset(), '');
    assert.equal(d.limitOffset(5), ' LIMIT 5');
    assert.equal(d.limitOffset(5, 10), ' LIMIT 5 OFFSET 10');
    assert.equal(d.limitOffset(undefined, 10), ' OFFSET 10');
  });

  it('has no session autocommit: transactions begin explicitly', () => {
    assert.equal(d.sessionAutocommit, false);
    assert.equal(d.autocommit(false), '');
    assert.equal(d.autocommit(true), '');
    assert.equal(d.startTransaction(), 'BEGIN');
    assert.equal(d.commit(), 'COMMIT');
    assert.equal(d.rollback(), 'ROLLBACK');
    assert.equal(d.createSchema('lab'), 'CREATE SCHEMA "lab"');
    assert.equal(d.dropSchema('lab'), 'DROP SCHEMA IF EXISTS "lab" CASCADE');
  });

  it('builds catalog queries with ? placeholders and quoted camel-case aliases', () => {
    for (const q of [d.listSchemas(), d.schemaExists('lab'), d.listTables('lab'), d.tableInfo('lab'), d.tableInfo('lab', 't'), d.columns('lab', 't'), d.primaryKey('lab', 't'), d.foreignKeys('lab'), d.referencingForeignKeys('lab', 't'), d.indexes('lab', 't')]) {
      assert.equal((q.sql.match(/\?/g) ?? []).length, q.params.length, q.sql);
    }
    assert.match(d.foreignKeys('lab').sql, /AS "refSchema".*AS "refTable".*AS "refColumn"/);
    assert.match(d.indexes('lab', 't').sql, /AS "indexName".*AS "nonUnique"/);
    assert.match(d.listSchemas().sql, /NOT IN \('pg_catalog', 'information_schema'\)/);
  });

  it('translates SQLSTATEs and socket errors into the codes MySQL errors get', () => {
    const cases: Array<[object, string, string]> = [
      [{ code: '23505', message: 'duplicate key value violates unique constraint "t_pkey"' }, 'duplicate', 'DuplicateError'],
      [{ code: '23503', message: 'insert or update on table "t" violates foreign key constraint' }, 'integrity', 'IntegrityError'],
      [{ code: '2BP01', message: 'cannot drop table t because other objects depend on it' }, 'integrity', 'IntegrityError'],
      [{ code: '42601', message: 'syntax error at or near "SELEC"' }, 'querySyntax', 'QuerySyntaxError'],
      [{ code: '42P01', message: 'relation "lab.t" does not exist' }, 'missingTable', 'MissingTableError'],
      [{ code: '42703', message: 'column "x" does not exist' }, 'unknownAttribute', 'UnknownAttributeError'],
      [{ code: '23502', message: 'null value in column "x" violates not-null constraint' }, 'missingAttribute', 'MissingAttributeError'],
      [{ code: '3F000', message: 'schema "nope" does not exist' }, 'unknownSchema', 'MissingSchemaError'],
      [{ code: '42501', message: 'permission denied for schema lab' }, 'access', 'AccessError'],
      [{ code: '28P01', message: 'password authentication failed for user "u"' }, 'login', 'AccessError'],
      [{ code: '57P01', message: 'terminating connection due to administrator command' }, 'lostConnection', 'LostConnectionError'],
      [{ code: '08006', message: 'connection failure' }, 'lostConnection', 'LostConnectionError'],
      [{ message: 'Connection terminated unexpectedly' }, 'lostConnection', 'LostConnectionError'],
      [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'unreachable', 'ConnectionError'],
      [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, 'lostConnection', 'LostConnectionError'],
      [{ code: '3D000', message: 'database "x" does not exist' }, 'unreachable', 'ConnectionError'],
      [{ code: '40P01', message: 'deadlock detected\nDETAIL: ...' }, 'server', 'DataJointError'],
      [{ code: 'XX000', message: 'something else' }, 'server', 'DataJointError'],
    ];
    for (const [raw, code, name] of cases) {
      const e = d.translateError(Object.assign(new Error((raw as { message: string }).message), raw), { host: 'h', port: 5432, user: 'u', schema: 'nope' });
      assert.equal(e.code, code, JSON.stringify(raw));
      assert.equal(e.name, name);
      assert.ok(!e.message.includes('\n'));
    }
    const login = d.translateError(Object.assign(new Error('password authentication failed'), { code: '28P01' }), { host: 'db', port: 5432, user: 'alice' });
    assert.equal(login.message, "Login refused for user 'alice' at db:5432: wrong user name or password");
    assert.equal(d.translateError(Object.assign(new Error('deadlock detected'), { code: '40P01' })).message, 'Server error 40P01: deadlock detected (the transaction was rolled back)');
  });
});
