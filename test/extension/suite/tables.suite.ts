// Connection and the Tables view against the live MariaDB of the test run: the password
// prompt, a schema laid out by DataJoint for Python (test/fixtures/ddl/python_lab.sql)
// listed with tiers, estimated counts, parts and attributes, Disconnect and reconnect
// with the stored password, a clear message when the server cannot be reached, and
// recovery on its own (probing, retrying Connect) when the server is back. Then the same
// window on the run's PostgreSQL (DJ_TEST_PG_*): New connection… with the PostgreSQL
// backend and its database, the schema DataJoint for Python lays out there
// (python_lab.pg.sql) in the Tables view, the password kept under PostgreSQL's key.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import { Connection } from '../../../runtime/connection/index';
import type { TablesNode } from '../../../client/views/tablesTree';
import type { DataJointApi } from '../../../client/api';
import { statusText } from '../../../client/status/connectionStatusItem';
import { QUICK_INPUT, activatedApi, canTypeIntoWindow, screenshot, sleep, typeIntoWindow, waitFor, workspaceRoot } from './helpers';

// Per extension host: the repository and .vsix runs may share one server at the same time.
const SCHEMA = `vscode_lab_${process.pid}`;

function db() {
  const { DJ_TEST_HOST: host, DJ_TEST_PORT: port, DJ_TEST_USER: user, DJ_TEST_PASSWORD: password } = process.env;
  if (!host || !port || !user || password === undefined) throw new Error('DJ_TEST_HOST/PORT/USER/PASSWORD are not set for the extension host');
  return { host, port: Number(port), user, password };
}

/** The run's PostgreSQL (scripts/test.mjs starts one unless DJ_TEST_BACKENDS leaves it out). */
function pgDb() {
  const { DJ_TEST_PG_HOST: host, DJ_TEST_PG_PORT: port, DJ_TEST_PG_USER: user, DJ_TEST_PG_PASSWORD: password, DJ_TEST_PG_DATABASE: database } = process.env;
  if (!host || !port || !user || password === undefined || !database) return undefined;
  return { host, port: Number(port), user, password, database };
}

// Beside the compiled suites (out/test/extension/suite), not the extension: the
// extension under test may be an installed .vsix without the repository's fixtures.
const fixtureFile = (name: string) => join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'ddl', name);

/** The quick input whose title contains `title`, once it is open. */
const titled = (title: string) => `.quick-input-widget:has(.quick-input-title:has-text("${title}")) .quick-input-box input`;

// The fixture's statements: `;` at line ends separate them, `--` lines are comments.
function fixtureStatements(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('--'))
    .join('\n')
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ''))
    .filter(Boolean)
    .map((s) => s.replace(/\{db\}/g, SCHEMA));
}

/**
 * Connect with the password typed, expected to fail: the error as the window announced it.
 * The window may be retrying in the background by the time the command returns (its state
 * then 'connecting' again), so the message is taken from the state change.
 */
async function failingConnect(api: DataJointApi, password: string): Promise<string> {
  const errors: string[] = [];
  const watching = api.connection.onDidChangeState((state) => {
    if (state === 'error') errors.push(api.connection.lastError ?? '');
  });
  try {
    assert.equal(await connectTyping(password), false);
  } finally {
    watching.dispose();
  }
  assert.ok(errors.length > 0, `no error state (now ${api.connection.state})`);
  assert.notEqual(api.connection.state, 'connected');
  return errors[0]!;
}

async function settingsUpdate(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('datajoint');
  for (const [k, v] of Object.entries(values)) await config.update(k, v, vscode.ConfigurationTarget.Workspace);
}

/** Runs Connect; when the password prompt opens, types the password like a user. */
async function connectTyping(password: string): Promise<boolean> {
  const api = await activatedApi();
  const result = vscode.commands.executeCommand<boolean>('datajoint.connect');
  if (!process.env.DJ_PASS) {
    await waitFor('the connection attempt', () => (api.connection.state === 'connecting' ? true : undefined));
    await typeIntoWindow('password', password, QUICK_INPUT);
  }
  return (await result) ?? false;
}

/**
 * A TCP relay standing for the network between VS Code and the server: down() is a
 * server going away (listener closed, sessions cut), up() the server coming back on
 * the same port.
 */
async function startRelay(host: string, port: number) {
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = createConnection({ host, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (p: number) => new Promise<number>((resolve) => relay.listen(p, '127.0.0.1', () => resolve((relay.address() as AddressInfo).port)));
  const relayPort = await listen(0);
  const down = () =>
    new Promise<void>((resolve) => {
      relay.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return { port: relayPort, down, up: () => listen(relayPort), close: () => void down() };
}

/**
 * A relay whose sessions the test steers: `pass` forwards them, `holdThenDrop` holds a
 * new session for a moment (a slow server) and then closes it (a Connect that fails).
 */
async function startHoldingRelay(host: string, port: number) {
  const sockets = new Set<Socket>();
  const state = { mode: 'pass' as 'pass' | 'holdThenDrop', held: 0, dropped: 0, opened: 0 };
  const relay = createServer((client) => {
    sockets.add(client);
    state.opened++;
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (state.mode === 'holdThenDrop') {
      state.held++;
      setTimeout(() => {
        client.destroy();
        state.dropped++;
      }, 1500);
      return;
    }
    const upstream = createConnection({ host, port });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  const relayPort = await new Promise<number>((resolve) => relay.listen(0, '127.0.0.1', () => resolve((relay.address() as AddressInfo).port)));
  return Object.assign(state, {
    port: relayPort,
    close: () => {
      relay.close();
      for (const s of sockets) s.destroy();
    },
  });
}

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

suite('Connection and Tables view', function () {
  let setup: Connection;

  suiteSetup(async function () {
    if (!canTypeIntoWindow() && !process.env.DJ_PASS) {
      throw new Error('the password prompt needs the offline launcher (or DJ_PASS in the environment)');
    }
    const target = db();
    setup = await Connection.connect({ ...target, ignoreConfigFile: true, env: {} });
    await setup.execute(`DROP DATABASE IF EXISTS \`${SCHEMA}\``);
    for (const sql of fixtureStatements(fixtureFile('python_lab.sql'))) await setup.execute(sql);
    await setup.execute(`INSERT INTO \`${SCHEMA}\`.\`subject\` (subject_id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await setup.execute(`ANALYZE TABLE \`${SCHEMA}\`.\`subject\``);
    await settingsUpdate({ host: target.host, port: target.port, user: target.user });
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('datajoint.disconnect');
    await setup?.execute(`DROP DATABASE IF EXISTS \`${SCHEMA}\``);
    await setup?.close();
  });

  test('before connecting, the Tables view shows its welcome view', async () => {
    const api = await activatedApi();
    assert.equal(api.connection.state, 'disconnected');
    assert.deepEqual(await api.tables.getChildren(), []);
    await vscode.commands.executeCommand('workbench.view.extension.datajoint');
    await sleep(500);
    await screenshot('tables-welcome');
  });

  test('Connect asks for the password and connects', async () => {
    const api = await activatedApi();
    assert.equal(await connectTyping(db().password), true, api.connection.lastError);
    assert.equal(api.connection.state, 'connected');
    assert.equal(api.connection.label, `${db().user}@${db().host}:${db().port}`);
  });

  test('the password is in no settings file', async () => {
    const password = db().password;
    const files = [join(workspaceRoot().fsPath, '.vscode', 'settings.json')];
    for (const f of files.filter((f) => existsSync(f))) assert.ok(!readFileSync(f, 'utf8').includes(password), `${f} contains the password`);
    const config = vscode.workspace.getConfiguration('datajoint');
    assert.equal(config.get('password'), undefined);
  });

  test('the Tables view lists a schema declared by DataJoint for Python', async () => {
    const api = await activatedApi();
    const roots = await api.tables.getChildren();
    const schemaNode = roots.find((n) => n.kind === 'schema' && n.schema === SCHEMA);
    assert.ok(schemaNode, `schema ${SCHEMA} not listed: ${roots.map((n) => label(api.tables.getTreeItem(n))).join(', ')}`);
    const tables = await api.tables.getChildren(schemaNode);
    const items = new Map(tables.map((n) => [label(api.tables.getTreeItem(n)), { node: n, item: api.tables.getTreeItem(n) }]));
    for (const name of ['Subject', 'Experimenter', 'Method', 'Session', 'Analysis', 'Recording', 'Config']) assert.ok(items.has(name), `table ${name} missing: ${[...items.keys()].join(', ')}`);
    assert.ok(!items.has('Unit'), 'a part table is listed beside its master');
    const icon = (name: string) => (items.get(name)!.item.iconPath as vscode.ThemeIcon).id;
    assert.equal(icon('Subject'), 'edit');
    assert.equal(icon('Method'), 'list-flat');
    assert.equal(icon('Analysis'), 'gear');
    assert.equal(icon('Recording'), 'cloud-download');
    assert.match(String(items.get('Subject')!.item.description), /^~\d+/);

    // Parts and attributes of the computed table.
    const analysis = await api.tables.getChildren(items.get('Analysis')!.node);
    const inside = analysis.map((n) => ({ n, item: api.tables.getTreeItem(n) }));
    assert.ok(inside.some(({ n, item }) => n.kind === 'table' && label(item) === 'Unit'), 'part Analysis.Unit is not under its master');

    // Session: primary key with a foreign key to Subject.
    const session = await api.tables.getChildren(items.get('Session')!.node);
    const attr = (name: string) => session.find((n): n is Extract<TablesNode, { kind: 'attribute' }> => n.kind === 'attribute' && n.name === name);
    const subjectId = attr('subject_id');
    assert.ok(subjectId, 'subject_id is not listed under Session');
    assert.equal(subjectId.inKey, true);
    assert.equal(subjectId.foreignKey, 'Subject');
    assert.equal((api.tables.getTreeItem(subjectId).iconPath as vscode.ThemeIcon).id, 'key');
    assert.match(String(api.tables.getTreeItem(subjectId).description), /int32.*→ Subject/);
  });

  test('Count Rows gives the exact count', async () => {
    const api = await activatedApi();
    const schemaNode = (await api.tables.getChildren()).find((n) => n.kind === 'schema' && n.schema === SCHEMA)!;
    const subject = (await api.tables.getChildren(schemaNode)).find((n) => n.kind === 'table' && n.table.name === 'subject')!;
    assert.equal(await vscode.commands.executeCommand('datajoint.countRows', subject), 3);
    assert.equal(api.tables.getTreeItem(subject).description, '3 rows');
  });

  test('Open Definition goes to the class in the workspace source (through the language server)', async () => {
    const api = await activatedApi();
    const schemaNode = (await api.tables.getChildren()).find((n) => n.kind === 'schema' && n.schema === SCHEMA)!;
    const session = (await api.tables.getChildren(schemaNode)).find((n) => n.kind === 'table' && n.table.name === 'session')!;
    assert.equal(await vscode.commands.executeCommand('datajoint.openTableDefinition', session), true);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no editor opened');
    assert.equal(vscode.workspace.asRelativePath(editor.document.uri), 'pipeline/subject.py');
    assert.match(editor.document.lineAt(editor.selection.start.line).text, /class Session\(dj\.Manual\)/);
  });

  test('the view shows the schema in the window', async () => {
    // Expands the schema in the real view, for the picture a user would see.
    await settingsUpdate({ schemas: [SCHEMA] });
    const api = await activatedApi();
    await vscode.commands.executeCommand('workbench.view.extension.datajoint');
    const roots = await api.tables.getChildren();
    assert.equal(roots.length, 1, 'datajoint.schemas does not limit the schemas shown');
    const tables = await api.tables.getChildren(roots[0]);
    const session = tables.find((n) => n.kind === 'table' && n.table.name === 'session')!;
    const analysis = tables.find((n) => n.kind === 'table' && n.table.name === '__analysis')!;
    await api.tablesView.reveal(analysis, { expand: true, select: false });
    await api.tablesView.reveal(session, { expand: true, select: true, focus: true });
    await sleep(1000);
    await screenshot('tables-connected');
    await settingsUpdate({ schemas: undefined });
  });

  test('Disconnect shows the welcome view; Connect again uses the stored password', async () => {
    const api = await activatedApi();
    await vscode.commands.executeCommand('datajoint.disconnect');
    assert.equal(api.connection.state, 'disconnected');
    assert.deepEqual(await api.tables.getChildren(), []);
    // No typing this time: a prompt would leave the command waiting until the timeout.
    const ok = await Promise.race([vscode.commands.executeCommand<boolean>('datajoint.connect'), sleep(15_000).then(() => 'prompted')]);
    assert.equal(ok, true, `reconnecting did not use the stored password (${api.connection.lastError ?? ok})`);
  });

  test('an unreachable server gives a clear error, and the view recovers when it is back', async () => {
    const api = await activatedApi();
    const { port, password } = db();
    await vscode.commands.executeCommand('datajoint.disconnect');
    await settingsUpdate({ port: 1 });
    assert.match(await failingConnect(api, password), /Cannot connect to .*:1\b.*(refused|ECONNREFUSED)/i);
    await settingsUpdate({ port });
    assert.equal(await vscode.commands.executeCommand('datajoint.connect'), true, api.connection.lastError);
    assert.ok((await api.tables.getChildren()).some((n) => n.kind === 'schema' && n.schema === SCHEMA));
  });

  test("the workspace's datajoint.json and .secrets/ are used when the settings are empty", async () => {
    const api = await activatedApi();
    const { host, port, user, password } = db();
    await vscode.commands.executeCommand('datajoint.disconnect');
    await settingsUpdate({ host: undefined, port: undefined, user: undefined });
    const root = workspaceRoot().fsPath;
    // The layout DataJoint for Python reads (settings.py: find_config_file, _load_secrets).
    writeFileSync(join(root, 'datajoint.json'), JSON.stringify({ database: { host, port, user } }, null, 2));
    mkdirSync(join(root, '.secrets'), { recursive: true });
    writeFileSync(join(root, '.secrets', 'database.password'), password);
    try {
      assert.equal(await api.connection.connect({ interactive: false }), true, api.connection.lastError);
      assert.equal(api.connection.label, `${user}@${host}:${port}`);
    } finally {
      rmSync(join(root, 'datajoint.json'), { force: true });
      rmSync(join(root, '.secrets'), { recursive: true, force: true });
    }
  });

  test('Switch Connection → New connection… writes the target to the settings and connects', async function () {
    // Only the offline launcher can type into the window; under @vscode/test-electron
    // this UI flow cannot be driven (npm test always uses the offline launcher).
    if (!canTypeIntoWindow()) this.skip();
    const api = await activatedApi();
    const { host, port, user } = db();
    // Start from a wrong port, as after a typo, then switch by typing the right target.
    await vscode.commands.executeCommand('datajoint.disconnect');
    await settingsUpdate({ port: 1 });
    const switching = vscode.commands.executeCommand('datajoint.switchConnection');
    await typeIntoWindow('switch-pick', 'New connection', titled('DataJoint:'));
    // The backend comes first; typing filters the pick to the one item.
    await typeIntoWindow('switch-backend', 'MySQL', titled('database backend'));
    await typeIntoWindow('switch-host', host, titled('database host'));
    await typeIntoWindow('switch-port', String(port), titled('database port'));
    await typeIntoWindow('switch-user', user, titled('database user'));
    await switching;
    // The password of this target was stored by the first Connect: no prompt now.
    await waitFor('the switched connection', () => (api.connection.state === 'connected' ? true : undefined));
    assert.equal(api.connection.label, `${user}@${host}:${port}`);
    const config = vscode.workspace.getConfiguration('datajoint');
    assert.equal(config.get('port'), port);
    assert.equal(config.get('host'), host);
    assert.equal(config.get('backend'), 'mysql');
    assert.equal(config.get('databaseName'), '', 'no database name is kept for MySQL');
  });

  test('when the server goes away the view says so, and recovers when it is back', async () => {
    const api = await activatedApi();
    const { host, port, password } = db();
    // A TCP relay stands for the network between VS Code and the server: closing it is
    // a server going away, reopening it on the same port is the server coming back.
    const relay = await startRelay(host, port);
    const relayPort = relay.port;
    try {
      await vscode.commands.executeCommand('datajoint.disconnect');
      await settingsUpdate({ host: '127.0.0.1', port: relayPort });
      assert.equal(await connectTyping(password), true, api.connection.lastError);
      assert.ok((await api.tables.getChildren()).some((n) => n.kind === 'schema' && n.schema === SCHEMA));

      await relay.down();
      api.tables.refresh();
      const away = await api.tables.getChildren();
      assert.equal(away.length, 1);
      assert.equal(away[0].kind, 'message');
      assert.match(api.tables.getTreeItem(away[0]).label as string, /refused|lost|closed/i);
      assert.equal(api.connection.state, 'error');
      await sleep(500); // the visible view fetches its own children on refresh
      await screenshot('tables-server-away');

      await relay.up();
      // Nobody asks: the window probes the server while it is away and finds it back.
      await waitFor('the connection to recover by itself', () => (api.connection.state === 'connected' ? true : undefined));
      const back = await waitFor('the view to recover', async () => {
        const roots = await api.tables.getChildren();
        return roots.some((n) => n.kind === 'schema' && n.schema === SCHEMA) ? roots : undefined;
      });
      assert.ok(back.length >= 1);
      assert.equal(api.connection.state, 'connected');
    } finally {
      relay.close();
      await settingsUpdate({ host, port });
    }
  });

  test('a Connect that finds the server away connects by itself once it is back', async () => {
    const api = await activatedApi();
    const { host, port, password } = db();
    const relay = await startRelay(host, port);
    try {
      await vscode.commands.executeCommand('datajoint.disconnect');
      await settingsUpdate({ host: '127.0.0.1', port: relay.port });
      // A fresh port: the password is asked (and typed), the attempt fails.
      await relay.down();
      assert.match(await failingConnect(api, password), /refused|ECONNREFUSED|reach/i);
      await relay.up();
      // No command: the window retries in the background and the views follow.
      await waitFor('the background reconnect', () => (api.connection.state === 'connected' ? true : undefined));
      assert.ok((await api.tables.getChildren()).some((n) => n.kind === 'schema' && n.schema === SCHEMA));
    } finally {
      relay.close();
      await settingsUpdate({ host, port });
    }
  });

  // Disconnected, pointed at a relay that holds each new session and then drops it (the
  // password stored), with a first Connect under way: the start of the next two tests.
  async function connectingThroughHoldingRelay() {
    const api = await activatedApi();
    const { host, port, user, password } = db();
    const relay = await startHoldingRelay(host, port);
    await vscode.commands.executeCommand('datajoint.disconnect');
    await settingsUpdate({ host: '127.0.0.1', port: relay.port });
    await api.connection.passwordStore.store({ host: '127.0.0.1', port: relay.port, user } as never, password);
    relay.mode = 'holdThenDrop';
    const attempt = api.connection.connect({ interactive: false });
    await waitFor('the attempt to be under way', () => (relay.held > 0 ? true : undefined));
    const restore = async () => {
      relay.close();
      await settingsUpdate({ host, port });
    };
    return { api, host, port, user, attempt, restore, relay };
  }

  test('a Disconnect during a Connect ends it: the failing attempt does not bring back an error', async () => {
    const { api, attempt, restore, relay } = await connectingThroughHoldingRelay();
    try {
      await vscode.commands.executeCommand('datajoint.disconnect');
      assert.equal(await attempt, false);
      // The attempt's connection fails later, when the relay drops it: its outcome must
      // not bring back an error then.
      await waitFor('the held attempt to be dropped', () => (relay.dropped > 0 ? true : undefined));
      // A margin for the failure to reach the window: on a loaded machine it can only make
      // this check miss the fault, never fail when there is none.
      await sleep(300);
      assert.equal(api.connection.state, 'disconnected', api.connection.lastError);
      assert.equal(api.connection.lastError, undefined);
      assert.equal(api.connection.connected, false);
    } finally {
      await restore();
    }
  });

  test('a Connect asked for while one is under way runs after it, with the settings of that moment', async () => {
    const { api, host, port, user, attempt: first, restore } = await connectingThroughHoldingRelay();
    try {
      // The user fixes the target meanwhile and connects again.
      await settingsUpdate({ host, port });
      const second = api.connection.connect({ interactive: false });
      assert.notEqual(second, first, 'the second Connect joined the attempt under way');
      assert.equal(await first, false);
      assert.equal(await second, true, api.connection.lastError);
      assert.equal(api.connection.label, `${user}@${host}:${port}`);
      assert.equal(api.connection.state, 'connected');
    } finally {
      await restore();
    }
  });

  test('after a Disconnect, new settings do not connect the window again', async () => {
    const api = await activatedApi();
    const { host, port, user, password } = db();
    const relay = await startHoldingRelay(host, port);
    try {
      if (api.connection.state !== 'connected') assert.equal(await api.connection.connect({ interactive: false }), true, api.connection.lastError);
      await api.connection.passwordStore.store({ host: '127.0.0.1', port: relay.port, user } as never, password);
      await vscode.commands.executeCommand('datajoint.disconnect');
      const states: string[] = [];
      const sub = api.connection.onDidChangeState((st) => states.push(st));
      try {
        await settingsUpdate({ host: '127.0.0.1', port: relay.port });
        // What the settings event does, run to its end here (its own call is debounced).
        await api.connection.settingsChanged();
      } finally {
        sub.dispose();
      }
      assert.deepEqual(states, [], `a Disconnect holds until the next Connect: ${states.join(', ')}`);
      assert.equal(api.connection.state, 'disconnected');
      assert.equal(relay.opened, 0, 'nothing was opened to the new target');
    } finally {
      relay.close();
      await settingsUpdate({ host, port });
      assert.equal(await api.connection.connect({ interactive: false }), true, api.connection.lastError);
      assert.equal(api.connection.label, `${user}@${host}:${port}`);
    }
  });

  test('settings written one after another (Switch connection) reconnect once, to the final target', async () => {
    const api = await activatedApi();
    const { host, port, user, password } = db();
    const relay = await startHoldingRelay(host, port);
    try {
      if (api.connection.state !== 'connected') assert.equal(await api.connection.connect({ interactive: false }), true, api.connection.lastError);
      await api.connection.passwordStore.store({ host: '127.0.0.1', port: relay.port, user } as never, password);
      const states: string[] = [];
      const sub = api.connection.onDidChangeState((s) => states.push(s));
      try {
        // As Switch Connection writes them: a half-updated target first (the port of
        // nothing), then the one meant; the command connects once the writes are done.
        await api.connection.writingSettings(
          async () => {
            await settingsUpdate({ host: '127.0.0.1', port: 1 });
            await settingsUpdate({ port: relay.port });
          },
          { host: '127.0.0.1', port: relay.port },
        );
        assert.equal(await api.connection.connect({ interactive: false }), true, api.connection.lastError);
        assert.equal(api.connection.label, `${user}@127.0.0.1:${relay.port}`);
        // A settings event of those writes that comes after them finds the target reached:
        // no second reconnect.
        await api.connection.settingsChanged();
      } finally {
        sub.dispose();
      }
      assert.deepEqual(states, ['connecting', 'connected'], `one reconnect, never to the half-written target: ${states.join(', ')} (${api.connection.lastError ?? ''})`);
    } finally {
      relay.close();
      await settingsUpdate({ host, port });
      await waitFor('the connection back to the test server', () => (api.connection.state === 'connected' && api.connection.label === `${user}@${host}:${port}` ? true : undefined));
    }
  });
});

suite('Connection and Tables view on PostgreSQL', function () {
  let setup: Connection | undefined;

  suiteSetup(async function () {
    const pg = pgDb();
    // scripts/test.mjs starts PostgreSQL for every extension run: without it this is a failure, not a skip.
    if (!pg) throw new Error('no PostgreSQL given (DJ_TEST_PG_*): run the extension tests through scripts/test.mjs with both backends');
    if (!canTypeIntoWindow()) throw new Error('the connection form needs the offline launcher');
    setup = await Connection.connect({ backend: 'postgresql', host: pg.host, port: pg.port, user: pg.user, password: pg.password, overrides: { database: { name: pg.database } }, ignoreConfigFile: true, env: {} });
    await setup.execute(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    for (const sql of fixtureStatements(fixtureFile('python_lab.pg.sql'))) await setup.execute(sql);
    await setup.execute(`INSERT INTO "${SCHEMA}"."subject" (subject_id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await setup.execute(`ANALYZE "${SCHEMA}"."subject"`);
    // A fresh login for the form: its password must be asked, not found.
    const api = await activatedApi();
    await api.connection.passwordStore.forget({ backend: 'postgresql', host: pg.host, port: pg.port, user: pg.user });
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('datajoint.disconnect');
    // The suites after this one connect to the MariaDB of the run.
    const { host, port, user } = db();
    await settingsUpdate({ backend: undefined, databaseName: undefined, host, port, user });
    await setup?.execute(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await setup?.close();
  });

  test('New connection… with PostgreSQL asks the database name, saves the backend and connects', async () => {
    const api = await activatedApi();
    const pg = pgDb()!;
    await vscode.commands.executeCommand('datajoint.disconnect');
    const switching = vscode.commands.executeCommand('datajoint.switchConnection');
    await typeIntoWindow('pg-pick', 'New connection', titled('DataJoint:'));
    await typeIntoWindow('pg-backend', 'PostgreSQL', titled('database backend'));
    await typeIntoWindow('pg-host', pg.host, titled('database host'));
    await typeIntoWindow('pg-port', String(pg.port), titled('database port'));
    await typeIntoWindow('pg-user', pg.user, titled('database user'));
    await typeIntoWindow('pg-database', pg.database, titled('database name'));
    // A login this window has not seen: its password is asked once.
    await typeIntoWindow('pg-password', pg.password, titled('database password'));
    await switching;
    await waitFor('the PostgreSQL connection', () => (api.connection.state === 'connected' ? true : undefined));
    const label = `postgresql://${pg.user}@${pg.host}:${pg.port}/${pg.database}`;
    assert.equal(api.connection.label, label);
    assert.match(api.connection.serverVersion ?? '', /PostgreSQL/);
    assert.ok(statusText(api.connection).includes(label), statusText(api.connection));
    const config = vscode.workspace.getConfiguration('datajoint');
    assert.deepEqual(
      ['backend', 'host', 'port', 'user', 'databaseName'].map((k) => config.get(k)),
      ['postgresql', pg.host, pg.port, pg.user, pg.database],
    );
    // Kept under PostgreSQL's key: the MySQL login of the same user@host:port is another one.
    const login = { host: pg.host, port: pg.port, user: pg.user };
    assert.equal(await api.connection.passwordStore.get({ ...login, backend: 'postgresql' }), pg.password);
    assert.equal(await api.connection.passwordStore.get({ ...login, backend: 'mysql' }), undefined);
  });

  test('the Tables view lists the schema DataJoint for Python declared on PostgreSQL', async () => {
    const api = await activatedApi();
    const roots = await api.tables.getChildren();
    const schemaNode = roots.find((n) => n.kind === 'schema' && n.schema === SCHEMA);
    assert.ok(schemaNode, `schema ${SCHEMA} not listed: ${roots.map((n) => label(api.tables.getTreeItem(n))).join(', ')}`);
    const tables = await api.tables.getChildren(schemaNode);
    const items = new Map(tables.map((n) => [label(api.tables.getTreeItem(n)), { node: n, item: api.tables.getTreeItem(n) }]));
    for (const name of ['Subject', 'Experimenter', 'Method', 'Session', 'Analysis', 'Recording', 'Config']) assert.ok(items.has(name), `table ${name} missing: ${[...items.keys()].join(', ')}`);
    assert.ok(!items.has('Unit'), 'a part table is listed beside its master');
    const icon = (name: string) => (items.get(name)!.item.iconPath as vscode.ThemeIcon).id;
    assert.deepEqual(['Subject', 'Method', 'Analysis', 'Recording'].map(icon), ['edit', 'list-flat', 'gear', 'cloud-download']);
    const session = await api.tables.getChildren(items.get('Session')!.node);
    const subjectId = session.find((n): n is Extract<TablesNode, { kind: 'attribute' }> => n.kind === 'attribute' && n.name === 'subject_id');
    assert.ok(subjectId, 'subject_id is not listed under Session');
    assert.equal(subjectId.inKey, true);
    assert.equal(subjectId.foreignKey, 'Subject');
    const subject = tables.find((n) => n.kind === 'table' && n.table.name === 'subject')!;
    assert.equal(await vscode.commands.executeCommand('datajoint.countRows', subject), 3);
    await vscode.commands.executeCommand('workbench.view.extension.datajoint');
    await waitFor('the Tables view on screen', () => (api.tablesView.visible ? true : undefined));
    await screenshot('tables-postgresql');
  });

  test('Disconnect and Connect again on PostgreSQL use the stored password', async () => {
    const api = await activatedApi();
    await vscode.commands.executeCommand('datajoint.disconnect');
    // Nothing is typed: a password prompt would leave the command waiting, and the test fails.
    const ok = await vscode.commands.executeCommand<boolean>('datajoint.connect');
    assert.equal(ok, true, `reconnecting did not use the stored password (${api.connection.lastError ?? ok})`);
    assert.equal(api.connection.label?.startsWith('postgresql://'), true, api.connection.label);
  });
});
