// Populate of a Python table from the editor (issue 11), with the real DataJoint for Python
// (DJ_TEST_PYTHON, the test environment of scripts/python-env.mjs) as the interpreter that
// `datajoint.python.interpreter` names: neither Python extension can be installed in the
// offline VS Code, so the setting is the source the window uses (the extensions' APIs are
// unit-tested: test/unit/client/python-interpreter.test.ts).
// A Python package `pylab` in the workspace, declared by Python itself, whose make refuses
// a negative reading: Populate from the CodeLens computes its rows with the runner's events
// arriving, the failing key is an error job in the Jobs view, Retry and Populate makes it
// once its input is fixed; a module that cannot be imported did not run and says why; an
// interpreter without DataJoint is refused before anything runs, with the action to pick
// another.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { JobsNode } from '../../../client/jobs/jobsTree';
import type { Notice } from '../../../client/notices';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import type { PopulateEvent } from '../../../runtime/populate/events';
import { activatedApi, noticeOf, openInEditor, waitFor, workspaceRoot } from './helpers';
import { SCHEMA, computations, jobsTableNode, setUpComputations, testDb, type ComputationsFixture, testPython as python } from './computationsSetup';

const run = promisify(execFile);
const PY_SCHEMA = 'vscode_pylab';
const PACKAGE = 'pylab';

type TableNode = Extract<JobsNode, { kind: 'table' }>;
type JobNode = Extract<JobsNode, { kind: 'job' }>;

// A package: relative imports must work as Python runs them (the runner imports
// `pylab.tables`, not the file alone).
const FILES: Record<string, string> = {
  '__init__.py': '',
  'helpers.py': 'def double(x):\n    return 2 * x\n',
  'tables.py': `import os
import time

import datajoint as dj

from .helpers import double

schema = dj.Schema("${PY_SCHEMA}")


@schema
class Reading(dj.Manual):
    definition = """
    reading_id : int32
    ---
    value : float64
    """


@schema
class Doubled(dj.Computed):
    definition = """
    -> Reading
    ---
    doubled : float64
    pid : int32
    """

    def make(self, key, factor=2):
        # The stop tests hold a key in make until the test opens the gate.
        gate = os.environ.get("VSCODE_TEST_GATE")
        if gate and key["reading_id"] >= 100:
            open(gate + ".entered", "a").close()
            while not os.path.exists(gate):
                time.sleep(0.02)
        value = (Reading & key).fetch1("value")
        if value < 0:
            raise ValueError("negative reading %d" % key["reading_id"])
        self.insert1(dict(key, doubled=double(value) if factor == 2 else factor * value, pid=os.getpid()))
`,
  'broken.py': `import datajoint as dj

import no_such_module_dj_vscode_test  # noqa: F401

schema = dj.Schema("${PY_SCHEMA}")


@schema
class Broken(dj.Computed):
    definition = """
    -> Reading
    """
`,
};

const file = (name: string) => join(workspaceRoot().fsPath, PACKAGE, name);

async function doubledNode(): Promise<TableNode> {
  return jobsTableNode(await computations(), 'Doubled', PY_SCHEMA);
}

async function doubledJobs(): Promise<JobNode[]> {
  const api = await computations();
  return api.jobs.jobNodes(await doubledNode());
}

suite('Populate a Python table', function () {
  this.timeout(240_000);
  let fx: ComputationsFixture;
  let scratch: string;

  suiteSetup(async () => {
    fx = await setUpComputations();
    await fx.conn.execute(`DROP DATABASE IF EXISTS \`${PY_SCHEMA}\``);
    const root = workspaceRoot().fsPath;
    mkdirSync(join(root, PACKAGE), { recursive: true });
    for (const [name, text] of Object.entries(FILES)) writeFileSync(file(name), text);
    // The workspace's datajoint.json, as a Python project has one (DataJoint for Python reads
    // it from the cwd; the password stays in the environment).
    const db = testDb();
    writeFileSync(join(root, 'datajoint.json'), JSON.stringify({ database: { host: db.host, port: db.port, user: db.user } }, null, 2));
    // Python declares its own pipeline: importing the module runs its @schema decorators.
    await run(python(), ['-c', `import ${PACKAGE}.tables`], { cwd: root, env: { ...process.env, DJ_HOST: db.host, DJ_PORT: String(db.port), DJ_USER: db.user, DJ_PASS: db.password } });
    await fx.sql(`INSERT INTO \`${PY_SCHEMA}\`.reading (reading_id, value) VALUES (1, 1.5), (2, 2), (3, -3), (4, 4), (5, 5)`);
    const config = vscode.workspace.getConfiguration('datajoint');
    await config.update('schemas', [SCHEMA, PY_SCHEMA], vscode.ConfigurationTarget.Workspace);
    await config.update('python.interpreter', python(), vscode.ConfigurationTarget.Workspace);
    (await computations()).codeLens.refresh();
    scratch = mkdtempSync(join(tmpdir(), 'dj-vscode-py-'));
  });
  suiteTeardown(async () => {
    const root = workspaceRoot().fsPath;
    rmSync(join(root, PACKAGE), { recursive: true, force: true });
    rmSync(join(root, 'datajoint.json'), { force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await vscode.workspace.getConfiguration('datajoint').update('python.interpreter', undefined, vscode.ConfigurationTarget.Workspace);
    await fx?.conn.execute(`DROP DATABASE IF EXISTS \`${PY_SCHEMA}\``);
    await fx?.close();
  });

  test("Populate from the CodeLens of a Python Computed class runs DataJoint's populate(): rows, events, terminal, notification", async () => {
    const api = await activatedApi();
    const uri = vscode.Uri.file(file('tables.py'));
    const doc = (await openInEditor(uri)).document;
    const line = doc.positionAt(doc.getText().indexOf('class Doubled')).line;
    const lens = await waitFor('the Populate lens of Doubled', async () => {
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
      return lenses.find((l) => l.range.start.line === line && l.command?.title === '$(play) Populate')?.command;
    });
    // The lens names the file and the schema its decorator binds the class to.
    assert.deepEqual(lens.arguments, [{ className: 'Doubled', schema: PY_SCHEMA, module: file('tables.py') }]);

    const events: PopulateEvent[] = [];
    const sub = api.computations.runner.onDidReceiveEvent((e) => events.push(e));
    let ran: { notice: Notice; result: PopulateOutcome | undefined };
    try {
      ran = await noticeOf(() => vscode.commands.executeCommand<PopulateOutcome>(lens.command, ...(lens.arguments ?? [])));
    } finally {
      sub.dispose();
    }
    const outcome = ran.result;
    assert.ok(outcome, 'no run');
    assert.ok(outcome.request.python, 'run as a Python table');
    assert.equal(outcome.request.python.interpreter.source, 'setting');
    assert.equal(outcome.exitCode, 1, outcome.transcript);
    assert.equal(outcome.successCount, 4, outcome.transcript);
    assert.equal(outcome.errorCount, 1, outcome.transcript);

    // The terminal: the runner's own first line names the interpreter and DataJoint; then
    // DataJoint's own bar (tqdm), and no password anywhere.
    const firstLine = outcome.transcript.split('\n')[0]!;
    assert.match(firstLine, /^Python 3\.\d+\.\d+ \(.+\) · DataJoint 2\.\d+/, outcome.transcript);
    assert.ok(firstLine.includes(outcome.request.python.probe.python), `${firstLine} names ${outcome.request.python.probe.python}`);
    assert.match(outcome.transcript, /Doubled.*\d+%|\d+%\|/, 'the progress bar of DataJoint (tqdm)');
    assert.ok(!outcome.transcript.includes(testDb().password), 'the password is never shown');
    assert.ok(vscode.window.terminals.some((t) => t.name.endsWith('Populate Doubled')), 'a terminal named for the table');

    // The events arrived on the side channel as the run went (the progress notification follows them).
    const kinds = events.map((e) => e.event);
    assert.equal(kinds[0], 'start');
    assert.equal(kinds.at(-1), 'end');
    const start = events[0]!;
    assert.ok(start.event === 'start' && start.total === 5 && start.schema === PY_SCHEMA, JSON.stringify(start));
    assert.equal(events.filter((e) => e.event === 'keyDone').length, 4);
    const failed = events.filter((e) => e.event === 'keyFailed');
    assert.equal(failed.length, 1);
    assert.ok(failed[0]!.event === 'keyFailed' && JSON.stringify(failed[0]!.key) === '{"reading_id":3}', JSON.stringify(failed[0]));
    const progress = events.filter((e): e is Extract<PopulateEvent, { event: 'progress' }> => e.event === 'progress');
    assert.ok(progress.length > 0, 'progress events');
    assert.equal(progress.at(-1)!.done + progress.at(-1)!.failed, 5);

    // What Python's make wrote, and the notification of the run.
    const rows = await fx.sql(`SELECT reading_id, doubled FROM \`${PY_SCHEMA}\`.__doubled ORDER BY reading_id`);
    assert.deepEqual(
      rows.map((r) => [Number(r.reading_id), Number(r.doubled)]),
      [
        [1, 3],
        [2, 4],
        [4, 8],
        [5, 10],
      ],
    );
    assert.equal(ran.notice.message, 'Doubled: 4 done, 1 failed; 1 key left: 1 error job');
    assert.deepEqual(ran.notice.actions, ['Show Errors', 'Show Terminal']);
  });

  test('the failing key is listed under its table as an error job; fixed, Retry and Populate makes it', async () => {
    const table = await doubledNode();
    assert.equal(table.progress?.jobs.error, 1);
    const [job, ...more] = await doubledJobs();
    assert.ok(job && more.length === 0, 'one error job');
    assert.deepEqual(job.key, { reading_id: 3 });
    assert.equal(job.job.status, 'error');
    assert.match(String(job.job.errorMessage), /negative reading 3/);

    await fx.sql(`UPDATE \`${PY_SCHEMA}\`.reading SET value = 3 WHERE reading_id = 3`);
    // The Jobs view's action: no module named, so the workspace's Python module defining
    // Doubled under schema vscode_pylab is found and run.
    const [outcome] = (await vscode.commands.executeCommand<Array<PopulateOutcome | undefined>>('datajoint.jobs.retryAndPopulate', job, [job])) ?? [];
    assert.ok(outcome, 'Retry and Populate started no run');
    assert.equal(outcome.request.module, file('tables.py'));
    assert.equal(outcome.exitCode, 0, outcome.transcript);
    assert.equal(outcome.successCount, 1, outcome.transcript);
    const [row] = await fx.sql(`SELECT doubled FROM \`${PY_SCHEMA}\`.__doubled WHERE reading_id = 3`);
    assert.equal(Number(row?.doubled), 6);
    assert.equal((await doubledJobs()).length, 0);
    assert.equal((await doubledNode()).progress?.remaining, 0);
  });

  /** A run of keys from..from+4 whose first key waits in make for `gate` (VSCODE_TEST_GATE). */
  async function gatedRun(from: number, gate: string) {
    const values = Array.from({ length: 5 }, (_, i) => `(${from + i}, ${from + i})`).join(', ');
    await fx.sql(`INSERT INTO \`${PY_SCHEMA}\`.reading (reading_id, value) VALUES ${values}`);
    process.env.VSCODE_TEST_GATE = gate;
    const notices: Notice[] = [];
    const sub = (await activatedApi()).onDidNotify((n) => notices.push(n));
    const running = vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
      className: 'Doubled',
      module: file('tables.py'),
      options: { reserveJobs: true, suppressErrors: true, restrictions: [`reading_id >= ${from} AND reading_id < ${from + 5}`] },
    });
    await waitFor('the first key inside make', () => (existsSync(`${gate}.entered`) ? true : undefined));
    const outcome = async () => {
      try {
        const o = await running;
        return { outcome: o, notice: await waitFor('the notification', () => notices[0]) };
      } finally {
        sub.dispose();
        delete process.env.VSCODE_TEST_GATE;
      }
    };
    return { outcome };
  }

  /** Waits until the runner's terminal shows its n-th "stop requested" line. */
  const stopTaken = async (n: number) => {
    const runner = (await computations()).runner;
    await waitFor(`stop request ${n} taken by the runner`, () => ((runner.liveTranscript({ className: 'Doubled', module: file('tables.py') }) ?? '').match(/stop requested/g)?.length ?? 0) >= n ? true : undefined);
  };
  const ctrlC = () => vscode.commands.executeCommand('workbench.action.terminal.sendSequence', { text: '\x03' });
  const rowsFrom = async (from: number) => Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${PY_SCHEMA}\`.__doubled WHERE reading_id >= ? AND reading_id < ?`, [from, from + 5]))[0]!.n);

  test('Ctrl-C in the terminal (as Cancel) stops a Python run after the key in progress; no new key starts', async () => {
    const gate = join(scratch, 'gate-stop');
    const { outcome } = await gatedRun(100, gate);
    await ctrlC();
    // The runner says it has the request while the key is still in make; then the key may end.
    await stopTaken(1);
    writeFileSync(gate, '');
    const { outcome: o, notice } = await outcome();
    assert.ok(o);
    assert.equal(o.exitCode, 130, o.transcript);
    assert.equal(o.interrupted, 'SIGINT', o.transcript);
    assert.equal(o.successCount, 1, o.transcript);
    assert.equal(await rowsFrom(100), 1, 'the key in progress was made, no other');
    assert.match(notice.message, /^Doubled: 1 done, 0 failed, stopped after the key in progress; 4 keys left/);
    assert.equal(notice.level, 'warning');
  });

  test('a second Ctrl-C interrupts the key in progress: rolled back, its job pending again, not an error', async () => {
    const gate = join(scratch, 'gate-interrupt');
    const { outcome } = await gatedRun(200, gate);
    // One at a time: two signals sent together may reach Python as one.
    await ctrlC();
    await stopTaken(1);
    await ctrlC();
    const { outcome: o } = await outcome();
    assert.ok(o);
    assert.equal(o.exitCode, 130, o.transcript);
    assert.equal(o.successCount, 0, o.transcript);
    assert.equal(o.errorCount, 0, o.transcript);
    assert.equal(await rowsFrom(200), 0, 'nothing of the interrupted key stays');
    const jobs = await fx.sql(`SELECT reading_id, status FROM \`${PY_SCHEMA}\`.\`~~doubled\` WHERE reading_id = 200`);
    assert.deepEqual(jobs.map((j) => j.status), ['pending'], 'its job is pending again');
    // Given back: the next run makes all five.
    writeFileSync(gate, '');
    const again = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
      className: 'Doubled',
      module: file('tables.py'),
      options: { reserveJobs: true, suppressErrors: true, restrictions: ['reading_id >= 200 AND reading_id < 205'] },
    });
    assert.equal(again?.exitCode, 0, again?.transcript);
    assert.equal(await rowsFrom(200), 5);
  });

  test("the options reach DataJoint's populate(): make_kwargs, max_calls (limit), the restriction", async () => {
    await fx.sql(`INSERT INTO \`${PY_SCHEMA}\`.reading (reading_id, value) VALUES (300, 1), (301, 2), (302, 3)`);
    const outcome = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
      className: 'Doubled',
      module: file('tables.py'),
      options: { reserveJobs: true, suppressErrors: true, limit: 2, restrictions: ['reading_id >= 300'], makeKwargs: { factor: 10 }, priority: 3 },
    });
    assert.equal(outcome?.exitCode, 0, outcome?.transcript);
    assert.equal(outcome?.successCount, 2, outcome?.transcript);
    const rows = await fx.sql(`SELECT reading_id, doubled FROM \`${PY_SCHEMA}\`.__doubled WHERE reading_id >= 300 ORDER BY reading_id`);
    assert.deepEqual(
      rows.map((r) => [Number(r.reading_id), Number(r.doubled)]),
      [
        [300, 10],
        [301, 20],
      ],
      'two keys (the limit), made with factor=10',
    );
  });

  test('the ▷ of the Tables view and of the Jobs view run the Python module that defines the table', async () => {
    const api = await activatedApi();
    await fx.sql(`INSERT INTO \`${PY_SCHEMA}\`.reading (reading_id, value) VALUES (400, 4)`);
    // The Tables view's node of Doubled, as its ▷ passes it (no module: the workspace's).
    const schemaNode = (await api.tables.getChildren()).find((n) => n.kind === 'schema' && n.schema === PY_SCHEMA);
    assert.ok(schemaNode, 'the schema is in the Tables view');
    const tableNode = (await api.tables.getChildren(schemaNode)).find((n) => n.kind === 'table' && n.table.className === 'Doubled');
    assert.ok(tableNode, 'Doubled is in the Tables view');
    const count = async (t: string) => Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${PY_SCHEMA}\`.\`${t}\``))[0]!.n);
    // Whatever the tests before left (keys not attempted after a stop, beyond a limit), and 400.
    const missing = (await count('reading')) - (await count('__doubled'));
    const fromTables = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', tableNode);
    assert.equal(fromTables?.request.module, file('tables.py'));
    assert.ok(fromTables?.request.python, 'run by the Python runner');
    assert.equal(fromTables?.exitCode, 0, fromTables?.transcript);
    assert.equal(fromTables?.successCount, missing, fromTables?.transcript);
    assert.equal(await count('__doubled'), await count('reading'));
    assert.equal(Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${PY_SCHEMA}\`.__doubled WHERE reading_id = 400`))[0]!.n), 1);
    // The Jobs view's table node (its ▷): nothing left to compute.
    const fromJobs = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', await doubledNode());
    assert.equal(fromJobs?.request.module, file('tables.py'));
    assert.equal(fromJobs?.exitCode, 0, fromJobs?.transcript);
    assert.equal(fromJobs?.successCount, 0, fromJobs?.transcript);
  });

  test('a Python table of a schema no module binds it to: did not start, naming the module that defines it', async () => {
    const { notice, result } = await noticeOf(() => vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Doubled', schema: 'vscode_no_such_schema', options: {} }));
    assert.equal(result, undefined);
    assert.equal(
      notice.message,
      `Populate Doubled did not start: no Python module in this workspace defines Doubled bound to schema vscode_no_such_schema; ${PACKAGE}/tables.py defines it under a decorator whose dj.Schema("name") is not that schema.`,
    );
    assert.deepEqual(notice.actions, ['Open Definition']);
  });

  test("a module that cannot be imported did not run: Python's traceback in the terminal, the reason in the notification", async () => {
    const { notice, result } = await noticeOf(() => vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Broken', module: file('broken.py'), options: {} }));
    assert.ok(result, 'the run started');
    assert.equal(result.exitCode, 2, result.transcript);
    assert.match(result.transcript, /Traceback \(most recent call last\)/);
    assert.match(notice.message, /^Populate Broken did not run: cannot import .*broken.*: ModuleNotFoundError: No module named 'no_such_module_dj_vscode_test'$/);
    assert.equal(notice.level, 'error');
    assert.deepEqual(notice.actions, ['Show Terminal']);
  });

  test('an interpreter without DataJoint is refused before anything runs, with the action to pick another', async () => {
    // A virtual environment of the same Python without DataJoint in it.
    const bare = join(scratch, 'bare');
    await run(python(), ['-m', 'venv', '--without-pip', bare]);
    const interpreter = join(bare, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
    const config = vscode.workspace.getConfiguration('datajoint');
    await config.update('python.interpreter', interpreter, vscode.ConfigurationTarget.Workspace);
    try {
      const before = await fx.sql(`SELECT COUNT(*) AS n FROM \`${PY_SCHEMA}\`.__doubled`);
      await fx.sql(`INSERT INTO \`${PY_SCHEMA}\`.reading (reading_id, value) VALUES (6, 6)`);
      const { notice, result } = await noticeOf(() => vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Doubled', module: file('tables.py'), options: {} }));
      assert.equal(result, undefined, 'no run');
      assert.match(notice.message, /^Populate Doubled did not start: DataJoint for Python is not installed in \S+ \(Python 3\.\d+\.\d+: ModuleNotFoundError: No module named 'datajoint'\)\. The interpreter comes from setting datajoint\.python\.interpreter; pick one with DataJoint for Python 2\.x\.$/);
      assert.ok(notice.message.includes(bare), notice.message);
      assert.equal(notice.level, 'error');
      // No Python extension in this VS Code: the action opens the setting.
      assert.deepEqual(notice.actions, ['Open Setting']);
      await notice.choose('Open Setting');
      await waitFor('the Settings editor in front', () => (vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Settings' ? true : undefined));
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      assert.deepEqual(await fx.sql(`SELECT COUNT(*) AS n FROM \`${PY_SCHEMA}\`.__doubled`), before, 'nothing was computed');
    } finally {
      await config.update('python.interpreter', python(), vscode.ConfigurationTarget.Workspace);
    }
  });
});
