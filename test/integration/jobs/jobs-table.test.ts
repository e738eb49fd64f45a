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

test('the ~~analysis table has exactly the reference columns, key, index and comment', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id })));
  await jobsFor(env.pipeline.Analysis).refresh();
  const cols = await rows<Record<string, unknown>>(
    env,
    'SELECT column_name AS n, column_type AS t, is_nullable AS nu, column_default AS d, column_comment AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
    [env.schema, '~~analysis'],
  );
  assert.deepEqual(
    cols.map((c) => [c.n, c.t, c.nu, c.d, c.c]),
    EXPECTED,
  );
  const idx = await rows<Record<string, unknown>>(
    env,
    'SELECT index_name AS i, non_unique AS nu, column_name AS c FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? ORDER BY index_name, seq_in_index',
    [env.schema, '~~analysis'],
  );
  assert.deepEqual(
    idx.map((r) => [r.i, Number(r.nu), r.c]),
    [
      ['PRIMARY', 0, 'subject_id'],
      ['status', 1, 'status'],
      ['status', 1, 'priority'],
      ['status', 1, 'scheduled_time'],
    ],
  );
  const [t] = await rows<{ c: string; e: string }>(env, 'SELECT table_comment AS c, engine AS e FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [env.schema, '~~analysis']);
  assert.equal(t!.c, `Job queue for \`${env.schema}\`.\`__analysis\``);
  assert.equal(t!.e, 'InnoDB');
  const fks = await rows(env, 'SELECT 1 FROM information_schema.key_column_usage WHERE table_schema = ? AND table_name = ? AND referenced_table_name IS NOT NULL', [env.schema, '~~analysis']);
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
    const describe = async (db: string, table: string) =>
      rows<Record<string, unknown>>(
        env,
        'SELECT column_name AS n, column_type AS t, is_nullable AS nu, column_default AS d, column_comment AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
        [db, table],
      );
    assert.deepEqual(await describe(env.schema, '~~analysis'), await describe(mirrorSchema, 'job_mirror'));
    const index = async (db: string, table: string) =>
      rows(env, 'SELECT index_name, non_unique, seq_in_index, column_name FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? ORDER BY index_name, seq_in_index', [db, table]);
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
