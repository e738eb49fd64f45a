// The embedded database (one PGlite backend behind runtime/embedded's server) cannot tell
// its clients' sessions apart: pg_backend_pid() is 42 for all. Its fragments answer "not
// open" for every holder's session, so the holder rule decides by host and pid alone
// (runtime/jobs/holder.ts), and keep the bound value in the statement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedFragments, fragmentsFor, mysqlFragments, postgresFragments } from '../../../runtime/dialect/index';
import { holderState } from '../../../runtime/jobs/holder';

test('fragmentsFor picks the embedded variant only when asked', () => {
  assert.equal(fragmentsFor('mysql'), mysqlFragments);
  assert.equal(fragmentsFor('postgresql'), postgresFragments);
  assert.equal(fragmentsFor('postgresql', { embedded: true }), embeddedFragments);
  assert.equal(embeddedFragments.backend, 'postgresql');
  assert.equal(embeddedFragments.quote('a"b'), '"a""b"');
});

test('sessionOpen is always false on the embedded database, and still binds its value', () => {
  const sql = embeddedFragments.sessionOpen('?');
  assert.equal(sql, '(CAST(? AS bigint) IS NULL AND FALSE)');
  assert.equal((sql.match(/\?/g) ?? []).length, 1, 'the placeholder stays');
  assert.match(embeddedFragments.sessionOpen('"j".connection_id'), /^\(CAST\("j"\.connection_id AS bigint\) IS NULL AND FALSE\)$/);
  assert.notEqual(postgresFragments.sessionOpen('?'), sql);
});

test('with the session never open, a holder on this host is alive iff its process runs', () => {
  const here = 'lab-pc';
  const runs = (pid: number) => pid === 100;
  assert.equal(holderState({ host: here, pid: 100, connectionOpen: false }, here, runs), 'alive');
  assert.equal(holderState({ host: here, pid: 101, connectionOpen: false }, here, runs), 'gone');
  // Loopback only: another host cannot hold a job there; if one is recorded, it is never taken at once.
  assert.equal(holderState({ host: 'other', pid: 100, connectionOpen: false }, here, runs), 'unknown');
});
