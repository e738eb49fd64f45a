// Settings come from code, then environment variables, then datajoint.json (found upward,
// stopping at a repository root), then secrets, then defaults; env beats the file for
// every key (our decision on the reference's quirk).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, findConfigFile, redact, ConfigError } from '../../../runtime/index';

let root: string;
let project: string;
let nested: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'dj-config-'));
  project = join(root, 'project');
  nested = join(project, 'src', 'deep');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(nested, { recursive: true });
  writeFileSync(
    join(project, 'datajoint.json'),
    JSON.stringify({ database: { host: 'db.example.org', port: 3307, user: 'alice' }, safemode: true, 'jobs.default_priority': 3, jobs: { add_job_metadata: true } }),
  );
  mkdirSync(join(project, '.secrets'));
  writeFileSync(join(project, '.secrets', 'database.password'), 's3cret\n');
  writeFileSync(join(project, '.secrets', 'database.user'), 'bob\n');
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('settings', () => {
  it('has the reference defaults', () => {
    const s = loadSettings({ ignoreConfigFile: true, env: {} });
    assert.equal(s.database.host, 'localhost');
    assert.equal(s.database.port, 3306);
    assert.equal(s.database.user, null);
    assert.equal(s.database.password, null);
    assert.equal(s.database.useTls, null);
    assert.equal(s.safemode, true);
    assert.equal(s.jobs.addJobMetadata, false);
    assert.equal(s.jobs.defaultPriority, 5);
  });

  it('finds datajoint.json upward and stops at the repository root', () => {
    assert.equal(findConfigFile(nested), join(project, 'datajoint.json'));
    assert.equal(findConfigFile(root), undefined);
  });

  it('reads the file (nested and flat keys) and fills only unset values from secrets', () => {
    const s = loadSettings({ cwd: nested, env: {} });
    assert.equal(s.database.host, 'db.example.org');
    assert.equal(s.database.port, 3307);
    assert.equal(s.database.user, 'alice');
    assert.equal(s.database.password, 's3cret');
    assert.equal(s.jobs.defaultPriority, 3);
    assert.equal(s.jobs.addJobMetadata, true);
    assert.equal(s.configFile, join(project, 'datajoint.json'));
    assert.equal(s.sources['database.password'], `secret:${join(project, '.secrets', 'database.password')}`);
  });

  it('lets environment variables override the file for every key', () => {
    const s = loadSettings({ cwd: nested, env: { DJ_HOST: 'envhost:4000', DJ_USER: 'carol', DJ_PASS: 'envpass', DJ_SAFEMODE: 'false', DJ_JOBS_ADD_JOB_METADATA: 'no' } });
    assert.equal(s.database.host, 'envhost');
    assert.equal(s.database.port, 4000);
    assert.equal(s.database.user, 'carol');
    assert.equal(s.database.password, 'envpass');
    assert.equal(s.safemode, false);
    assert.equal(s.jobs.addJobMetadata, false);
    assert.equal(s.sources['database.user'], 'env:DJ_USER');
  });

  it('lets code override everything', () => {
    const s = loadSettings({ cwd: nested, env: { DJ_USER: 'carol', DJ_PORT: '5000' }, overrides: { database: { user: 'dave', port: 6000, useTls: true } } });
    assert.equal(s.database.user, 'dave');
    assert.equal(s.database.port, 6000);
    assert.equal(s.database.useTls, true);
    assert.equal(s.sources['database.user'], 'code');
  });

  it('skips the file with DJ_IGNORE_CONFIG_FILE', () => {
    const s = loadSettings({ cwd: nested, env: { DJ_IGNORE_CONFIG_FILE: 'true' } });
    assert.equal(s.database.host, 'localhost');
    assert.equal(s.database.password, null);
  });

  it('reports bad values with their source, and never echoes a password', () => {
    assert.throws(() => loadSettings({ ignoreConfigFile: true, env: { DJ_PORT: 'abc' } }), (e: unknown) => e instanceof ConfigError && e.message === 'DJ_PORT: invalid value for database.port');
    assert.throws(() => loadSettings({ ignoreConfigFile: true, env: { DJ_SAFEMODE: 'maybe' } }), { code: 'config', message: 'DJ_SAFEMODE: expected true or false, got "maybe"' });
    const bad = join(root, 'bad');
    mkdirSync(join(bad, '.git'), { recursive: true });
    writeFileSync(join(bad, 'datajoint.json'), '{ not json');
    assert.throws(() => loadSettings({ cwd: bad, env: {} }), { code: 'config', message: new RegExp(`^${join(bad, 'datajoint.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`) });
    const s = redact(loadSettings({ cwd: nested, env: {} }));
    assert.equal(s.database.password, '***');
  });
});

describe('settings of the backend', () => {
  it('defaults to MySQL on 3306 with no database name', () => {
    const s = loadSettings({ ignoreConfigFile: true, env: {} });
    assert.equal(s.database.backend, 'mysql');
    assert.equal(s.database.port, 3306);
    assert.equal(s.database.name, null);
  });

  it('reads DJ_BACKEND and DJ_DATABASE_NAME, and PostgreSQL defaults to port 5432', () => {
    const s = loadSettings({ ignoreConfigFile: true, env: { DJ_BACKEND: 'postgresql', DJ_DATABASE_NAME: 'lab' } });
    assert.equal(s.database.backend, 'postgresql');
    assert.equal(s.database.name, 'lab');
    assert.equal(s.database.port, 5432);
    assert.equal(s.sources['database.backend'], 'env:DJ_BACKEND');
    assert.equal(s.sources['database.name'], 'env:DJ_DATABASE_NAME');
    assert.equal(s.sources['database.port'], undefined);
  });

  it('keeps a port given by any source with PostgreSQL', () => {
    assert.equal(loadSettings({ ignoreConfigFile: true, env: { DJ_BACKEND: 'postgresql', DJ_PORT: '6543' } }).database.port, 6543);
    assert.equal(loadSettings({ ignoreConfigFile: true, env: { DJ_BACKEND: 'postgresql', DJ_HOST: 'pg.example.org:6544' } }).database.port, 6544);
    assert.equal(loadSettings({ ignoreConfigFile: true, env: {}, overrides: { database: { backend: 'postgresql', port: 6545 } } }).database.port, 6545);
    // The file's port (3307) is a given port too.
    const s = loadSettings({ cwd: nested, env: { DJ_BACKEND: 'postgresql' } });
    assert.equal(s.database.port, 3307);
  });

  it('takes the backend and database name from datajoint.json and from code', () => {
    const dir = join(root, 'pg-project');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, 'datajoint.json'), JSON.stringify({ database: { backend: 'postgresql', name: 'neuro', host: 'pg.example.org' } }));
    const f = loadSettings({ cwd: dir, env: {} });
    assert.equal(f.database.backend, 'postgresql');
    assert.equal(f.database.name, 'neuro');
    assert.equal(f.database.port, 5432);
    assert.equal(f.sources['database.backend'], `file:${join(dir, 'datajoint.json')}`);
    // Environment beats the file, code beats both.
    assert.equal(loadSettings({ cwd: dir, env: { DJ_BACKEND: 'mysql' } }).database.port, 3306);
    const c = loadSettings({ cwd: dir, env: { DJ_DATABASE_NAME: 'envdb' }, overrides: { database: { name: 'codedb' } } });
    assert.equal(c.database.name, 'codedb');
    assert.equal(c.sources['database.name'], 'code');
    const m = loadSettings({ ignoreConfigFile: true, env: { DJ_BACKEND: 'postgresql' }, overrides: { database: { backend: 'mysql' } } });
    assert.equal(m.database.backend, 'mysql');
    assert.equal(m.database.port, 3306);
  });

  it('refuses an unknown backend, naming its source', () => {
    assert.throws(() => loadSettings({ ignoreConfigFile: true, env: { DJ_BACKEND: 'oracle' } }), {
      code: 'config',
      message: 'DJ_BACKEND: database.backend must be "mysql", "postgresql" or "embedded", got "oracle"',
    });
  });
});

describe('settings of the embedded database', () => {
  it('is used when no source gives a host, kept in .datajoint of the working directory', () => {
    const s = loadSettings({ ignoreConfigFile: true, env: {}, cwd: root });
    assert.equal(s.database.embedded, true);
    assert.equal(s.database.embeddedDir, join(root, '.datajoint'));
    // The reference's defaults stay as they were, for whoever reads them.
    assert.equal(s.database.host, 'localhost');
    assert.equal(s.database.backend, 'mysql');
    // A password alone names no server; a user, a port or a server backend name one on the
    // reference's default host (localhost), as DataJoint for Python reads them.
    assert.equal(loadSettings({ ignoreConfigFile: true, env: { DJ_PASS: 'p' }, cwd: root }).database.embedded, true);
    for (const env of [{ DJ_USER: 'u', DJ_PASS: 'p' }, { DJ_PORT: '3307' }, { DJ_BACKEND: 'postgresql' }, { DJ_BACKEND: 'mysql' }]) {
      assert.equal(loadSettings({ ignoreConfigFile: true, env, cwd: root }).database.embedded, false, JSON.stringify(env));
    }
  });

  it('is not used once a host is given by the environment, the file or code', () => {
    assert.equal(loadSettings({ ignoreConfigFile: true, env: { DJ_HOST: 'localhost' } }).database.embedded, false);
    assert.equal(loadSettings({ cwd: nested, env: {} }).database.embedded, false, 'datajoint.json names db.example.org');
    assert.equal(loadSettings({ ignoreConfigFile: true, env: {}, overrides: { database: { host: '127.0.0.1' } } }).database.embedded, false);
    assert.equal(loadSettings({ ignoreConfigFile: true, env: {}, overrides: { database: { embedded: false } } }).database.embedded, false, 'code may turn it off');
  });

  it('is chosen by database.backend "embedded" (a PostgreSQL), even beside a host', () => {
    const s = loadSettings({ ignoreConfigFile: true, env: { DJ_BACKEND: 'embedded', DJ_HOST: 'db.example.org' } });
    assert.equal(s.database.embedded, true);
    assert.equal(s.database.backend, 'postgresql');
    assert.equal(s.sources['database.backend'], 'env:DJ_BACKEND');
    // A later source naming a server's backend wins over the file's "embedded".
    const dir = join(root, 'emb-project');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, 'datajoint.json'), JSON.stringify({ database: { backend: 'embedded', host: 'db.example.org' } }));
    assert.equal(loadSettings({ cwd: dir, env: {} }).database.embedded, true);
    const overridden = loadSettings({ cwd: dir, env: { DJ_BACKEND: 'mysql' } });
    assert.equal(overridden.database.embedded, false);
    assert.equal(overridden.database.backend, 'mysql');
  });

  it('lives beside the datajoint.json found, or where database.embedded_dir / DJ_EMBEDDED_DIR say', () => {
    const dir = join(root, 'no-host-project');
    const deep = join(dir, 'a', 'b');
    mkdirSync(join(dir, '.git'), { recursive: true });
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(dir, 'datajoint.json'), JSON.stringify({ safemode: false }));
    const s = loadSettings({ cwd: deep, env: {} });
    assert.equal(s.database.embedded, true);
    assert.equal(s.database.embeddedDir, join(dir, '.datajoint'));
    // Relative to the file that names it, or to the working directory for the environment.
    writeFileSync(join(dir, 'datajoint.json'), JSON.stringify({ database: { embedded_dir: 'var/db' } }));
    const f = loadSettings({ cwd: deep, env: {} });
    assert.equal(f.database.embeddedDir, join(dir, 'var', 'db'));
    assert.equal(f.sources['database.embedded_dir'], `file:${join(dir, 'datajoint.json')}`);
    assert.equal(loadSettings({ cwd: deep, env: { DJ_EMBEDDED_DIR: 'here' } }).database.embeddedDir, join(deep, 'here'));
    assert.equal(loadSettings({ cwd: deep, env: { DJ_EMBEDDED_DIR: '/abs/db' } }).database.embeddedDir, '/abs/db');
  });
});
