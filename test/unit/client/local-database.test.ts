// The local database's pure parts (client/connection/localDatabase.ts): whether it exists,
// what Reset asks (naming what is deleted), the export's proposed file name and header, the
// status bar tooltip's lines, which say that multi-machine work needs a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  droppedSchemas,
  exportFileName,
  exportHeader,
  exportSummaryText,
  localDatabaseExists,
  localStatusLines,
  MULTI_MACHINE_NOTE,
  resetQuestion,
} from '../../../client/connection/localDatabase';

test('the local database exists once PGlite has initialised its data directory (PG_VERSION), not when only the folder does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-local-'));
  try {
    assert.equal(localDatabaseExists(join(dir, '.datajoint')), false);
    mkdirSync(join(dir, '.datajoint', 'pgdata'), { recursive: true });
    assert.equal(localDatabaseExists(join(dir, '.datajoint')), false);
    writeFileSync(join(dir, '.datajoint', 'pgdata', 'PG_VERSION'), '18\n');
    assert.equal(localDatabaseExists(join(dir, '.datajoint')), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Reset asks naming the schemas it drops and where; public is emptied, not counted', () => {
  assert.deepEqual(droppedSchemas(['lab', 'public', 'z']), ['lab', 'z']);
  const q = resetQuestion('/ws/.datajoint/pgdata', ['lab', 'public']);
  assert.match(q, /^Reset the local database — this workspace\?/);
  assert.match(q, /the schema lab with all their tables, rows and jobs/);
  assert.match(q, /\/ws\/\.datajoint\/pgdata/);
  assert.match(q, /cannot be undone/);
  assert.match(resetQuestion('/d', ['a', 'b', 'public']), /2 schemas a, b/);
  assert.match(resetQuestion('/d', ['public']), /no schemas yet/);
});

test("the export's file name, header and summary", () => {
  assert.equal(exportFileName('/home/ana/My Lab'), 'My-Lab-local-database.sql');
  assert.equal(exportFileName(undefined), 'datajoint-local-database.sql');
  const h = exportHeader('/ws/.datajoint/pgdata', 'Local database — this workspace (PGlite, PostgreSQL 18.7)', new Date('2026-01-02T03:04:05Z'));
  assert.equal(h.length, 3);
  assert.match(h[0], /\/ws\/\.datajoint\/pgdata/);
  assert.match(h[1], /2026-01-02T03:04:05\.000Z/);
  assert.match(h[2], /psql -v ON_ERROR_STOP=1/);
  assert.equal(exportSummaryText('lab.sql', { schemas: ['lab'], tables: 2, rows: 7 }), 'Exported the local database — this workspace to lab.sql: 1 schema(s), 2 table(s), 7 row(s).');
});

test("the status bar tooltip: where, who serves it, why it is used, and that several machines need a server", () => {
  const lines = localStatusLines({ dataDir: '/ws/.datajoint/pgdata', serverPid: 4242, reason: 'no database server is configured' });
  assert.deepEqual(lines, ['Data: /ws/.datajoint/pgdata', 'Served by process 4242 (this machine only)', 'Used because no database server is configured.', MULTI_MACHINE_NOTE]);
  assert.match(MULTI_MACHINE_NOTE, /server: DataJoint: Connect…$/);
  assert.equal(localStatusLines({ dataDir: '/d', reason: 'r' }).length, 3);
});
