// The MySQL dialect: identifier quoting, type maps both ways, display-width removal and
// the translation of server errors into one-line DataJoint errors (adapters/mysql.py,
// connection.py: translate_query_error).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';

const d = dj.mysqlDialect;

describe('mysql dialect', () => {
  it('quotes identifiers, including backticks inside them', () => {
    assert.equal(d.quote('a`b'), '`a``b`');
    assert.equal(d.qualified('lab', '#method'), '`lab`.`#method`');
  });

  it('maps core types to SQL and back', () => {
    const pairs: Array<[string, string]> = [
      ['int8', 'tinyint'],
      ['int16', 'smallint'],
      ['int32', 'int'],
      ['int64', 'bigint'],
      ['float32', 'float'],
      ['float64', 'double'],
      ['bool', 'tinyint'],
      ['uuid', 'binary(16)'],
      ['json', 'json'],
      ['bytes', 'longblob'],
      ['date', 'date'],
      ['datetime', 'datetime'],
      ['datetime(3)', 'datetime(3)'],
      ['char(4)', 'char(4)'],
      ['varchar(64)', 'varchar(64)'],
      ['decimal(5,2)', 'decimal(5,2)'],
      ["enum('a','b')", "enum('a','b')"],
    ];
    for (const [core, sql] of pairs) assert.equal(d.coreTypeToSql(core), sql, core);
    assert.equal(d.coreTypeToSql('INT32'), undefined);
    assert.equal(d.coreTypeToSql('int unsigned'), undefined);
    assert.equal(d.sqlToCoreType('int'), 'int32');
    assert.equal(d.sqlToCoreType('binary(16)'), 'uuid');
    assert.equal(d.sqlToCoreType('varchar(16)'), 'varchar(16)');
    assert.equal(d.sqlToCoreType('text'), undefined);
  });

  it('drops display widths of integer and float types only', () => {
    assert.equal(d.normalizeSqlType('int(11)'), 'int');
    assert.equal(d.normalizeSqlType('int(10) unsigned'), 'int unsigned');
    assert.equal(d.normalizeSqlType('tinyint(4)'), 'tinyint');
    assert.equal(d.normalizeSqlType('bigint(20)'), 'bigint');
    assert.equal(d.normalizeSqlType('varchar(64)'), 'varchar(64)');
    assert.equal(d.normalizeSqlType('decimal(5,2)'), 'decimal(5,2)');
    assert.equal(d.normalizeSqlType('double'), 'double');
  });

  it('translates server and network errors into coded one-line errors', () => {
    const cases: Array<[object, string, string]> = [
      [{ code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry '1' for key 'PRIMARY'" }, 'duplicate', 'DuplicateError'],
      [{ errno: 1451, sqlMessage: 'Cannot delete or update a parent row' }, 'integrity', 'IntegrityError'],
      [{ errno: 1452, sqlMessage: 'Cannot add or update a child row' }, 'integrity', 'IntegrityError'],
      [{ errno: 1064, sqlMessage: 'You have an error in your SQL syntax;\nnear x' }, 'querySyntax', 'QuerySyntaxError'],
      [{ errno: 1146, sqlMessage: "Table 'a.b' doesn't exist" }, 'missingTable', 'MissingTableError'],
      [{ errno: 1054, sqlMessage: "Unknown column 'x'" }, 'unknownAttribute', 'UnknownAttributeError'],
      [{ errno: 1364, sqlMessage: "Field 'x' doesn't have a default value" }, 'missingAttribute', 'MissingAttributeError'],
      [{ errno: 1142, sqlMessage: 'INSERT command denied' }, 'access', 'AccessError'],
      [{ errno: 1045, sqlMessage: 'Access denied for user' }, 'login', 'AccessError'],
      [{ errno: 2013, sqlMessage: 'Lost connection' }, 'lostConnection', 'LostConnectionError'],
      [{ code: 'ECONNREFUSED' }, 'unreachable', 'ConnectionError'],
      // A reset ends a connection that was made (a firewall dropped the idle session).
      [{ code: 'ECONNRESET', errno: -104, sqlMessage: 'read ECONNRESET' }, 'lostConnection', 'LostConnectionError'],
      [{ errno: 9999, sqlMessage: 'Something else' }, 'server', 'DataJointError'],
    ];
    for (const [raw, code, name] of cases) {
      const e = d.translateError(Object.assign(new Error((raw as { sqlMessage?: string }).sqlMessage ?? 'x'), raw), { host: 'h', port: 1, user: 'u' });
      assert.equal(e.code, code);
      assert.equal(e.name, name);
      assert.ok(!e.message.includes('\n'));
    }
    const reset = d.translateError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 }), { host: 'db', port: 3306 });
    assert.equal(reset.message, 'Lost connection to db:3306 (read ECONNRESET)');
    const login = d.translateError(Object.assign(new Error('denied'), { errno: 1045 }), { host: 'db', port: 3306, user: 'alice' });
    assert.equal(login.message, "Login refused for user 'alice' at db:3306: wrong user name or password");
  });
});
