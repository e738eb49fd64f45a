// Reservations whose worker died: the Jobs view shows them as "holder gone" (the runtime's
// one holder rule, runtime/jobs/holder.ts: on this machine, its process has exited and its
// connection is closed), and Recover gives them back to the queue; one whose key is already
// computed is completed instead, so no key is made twice.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { JobsNode } from '../../../client/jobs/jobsTree';
import type { WorkersNode } from '../../../client/workers/workersTree';
import type { ComputationsApi } from '../../../client/populate/computationsApi';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import { SCHEMA, computations, pipelinePath, setUpComputations, testDb, type ComputationsFixture, jobsTableNode } from './computationsSetup';
import * as dj from '../../../runtime/index';

type TableNode = Extract<JobsNode, { kind: 'table' }>;
type JobNode = Extract<JobsNode, { kind: 'job' }>;

function summaryNode(api: ComputationsApi): Promise<TableNode> {
  return jobsTableNode(api, 'Summary');
}

/** The pid of a process that ran on this machine and has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  assert.ok(child.pid, 'no child process was started');
  return child.pid;
}

suite('Jobs view: reservations of gone workers', function () {
  this.timeout(120_000);
  let fx: ComputationsFixture;

  suiteSetup(async () => {
    fx = await setUpComputations();
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (1, 1), (2, 2)`);
    // A reserved-jobs run declares the jobs table and computes both keys.
    const outcome = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
      className: 'Summary',
      module: pipelinePath(),
      options: { reserveJobs: true, suppressErrors: true },
    });
    assert.equal(outcome?.successCount, 2, outcome?.transcript);
  });
  suiteTeardown(async () => {
    await fx?.close();
  });

  test('a dead holder shows as "holder gone"; Recover re-pends its key and completes the one already computed', async () => {
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (3, 3)`);
    const pid = deadPid();
    // As a killed worker leaves them: key 3 in flight, key 1 committed but its job not yet
    // completed (a worker of an older version), on this machine, with a closed connection.
    for (const id of [3, 1]) {
      await fx.sql(
        `INSERT INTO \`${SCHEMA}\`.\`~~summary\` (subject_id, status, priority, scheduled_time, reserved_time, host, pid, connection_id, user, version) ` +
          `VALUES (?, 'reserved', 5, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), ?, ?, 2147480000, 'dj@gone', '')`,
        [id, hostname(), pid],
      );
    }
    const api = await computations();
    api.jobs.refresh();
    const jobs = (await api.jobs.getChildren(await summaryNode(api))).filter((n): n is JobNode => n.kind === 'job');
    const three = jobs.find((n) => n.key.subject_id === 3);
    assert.ok(three, `key 3 is not listed: ${JSON.stringify(jobs.map((j) => j.key))}`);
    assert.equal(three.job.holder, 'gone');
    const item = api.jobs.getTreeItem(three);
    assert.match(String(item.description), /^holder gone · /);
    assert.match(String(item.contextValue), /\brecoverable\b/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /holder gone: its process has exited/);

    assert.equal(await vscode.commands.executeCommand<number>('datajoint.jobs.recover', three), 2);
    const rows = await fx.sql(`SELECT subject_id, status FROM \`${SCHEMA}\`.\`~~summary\` ORDER BY subject_id`);
    assert.deepEqual(
      rows.map((r) => [Number(r.subject_id), r.status]),
      [[3, 'pending']],
      'key 1 (already computed) is completed, key 3 is pending again',
    );
    const outcome = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Summary', module: pipelinePath() });
    assert.equal(outcome?.successCount, 1, outcome?.transcript);
    assert.equal(Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${SCHEMA}\`.__summary`))[0]!.n), 3);
  });

  test('a live holder is never shown as gone, and Recover leaves it alone', async () => {
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (4, 4)`);
    // This very process on this machine: alive, whatever its connection id says.
    await fx.sql(
      `INSERT INTO \`${SCHEMA}\`.\`~~summary\` (subject_id, status, priority, scheduled_time, reserved_time, host, pid, connection_id, user, version) ` +
        `VALUES (4, 'reserved', 5, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), ?, ?, 2147480001, 'dj@alive', '')`,
      [hostname(), process.pid],
    );
    const api = await computations();
    api.jobs.refresh();
    const four = (await api.jobs.getChildren(await summaryNode(api))).find((n): n is JobNode => n.kind === 'job' && n.key.subject_id === 4);
    assert.ok(four);
    assert.equal(four.job.holder, 'alive');
    assert.doesNotMatch(String(api.jobs.getTreeItem(four).contextValue), /\brecoverable\b/);
    assert.equal(await vscode.commands.executeCommand<number>('datajoint.jobs.recover', await summaryNode(api)), 0);
    const rows = await fx.sql(`SELECT status FROM \`${SCHEMA}\`.\`~~summary\` WHERE subject_id = 4`);
    assert.equal(rows[0]?.status, 'reserved');
  });

  test('the Workers view groups reservations by holder with liveness; Recover of a gone holder takes back its keys only', async () => {
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (5, 5), (6, 6)`);
    const pid = deadPid();
    for (const id of [5, 6]) {
      await fx.sql(
        `INSERT INTO \`${SCHEMA}\`.\`~~summary\` (subject_id, status, priority, scheduled_time, reserved_time, host, pid, connection_id, user, version) ` +
          `VALUES (?, 'reserved', 5, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), ?, ?, 2147480002, 'dj@gone', '')`,
        [id, hostname(), pid],
      );
    }
    const api = await computations();
    // Key 4 of the test before is still held by this (live) process.
    const roots = await api.workers.getChildren();
    const holders = roots.filter((n): n is Extract<WorkersNode, { kind: 'holder' }> => n.kind === 'holder');
    assert.deepEqual(
      holders.map((h) => [h.holder.pid, h.holder.state, h.holder.keys.map((k) => Number(k.job.key.subject_id))]),
      [
        [pid, 'gone', [5, 6]],
        [process.pid, 'alive', [4]],
      ],
    );
    const gone = holders[0]!;
    const item = api.workers.getTreeItem(gone);
    assert.equal(item.label, `${hostname()} · pid ${pid}`);
    assert.match(String(item.description), /^gone · 2 keys · since /);
    assert.match(String(item.contextValue), /\brecoverable\b/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /dj\\@gone/);
    assert.doesNotMatch(String(api.workers.getTreeItem(holders[1]!).contextValue), /\brecoverable\b/);
    const keys = await api.workers.getChildren(gone);
    assert.deepEqual(keys.map((k) => String(api.workers.getTreeItem(k).label)), ['Summary subject_id=5', 'Summary subject_id=6']);

    assert.equal(await vscode.commands.executeCommand<number>('datajoint.workers.recover', gone), 2);
    const rows = await fx.sql(`SELECT subject_id, status FROM \`${SCHEMA}\`.\`~~summary\` WHERE subject_id >= 4 ORDER BY subject_id`);
    assert.deepEqual(
      rows.map((r) => [Number(r.subject_id), r.status]),
      [
        [4, 'reserved'],
        [5, 'pending'],
        [6, 'pending'],
      ],
    );
    const after = (await api.workers.getChildren()).filter((n) => n.kind === 'holder');
    assert.equal(after.length, 1, 'only the live holder is left');
  });

  test('a reservation held by a SLURM task names the task in the Workers and Jobs views', async () => {
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (7, 7)`);
    // A session as a worker of SLURM array job 777, task 2, opens it (runtime/connection/session-name.ts).
    const saved = { ...process.env };
    Object.assign(process.env, { SLURM_ARRAY_JOB_ID: '777', SLURM_ARRAY_TASK_ID: '2', SLURM_JOB_ID: '779' });
    let named: dj.Connection | undefined;
    try {
      named = await dj.Connection.connect({ ...testDb(), ignoreConfigFile: true, env: {} });
    } finally {
      process.env = saved;
    }
    try {
      const [{ id }] = (await named.query<{ id: unknown }>('SELECT CONNECTION_ID() AS id')) as [{ id: unknown }];
      await fx.sql(
        `INSERT INTO \`${SCHEMA}\`.\`~~summary\` (subject_id, status, priority, scheduled_time, reserved_time, host, pid, connection_id, user, version) ` +
          `VALUES (7, 'reserved', 5, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), 'node17', 4321, ?, 'dj@node17', '')`,
        [Number(id)],
      );
      const api = await computations();
      const holder = (await api.workers.getChildren()).find((n): n is Extract<WorkersNode, { kind: 'holder' }> => n.kind === 'holder' && n.holder.pid === 4321);
      assert.ok(holder, 'the SLURM task is a holder');
      assert.equal(holder.holder.slurm?.id, '777_2');
      const item = api.workers.getTreeItem(holder);
      assert.match(String(item.description), /^SLURM 777_2 · alive · 1 key · since /);
      assert.match(String(item.contextValue), /\bslurm\b/);
      api.jobs.refresh();
      const job = (await api.jobs.getChildren(await summaryNode(api))).find((n): n is JobNode => n.kind === 'job' && n.key.subject_id === 7);
      assert.equal(job?.slurm?.id, '777_2');
      assert.match(String(api.jobs.getTreeItem(job).description), /^SLURM 777_2 · node17:4321 /);
      assert.match(String(api.jobs.getTreeItem(job).contextValue), /\bslurm\b/);
    } finally {
      await fx.sql(`DELETE FROM \`${SCHEMA}\`.\`~~summary\` WHERE subject_id = 7`);
      await named.close();
    }
  });

  test("the Jobs view's Durations: p50/p95 of a table's makes, its slowest keys and code versions", async () => {
    // As jobs.keep_completed leaves them: success rows with their duration and version.
    await fx.sql(`DELETE FROM \`${SCHEMA}\`.\`~~summary\``);
    for (const [id, seconds, version] of [
      [1, 0.5, 'abc1234'],
      [2, 1.5, 'abc1234'],
      [3, 4, 'def5678'],
    ] as const) {
      await fx.sql(
        `INSERT INTO \`${SCHEMA}\`.\`~~summary\` (subject_id, status, priority, scheduled_time, completed_time, duration, version) VALUES (?, 'success', 5, CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), ?, ?)`,
        [id, seconds, version],
      );
    }
    const api = await computations();
    api.jobs.refresh();
    const table = await summaryNode(api);
    assert.equal(api.jobs.getTreeItem(table).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'a table with computed keys can be expanded');
    const durations = (await api.jobs.getChildren(table)).find((n) => n.kind === 'durations');
    assert.ok(durations, 'a Durations node');
    assert.equal(api.jobs.getTreeItem(durations).description, 'p50, p95, slowest keys: expand', 'nothing read before it is expanded');
    const children = await api.jobs.getChildren(durations);
    assert.equal(api.jobs.getTreeItem(durations).description, 'p50 1.5 s · p95 4.0 s · 3 keys');
    const facts = children.map((n) => {
      const item = api.jobs.getTreeItem(n);
      return `${String(item.label)} — ${String(item.description)}`;
    });
    assert.deepEqual(facts, [
      'subject_id=3 — 4.0 s · def5678',
      'subject_id=2 — 1.5 s · abc1234',
      'subject_id=1 — 0.50 s · abc1234',
      'version abc1234 — 2 keys',
      'version def5678 — 1 key',
    ]);
  });
});
