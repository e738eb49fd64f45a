// The jobs tables we write are the reference's (jobs.py; notes §7.1): same columns,
// types, defaults, comments, key, index and table comment, so Python workers share them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobsFor } from '../../../runtime/populate/index';
import { jobsTableDdl, compileKeyType, truncateErrorMessage } from '../../../runtime/jobs/definition';
import { setup, rows, reset, range, type Env } from '../populate/helpers';

let env: Env;
before(async () => {
  env = await setup('djjobs_tbl');
});
after(async () => env?.close());

// notes §7.1, "Resulting MySQL table [verified]", with MariaDB's spelling of the defaults.
const EXPECTED = [
  ['subject_id', 'int(11)', 'NO', null, ''],
  ['status', "enum('pending','reserved','success','error','ignore')", 'NO', null, ":enum('pending', 'reserved', 'success', 'error', 'ignore'):"],
  ['priority', 'tinyint(4)', 'NO', null, ':int8:'],
  ['created_time', 'datetime(3)', 'NO', 'current_timestamp(3)', ':datetime(3):'],
  ['scheduled_time', 'datetime(3)', 'NO', 'current_timestamp(3)', ':datetime(3):'],
  ['reserved_time', 'datetime(3)', 'YES', 'NULL', ':datetime(3):'],
  ['completed_time', 'datetime(3)', 'YES', 'NULL', ':datetime(3):'],
  ['duration', 'double', 'YES', 'NULL', ':float64:'],
  ['error_message', 'varchar(2047)', 'NO', "''", ':varchar(2047):'],
  ['error_stack', 'longblob', 'YES', 'NULL', ':<blob>:'],
  ['user', 'varchar(255)', 'NO', "''", ':varchar(255):'],
  ['host', 'varchar(255)', 'NO', "''", ':varchar(255):'],
  ['pid', 'int(11)', 'NO', '0', ':int32:'],
  ['connection_id', 'bigint(20)', 'NO', '0', ':int64:'],
  ['version', 'varchar(64)', 'NO', "''", ':varchar(64):'],
];

// The same on PostgreSQL (notes §7.1, "PG (derived)"; §4.9), as the catalog stores it: the
// status enum is a type of the schema named by the MD5 of its values (`enum_<8 hex>`).
const STATUS_ENUM = 'enum_609a743e';
const EXPECTED_PG = (schema: string) => [
  ['subject_id', 'integer', 'NO', null, null],
  ['status', `${schema}.${STATUS_ENUM}`, 'NO', null, ":enum('pending', 'reserved', 'success', 'error', 'ignore'):"],
  ['priority', 'smallint', 'NO', null, ':int8:'],
  ['created_time', 'timestamp(3) without time zone', 'NO', 'CURRENT_TIMESTAMP(3)', ':datetime(3):'],
  ['scheduled_time', 'timestamp(3) without time zone', 'NO', 'CURRENT_TIMESTAMP(3)', ':datetime(3):'],
  ['reserved_time', 'timestamp(3) without time zone', 'YES', 'NULL::timestamp without time zone', ':datetime(3):'],
  ['completed_time', 'timestamp(3) without time zone', 'YES', 'NULL::timestamp without time zone', ':datetime(3):'],
  ['duration', 'double precision', 'YES', null, ':float64:'],
  ['error_message', 'character varying(2047)', 'NO', "''::character varying", ':varchar(2047):'],
  ['error_stack', 'bytea', 'YES', null, ':<blob>:'],
  ['user', 'character varying(255)', 'NO', "''::character varying", ':varchar(255):'],
  ['host', 'character varying(255)', 'NO', "''::character varying", ':varchar(255):'],
  ['pid', 'integer', 'NO', '0', ':int32:'],
  ['connection_id', 'bigint', 'NO', "'0'::bigint", ':int64:'],
  ['version', 'character varying(64)', 'NO', "''::character varying", ':varchar(64):'],
];

/** Name, type, nullable, default and comment of each column, in order. */
function columns(db: string, table: string) {
  if (env.backend === 'postgresql') {
    return rows<Record<string, unknown>>(
      env,
      "SELECT a.attname AS n, format_type(a.atttypid, a.atttypmod) AS t, CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS nu, pg_get_expr(d.adbin, d.adrelid) AS d, col_description(c.oid, a.attnum) AS c " +
        'FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum ' +
        'WHERE s.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum',
      [db, table],
    );
  }
  return rows<Record<string, unknown>>(
    env,
    'SELECT column_name AS n, column_type AS t, is_nullable AS nu, column_default AS d, column_comment AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
    [db, table],
  );
}

/** Index name, non-unique (0/1) and column of each indexed column, by index name and position. */
async function indexColumns(db: string, table: string): Promise<Array<[string, number, string]>> {
  if (env.backend === 'postgresql') {
    const r = await rows<{ i: string; u: boolean; c: string }>(
      env,
      'SELECT i.relname AS i, ix.indisunique AS u, a.attname AS c FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace ' +
        'JOIN pg_class i ON i.oid = ix.indexrelid CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ' +
        'WHERE s.nspname = ? AND t.relname = ? ORDER BY i.relname, k.n',
      [db, table],
    );
    return r.map((x) => [x.i, x.u ? 0 : 1, x.c]);
  }
  const r = await rows<{ i: string; nu: unknown; c: string }>(
    env,
    'SELECT index_name AS i, non_unique AS nu, column_name AS c FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? ORDER BY index_name, seq_in_index',
    [db, table],
  );
  return r.map((x) => [x.i, Number(x.nu), x.c]);
}

test('the ~~analysis table has exactly the reference columns, key, index and comment', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id })));
  await jobsFor(env.pipeline.Analysis).refresh();
  const pg = env.backend === 'postgresql';
  const cols = await columns(env.schema, '~~analysis');
  assert.deepEqual(
    cols.map((c) => [c.n, c.t, c.nu, c.d, c.c]),
    pg ? EXPECTED_PG(env.schema) : EXPECTED,
  );
  assert.deepEqual(
    await indexColumns(env.schema, '~~analysis'),
    pg
      ? [
          // CREATE INDEX "idx_<table>_<columns joined by _>" after the table (notes §4.9).
          ['idx_~~analysis_status_priority_scheduled_time', 1, 'status'],
          ['idx_~~analysis_status_priority_scheduled_time', 1, 'priority'],
          ['idx_~~analysis_status_priority_scheduled_time', 1, 'scheduled_time'],
          ['~~analysis_pkey', 0, 'subject_id'],
        ]
      : [
          ['PRIMARY', 0, 'subject_id'],
          ['status', 1, 'status'],
          ['status', 1, 'priority'],
          ['status', 1, 'scheduled_time'],
        ],
  );
  if (pg) {
    const [t] = await rows<{ c: string; k: string; p: string }>(
      env,
      "SELECT obj_description(c.oid, 'pg_class') AS c, c.relkind AS k, c.relpersistence AS p FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = ? AND c.relname = ?",
      [env.schema, '~~analysis'],
    );
    assert.equal(t!.c, `Job queue for "${env.schema}"."__analysis"`);
    assert.deepEqual([t!.k, t!.p], ['r', 'p'], 'an ordinary, logged table');
    const labels = await rows<{ l: string }>(
      env,
      'SELECT e.enumlabel AS l FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace s ON s.oid = t.typnamespace WHERE s.nspname = ? AND t.typname = ? ORDER BY e.enumsortorder',
      [env.schema, STATUS_ENUM],
    );
    assert.deepEqual(labels.map((x) => x.l), ['pending', 'reserved', 'success', 'error', 'ignore']);
  } else {
    const [t] = await rows<{ c: string; e: string }>(env, 'SELECT table_comment AS c, engine AS e FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [env.schema, '~~analysis']);
    assert.equal(t!.c, `Job queue for \`${env.schema}\`.\`__analysis\``);
    assert.equal(t!.e, 'InnoDB');
  }
  const fks = await rows(env, "SELECT 1 FROM information_schema.table_constraints WHERE table_schema = ? AND table_name = ? AND constraint_type = 'FOREIGN KEY'", [env.schema, '~~analysis']);
  assert.equal(fks.length, 0, 'jobs tables have no foreign keys');
  const lineage = await rows<{ a: string; l: string }>(env, `SELECT attribute_name AS a, lineage AS l FROM \`${env.schema}\`.\`~lineage\` WHERE table_name = '~~analysis'`);
  assert.deepEqual(lineage, [{ a: 'subject_id', l: `${env.schema}.~~analysis.subject_id` }]);
});

// jobs.py: Job._generate_definition, verbatim, declared by the runtime core's own
// declaration: our jobs table must be indistinguishable from it.
const REFERENCE_DEFINITION = `
    # Job queue for lab
    subject_id : int
    ---
    status          : enum('pending', 'reserved', 'success', 'error', 'ignore')
    priority        : int8
    created_time=CURRENT_TIMESTAMP(3) : datetime(3)
    scheduled_time=CURRENT_TIMESTAMP(3) : datetime(3)
    reserved_time=null  : datetime(3)
    completed_time=null : datetime(3)
    duration=null   : float64
    error_message="" : varchar(2047)
    error_stack=null : <blob>
    user=""         : varchar(255)
    host=""         : varchar(255)
    pid=0           : int32
    connection_id=0 : int64
    version=""      : varchar(64)
    INDEX (status, priority, scheduled_time)
    `;

test('the same definition declared by the runtime core gives the same columns and index', async () => {
  const dj = await import('../../../runtime/index');
  const mirrorSchema = `${env.schema}_mirror`;
  class JobMirror extends dj.Manual {
    static override definition = REFERENCE_DEFINITION;
  }
  const schema = new dj.Schema(mirrorSchema, { connection: env.pipeline.schema.connection() });
  try {
    await schema.declare(JobMirror);
    // On PostgreSQL the enum type lives in each table's own schema, and index names carry the table's.
    const described = async (db: string, table: string) =>
      (await columns(db, table)).map((c) => ({ ...c, t: String(c.t).replace(`${db}.`, '<schema>.') }));
    assert.deepEqual(await described(env.schema, '~~analysis'), await described(mirrorSchema, 'job_mirror'));
    const index = async (db: string, table: string) => (await indexColumns(db, table)).map(([i, nu, c]) => [i.replace(table, '<table>'), nu, c]);
    assert.deepEqual(await index(env.schema, '~~analysis'), await index(mirrorSchema, 'job_mirror'));
  } finally {
    await env.sql.query(`DROP DATABASE IF EXISTS \`${mirrorSchema}\``);
  }
});

test('the DDL string follows the reference layout (§4.3), including core-typed and uuid keys', () => {
  const ddl = jobsTableDdl('lab', '__analysis', [
    { name: 'subject_id', type: 'int' },
    { name: 'session_uuid', type: 'uuid' },
    { name: 'tag', type: 'varchar(16)' },
  ]);
  const lines = ddl.split('\n');
  assert.equal(lines[0], 'CREATE TABLE IF NOT EXISTS `lab`.`~~analysis` (');
  assert.equal(lines[1], '`subject_id` int NOT NULL,');
  assert.equal(lines[2], '`session_uuid` binary(16) NOT NULL COMMENT ":uuid:",');
  assert.equal(lines[3], '`tag` varchar(16) NOT NULL COMMENT ":varchar(16):",');
  assert.equal(lines[4], "`status` enum('pending', 'reserved', 'success', 'error', 'ignore') NOT NULL COMMENT \":enum('pending', 'reserved', 'success', 'error', 'ignore'):\",");
  assert.ok(lines.includes('PRIMARY KEY (`subject_id`, `session_uuid`, `tag`),'));
  assert.ok(lines.includes('index (`status`,`priority`,`scheduled_time`)'));
  assert.equal(lines.at(-1), ') ENGINE=InnoDB, COMMENT "Job queue for `lab`.`__analysis`"');
  assert.throws(() => jobsTableDdl('lab', '__x', []), /no FK-derived primary key attributes/);
  assert.deepEqual(compileKeyType('int(11)'), { sqlType: 'int', comment: '' });
  assert.deepEqual(compileKeyType('smallint'), { sqlType: 'smallint', comment: '' });
});

test('error messages are truncated to 2047 characters ending in ...truncated (jobs.py)', () => {
  assert.equal(truncateErrorMessage('short'), 'short');
  const long = 'x'.repeat(5000);
  const t = truncateErrorMessage(long);
  assert.equal(t.length, 2047);
  assert.ok(t.endsWith('...truncated'));
  assert.equal(t.slice(0, 2035), 'x'.repeat(2035));
  assert.equal(truncateErrorMessage('y'.repeat(2047)), 'y'.repeat(2047));
});
