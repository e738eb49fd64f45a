// The connection's target (client/connection/connectionTarget.ts): the settings the user
// set win over the runtime's reading (DJ_* variables, datajoint.json), which wins over the
// defaults; PostgreSQL's port defaults to 5432 whenever no source gave one; the name the
// status bar shows; the password keys (MySQL's unchanged from before PostgreSQL); the
// recent connections, old entries (no backend) read as MySQL ones. With no host from any
// source (or datajoint.backend `embedded`) the target is the workspace's local database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../../runtime/config/index';
import { EMBEDDED_LABEL } from '../../../runtime/connection/index';
import {
  LOCAL_DATABASE_LABEL,
  describeTarget,
  localDatabaseReason,
  parseRecents,
  passwordKey,
  recentOf,
  rememberRecent,
  resolveTarget,
  sameConnection,
  type ConnectionTarget,
} from '../../../client/connection/connectionTarget';

/** The runtime's reading of these variables alone (no datajoint.json). */
const runtime = (env: NodeJS.ProcessEnv = {}) => loadSettings({ env, ignoreConfigFile: true });

const pick = (t: ConnectionTarget) => ({ backend: t.backend, host: t.host, port: t.port, user: t.user, databaseName: t.databaseName });

test('nothing set anywhere: the local database of the workspace, no password, named as the runtime names it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-target-'));
  try {
    const t = resolveTarget({}, loadSettings({ cwd: dir, env: {} }));
    assert.deepEqual(t.local, { dir: join(dir, '.datajoint'), dataDir: join(dir, '.datajoint', 'pgdata'), reason: t.local?.reason });
    assert.match(t.local!.reason, /no database server is configured/);
    assert.deepEqual([t.backend, t.user, t.databaseName, t.tls, t.passwordFromEnvironment], ['postgresql', 'postgres', 'postgres', false, undefined]);
    assert.equal(describeTarget(t), 'Local database — this workspace');
    assert.equal(LOCAL_DATABASE_LABEL, EMBEDDED_LABEL);
    // A DJ_PASS or a TLS setting alone names no server either (the runtime's rule).
    assert.ok(resolveTarget({}, runtime({ DJ_PASS: 'pw' })).local);
    assert.ok(resolveTarget({ tls: 'on' }, runtime()).local);
    // A user or a port does, on localhost (DataJoint for Python's default host), from a
    // setting, DJ_USER / DJ_PORT or datajoint.json: a lab account keeps its server.
    for (const [own, env] of [[{ user: 'ana' }, {}], [{ port: 3306 }, {}], [{}, { DJ_USER: 'ana', DJ_PASS: 'pw' }], [{}, { DJ_PORT: '3307' }]] as const) {
      const server = resolveTarget(own, runtime(env));
      assert.equal(server.local, undefined, JSON.stringify([own, env]));
      assert.equal(server.host, 'localhost');
    }
    // Nothing to remember among the recent servers: Switch Connection always offers it.
    assert.equal(recentOf(t), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the local database: datajoint.backend "embedded" over any host; a host or a server backend anywhere names a server', () => {
  const onEnvHost = resolveTarget({ backend: 'embedded' }, runtime({ DJ_HOST: 'db.lab', DJ_USER: 'ana' }));
  assert.ok(onEnvHost.local);
  assert.match(onEnvHost.local!.reason, /datajoint\.backend is "embedded"/);
  assert.equal(onEnvHost.sources.backend, 'setting');
  assert.ok(resolveTarget({ backend: 'embedded', host: 'db.lab', user: 'ana' }, runtime()).local);
  // DJ_BACKEND=embedded (the runtime's spelling) too, unless a setting names a server.
  assert.match(localDatabaseReason({}, runtime({ DJ_BACKEND: 'embedded', DJ_HOST: 'db.lab' }))!, /env:DJ_BACKEND/);
  assert.equal(resolveTarget({ host: 'set.lab', user: 'ana' }, runtime({ DJ_BACKEND: 'embedded' })).local, undefined);
  // A host from a setting, DJ_HOST or datajoint.json: that server, as before.
  assert.equal(resolveTarget({ host: 'set.lab' }, runtime()).local, undefined);
  assert.equal(resolveTarget({}, runtime({ DJ_HOST: 'env.lab' })).local, undefined);
  // The user chose a server's backend in the settings: that server, localhost by default, as before.
  const mysql = resolveTarget({ backend: 'mysql', user: 'ana' }, runtime());
  assert.deepEqual(pick(mysql), { backend: 'mysql', host: 'localhost', port: 3306, user: 'ana', databaseName: undefined });
  assert.equal(mysql.local, undefined);
  // database.embedded_dir / DJ_EMBEDDED_DIR move it.
  assert.equal(resolveTarget({}, runtime({ DJ_EMBEDDED_DIR: '/srv/lab/db' })).local?.dir, '/srv/lab/db');
  // The datajoint.json's folder, not the working directory, holds it.
  const dir = mkdtempSync(join(tmpdir(), 'dj-target-'));
  try {
    writeFileSync(join(dir, 'datajoint.json'), JSON.stringify({ safemode: false }));
    mkdirSync(join(dir, 'sub'));
    assert.equal(resolveTarget({}, loadSettings({ cwd: join(dir, 'sub'), env: {} })).local?.dir, join(dir, '.datajoint'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL without a port anywhere: 5432, whether the backend comes from a setting or from DJ_BACKEND', () => {
  const bySetting = resolveTarget({ backend: 'postgresql', host: 'db.lab', user: 'ana' }, runtime());
  assert.deepEqual(pick(bySetting), { backend: 'postgresql', host: 'db.lab', port: 5432, user: 'ana', databaseName: 'postgres' });
  assert.deepEqual([bySetting.sources.backend, bySetting.sources.port, bySetting.sources.databaseName], ['setting', 'default', 'default']);
  const byEnv = resolveTarget({}, runtime({ DJ_BACKEND: 'postgresql', DJ_HOST: 'db.lab', DJ_USER: 'ana' }));
  assert.deepEqual(pick(byEnv), { backend: 'postgresql', host: 'db.lab', port: 5432, user: 'ana', databaseName: 'postgres' });
  assert.equal(byEnv.sources.backend, 'env:DJ_BACKEND');
  // `auto` (the setting's default) defers to the environment.
  assert.equal(resolveTarget({ backend: 'auto' }, runtime({ DJ_BACKEND: 'postgresql' })).backend, 'postgresql');
});

test('a port given anywhere is kept on PostgreSQL; a MySQL setting over DJ_BACKEND=postgresql goes back to 3306', () => {
  assert.equal(resolveTarget({ backend: 'postgresql' }, runtime({ DJ_PORT: '6543' })).port, 6543);
  assert.equal(resolveTarget({ backend: 'postgresql', port: 15432 }, runtime()).port, 15432);
  assert.equal(resolveTarget({ backend: 'postgresql', host: 'db.lab:5433' }, runtime()).port, 5433);
  assert.equal(resolveTarget({ backend: 'postgresql' }, runtime({ DJ_HOST: 'db.lab:5434' })).port, 5434);
  const mysql = resolveTarget({ backend: 'mysql' }, runtime({ DJ_BACKEND: 'postgresql' }));
  assert.deepEqual([mysql.backend, mysql.port, mysql.databaseName], ['mysql', 3306, undefined]);
});

test('each value: the setting, else the environment, else datajoint.json, else the default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-target-'));
  try {
    writeFileSync(join(dir, 'datajoint.json'), JSON.stringify({ database: { backend: 'postgresql', host: 'file.lab', port: 7000, user: 'filer', name: 'filedb' } }));
    const file = loadSettings({ cwd: dir, env: {} });
    assert.deepEqual(pick(resolveTarget({}, file)), { backend: 'postgresql', host: 'file.lab', port: 7000, user: 'filer', databaseName: 'filedb' });
    const envOverFile = loadSettings({ cwd: dir, env: { DJ_HOST: 'env.lab', DJ_DATABASE_NAME: 'envdb' } });
    assert.deepEqual(pick(resolveTarget({}, envOverFile)), { backend: 'postgresql', host: 'env.lab', port: 7000, user: 'filer', databaseName: 'envdb' });
    const settingsOverAll = resolveTarget({ host: 'set.lab', port: 7001, user: 'setter', databaseName: 'setdb' }, envOverFile);
    assert.deepEqual(pick(settingsOverAll), { backend: 'postgresql', host: 'set.lab', port: 7001, user: 'setter', databaseName: 'setdb' });
    assert.deepEqual(settingsOverAll.sources, { backend: `file:${join(dir, 'datajoint.json')}`, host: 'setting', port: 'setting', user: 'setting', databaseName: 'setting' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cleared settings count as unset; a host:port setting carries its port; TLS as before', () => {
  const t = resolveTarget({ host: '', port: null, user: '', databaseName: '', backend: '' }, runtime({ DJ_HOST: 'env.lab', DJ_USER: 'ana' }));
  assert.deepEqual(pick(t), { backend: 'mysql', host: 'env.lab', port: 3306, user: 'ana', databaseName: undefined });
  const hp = resolveTarget({ host: 'db.lab:3307', port: 3400 }, runtime());
  assert.deepEqual([hp.host, hp.port], ['db.lab', 3307]);
  const server = { DJ_HOST: 'db.lab' };
  assert.equal(resolveTarget({ tls: 'on' }, runtime({ ...server, DJ_USE_TLS: 'false' })).tls, true);
  assert.equal(resolveTarget({ tls: 'auto' }, runtime({ ...server, DJ_USE_TLS: 'false' })).tls, undefined);
  assert.equal(resolveTarget({}, runtime({ ...server, DJ_USE_TLS: 'false' })).tls, false);
  assert.equal(resolveTarget({}, runtime({ ...server, DJ_PASS: 'pw' })).passwordFromEnvironment, 'pw');
});

test('a backend setting outside the enum is refused, naming the setting', () => {
  assert.throws(() => resolveTarget({ backend: 'postgres' }, runtime()), /datajoint\.backend.*"embedded".*"postgres"/);
});

test('describeTarget: user@host:port for MySQL, a postgresql:// URI with the database for PostgreSQL', () => {
  assert.equal(describeTarget({ host: 'db.lab', port: 3306, user: 'ana' }), 'ana@db.lab:3306');
  assert.equal(describeTarget({ backend: 'mysql', host: 'db.lab', port: 3306, user: 'ana', databaseName: undefined }), 'ana@db.lab:3306');
  assert.equal(describeTarget({ backend: 'postgresql', host: 'db.lab', port: 5432, user: 'ana', databaseName: 'lab' }), 'postgresql://ana@db.lab:5432/lab');
  assert.equal(describeTarget({ backend: 'postgresql', host: 'db.lab', port: 5432, user: 'ana' }), 'postgresql://ana@db.lab:5432/postgres');
  assert.equal(describeTarget({ host: 'db.lab', port: 3306, user: undefined }), '?@db.lab:3306');
});

test('password keys: MySQL keeps the key of earlier releases; PostgreSQL has its own, one for all its databases', () => {
  const login = { host: 'db.lab', port: 5432, user: 'ana' };
  // The key earlier releases wrote (`datajoint.password/` + user@host:port) is MySQL's.
  assert.equal(passwordKey(login), 'datajoint.password/ana@db.lab:5432');
  assert.equal(passwordKey({ ...login, backend: 'mysql' }), 'datajoint.password/ana@db.lab:5432');
  const pg = passwordKey({ ...login, backend: 'postgresql', databaseName: 'lab' });
  assert.notEqual(pg, passwordKey({ ...login, backend: 'mysql' }));
  assert.equal(pg, passwordKey({ ...login, backend: 'postgresql', databaseName: 'other' }));
  assert.ok(!pg.includes('lab/'), 'no database in the key');
});

test('recent connections: old entries are MySQL ones, unreadable ones are left out, PostgreSQL ones keep their database', () => {
  const stored: unknown = [
    { host: 'old.lab', port: 3306, user: 'ana' },
    { backend: 'postgresql', host: 'pg.lab', port: 5432, user: 'ana', databaseName: 'lab' },
    { backend: 'postgresql', host: 'pg.lab', port: 5432, user: 'bo' },
    { backend: 'oracle', host: 'x', port: 1, user: 'y' },
    { host: 'noport.lab', user: 'ana' },
    { host: 'bad.lab', port: 70000, user: 'ana' },
    'ana@text.lab:3306',
    null,
  ];
  assert.deepEqual(parseRecents(stored), [
    { backend: 'mysql', host: 'old.lab', port: 3306, user: 'ana' },
    { backend: 'postgresql', host: 'pg.lab', port: 5432, user: 'ana', databaseName: 'lab' },
    { backend: 'postgresql', host: 'pg.lab', port: 5432, user: 'bo', databaseName: 'postgres' },
  ]);
  assert.deepEqual(parseRecents(undefined), []);
  assert.deepEqual(parseRecents({ host: 'x' }), []);
});

test('remembering a connection puts it first, once; the same host:port:user on the other backend is another entry', () => {
  const target = resolveTarget({ backend: 'postgresql', host: 'old.lab', port: 3306, user: 'ana', databaseName: 'lab' }, runtime());
  const entry = recentOf(target)!;
  assert.deepEqual(entry, { backend: 'postgresql', host: 'old.lab', port: 3306, user: 'ana', databaseName: 'lab' });
  const old: unknown = [{ host: 'old.lab', port: 3306, user: 'ana' }, { host: 'b.lab', port: 3306, user: 'ana' }];
  const once = rememberRecent(old, entry);
  assert.deepEqual(once.map(describeTarget), ['postgresql://ana@old.lab:3306/lab', 'ana@old.lab:3306', 'ana@b.lab:3306']);
  const again = rememberRecent(once, recentOf({ host: 'b.lab', port: 3306, user: 'ana' })!);
  assert.deepEqual(again.map(describeTarget), ['ana@b.lab:3306', 'postgresql://ana@old.lab:3306/lab', 'ana@old.lab:3306']);
  assert.equal(rememberRecent([], entry, 8).length, 1);
  assert.equal(rememberRecent(Array.from({ length: 12 }, (_, i) => ({ host: `h${i}`, port: 3306, user: 'u' })), entry).length, 8);
  assert.ok(sameConnection(entry, target));
  assert.ok(!sameConnection(entry, { ...entry, databaseName: 'other' }));
  assert.equal(recentOf({ host: 'x', port: 1, user: undefined }), undefined);
});
