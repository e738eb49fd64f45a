// User errors come back as one-line DataJointErrors with a code — unreachable server,
// refused login, missing privileges, unknown schema — and never show the password.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import * as dj from '../../../runtime/index';
import { connect, dropSchemas, schemaName, testServer } from './helpers';

const db = schemaName('djt_errors');
const roUser = `djt_ro_${randomBytes(3).toString('hex')}`;
const roPassword = `pw-${randomBytes(6).toString('hex')}`;
let conn: dj.Connection;

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function oneLine(e: unknown, code: string, password?: string): dj.DataJointError {
  assert.ok(e instanceof dj.DataJointError, `a DataJointError, got ${String(e)}`);
  assert.equal(e.code, code);
  assert.ok(!e.message.includes('\n'), 'one line');
  if (password) assert.ok(!e.message.includes(password), 'no password');
  return e;
}

before(async () => {
  conn = await connect();
  const s = new dj.Schema(db, { connection: conn });
  class Thing extends dj.Manual {
    static override definition = `thing_id : int32`;
  }
  await s.declare(Thing);
  const host = (await testServer()).host;
  if (conn.backend === 'mysql') {
    await conn.execute(`CREATE USER ?@? IDENTIFIED BY ?`, [roUser, host, roPassword]);
    await conn.execute(`GRANT SELECT ON ${conn.dialect.quote(db)}.* TO ?@?`, [roUser, host]);
  } else {
    // Utility statements take no parameters on PostgreSQL; the names here are our own.
    // Reading a table needs USAGE on its schema too. PostgreSQL 15 grants no CREATE on
    // the database (new schemas) nor on `public` to other roles.
    await conn.execute(`CREATE ROLE ${conn.dialect.quote(roUser)} LOGIN PASSWORD '${roPassword}'`);
    await conn.execute(`GRANT USAGE ON SCHEMA ${conn.dialect.quote(db)} TO ${conn.dialect.quote(roUser)}`);
    await conn.execute(`GRANT SELECT ON ALL TABLES IN SCHEMA ${conn.dialect.quote(db)} TO ${conn.dialect.quote(roUser)}`);
  }
});
after(async () => {
  if (conn.backend === 'mysql') {
    await conn.execute(`DROP USER IF EXISTS ?@?`, [roUser, (await testServer()).host]);
  } else {
    // A role that still holds privileges cannot be dropped: its grants go first.
    await conn.execute(`DROP OWNED BY ${conn.dialect.quote(roUser)}`).catch(() => undefined);
    await conn.execute(`DROP ROLE IF EXISTS ${conn.dialect.quote(roUser)}`);
  }
  await dropSchemas(conn, [db]);
  await conn.close();
  await (await testServer()).stop();
});

describe('clear errors', () => {
  it('reports an unreachable server', async () => {
    const port = await closedPort();
    await assert.rejects(connect({ port }), (e: unknown) => {
      oneLine(e, 'unreachable');
      assert.equal((e as Error).message, `Cannot connect to 127.0.0.1:${port}: connection refused (is the server running and the port right?)`);
      assert.ok(e instanceof dj.ConnectionError);
      return true;
    });
    await assert.rejects(connect({ host: 'no-such-host.invalid' }), (e: unknown) => {
      oneLine(e, 'unreachable');
      assert.match((e as Error).message, /^Cannot connect to no-such-host\.invalid:\d+: host not found$/);
      return true;
    });
  });

  it('reports a refused login without the password', async () => {
    const password = 'Wr0ng-S3cret-pass';
    const user = (await testServer()).user;
    await assert.rejects(connect({ password }), (e: unknown) => {
      oneLine(e, 'login', password);
      assert.ok(e instanceof dj.AccessError);
      assert.match((e as Error).message, new RegExp(`^Login refused for user '${user}' at 127\\.0\\.0\\.1:\\d+: wrong user name or password$`));
      return true;
    });
  });

  it('requires TLS when asked, and falls back to plain only when TLS is unset', async () => {
    // The test server has no certificates.
    await assert.rejects(connect({ useTls: true }), (e: unknown) => {
      oneLine(e, 'unreachable');
      assert.match((e as Error).message, /^Cannot connect to 127\.0\.0\.1:\d+: TLS was required but could not be established \(.+\)$/);
      return true;
    });
    const plain = await connect();
    try {
      assert.equal(plain.settings.database.useTls, null);
      if (plain.backend === 'mysql') {
        assert.deepEqual(await plain.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'"), [{ Variable_name: 'Ssl_cipher', Value: '' }]);
      } else {
        assert.deepEqual(await plain.query('SELECT ssl, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()'), [{ ssl: false, cipher: null }]);
      }
    } finally {
      await plain.close();
    }
  });

  it('reports missing settings before connecting', async () => {
    await assert.rejects(dj.Connection.connect({ ignoreConfigFile: true, env: {}, host: '127.0.0.1' }), {
      code: 'config',
      message: 'Database user not configured. Set DJ_USER, database.user in datajoint.json, or pass user.',
    });
  });

  it('reports missing privileges', async () => {
    const ro = await connect({ user: roUser, password: roPassword });
    try {
      const s = new dj.Schema(db, { connection: ro });
      class Thing extends dj.Manual {
        static override definition = `thing_id : int32`;
      }
      class Other extends dj.Manual {
        static override definition = `other_id : int32`;
      }
      s.register(Thing, Other);
      assert.equal(await Thing.count(), 0);
      await assert.rejects(Thing.insert1({ thing_id: 1 }), (e: unknown) => {
        oneLine(e, 'access', roPassword);
        // The server's own words after the prefix.
        assert.match((e as Error).message, ro.backend === 'mysql' ? /^Permission denied: INSERT command denied to user/ : /^Permission denied: permission denied for table thing$/);
        return true;
      });
      await assert.rejects(s.declare(Other), (e: unknown) => {
        oneLine(e, 'access', roPassword);
        assert.equal((e as Error).message, `Cannot declare table \`${db}\`.\`other\`. Check that you have CREATE privilege on schema \`${db}\` and REFERENCES privilege on any referenced parent tables.`);
        return true;
      });
      const missing = `${db}_new`;
      const s2 = new dj.Schema(missing, { connection: ro });
      await assert.rejects(s2.declare(class Lone extends dj.Manual {
        static override definition = `lone_id : int32`;
      }), (e: unknown) => {
        oneLine(e, 'access', roPassword);
        assert.equal((e as Error).message, `Schema \`${missing}\` does not exist and could not be created. Check permissions.`);
        return true;
      });
    } finally {
      await ro.close();
    }
  });

  it('reports an unknown schema', async () => {
    const missing = `${db}_missing`;
    await assert.rejects(new dj.Catalog(conn).listTables(missing), (e: unknown) => {
      oneLine(e, 'unknownSchema');
      assert.equal((e as Error).message, `Schema \`${missing}\` does not exist`);
      return true;
    });
    const s = new dj.Schema(missing, { connection: conn, createSchema: false });
    class Ghost extends dj.Manual {
      static override definition = `ghost_id : int32`;
    }
    s.register(Ghost);
    await assert.rejects(Ghost.fetch(), (e: unknown) => {
      oneLine(e, 'unknownSchema');
      assert.ok(e instanceof dj.MissingSchemaError);
      assert.equal((e as Error).message, `Database \`${missing}\` has not yet been declared. Set createSchema: true to create it.`);
      return true;
    });
  });

  it('keeps errors one line for server-side SQL mistakes and DataJointError.toOneLine', async () => {
    const s = new dj.Schema(db, { connection: conn });
    class Thing extends dj.Manual {
      static override definition = `thing_id : int32`;
    }
    s.register(Thing);
    await assert.rejects(Thing.restrict('nonsense ===').fetch(), (e: unknown) => {
      const err = oneLine(e, 'querySyntax');
      assert.match(err.toOneLine(), /^QuerySyntaxError: /);
      return true;
    });
    await assert.rejects(Thing.restrict('no_such_column = 1').fetch(), (e: unknown) => {
      oneLine(e, 'unknownAttribute');
      return true;
    });
  });
});
