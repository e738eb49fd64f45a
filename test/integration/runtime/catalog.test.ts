// The catalog reads a schema laid out by DataJoint for Python (fixture DDL in the
// reference's layout) back exactly: tiers, class names, attributes with their DataJoint
// types (FK-copied columns resolved through the foreign key), keys, foreign keys,
// indexes, parts, jobs tables and row counts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, describeDefinition, resolvedFromCatalog, type Connection } from '../../../runtime/index';
import { checkDefinition } from '../../../runtime/definition/index';
import { loadFixture } from '../../fixtures/ddl/load';
import { connect, dropSchemas, schemaName, testServer } from './helpers';

const db = schemaName('djt_catalog');
let conn: Connection;
let catalog: Catalog;
const pg = () => conn.backend === 'postgresql';

before(async () => {
  conn = await connect();
  // The reference's layout differs by backend (python_lab.pg.sql is recorded from DataJoint for Python on PostgreSQL).
  await loadFixture(conn, conn.backend === 'mysql' ? 'python_lab.sql' : 'python_lab.pg.sql', db);
  catalog = new Catalog(conn);
});
after(async () => {
  await dropSchemas(conn, [db]);
  await conn.close();
  await (await testServer()).stop();
});

describe('catalog on a Python-layout schema', () => {
  it('lists the schema', async () => {
    assert.ok((await catalog.listSchemas()).includes(db));
    assert.equal(await catalog.schemaExists(db), true);
    assert.equal(await catalog.schemaExists(`${db}_nope`), false);
  });

  it('lists user tables in dependency order with tiers, class names, parts and jobs tables', async () => {
    const tables = await catalog.listTables(db);
    assert.deepEqual(
      tables.map((t) => [t.name, t.tier, t.className, t.master ?? null, t.jobsTable ?? null, t.comment]),
      [
        ['#config', 'Lookup', 'Config', null, null, ''],
        ['#experimenter', 'Lookup', 'Experimenter', null, null, 'Lab members'],
        ['#method', 'Lookup', 'Method', null, null, ''],
        ['subject', 'Manual', 'Subject', null, null, 'Experimental subjects'],
        ['session', 'Manual', 'Session', null, null, ''],
        ['__analysis', 'Computed', 'Analysis', null, '~~analysis', ''],
        ['__analysis__unit', 'Part', 'Unit', '__analysis', null, ''],
        ['_recording', 'Imported', 'Recording', null, null, ''],
      ],
    );
    assert.deepEqual(await catalog.jobsTables(db), [{ schema: db, name: '~~analysis', target: '__analysis' }]);
  });

  it('reads a Manual table with markers, defaults, comments and an index', async () => {
    const t = await catalog.describeTable(db, 'subject');
    assert.deepEqual(
      t.attributes.map((a) => [a.name, a.type, a.category, a.typeSource, a.nullable, a.inKey, a.comment, a.hidden]),
      [
        ['subject_id', 'int32', 'core', 'marker', false, true, 'unique id', false],
        ['name', 'varchar(64)', 'core', 'marker', false, false, 'subject "nick" name', false],
        ['sex', "enum('m','f','u')", 'core', 'marker', false, false, '', false],
        ['dob', 'date', 'core', 'marker', true, false, '', false],
      ],
    );
    assert.deepEqual(t.attributes.map((a) => a.default), [null, '', 'u', null]);
    assert.deepEqual(t.primaryKey, ['subject_id']);
    // PostgreSQL index names are the reference's own (adapters/base.py: create_index_ddl); MySQL names them after the column.
    assert.deepEqual(t.indexes, [{ name: pg() ? 'idx_subject_name' : 'name', columns: ['name'], unique: false }]);
    assert.equal(t.comment, 'Experimental subjects');
    assert.equal(t.tier, 'Manual');
  });

  it('resolves FK-copied columns to the parent core type and reads FK options', async () => {
    const t = await catalog.describeTable(db, 'session');
    assert.deepEqual(
      t.attributes.map((a) => [a.name, a.sqlType, a.type, a.typeSource, a.nullable, a.inKey, a.comment]),
      pg()
        ? // FK-copied columns have no comment at all on PostgreSQL (not even `:uuid:`): every one is resolved through its foreign key.
          [
            ['subject_id', 'integer', 'int32', 'foreignKey', false, true, ''],
            ['session_idx', 'smallint', 'int16', 'marker', false, true, ''],
            ['experimenter_id', 'uuid', 'uuid', 'foreignKey', true, false, ''],
            ['method', 'varchar(16)', 'varchar(16)', 'foreignKey', false, false, ''],
            ['buddy_id', 'integer', 'int32', 'foreignKey', false, false, ''],
            ['session_date', 'date', 'date', 'marker', false, false, ''],
          ]
        : [
            ['subject_id', 'int', 'int32', 'foreignKey', false, true, 'unique id'],
            ['session_idx', 'smallint', 'int16', 'marker', false, true, ''],
            ['experimenter_id', 'binary(16)', 'uuid', 'marker', true, false, ''],
            ['method', 'varchar(16)', 'varchar(16)', 'foreignKey', false, false, ''],
            ['buddy_id', 'int', 'int32', 'foreignKey', false, false, 'unique id'],
            ['session_date', 'date', 'date', 'marker', false, false, ''],
          ],
    );
    assert.deepEqual(
      t.foreignKeys.map((f) => [f.parentTable, f.attrMap, f.primary, f.aliased, f.nullable, f.unique]),
      [
        ['subject', { subject_id: 'subject_id' }, true, false, false, false],
        ['#experimenter', { experimenter_id: 'experimenter_id' }, false, false, true, false],
        ['#method', { method: 'method' }, false, false, false, true],
        ['subject', { buddy_id: 'subject_id' }, false, true, false, false],
      ],
    );
    const unique = t.indexes.filter((i) => i.unique).map((i) => i.columns);
    assert.deepEqual(unique.sort(), [['method'], ['session_date', 'session_idx']]);
  });

  it('reads Computed tables with hidden job columns, parts, codecs and FK chains', async () => {
    const a = await catalog.describeTable(db, '__analysis');
    assert.deepEqual(
      a.attributes.map((x) => [x.name, x.type, x.hidden]),
      [
        ['subject_id', 'int32', false],
        ['session_idx', 'int16', false],
        ['amethod', 'varchar(16)', false],
        ['result', 'float64', false],
        ['_job_start_time', 'datetime(3)', true],
        // Marked `:float32:` since 2.3.5 on both (2.3.2 left MySQL's native `float` unmarked).
        ['_job_duration', 'float32', true],
        ['_job_version', 'varchar(64)', true],
      ],
    );
    assert.equal(a.jobsTable, '~~analysis');
    const u = await catalog.describeTable(db, '__analysis__unit');
    assert.equal(u.tier, 'Part');
    assert.equal(u.master, '__analysis');
    assert.deepEqual(u.primaryKey, ['subject_id', 'session_idx', 'amethod', 'unit_id']);
    assert.deepEqual(
      u.attributes.map((x) => [x.name, x.type, x.category]),
      [
        ['subject_id', 'int32', 'core'],
        ['session_idx', 'int16', 'core'],
        ['amethod', 'varchar(16)', 'core'],
        ['unit_id', 'int32', 'core'],
        ['spikes', '<blob>', 'codec'],
      ],
    );
    const r = await catalog.describeTable(db, '_recording');
    assert.equal(r.tier, 'Imported');
    assert.deepEqual(r.attributes.find((x) => x.name === 'data'), {
      name: 'data', sqlType: r.attributes[3].sqlType, type: '<blob@>', category: 'codec', typeSource: 'marker', nullable: true, default: null, inKey: false, comment: '', autoIncrement: false, hidden: false, lineage: null,
    });
  });

  it('reads lineage from ~lineage', async () => {
    const t = await catalog.describeTable(db, '__analysis');
    assert.deepEqual(
      t.attributes.map((a) => [a.name, a.lineage]),
      [
        ['subject_id', `${db}.subject.subject_id`],
        ['session_idx', `${db}.session.session_idx`],
        ['amethod', `${db}.#method.method`],
        ['result', null],
        ['_job_start_time', null],
        ['_job_duration', null],
        ['_job_version', null],
      ],
    );
  });

  it('reads a singleton table and a json column', async () => {
    const c = await catalog.describeTable(db, '#config');
    assert.deepEqual(c.primaryKey, ['_singleton']);
    const singleton = ['_singleton', 'bool', true, 'singleton primary key'];
    const declared = [
      ['threshold', 'float64', false, ''],
      ['params', 'json', false, ''],
    ];
    // After the declared columns on both backends since 2.3.5 (first on MySQL until 2.3.2).
    assert.deepEqual(
      c.attributes.map((x) => [x.name, x.type, x.hidden, x.comment]),
      [...declared, singleton],
    );
  });

  it('reads a jobs table (hidden from the table list) with its columns', async () => {
    const j = await catalog.describeTable(db, '~~analysis');
    assert.deepEqual(j.primaryKey, ['subject_id', 'session_idx', 'amethod']);
    // The reference names the target with the backend's quotes, and spaces the enum's values on PostgreSQL.
    assert.equal(j.comment, pg() ? `Job queue for "${db}"."__analysis"` : `Job queue for \`${db}\`.\`__analysis\``);
    assert.equal(
      j.attributes.find((x) => x.name === 'status')?.type,
      pg() ? "enum('pending', 'reserved', 'success', 'error', 'ignore')" : "enum('pending','reserved','success','error','ignore')",
    );
    assert.equal(j.attributes.find((x) => x.name === 'error_stack')?.type, '<blob>');
    // No FK: the key columns keep their SQL types.
    assert.equal(j.attributes[0].type, pg() ? 'integer' : 'int');
    assert.equal(j.attributes[0].category, 'native');
  });

  it('counts rows exactly and estimates them', async () => {
    await conn.execute(`INSERT INTO ${conn.dialect.qualified(db, 'subject')} (subject_id) VALUES (1), (2), (3)`);
    assert.equal(await catalog.countRows(db, 'subject'), 3);
    const est = (await catalog.listTables(db)).find((t) => t.name === 'subject')!.estimatedRows;
    assert.equal(typeof est, 'number');
    assert.ok(est >= 0);
  });

  it('reports an unknown schema and table clearly', async () => {
    await assert.rejects(catalog.listTables(`${db}_missing`), { code: 'unknownSchema', message: `Schema \`${db}_missing\` does not exist` });
    await assert.rejects(catalog.describeTable(db, 'nope'), { code: 'missingTable', message: `The table \`${db}\`.\`nope\` is not defined.` });
  });
});

describe('definitions reconstructed from the server', () => {
  it('describes a table as the reference does, options and renames included', async () => {
    const t = await catalog.describeTable(db, 'session');
    assert.equal(
      describeDefinition(t),
      [
        '-> Subject',
        'session_idx          : int16                        ',
        '---',
        '-> [nullable] Experimenter',
        '-> [unique] Method',
        '-> Subject.proj(buddy_id="subject_id")',
        'session_date         : date                         ',
        'UNIQUE INDEX (session_date, session_idx)',
        '',
      ].join('\n'),
    );
  });

  it('shows comments, quoted string defaults, null defaults and parts', async () => {
    assert.equal(
      describeDefinition(await catalog.describeTable(db, 'subject')),
      [
        '# Experimental subjects',
        'subject_id           : int32                        # unique id',
        '---',
        'name=""              : varchar(64)                  # subject "nick" name',
        'sex="u"              : enum(\'m\',\'f\',\'u\')            ',
        'dob=null             : date                         ',
        'INDEX (name)',
        '',
      ].join('\n'),
    );
    assert.equal(
      describeDefinition(await catalog.describeTable(db, '__analysis__unit')),
      ['-> Analysis', 'unit_id              : int32                        ', '---', 'spikes               : <blob>                       ', ''].join('\n'),
    );
    assert.match(describeDefinition(await catalog.describeTable(db, '__analysis')), /^-> Session\n-> Method\.proj\(amethod="method"\)\n---\nresult               : float64/);
  });
});

describe('definitions checked against a live schema', () => {
  it('resolves references to tables read from the database', async () => {
    const session = resolvedFromCatalog(await catalog.describeTable(db, 'session'));
    assert.equal(session.name, 'Session');
    assert.deepEqual(session.primaryKey.map((a) => [a.name, a.type]), [['subject_id', 'int32'], ['session_idx', 'int16']]);
    const resolve = (path: string[]) => (path.join('.') === 'Session' ? session : undefined);
    const ok = checkDefinition('-> Session\nnote_idx : int32', { className: 'Note', tier: 'Manual', resolve });
    assert.deepEqual(ok.diagnostics.filter((x) => x.severity === 'error'), []);
    const bad = checkDefinition("-> Session.proj(x='nope')\nnote_idx : int32", { className: 'Note', tier: 'Manual', resolve });
    assert.ok(bad.diagnostics.some((x) => x.code === 'DJ305'));
  });
});
