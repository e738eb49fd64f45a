// "DataJoint: Populate Table…" in a real VS Code against the live MariaDB: the command
// runs the bundled CLI in a task terminal (the editor's own Node), the terminal shows the
// CLI's own progress bar and summary while the events arrive on the side channel (fd 3),
// the rows land in the database, the task ends with exit 0; the options are taken through
// the real quick input; a run stopped with Cancel ends gracefully.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import { parseEvent } from '../../../runtime/populate/events';
import { canTypeIntoWindow, screenshot, sleep, typeIntoWindow, waitFor } from './helpers';
import { SCHEMA, computations, pipelinePath, setUpComputations, type ComputationsFixture } from './computationsSetup';

suite('Populate Table', function () {
  this.timeout(120_000);
  let fx: ComputationsFixture;

  suiteSetup(async () => {
    fx = await setUpComputations();
  });
  suiteTeardown(async () => {
    await fx?.close();
  });

  test('Populate runs djx populate in a task terminal to completion and the rows are in the database', async () => {
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (1, 1.5), (2, 2), (3, 10)`);
    const ended = new Promise<vscode.TaskEndEvent>((resolve) => {
      const sub = vscode.tasks.onDidEndTask((e) => {
        if (e.execution.task.name === 'Populate Summary') {
          sub.dispose();
          resolve(e);
        }
      });
    });
    const outcome = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Summary', module: pipelinePath(), options: {} });
    assert.ok(outcome, 'the command returned no outcome');
    assert.equal(outcome.exitCode, 0, outcome.transcript);
    assert.equal(outcome.successCount, 3, outcome.transcript);
    // The CLI's own bar (count, rate, ETA, errors) and its summary, not one the extension draws.
    assert.match(outcome.transcript, /^Summary\s+\S+ 3\/3 \| [\d.]+\/s \| ETA \d+s \| errors 0$/m);
    assert.match(outcome.transcript, /^Summary: 3 done, 0 failed$/m);
    assert.match(outcome.transcript, /\[exit code 0: all keys done\]/);
    // The events came on the side channel: none of them went through the terminal.
    assert.ok(outcome.events.length >= 5, `events: ${JSON.stringify(outcome.events)}`);
    for (const line of outcome.transcript.split('\n')) assert.equal(parseEvent(line), undefined, `an event in the terminal: ${line}`);
    assert.doesNotMatch(outcome.transcript, /"event":/);
    // The command line shown is one a user could type: no plumbing.
    assert.match(outcome.transcript, /^djx populate \S+pipeline\.ts Summary$/m);
    assert.doesNotMatch(outcome.transcript, /--json-events|--progress/);
    // The CLI drew its bar for the terminal's width (passed as COLUMNS).
    const columns = outcome.columns;
    assert.ok(columns !== undefined && columns >= 20, `the terminal's width was not passed: ${String(columns)}`);
    const bars = outcome.transcript.split('\n').filter((l) => l.startsWith('Summary '));
    assert.ok(bars.length > 0 && bars.every((l) => l.length <= columns), `bar lines wider than ${columns}:\n${bars.join('\n')}`);
    // The credentials went through the environment: the command line shown has none.
    assert.ok(!outcome.transcript.includes(process.env.DJ_TEST_PASSWORD!), 'the password appears in the terminal');
    const end = await ended;
    assert.equal(end.execution.task.source, 'DataJoint');
    assert.deepEqual(outcome.events.map((e) => e.event).filter((e) => e !== 'progress' && e !== 'keyDone'), ['start', 'end']);
    assert.equal(outcome.events.filter((e) => e.event === 'keyDone').length, 3);
    const rows = await fx.sql(`SELECT subject_id, doubled FROM \`${SCHEMA}\`.__summary ORDER BY subject_id`);
    assert.deepEqual(
      rows.map((r) => [Number(r.subject_id), Number(r.doubled)]),
      [
        [1, 3],
        [2, 4],
        [3, 20],
      ],
    );
    await sleep(500);
    await screenshot('populate-terminal');
  });

  test('Populate Table… asks for the table and the options in the quick input', async () => {
    if (!canTypeIntoWindow()) throw new Error('the quick input steps need the offline launcher, which types into the window');
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (4, 4), (5, 5), (6, 6)`);
    const api = await computations();
    const run = vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTableWithOptions');
    // Step 1: the table; step 2: the flags as they are; 3: processes; 4: limit 2; 5: no
    // restriction; 6: no priority; 7: no make() arguments. Each step is typed once its own
    // title shows (not after a fixed pause: a loaded machine may take longer to open it).
    const step = (n: number) => `.quick-input-widget:has-text("(${n}/7)") .quick-input-box input`;
    await typeIntoWindow('populate-table', 'Summary', step(1));
    await typeIntoWindow('populate-flags', '', step(2));
    await typeIntoWindow('populate-processes', '', step(3));
    await typeIntoWindow('populate-limit', '2', step(4));
    await typeIntoWindow('populate-restriction', '', step(5));
    await typeIntoWindow('populate-priority', '', step(6));
    await typeIntoWindow('populate-make-kwargs', '', step(7));
    const outcome = await run;
    assert.ok(outcome, 'the quick input did not lead to a run');
    assert.equal(outcome.exitCode, 0, outcome.transcript);
    assert.equal(outcome.request.options.limit, 2);
    assert.equal(outcome.successCount, 2, outcome.transcript);
    const [{ n }] = (await fx.sql(`SELECT COUNT(*) AS n FROM \`${SCHEMA}\`.__summary`)) as Array<{ n: unknown }>;
    assert.equal(Number(n), 5);
    assert.equal(api.runner.running, false);
  });

  // `count` new subjects from `first` on, each make slowed down (the run inherits the
  // extension host's environment), and a count of the keys done as the events arrive.
  async function slowKeys(first: number, count: number) {
    const values = Array.from({ length: count }, (_, i) => `(${first + i}, ${i})`).join(', ');
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES ${values}`);
    const api = await computations();
    const progress = { done: 0 };
    const counting = api.runner.onDidReceiveEvent((e) => {
      if (e.event === 'keyDone') progress.done++;
    });
    process.env.VSCODE_TEST_MAKE_DELAY_MS = '100';
    const end = () => {
      counting.dispose();
      delete process.env.VSCODE_TEST_MAKE_DELAY_MS;
    };
    return { api, progress, end };
  }

  test('Cancel stops a run gracefully (SIGINT) and no half-made row stays', async () => {
    const { progress, end } = await slowKeys(100, 40);
    const run = vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
      className: 'Summary',
      module: pipelinePath(),
      options: { restrictions: ['subject_id >= 100'] },
    });
    await waitFor('a few keys to be done', () => (progress.done >= 3 ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.terminal.sendSequence', { text: '\x03' });
    const outcome = await run;
    end();
    assert.ok(outcome);
    assert.equal(outcome.exitCode, 130, outcome.transcript);
    assert.equal(outcome.interrupted, 'SIGINT', outcome.transcript);
    // The CLI's own summary in the terminal; the end event on the side channel.
    // What is left follows the counts (runtime/populate/left.ts): here the keys not started.
    assert.match(outcome.transcript, /^Summary: \d+ done, 0 failed, stopped by SIGINT; \d+ keys? left: \d+ not attempted/m);
    assert.equal(outcome.events.at(-1)?.event, 'end');
    const [{ n }] = (await fx.sql(`SELECT COUNT(*) AS n FROM \`${SCHEMA}\`.__summary WHERE subject_id >= 100`)) as Array<{ n: unknown }>;
    assert.ok(Number(n) < 40, 'the run was not stopped');
    assert.equal(Number(n), outcome.successCount, `${outcome.transcript}\n${JSON.stringify(outcome.events.filter((e) => e.event !== 'progress'))}`);
  });

  test('a second run of a table already populating is refused at once; each run is a task of its own', async () => {
    const { api, progress, end } = await slowKeys(200, 30);
    const request = { className: 'Summary', module: pipelinePath(), options: { restrictions: ['subject_id >= 200'] } };
    const first = vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', request);
    try {
      await waitFor('the first run to be under way', () => (progress.done >= 1 ? true : undefined));
      assert.equal(api.runner.isRunning(request), true);
      // The Jobs view's Retry and Populate, or the command again: refused, not left hanging.
      const second = await Promise.race([
        vscode.commands.executeCommand<PopulateOutcome | undefined>('datajoint.populateTable', request).then((o) => ({ o })),
        sleep(10_000).then(() => 'hung' as const),
      ]);
      assert.notEqual(second, 'hung', 'the second run neither started nor was refused');
      assert.equal((second as { o: PopulateOutcome | undefined }).o, undefined);
      // Only the first run's task is active, and its definition names the run.
      const tasks = vscode.tasks.taskExecutions.filter((x) => x.task.name === 'Populate Summary');
      assert.equal(tasks.length, 1, JSON.stringify(tasks.map((x) => x.task.definition)));
      assert.match(String(tasks[0]!.task.definition.run), /^\d+-\d+$/);
      assert.ok(api.runner.showTerminal(request), 'no terminal found for the run under way');
    } finally {
      await vscode.commands.executeCommand('workbench.action.terminal.sendSequence', { text: '\x03' });
      end();
    }
    const outcome = await first;
    assert.equal(outcome.exitCode, 130, outcome.transcript);
    assert.match(outcome.transcript, /\[exit code 130: stopped\]/);
    assert.equal(api.runner.isRunning(request), false);
    // Once it ended, the same table runs again (a new task: its id differs).
    const again = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', request);
    assert.ok(again, 'the run after the first one ended did not start');
    assert.equal(again.exitCode, 0, again.transcript);
    // Each run is a task of its own, but the ended runs' terminals do not pile up.
    const terminals = vscode.window.terminals.filter((t) => t.name === 'Populate Summary' || t.name.endsWith(' Populate Summary'));
    assert.equal(terminals.length, 1, terminals.map((t) => `${t.name} ${JSON.stringify(t.exitStatus)}`).join('\n'));
    const [{ n }] = (await fx.sql(`SELECT COUNT(*) AS n FROM \`${SCHEMA}\`.__summary WHERE subject_id >= 200`)) as Array<{ n: unknown }>;
    assert.equal(Number(n), 30);
  });
});
