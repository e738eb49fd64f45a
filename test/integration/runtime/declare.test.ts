// Declaration lays tables out exactly as DataJoint for Python does: the statements we send
// equal the reference's (fixtures in test/fixtures/ddl; *.pg.sql recorded from it on
// PostgreSQL), the server stores identical tables (SHOW CREATE TABLE on MySQL, the
// pg_catalog description on PostgreSQL), `~lineage` rows match, redeclaring an identical
// table is a no-op (also on a schema Python created), a different one is reported, an
// invalid definition is refused before any SQL runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';
import { createPipeline } from '../../../examples/pipeline/pipeline';
import { fixtureStatements, loadFixture } from '../../fixtures/ddl/load';
import { connect, dropSchemas, schemaName, storedTableDefinition, testServer } from './helpers';

const dbs = {
  other: schemaName('djt_decl_other'),
  example: schemaName('djt_decl_ex'),
  python: schemaName('djt_decl_py'),
  ours: schemaName('djt_decl_ts'),
  conflict: schemaName('djt_decl_cf'),
  invalid: schemaName('djt_decl_bad'),
};
let conn: dj.Connection;
let jobsConn: dj.Connection;

before(async () => {
  conn = await connect();
  jobsConn = await connect({ overrides: { jobs: { addJobMetadata: true } } });
});
after(async () => {
  await dropSchemas(conn, Object.values(dbs));
  await conn.close();
  await jobsConn.close();
  await (await testServer()).stop();
});

/** Records the statements a connection sends (the real connection still runs them). */
function recordStatements(c: dj.Connection): { statements: string[]; stop(): void } {
  const statements: string[] = [];
  const original = c.execute.bind(c);
  c.execute = async (sql: string, params?: unknown[], context?: { schema?: string; table?: string }) => {
    statements.push(sql);
    return original(sql, params, context);
  };
  return { statements, stop: () => void (c.execute = original) };
}

/** Statements that change the database; COMMENT and DO (PostgreSQL's comments and enum types) included. */
const WRITES = /^(CREATE|ALTER|DROP|INSERT|REPLACE|UPDATE|DELETE|COMMENT|DO)\b/;

/**
 * The declaration on PostgreSQL as the reference sends it: enum types, each table once
 * (`~lineage` is created again before every lineage write), indexes and comments, each
 * trimmed (a fixture cannot hold trailing blanks). The one difference allowed, as in
 * test/integration/python/pg-ddl.test.ts: we create an enum type in a DO block that ignores
 * an existing one, where Python sends the bare CREATE TYPE and ignores any error of it.
 */
function pgDeclaration(statements: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of statements) {
    const s = raw.trim();
    const wrapped = /^DO \$dj\$ BEGIN (CREATE TYPE .*); EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$dj\$$/s.exec(s);
    if (wrapped) {
      out.push(wrapped[1]);
      continue;
    }
    const table = /^CREATE TABLE IF NOT EXISTS (\S+)/.exec(s);
    if (table) {
      if (!seen.has(table[1])) out.push(s);
      seen.add(table[1]);
    } else if (/^(CREATE (UNIQUE )?INDEX|COMMENT ON)\b/.test(s)) {
      out.push(s);
    }
  }
  return out;
}

function firstCreates(statements: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of statements) {
    const m = /^CREATE TABLE IF NOT EXISTS (\S+)/.exec(s);
    if (m && !seen.has(m[1])) {
      seen.add(m[1]);
      out.push(s);
    }
  }
  return out;
}

/** Python's definitions of test/fixtures/ddl/python_lab.sql, as TypeScript classes. */
function labClasses(schema: dj.Schema, options: { recordingChannel?: boolean } = {}) {
  class Subject extends dj.Manual {
    static override definition = `
    # Experimental subjects
    subject_id : int32   # unique id
    ---
    name = "" : varchar(64)  # subject "nick" name
    sex = 'u' : enum('m','f','u')
    dob = null : date
    INDEX (name)
    `;
  }
  class Experimenter extends dj.Lookup {
    static override definition = `
    # Lab members
    experimenter_id : uuid
    ---
    full_name : varchar(255)
    `;
  }
  class Method extends dj.Lookup {
    static override definition = `method : varchar(16)`;
  }
  class Session extends dj.Manual {
    static override definition = `
    -> Subject
    session_idx : int16
    ---
    -> [nullable] Experimenter
    -> [unique] Method
    -> Subject.proj(buddy_id='subject_id')
    session_date : date
    UNIQUE INDEX (session_date, session_idx)
    `;
  }
  class Analysis extends dj.Computed {
    static override definition = `
    -> Session
    -> Method.proj(amethod='method')
    ---
    result : float64
    `;
    static Unit = class extends dj.Part {
      static override definition = `
      -> master
      unit_id : int32
      ---
      spikes : <blob>
      `;
    };
  }
  class Recording extends dj.Imported {
    static override definition = `
    -> Session
    ---
    path : varchar(255)
    data = null : <blob@>
    `;
  }
  // The part only python_lab-2.3.2.sql has (an Imported part with the old job columns).
  if (options.recordingChannel) {
    (Recording as unknown as { Channel: unknown }).Channel = class extends dj.Part {
      static override definition = `
      -> master
      channel : int16
      `;
    };
  }
  class Config extends dj.Lookup {
    static override definition = `
    ---
    threshold = 1.5 : float64
    params = null : json
    `;
  }
  schema.register(Subject, Experimenter, Method, Session, Analysis, Recording, Config);
  return { Subject, Experimenter, Method, Session, Analysis, Recording, Config };
}

async function lineageRows(c: dj.Connection, db: string): Promise<string[]> {
  const rows = await c.query(`SELECT table_name, attribute_name, lineage FROM ${c.dialect.qualified(db, '~lineage')} WHERE table_name NOT LIKE '~~%'`);
  return rows.map((r) => `${r.table_name}.${r.attribute_name} <- ${String(r.lineage).replace(db, '{db}')}`).sort();
}

describe('declaration in the reference layout', () => {
  it('sends exactly the reference DDL for the example pipeline', async () => {
    const rec = recordStatements(conn);
    try {
      const p = createPipeline(dbs.example, { connection: conn });
      await p.schema.declare();
    } finally {
      rec.stop();
    }
    if (conn.backend === 'mysql') {
      assert.ok(rec.statements.includes(`CREATE DATABASE \`${dbs.example}\``));
      assert.deepEqual(firstCreates(rec.statements), fixtureStatements('example_pipeline.sql', dbs.example));
    } else {
      assert.ok(rec.statements.includes(`CREATE SCHEMA "${dbs.example}"`));
      assert.deepEqual(pgDeclaration(rec.statements), fixtureStatements('example_pipeline.pg.sql', dbs.example));
    }
  });

  it('describes a declared table back in the definition language', async () => {
    const p = createPipeline(dbs.example, { connection: conn });
    assert.equal(
      await p.Session.describe(),
      [
        '# Recording sessions',
        '-> Subject',
        'session_idx          : int16                        ',
        '---',
        'session_date         : date                         ',
        'operator=null        : varchar(64)                  ',
        'session_uuid=null    : uuid                         ',
        'UNIQUE INDEX (session_date, session_idx)',
        '',
      ].join('\n'),
    );
  });

  it('inserts Lookup contents on declaration', async () => {
    const rows = await conn.query(`SELECT method, description, threshold FROM ${conn.dialect.qualified(dbs.example, '#method')} ORDER BY method`);
    assert.deepEqual(rows, [
      { method: 'mean', description: 'mean of the samples', threshold: 0.5 },
      { method: 'peak', description: 'largest sample', threshold: 1 },
    ]);
  });

  it('stores the same tables and lineage as DataJoint for Python', async () => {
    await loadFixture(jobsConn, jobsConn.backend === 'mysql' ? 'python_lab.sql' : 'python_lab.pg.sql', dbs.python);
    const schema = new dj.Schema(dbs.ours, { connection: jobsConn });
    labClasses(schema);
    await schema.declare();
    for (const t of ['subject', '#experimenter', '#method', 'session', '__analysis', '__analysis__unit', '_recording', '#config', '~lineage']) {
      const theirs = (await storedTableDefinition(jobsConn, dbs.python, t)).replaceAll(dbs.python, '{db}');
      const ours = (await storedTableDefinition(jobsConn, dbs.ours, t)).replaceAll(dbs.ours, '{db}');
      assert.equal(ours, theirs, `stored definition of ${t}`);
    }
    assert.deepEqual(await lineageRows(jobsConn, dbs.ours), await lineageRows(jobsConn, dbs.python));
  });

  it('treats declaring over a Python-made schema as a no-op', async () => {
    const before = await storedTableDefinition(jobsConn, dbs.python, 'session');
    const schema = new dj.Schema(dbs.python, { connection: jobsConn, createSchema: false });
    const t = labClasses(schema);
    const rec = recordStatements(jobsConn);
    try {
      await schema.declare();
    } finally {
      rec.stop();
    }
    assert.deepEqual(rec.statements.filter((s) => WRITES.test(s)), []);
    assert.equal(await storedTableDefinition(jobsConn, dbs.python, 'session'), before);
    // And the classes work on it.
    await t.Subject.insert1({ subject_id: 7, name: 'seven' });
    assert.deepEqual(await t.Subject.restrict({ subject_id: 7 }).fetch1({ attributes: ['name'] }), { name: 'seven' });
  });

  it('treats declaring over a schema DataJoint for Python 2.3.2 made (the older platform columns) as a no-op', async () => {
    // Until 2.3.2: `_singleton` first on MySQL, the job columns without comments. PostgreSQL
    // came with 2.1 in today's layout, so there the fixture is the one layout it has.
    const old = schemaName('djt_decl_232');
    await loadFixture(jobsConn, jobsConn.backend === 'mysql' ? 'python_lab-2.3.2.sql' : 'python_lab.pg.sql', old);
    try {
      const schema = new dj.Schema(old, { connection: jobsConn, createSchema: false });
      const t = labClasses(schema, { recordingChannel: jobsConn.backend === 'mysql' });
      const rec = recordStatements(jobsConn);
      try {
        await schema.declare();
      } finally {
        rec.stop();
      }
      assert.deepEqual(rec.statements.filter((s) => WRITES.test(s)), []);
      // The singleton's table takes its one row, with its job-less columns as they are.
      await t.Config.insert1({ threshold: 2 });
      assert.deepEqual(await t.Config.fetch1({ attributes: ['threshold'] }), { threshold: 2 });
    } finally {
      await dropSchemas(jobsConn, [old]);
    }
  });

  it('redeclaring an identical table is a no-op', async () => {
    const again = createPipeline(dbs.example, { connection: conn });
    const rec = recordStatements(conn);
    try {
      await again.schema.declare();
    } finally {
      rec.stop();
    }
    // Not even lineage bookkeeping: nothing is written.
    assert.deepEqual(rec.statements.filter((s) => WRITES.test(s)), []);
    assert.equal(await again.Method.count(), 2);
  });

  it('reports a conflicting redeclaration with its differences and alters nothing', async () => {
    const first = new dj.Schema(dbs.conflict, { connection: conn });
    class Animal extends dj.Manual {
      static override definition = `
      animal_id : int32
      ---
      weight : float32
      species = 'mouse' : varchar(32)
      `;
    }
    await first.declare(Animal);
    const before = await storedTableDefinition(conn, dbs.conflict, 'animal');

    const second = new dj.Schema(dbs.conflict, { connection: conn });
    class Animal2 extends dj.Manual {
      static override definition = `
      animal_id : int64
      ---
      weight : float32   # grams
      tag = null : varchar(8)
      `;
    }
    Object.defineProperty(Animal2, 'name', { value: 'Animal' });
    await assert.rejects(second.declare(Animal2), (e: unknown) => {
      assert.ok(e instanceof dj.TableConflictError);
      assert.equal(e.code, 'tableConflict');
      // The type as the server's catalog reports it: `int` on MySQL, `integer` on PostgreSQL.
      assert.deepEqual(e.differences, [
        `column \`animal_id\`: type bigint declared, ${conn.backend === 'mysql' ? 'int' : 'integer'} in the database`,
        'column `animal_id`: comment ":int64:" declared, ":int32:" in the database',
        'column `weight`: comment ":float32:grams" declared, ":float32:" in the database',
        'column `tag` is declared but missing in the database',
        'column `species` exists in the database but is not declared',
      ]);
      assert.match(e.message, new RegExp(`^Table \`${dbs.conflict}\`\\.\`animal\` already exists with a different definition: column \`animal_id\`: type bigint`));
      return true;
    });
    assert.equal(await storedTableDefinition(conn, dbs.conflict, 'animal'), before);
  });

  it('refuses an invalid definition before any SQL runs, with lint diagnostics', async () => {
    const schema = new dj.Schema(dbs.invalid, { connection: conn });
    class Broken extends dj.Manual {
      static override definition = `
      broken_id : int32
      ---
      weight : flaot32
      `;
    }
    const rec = recordStatements(conn);
    try {
      await assert.rejects(schema.declare(Broken), (e: unknown) => {
        assert.ok(e instanceof dj.DeclarationError);
        assert.equal(e.code, 'declaration');
        assert.ok(e.problems.length >= 1);
        assert.match(e.message, /^Cannot declare Broken: line 4, column \d+: DJ\d{3} /);
        assert.match(e.message, /flaot32/);
        return true;
      });
    } finally {
      rec.stop();
    }
    assert.deepEqual(rec.statements.filter((s) => WRITES.test(s)), []);
    assert.ok(!(await schema.exists()) || (await (await schema.catalog()).tableNames(dbs.invalid)).length === 0);
  });

  it('refuses an unresolvable reference', async () => {
    const schema = new dj.Schema(dbs.invalid, { connection: conn });
    class Orphan extends dj.Manual {
      static override definition = `
      -> Nowhere
      orphan_id : int32
      `;
    }
    await assert.rejects(schema.declare(Orphan), { code: 'declaration', message: /Cannot declare Orphan: line 2, column \d+: DJ303 .*Nowhere/ });
  });

  it('resolves references across schemas through the context', async () => {
    const lab = createPipeline(dbs.example, { connection: conn });
    const other = new dj.Schema(dbs.other, { connection: conn, context: { lab: lab.schema } });
    class Note extends dj.Manual {
      static override definition = `
      -> lab.Session
      note_idx : int8
      ---
      note : varchar(1000)
      `;
    }
    await other.declare(Note);
    const ddl = await storedTableDefinition(conn, dbs.other, 'note');
    if (conn.backend === 'mysql') {
      assert.match(ddl, new RegExp(`FOREIGN KEY \\(\`subject_id\`, \`session_idx\`\\) REFERENCES \`${dbs.example}\`\\.\`session\``));
      assert.match(ddl, /`note_idx` tinyint\(4\) NOT NULL COMMENT ':int8:'/);
    } else {
      assert.match(ddl, new RegExp(`FOREIGN KEY \\(subject_id, session_idx\\) REFERENCES ${dbs.example}\\.session\\(subject_id, session_idx\\) ON UPDATE CASCADE ON DELETE RESTRICT`));
      // int8 is a smallint on PostgreSQL, which has no tinyint.
      assert.match(ddl, /^COLUMN "note_idx" smallint NOT NULL COMMENT ':int8:'$/m);
    }
  });

  it('refuses to create a missing schema when createSchema is false', async () => {
    const schema = new dj.Schema(`${dbs.invalid}_x`, { connection: conn, createSchema: false });
    class Lone extends dj.Manual {
      static override definition = `lone_id : int32`;
    }
    await assert.rejects(schema.declare(Lone), {
      code: 'unknownSchema',
      message: `Database \`${dbs.invalid}_x\` has not yet been declared. Set createSchema: true to create it.`,
    });
  });
});
