// The Jobs view's ignored keys, counts and stack documents: ignored keys are listed under
// their table and can be un-ignored (the next populate makes them); "1 error" / "2 errors";
// an open stack document follows a retry; its file paths are links to the source, the
// frames of the extension's own bundle left out; the tooltip shows user@host as text.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { JobsNode } from '../../../client/jobs/jobsTree';
import type { ComputationsApi } from '../../../client/populate/computationsApi';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import { waitFor } from './helpers';
import { SCHEMA, computations, pipelinePath, setUpComputations, type ComputationsFixture, jobsTableNode } from './computationsSetup';

type TableNode = Extract<JobsNode, { kind: 'table' }>;
type JobNode = Extract<JobsNode, { kind: 'job' }>;

function summaryNode(api: ComputationsApi): Promise<TableNode> {
  return jobsTableNode(api, 'Summary');
}

async function jobNodes(api: ComputationsApi): Promise<JobNode[]> {
  return api.jobs.jobNodes(await summaryNode(api));
}

function populate(): Thenable<PopulateOutcome | undefined> {
  return vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Summary', module: pipelinePath(), options: { reserveJobs: true, suppressErrors: true } });
}

suite('Jobs view: ignored keys, counts, stack documents', function () {
  this.timeout(120_000);
  let fx: ComputationsFixture;

  suiteSetup(async () => {
    fx = await setUpComputations();
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (1, 1), (2, -2), (3, -3)`);
  });
  suiteTeardown(async () => {
    await fx?.close();
  });

  test('counts are pluralised: 2 errors, then 1 error', async () => {
    const api = await computations();
    const outcome = await populate();
    assert.equal(outcome?.errorCount, 2, outcome?.transcript);
    assert.match(String(api.jobs.getTreeItem(await summaryNode(api)).description), /· 2 errors\b/);
    const three = (await jobNodes(api)).find((n) => n.key.subject_id === 3);
    assert.ok(three);
    await vscode.commands.executeCommand('datajoint.jobs.ignore', three);
    assert.match(String(api.jobs.getTreeItem(await summaryNode(api)).description), /· 1 error · 1 ignored$/);
  });

  test('an ignored key is listed under its table; Un-ignore makes it a key to compute again', async () => {
    const api = await computations();
    const ignored = (await jobNodes(api)).find((n) => n.job.status === 'ignore');
    assert.ok(ignored, 'the ignored key is not listed');
    assert.deepEqual(ignored.key, { subject_id: 3 });
    const item = api.jobs.getTreeItem(ignored);
    assert.match(String(item.contextValue), /\bunignorable\b/);
    assert.doesNotMatch(String(item.contextValue), /\bretryable\b/);
    assert.equal(item.description, 'ignored');
    await fx.sql(`UPDATE \`${SCHEMA}\`.subject SET weight = 3 WHERE subject_id = 3`);
    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.unignore', ignored), 1);
    const table = await summaryNode(api);
    assert.equal(table.progress?.jobs.ignore, 0);
    const outcome = await populate();
    assert.equal(outcome?.successCount, 1, outcome?.transcript);
    assert.deepEqual((await fx.sql(`SELECT subject_id FROM \`${SCHEMA}\`.__summary WHERE subject_id = 3`)).length, 1);
  });

  test('the stack document links its files, leaves out the bundle\'s frames, and follows a retry', async () => {
    const api = await computations();
    const [job] = await jobNodes(api);
    assert.ok(job && job.job.status === 'error');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('datajoint.jobs.showError', job);
    const doc = editor.document;
    assert.match(doc.getText(), /negative weight/);
    assert.doesNotMatch(doc.getText(), /[\\/]dist[\\/][\w-]+\.js:\d+/, 'a frame of the minified bundle is shown');
    const links = (await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri)) ?? [];
    const toPipeline = links.find((l) => l.target?.fsPath === pipelinePath());
    assert.ok(toPipeline, `no link to the pipeline file: ${links.map((l) => l.target?.toString()).join(', ')}\n${doc.getText()}`);
    assert.match(String(toPipeline.target?.fragment), /^L\d+/);
    // Following the link opens the pipeline file at the frame's line.
    const line = Number(/^L(\d+)/.exec(String(toPipeline.target?.fragment))![1]);
    await vscode.commands.executeCommand('vscode.open', toPipeline.target);
    const opened = await waitFor('the frame\'s file open at its line', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.fsPath === pipelinePath() && e.selection.active.line === line - 1 ? e : undefined;
    });
    assert.match(opened.document.lineAt(line - 1).text, /\S/, 'the frame\'s line is a line of code');
    await vscode.window.showTextDocument(doc);
    // The tooltip: the MySQL account user@host as text, not a mail link.
    const tip = api.jobs.getTreeItem(job).tooltip as vscode.MarkdownString;
    assert.ok(job.job.user.includes('@'), job.job.user);
    assert.ok(tip.value.includes(job.job.user.replace('@', '\\@')), tip.value);
    assert.doesNotMatch(tip.value, /[^\\]@/);

    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.retry', job), 1);
    await waitFor('the stack document to follow the retry', () => (/no such job any more/.test(doc.getText()) ? true : undefined));
  });
});
