// "Debug make() for this key" in a real VS Code (issue 11): the key's make runs under the
// debugger of its language, a breakpoint in make stops it with the key's values in scope,
// and the run is rolled back at its end unless kept. TypeScript: the workspace's
// computations/pipeline.ts under VS Code's built-in JavaScript debugger. Python: a module
// declared by the real DataJoint for Python (DJ_TEST_PYTHON) under debugpy, whose adapter
// runs from that interpreter (the offline VS Code has no Python Debugger extension; the
// launch type it would use is unit-tested: test/unit/client/debug-launch.test.ts).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import type { DebugMakeOutcome } from '../../../client/debug/debugMakeCommand';
import type { JobsNode } from '../../../client/jobs/jobsTree';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import { DEBUG_LENS_TITLE } from '../../../client/codelens/populateCodeLens';
import { activatedApi, noticeOf, openInEditor, waitFor, workspaceRoot } from './helpers';
import { SCHEMA, computations, jobsTableNode, pipelinePath, setUpComputations, testDb, type ComputationsFixture, testPython as python } from './computationsSetup';

const run = promisify(execFile);
const PY_SCHEMA = 'vscode_pydebug';
const PACKAGE = 'pydebug';
const PY_TABLES = `import datajoint as dj

schema = dj.Schema("${PY_SCHEMA}")


@schema
class Sample(dj.Manual):
    definition = """
    sample_id : int32
    ---
    value : float64
    """


@schema
class Squared(dj.Computed):
    definition = """
    -> Sample
    ---
    squared : float64
    """

    class Digit(dj.Part):
        definition = """
        -> master
        position : int32
        ---
        digit : int32
        """

    def make(self, key):
        value = (Sample & key).fetch1("value")
        squared = value * value
        self.insert1(dict(key, squared=squared))  # BREAK squared
        self.Digit.insert([dict(key, position=i, digit=int(c)) for i, c in enumerate(str(int(squared)))])


@schema
class Tripled(dj.Computed):
    definition = """
    -> Sample
    ---
    tripled : float64
    """

    def make_fetch(self, key):
        return ((Sample & key).fetch1("value"),)

    def make_compute(self, key, value):
        return (3 * value,)  # BREAK tripled

    def make_insert(self, key, tripled):
        self.insert1(dict(key, tripled=tripled))
`;

interface Stop {
  session: vscode.DebugSession;
  threadId: number;
}

/** Every `stopped` event of every debug session (js-debug's child sessions included). */
function watchStops(): { next(): Promise<Stop>; dispose(): void } {
  const seen: Stop[] = [];
  const waiting: Array<(s: Stop) => void> = [];
  const registration = vscode.debug.registerDebugAdapterTrackerFactory('*', {
    createDebugAdapterTracker: (session) => ({
      onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number; reason?: string } }) => {
        if (m.type !== 'event' || m.event !== 'stopped' || m.body?.reason !== 'breakpoint') return;
        const stop = { session, threadId: m.body.threadId ?? 1 };
        const w = waiting.shift();
        if (w) w(stop);
        else seen.push(stop);
      },
    }),
  });
  return {
    next: () => (seen.length ? Promise.resolve(seen.shift()!) : new Promise<Stop>((r) => waiting.push(r))),
    dispose: () => registration.dispose(),
  };
}

interface Frame {
  id: number;
  name: string;
  line: number;
  source?: { path?: string };
}

async function topFrame(stop: Stop): Promise<Frame> {
  const r = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 1 })) as { stackFrames: Frame[] };
  return r.stackFrames[0]!;
}

async function evaluate(stop: Stop, frame: Frame, expression: string): Promise<string> {
  const r = (await stop.session.customRequest('evaluate', { expression, frameId: frame.id, context: 'watch' })) as { result: string };
  return r.result;
}

function lineOf(path: string, text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `${marker} is not in ${path}`);
  return i;
}

function breakpointAt(path: string, line: number): vscode.SourceBreakpoint {
  const bp = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(path), new vscode.Position(line, 0)));
  vscode.debug.addBreakpoints([bp]);
  return bp;
}

suite('Debug make() for this key', function () {
  this.timeout(240_000);
  let fx: ComputationsFixture;
  let stops: ReturnType<typeof watchStops>;
  const pyFile = () => join(workspaceRoot().fsPath, PACKAGE, 'tables.py');

  suiteSetup(async () => {
    fx = await setUpComputations();
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (1, 10), (2, -1), (3, 3)`);
    await fx.conn.execute(`DROP DATABASE IF EXISTS \`${PY_SCHEMA}\``);
    const root = workspaceRoot().fsPath;
    mkdirSync(join(root, PACKAGE), { recursive: true });
    writeFileSync(join(root, PACKAGE, '__init__.py'), '');
    writeFileSync(pyFile(), PY_TABLES);
    const db = testDb();
    await run(python(), ['-c', `import ${PACKAGE}.tables`], { cwd: root, env: { ...process.env, DJ_HOST: db.host, DJ_PORT: String(db.port), DJ_USER: db.user, DJ_PASS: db.password } });
    await fx.sql(`INSERT INTO \`${PY_SCHEMA}\`.sample (sample_id, value) VALUES (1, 12), (2, 5)`);
    const config = vscode.workspace.getConfiguration('datajoint');
    await config.update('schemas', [SCHEMA, PY_SCHEMA], vscode.ConfigurationTarget.Workspace);
    await config.update('python.interpreter', python(), vscode.ConfigurationTarget.Workspace);
    stops = watchStops();
  });
  teardown(() => vscode.debug.removeBreakpoints(vscode.debug.breakpoints));
  suiteTeardown(async () => {
    stops?.dispose();
    rmSync(join(workspaceRoot().fsPath, PACKAGE), { recursive: true, force: true });
    await vscode.workspace.getConfiguration('datajoint').update('python.interpreter', undefined, vscode.ConfigurationTarget.Workspace);
    await fx?.conn.execute(`DROP DATABASE IF EXISTS \`${PY_SCHEMA}\``);
    await fx?.close();
  });

  test('TypeScript: the CodeLens offers it; a breakpoint in make stops with the key in scope; rolled back at the end', async () => {
    const path = pipelinePath();
    const doc = (await openInEditor(vscode.Uri.file(path))).document;
    const classLine = lineOf(path, doc.getText(), 'export class Summary');
    const lens = await waitFor('the Debug make() lens of Summary', async () => {
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
      return lenses.find((l) => l.range.start.line === classLine && l.command?.title === DEBUG_LENS_TITLE)?.command;
    });
    assert.equal(lens.command, 'datajoint.debugMake');
    const line = lineOf(path, doc.getText(), 'await Summary.insert1(');
    breakpointAt(path, line);
    // The lens's own argument, with the key and the ending that the quick picks would ask.
    const arg = { ...(lens.arguments?.[0] as object), key: { subject_id: 1 }, mode: 'rollback' };
    const ran = noticeOf(() => vscode.commands.executeCommand<DebugMakeOutcome>('datajoint.debugMake', arg));
    const stop = await stops.next();
    const frame = await topFrame(stop);
    assert.equal(frame.line - 1, line, `stopped at ${frame.source?.path}:${frame.line}`);
    assert.equal(frame.source?.path, path);
    assert.equal(await evaluate(stop, frame, 'weight'), '10');
    assert.equal(await evaluate(stop, frame, 'key.subject_id'), '1');
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const { notice, result } = await ran;
    assert.equal(result?.result?.status, 'rolled-back', JSON.stringify(result));
    assert.deepEqual(result.result.rows, { Summary: 1 });
    assert.equal(notice.level, 'info');
    assert.match(notice.message, /make\(\) of Summary \{"subject_id":1\} inserted 1 row into Summary; rolled back, nothing kept/);
    assert.deepEqual(await fx.sql(`SELECT * FROM \`${SCHEMA}\`.__summary`), [], 'nothing kept');
  });

  test('TypeScript, from a failed job of the Jobs view: kept, the job retried and completed', async () => {
    const api = await computations();
    const populated = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
      className: 'Summary',
      schema: SCHEMA,
      module: pipelinePath(),
      options: { reserveJobs: true, suppressErrors: true },
    });
    assert.equal(populated?.errorCount, 1, populated?.transcript);
    await fx.sql(`UPDATE \`${SCHEMA}\`.subject SET weight = 4 WHERE subject_id = 2`);
    api.jobs.refresh();
    const failed = await waitFor('the error job of subject 2', async () => {
      const jobs = await api.jobs.jobNodes(await jobsTableNode(api, 'Summary', SCHEMA));
      return jobs.find((n): n is Extract<JobsNode, { kind: 'job' }> => n.job.status === 'error');
    });
    assert.deepEqual(failed.key, { subject_id: 2 });
    const { notice, result } = await noticeOf(() => vscode.commands.executeCommand<DebugMakeOutcome>('datajoint.debugMake', { ...failed, mode: 'keep' }));
    assert.equal(result?.result?.status, 'committed', JSON.stringify(result));
    assert.equal(result.request.reserveJobs, true, 'through its job');
    assert.equal(notice.level, 'info');
    assert.deepEqual(
      (await fx.sql(`SELECT subject_id, doubled FROM \`${SCHEMA}\`.__summary ORDER BY 1`)).map((r) => [Number(r.subject_id), Number(r.doubled)]),
      [
        [1, 20],
        [2, 8],
        [3, 6],
      ],
    );
    assert.deepEqual(await fx.sql(`SELECT status FROM \`${SCHEMA}\`.\`~~summary\` WHERE subject_id = 2 AND status <> 'success'`), [], 'its job is complete');
  });

  test("from a table's node of the Tables view and of the Jobs view: that table's key runs (rolled back), the menus offer it", async () => {
    const api = await activatedApi();
    const schemaNode = (await api.tables.getChildren()).find((n) => n.kind === 'schema' && n.schema === SCHEMA);
    assert.ok(schemaNode, 'the schema in the Tables view');
    const tableNode = (await api.tables.getChildren(schemaNode)).find((n) => n.kind === 'table' && n.table.className === 'Summary');
    assert.ok(tableNode, 'Summary in the Tables view');
    const fromTables = await vscode.commands.executeCommand<DebugMakeOutcome>('datajoint.debugMake', { ...tableNode, key: { subject_id: 3 }, mode: 'rollback' });
    assert.equal(fromTables?.result?.status, 'already-done', JSON.stringify(fromTables));
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (4, 0.5)`);
    const fromJobs = await vscode.commands.executeCommand<DebugMakeOutcome>('datajoint.debugMake', { ...(await jobsTableNode(api.computations, 'Summary', SCHEMA)), key: { subject_id: 4 }, mode: 'rollback' });
    assert.equal(fromJobs?.result?.status, 'rolled-back', JSON.stringify(fromJobs));
    assert.deepEqual(fromJobs.result.rows, { Summary: 1 });
    assert.equal(fromJobs.request.module, pipelinePath(), 'the module that exports the class');
    const ext = vscode.extensions.all.find((e) => (e.packageJSON as { name?: string }).name === 'datajoint-vscode');
    assert.ok(ext, 'the extension');
    const menus = (ext.packageJSON as { contributes: { menus: Record<string, Array<{ command: string; when?: string }>> } }).contributes.menus['view/item/context']!;
    const whens = menus.filter((m) => m.command === 'datajoint.debugMake').map((m) => m.when);
    for (const view of ['datajoint.tables', 'datajoint.jobs']) assert.ok(whens.some((w) => w?.includes(`view == ${view}`)), `offered in ${view}`);
  });

  test('Python: a breakpoint in make stops under debugpy with the key in scope; rolled back, its part rows counted', async () => {
    const path = pyFile();
    const doc = (await openInEditor(vscode.Uri.file(path))).document;
    const line = lineOf(path, doc.getText(), '# BREAK squared');
    breakpointAt(path, line);
    const ran = noticeOf(() =>
      vscode.commands.executeCommand<DebugMakeOutcome>('datajoint.debugMake', { className: 'Squared', schema: PY_SCHEMA, module: path, key: { sample_id: 1 }, mode: 'rollback' }),
    );
    const stop = await stops.next();
    const frame = await topFrame(stop);
    assert.equal(frame.line - 1, line, `stopped at ${frame.source?.path}:${frame.line}`);
    assert.equal(frame.name, 'make');
    assert.equal(await evaluate(stop, frame, 'squared'), '144.0');
    assert.equal(await evaluate(stop, frame, 'key["sample_id"]'), '1');
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const { notice, result } = await ran;
    assert.equal(result?.result?.status, 'rolled-back', JSON.stringify(result));
    assert.deepEqual(result.result.rows, { Squared: 1, 'Squared.Digit': 3 });
    assert.equal(notice.level, 'info');
    assert.deepEqual(await fx.sql(`SELECT * FROM \`${PY_SCHEMA}\`.__squared`), []);
    assert.deepEqual(await fx.sql(`SELECT * FROM \`${PY_SCHEMA}\`.__squared__digit`), []);
  });

  test('Python, three-part make: up to make_compute, stopping in it; nothing inserted', async () => {
    const path = pyFile();
    const doc = (await openInEditor(vscode.Uri.file(path))).document;
    const line = lineOf(path, doc.getText(), '# BREAK tripled');
    breakpointAt(path, line);
    const ran = noticeOf(() =>
      vscode.commands.executeCommand<DebugMakeOutcome>('datajoint.debugMake', { className: 'Tripled', schema: PY_SCHEMA, module: path, key: { sample_id: 2 }, mode: 'compute' }),
    );
    const stop = await stops.next();
    const frame = await topFrame(stop);
    assert.equal(frame.name, 'make_compute');
    assert.equal(await evaluate(stop, frame, 'value'), '5.0');
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const { result } = await ran;
    assert.equal(result?.result?.status, 'computed', JSON.stringify(result));
    assert.match(result.result.message, /15\.0/);
    assert.deepEqual(await fx.sql(`SELECT * FROM \`${PY_SCHEMA}\`.__tripled`), []);
  });
});
