// Error triage in the Jobs view against the live MariaDB: a table's errors of two kinds
// (12 keys our make failed, 2 a Python worker failed, as jobs.py writes them) are two
// groups with their counts under the table's Errors node; Retry of a group retries just
// its keys, the other group stays; an action on many keys asks first (unanswered, nothing
// happens); Retry and Populate of a group computes just its keys; Ignore of a group and
// Un-ignore of the Ignored node. Everything through the view's command ids.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { JobsNode } from '../../../client/jobs/jobsTree';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import type { ComputationsApi } from '../../../client/populate/computationsApi';
import { screenshot } from './helpers';
import { SCHEMA, computations, pipelinePath, setUpComputations, type ComputationsFixture, jobsTableNode } from './computationsSetup';

type GroupNode = Extract<JobsNode, { kind: 'group' }>;

const NEGATIVE = 'Error: subject <n> has a negative weight';
const CALIBRATION = 'ValueError: no calibration file <path>';

function populate(): Thenable<PopulateOutcome | undefined> {
  return vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Summary', module: pipelinePath(), options: { reserveJobs: true, suppressErrors: true } });
}

async function groups(api: ComputationsApi): Promise<GroupNode[]> {
  return api.jobs.errorGroups(await jobsTableNode(api, 'Summary'));
}

async function summary(api: ComputationsApi): Promise<Array<[string, number]>> {
  return (await groups(api)).map((g) => [String(api.jobs.getTreeItem(g).label), g.group.count]);
}

async function group(api: ComputationsApi, label: string): Promise<GroupNode> {
  const g = (await groups(api)).find((n) => api.jobs.getTreeItem(n).label === label);
  assert.ok(g, `no group ${label}: ${JSON.stringify(await summary(api))}`);
  return g;
}

async function computedIds(fx: ComputationsFixture): Promise<number[]> {
  return (await fx.sql(`SELECT subject_id FROM \`${SCHEMA}\`.__summary ORDER BY subject_id`)).map((r) => Number(r.subject_id));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => i + from);

suite('Jobs view: error triage', function () {
  this.timeout(180_000);
  let fx: ComputationsFixture;

  suiteSetup(async () => {
    fx = await setUpComputations();
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES ${range(1, 12).map((i) => `(${i}, ${-i})`).join(', ')}`);
    const run = await populate();
    assert.equal(run?.errorCount, 12, run?.transcript);
    // Subjects 13 and 14 failed in a Python worker: jobs.py's error() writes `Class: message`.
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (13, 13), (14, 14)`);
    const api = await computations();
    for (const id of [13, 14]) {
      await api.db.withJobs(SCHEMA, '__summary', async (jobs) => (await jobs.queue()).error({ subject_id: id }, `ValueError: no calibration file '/data/subject${id}/cal.npy'`));
    }
  });
  suiteTeardown(async () => {
    await fx?.close();
  });

  test("a table's errors of two kinds are two groups with their counts, under its Errors node", async () => {
    const api = await computations();
    const table = await jobsTableNode(api, 'Summary');
    assert.equal(table.progress?.jobs.error, 14);
    const children = await api.jobs.getChildren(table);
    const errors = children.find((n) => n.kind === 'errors');
    assert.ok(errors, JSON.stringify(children.map((n) => n.kind)));
    const errorsItem = api.jobs.getTreeItem(errors);
    assert.equal(errorsItem.label, 'Errors');
    assert.equal(errorsItem.description, '14 keys');
    assert.deepEqual(await summary(api), [
      [NEGATIVE, 12],
      [CALIBRATION, 2],
    ]);
    const g = await group(api, NEGATIVE);
    const item = api.jobs.getTreeItem(g);
    assert.equal(item.description, '12 keys');
    // The menus of package.json key on these flags: Retry, Retry and Populate, Ignore.
    assert.match(String(item.contextValue), /\bjobGroup\b/);
    assert.match(String(item.contextValue), /\bretryable\b/);
    assert.match(String(item.contextValue), /\bignorable\b/);
    // Its keys beneath, each the failed job with its own message.
    const keys = await api.jobs.getChildren(g);
    assert.deepEqual(
      keys.map((n) => (n.kind === 'job' ? Number(n.key.subject_id) : NaN)).sort((a, b) => a - b),
      range(1, 12),
    );
    const seven = keys.find((n) => n.kind === 'job' && n.key.subject_id === 7)!;
    assert.match(String(api.jobs.getTreeItem(seven).description), /^Error: subject 7 has a negative weight$/);
    assert.match(String(api.jobs.getTreeItem(seven).contextValue), /^job error retryable ignorable/);
    assert.equal(api.jobs.getParent(seven), g);
    await vscode.commands.executeCommand('datajoint.jobs.focus');
    await screenshot('jobs-triage-groups');
  });

  test('Retry of a group retries just its keys; the other group stays', async () => {
    const api = await computations();
    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.retry', await group(api, CALIBRATION)), 2);
    assert.deepEqual(await summary(api), [[NEGATIVE, 12]]);
    const table = await jobsTableNode(api, 'Summary');
    assert.equal(table.progress?.jobs.error, 12);
    assert.equal(table.progress?.remaining, 14, 'the retried keys are keys to compute again');
  });

  test('an action on many keys asks first: unanswered, nothing is retried', async () => {
    const api = await computations();
    // VS Code answers every modal dialog with Cancel while extension tests run.
    const g = await group(api, NEGATIVE);
    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.retry', g, [g]), 0);
    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.ignore', g, [g]), 0);
    assert.deepEqual(await summary(api), [[NEGATIVE, 12]]);
  });

  test('Retry and Populate of a group computes just its keys', async () => {
    const api = await computations();
    await fx.sql(`UPDATE \`${SCHEMA}\`.subject SET weight = -weight WHERE subject_id <= 12`);
    const g = await group(api, NEGATIVE);
    const [outcome] = (await vscode.commands.executeCommand<Array<PopulateOutcome | undefined>>('datajoint.jobs.retryAndPopulate', g, [g], { confirmed: true })) ?? [];
    assert.ok(outcome, 'Retry and Populate started no run');
    assert.equal(outcome.exitCode, 0, outcome.transcript);
    assert.equal(outcome.successCount, 12);
    assert.deepEqual(await computedIds(fx), range(1, 12), 'subjects 13 and 14 are not in the group');
    assert.deepEqual(await summary(api), []);
    const table = await jobsTableNode(api, 'Summary');
    assert.ok(!(await api.jobs.getChildren(table)).some((n) => n.kind === 'errors'), 'no Errors node without errors');
  });

  test('Ignore of a group lists its keys under Ignored; Un-ignore there restores them', async () => {
    const api = await computations();
    await fx.sql(`UPDATE \`${SCHEMA}\`.subject SET weight = -weight WHERE subject_id IN (13, 14)`);
    const run = await populate();
    assert.equal(run?.errorCount, 2, run?.transcript);
    assert.deepEqual(await summary(api), [[NEGATIVE, 2]]);
    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.ignore', await group(api, NEGATIVE)), 2);
    assert.deepEqual(await summary(api), []);
    let table = await jobsTableNode(api, 'Summary');
    assert.equal(table.progress?.jobs.ignore, 2);
    const ignored = (await api.jobs.getChildren(table)).find((n) => n.kind === 'ignored');
    assert.ok(ignored, 'no Ignored node');
    const item = api.jobs.getTreeItem(ignored);
    assert.equal(item.label, 'Ignored');
    assert.equal(item.description, '2 keys');
    assert.match(String(item.contextValue), /\bunignorable\b/);
    const keys = await api.jobs.getChildren(ignored);
    assert.deepEqual(keys.map((n) => (n.kind === 'job' ? [Number(n.key.subject_id), n.job.status] : n.kind)).sort(), [
      [13, 'ignore'],
      [14, 'ignore'],
    ]);
    // An ignored key is not taken by a reserving populate.
    assert.equal((await populate())?.successCount, 0);

    assert.equal(await vscode.commands.executeCommand('datajoint.jobs.unignore', ignored), 2);
    table = await jobsTableNode(api, 'Summary');
    assert.equal(table.progress?.jobs.ignore, 0);
    assert.ok(!(await api.jobs.getChildren(table)).some((n) => n.kind === 'ignored'));
    await fx.sql(`UPDATE \`${SCHEMA}\`.subject SET weight = -weight WHERE subject_id IN (13, 14)`);
    const again = await populate();
    assert.equal(again?.successCount, 2, again?.transcript);
    assert.deepEqual(await computedIds(fx), range(1, 14));
  });
});
