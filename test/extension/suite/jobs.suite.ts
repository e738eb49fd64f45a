// The Jobs view against the live MariaDB: a key whose make fails appears under its table
// with message, host and the full stack in a `datajoint-job:` document; Retry clears it
// and the next populate computes it once the cause is fixed; Retry and Populate reruns
// just the retried keys; Ignore and Clear; all of it on the window's one connection,
// closed by Disconnect; the welcome view when not connected.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { JobsNode } from '../../../client/jobs/jobsTree';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import type { ComputationsApi } from '../../../client/populate/computationsApi';
import { activatedApi, screenshot, sleep, waitFor } from './helpers';
import { SCHEMA, computations, pipelinePath, setUpComputations, type ComputationsFixture, jobsTableNode } from './computationsSetup';

type TableNode = Extract<JobsNode, { kind: 'table' }>;
type JobNode = Extract<JobsNode, { kind: 'job' }>;

function summaryNode(api: ComputationsApi): Promise<TableNode> {
  return jobsTableNode(api, 'Summary');
}

async function jobNodes(api: ComputationsApi): Promise<JobNode[]> {
  return api.jobs.jobNodes(await summaryNode(api));
}

function populate(options: Record<string, unknown>): Thenable<PopulateOutcome | undefined> {
  return vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Summary', module: pipelinePath(), options });
}

async function computedIds(fx: ComputationsFixture): Promise<number[]> {
  return (await fx.sql(`SELECT subject_id FROM \`${SCHEMA}\`.__summary ORDER BY subject_id`)).map((r) => Number(r.subject_id));
}

suite('Jobs view', function () {
  this.timeout(120_000);
  let fx: ComputationsFixture;

  suiteSetup(async () => {
    fx = await setUpComputations();
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (1, 1), (2, -2), (3, 3)`);
  });
  suiteTeardown(async () => {
    await fx?.close();
  });

  test('a failing key appears in the Jobs view with its message, host and stack', async () => {
    const api = await computations();
    const outcome = await populate({ reserveJobs: true, suppressErrors: true });
    assert.ok(outcome);
    assert.equal(outcome.exitCode, 1, outcome.transcript);
    assert.equal(outcome.successCount, 2);
    assert.equal(outcome.errorCount, 1);
    assert.match(outcome.transcript, /\{"subject_id":2\}: Error: subject 2 has a negative weight/);

    const table = await summaryNode(api);
    assert.equal(table.progress?.remaining, 1);
    assert.equal(table.progress?.jobs.error, 1);
    const tableItem = api.jobs.getTreeItem(table);
    assert.match(String(tableItem.contextValue), /\bjobsTable\b.*\bretryable\b/);
    assert.match(String(tableItem.description), /1 remaining · 1 error/);
    assert.equal((tableItem.iconPath as vscode.ThemeIcon).id, 'error');

    const jobs = await jobNodes(api);
    assert.equal(jobs.length, 1);
    const [job] = jobs;
    assert.deepEqual(job!.key, { subject_id: 2 });
    assert.equal(job!.job.status, 'error');
    const item = api.jobs.getTreeItem(job!);
    assert.equal(item.label, 'subject_id=2');
    assert.match(String(item.contextValue), /^job error\b/);
    assert.match(String(item.contextValue), /\bretryable\b/);
    assert.match(String(item.contextValue), /\bignorable\b/);
    assert.match(String(item.description), /has a negative weight/);
    assert.ok(job!.job.host, 'no host recorded');
    assert.match((item.tooltip as vscode.MarkdownString).value, /negative(&nbsp;| )weight/);

    // The full stack, decoded from the error_stack blob, in a read-only document.
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('datajoint.jobs.showError', job);
    assert.ok(editor);
    assert.equal(editor.document.uri.scheme, 'datajoint-job');
    const text = editor.document.getText();
    assert.match(text, /status: error/);
    assert.match(text, /Error: subject 2 has a negative weight/);
    assert.match(text, /pipeline\.ts/, 'the stack does not name the pipeline file');

    await vscode.commands.executeCommand('datajoint.jobs.focus');
    await api.jobsView.reveal(job!, { select: true, focus: true });
    await sleep(800);
    await screenshot('jobs-error');
  });

  test('Retry clears the error; the next populate computes the key once the cause is fixed', async () => {
    const api = await computations();
    const [job] = await jobNodes(api);
    assert.ok(job);
    await fx.sql(`UPDATE \`${SCHEMA}\`.subject SET weight = 2 WHERE subject_id = 2`);
    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.retry', job), 1);
    const table = await summaryNode(api);
    assert.equal(table.progress?.jobs.error, 0);
    assert.equal((await jobNodes(api)).length, 0);
    const outcome = await populate({ reserveJobs: true, suppressErrors: true });
    assert.ok(outcome);
    assert.equal(outcome.exitCode, 0, outcome.transcript);
    assert.equal(outcome.successCount, 1);
    assert.deepEqual(await computedIds(fx), [1, 2, 3]);
    assert.equal((await summaryNode(api)).progress?.remaining, 0);
  });

  test('Retry and Populate reruns just the retried keys', async () => {
    const api = await computations();
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (4, -4), (5, -5)`);
    const first = await populate({ reserveJobs: true, suppressErrors: true });
    assert.equal(first?.errorCount, 2, first?.transcript);
    await fx.sql(`UPDATE \`${SCHEMA}\`.subject SET weight = 4 WHERE subject_id = 4`);
    const four = (await jobNodes(api)).find((n) => n.key.subject_id === 4);
    assert.ok(four);
    const [outcome] = (await vscode.commands.executeCommand<Array<PopulateOutcome | undefined>>('datajoint.jobs.retryAndPopulate', four, [four])) ?? [];
    assert.ok(outcome, 'Retry and Populate started no run');
    assert.equal(outcome.exitCode, 0, outcome.transcript);
    assert.equal(outcome.successCount, 1);
    assert.deepEqual(await computedIds(fx), [1, 2, 3, 4]);
    assert.deepEqual(
      (await jobNodes(api)).map((n) => n.key.subject_id),
      [5],
    );
  });

  test('Ignore marks a failed key ignore; Clear deletes its job', async () => {
    const api = await computations();
    const five = (await jobNodes(api)).find((n) => n.key.subject_id === 5);
    assert.ok(five);
    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.ignore', five), 1);
    let table = await summaryNode(api);
    assert.equal(table.progress?.jobs.error, 0);
    assert.equal(table.progress?.jobs.ignore, 1);
    assert.match(String(api.jobs.getTreeItem(table).description), /1 ignored/);
    // An ignored key is not taken by a reserving populate.
    const outcome = await populate({ reserveJobs: true, suppressErrors: true });
    assert.equal(outcome?.exitCode, 0, outcome?.transcript);
    assert.equal(outcome?.successCount, 0);
    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.clear', five), 1);
    table = await summaryNode(api);
    assert.equal(table.progress?.jobs.ignore, 0);
  });

  test('the views and job actions share the window\'s one connection; Disconnect closes it', async () => {
    const api = await computations();
    const window = (await activatedApi()).connection;
    const sessions = async () => new Set((await fx.sql('SELECT ID FROM information_schema.PROCESSLIST')).map((r) => Number(r.ID)));
    await vscode.commands.executeCommand('datajoint.disconnect');
    await assert.rejects(window.runtime(), /Not connected/);
    assert.equal(await vscode.commands.executeCommand('datajoint.connect'), true, window.lastError);
    const conn = await window.runtime();
    // Everything that reads the database: the Tables view, the Jobs view with its jobs,
    // the CodeLens counts, an error stack document and a job action.
    const roots = await (await activatedApi()).tables.getChildren();
    assert.ok(roots.some((n) => n.kind === 'schema' && n.schema === SCHEMA));
    const summary = await summaryNode(api);
    assert.ok(summary.progress, 'the Summary row has its counts');
    await api.codeLens.load();
    const stack = await vscode.workspace.openTextDocument(vscode.Uri.parse(`datajoint-job:/x.txt?schema=${SCHEMA}&table=__summary&key=${encodeURIComponent('{"subject_id":1}')}`));
    assert.match(stack.getText(), /no such job|status:/);
    assert.equal(await api.actions.retry([summary]), 0);
    assert.equal(await window.runtime(), conn, 'still the same runtime Connection');
    // Sessions of other extension hosts on the same server cannot be told apart, so this
    // follows the runtime Connection's own first session.
    assert.ok((await sessions()).has(conn.connectionId), 'the runtime Connection is open on the server');
    await vscode.commands.executeCommand('datajoint.disconnect');
    await assert.rejects(api.db.withJobs(SCHEMA, '__summary', (j) => j.progress()), /Not connected/);
    // The server drops a session shortly after its COM_QUIT.
    await waitFor('the window\'s session to end', async () => ((await sessions()).has(conn.connectionId) ? undefined : true));
    assert.equal(await vscode.commands.executeCommand('datajoint.connect'), true, window.lastError);
  });

  test('not connected: the Jobs view is empty and shows its welcome view', async () => {
    const api = await computations();
    await vscode.commands.executeCommand('datajoint.disconnect');
    assert.deepEqual(await api.jobs.getChildren(), []);
    await vscode.commands.executeCommand('datajoint.jobs.focus');
    await sleep(500);
    await screenshot('jobs-welcome');
  });
});
