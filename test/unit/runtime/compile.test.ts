// DDL strings from definitions, without a server: defaults, markers, escaping, foreign
// keys with options and renames, indexes, singleton and job-metadata columns
// (declare.py; reference notes §1.5, §4.3-§4.7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinition } from '../../../runtime/definition/index';
import { compileTable, type ParentTable } from '../../../runtime/declare/compile';
import { mysqlDialect } from '../../../runtime/index';

const subject: ParentTable = {
  schema: 'lab',
  table: 'subject',
  primaryKey: ['subject_id'],
  attributes: [
    { name: 'subject_id', sqlType: 'int', type: 'int32', comment: 'unique id' },
    { name: 'name', sqlType: 'varchar(64)', type: 'varchar(64)', comment: '' },
  ],
};
const experimenter: ParentTable = {
  schema: 'lab',
  table: '#experimenter',
  primaryKey: ['experimenter_id'],
  attributes: [{ name: 'experimenter_id', sqlType: 'binary(16)', type: 'uuid', comment: 'who' }],
};

function ddl(definition: string, table: string, addJobMetadata = false): string {
  const { ast, diagnostics } = parseDefinition(definition);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  const parents: Record<string, ParentTable> = { Subject: subject, Experimenter: experimenter, master: subject };
  const compiled = compileTable({ ast, schema: 'lab', table, dialect: mysqlDialect, resolve: (p) => parents[p.join('.')], addJobMetadata });
  const statements = mysqlDialect.createTable(compiled.spec);
  assert.equal(statements.length, 1);
  return statements[0];
}

describe('compileTable', () => {
  it('writes defaults, markers and escaped comments', () => {
    assert.equal(
      ddl(
        `
        # A "quoted" \\ table
        k : int64
        ---
        a = 5 : int32               # five
        b = "it's" : varchar(10)
        c = 'x''y' : char(3)
        d = CURRENT_TIMESTAMP(3) : datetime(3)
        e = null : <blob>
        f : decimal(5,2)            # say "hi" \\o/
        g : int unsigned            # native
        h = 2020-01-01 : date
        `,
        't',
      ),
      [
        'CREATE TABLE IF NOT EXISTS `lab`.`t` (',
        '`k` bigint NOT NULL COMMENT ":int64:",',
        '`a` int NOT NULL DEFAULT \'5\' COMMENT ":int32:five",',
        '`b` varchar(10) NOT NULL DEFAULT \'it\'\'s\' COMMENT ":varchar(10):",',
        "`c` char(3) NOT NULL DEFAULT 'x''y' COMMENT \":char(3):\",",
        '`d` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) COMMENT ":datetime(3):",',
        '`e` longblob DEFAULT NULL COMMENT ":<blob>:",',
        '`f` decimal(5,2) NOT NULL COMMENT ":decimal(5,2):say \\"hi\\" \\\\o/",',
        '`g` int unsigned NOT NULL COMMENT "native",',
        "`h` date NOT NULL DEFAULT '2020-01-01' COMMENT \":date:\",",
        'PRIMARY KEY (`k`)',
        ') ENGINE=InnoDB, COMMENT "A \\"quoted\\" \\\\ table"',
      ].join('\n'),
    );
  });

  it('copies foreign-key columns with options, renames and indexes', () => {
    assert.equal(
      ddl(
        `
        -> Subject
        idx : int16
        ---
        -> [nullable] Experimenter
        -> [unique] Subject.proj(buddy='subject_id')
        info : json
        index (idx, info.name:varchar(20))
        `,
        'session',
      ),
      [
        'CREATE TABLE IF NOT EXISTS `lab`.`session` (',
        '`subject_id` int NOT NULL COMMENT "unique id",',
        '`idx` smallint NOT NULL COMMENT ":int16:",',
        '`experimenter_id` binary(16) COMMENT ":uuid:who",',
        '`buddy` int NOT NULL COMMENT "unique id",',
        '`info` json NOT NULL COMMENT ":json:",',
        'PRIMARY KEY (`subject_id`, `idx`),',
        'FOREIGN KEY (`subject_id`) REFERENCES `lab`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT,',
        'FOREIGN KEY (`experimenter_id`) REFERENCES `lab`.`#experimenter` (`experimenter_id`) ON UPDATE CASCADE ON DELETE RESTRICT,',
        'FOREIGN KEY (`buddy`) REFERENCES `lab`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT,',
        'UNIQUE INDEX (`buddy`),',
        "index (`idx`,(json_value(`info`, _utf8mb4'$.name' returning varchar(20))))",
        ') ENGINE=InnoDB',
      ].join('\n'),
    );
  });

  // declare.py 2.3.5: the platform's columns after the declared ones, with their comments.
  it('adds _singleton for an empty key and job metadata for auto-populated masters only', () => {
    assert.equal(
      ddl('---\nvalue : float64', '#config'),
      [
        'CREATE TABLE IF NOT EXISTS `lab`.`#config` (',
        '`value` double NOT NULL COMMENT ":float64:",',
        '`_singleton` tinyint NOT NULL DEFAULT \'1\' COMMENT ":bool:singleton primary key",',
        'PRIMARY KEY (`_singleton`)',
        ') ENGINE=InnoDB',
      ].join('\n'),
    );
    const computed = ddl('-> Subject\n---\nr : float32', '__analysis', true);
    assert.match(
      computed,
      /`_job_start_time` datetime\(3\) DEFAULT NULL COMMENT ":datetime\(3\):when computation began",\n`_job_duration` float DEFAULT NULL COMMENT ":float32:computation duration in seconds",\n`_job_version` varchar\(64\) NOT NULL DEFAULT '' COMMENT ":varchar\(64\):code version",\nPRIMARY KEY/,
    );
    assert.ok(ddl('-> Subject\n---\nr : float32', '_recording', true).includes('_job_start_time'));
    // user_tables.py: is_tier matches the whole name, so parts of either get none (2.3.2 gave them to Imported parts).
    assert.ok(!ddl('-> master\nu : int32', '__analysis__unit', true).includes('_job_'));
    assert.ok(!ddl('-> master\nu : int32', '_recording__unit', true).includes('_job_'));
    assert.ok(!ddl('-> Subject', 'session', true).includes('_job_'));
  });
});
