// A restriction given to Populate in the extension runs as one SQL condition or not at all:
// text shaped to close the queries around it (issue 10's DROP TABLE through
// --reserve-jobs) is refused by the CLI before anything runs, the run ends with the CLI's
// own reason in a notification, and a canary table in another schema survives. The box of
// "Populate Table with Options…" refuses the same text as it is typed
// (client/populate/restrictionInput.ts, test/unit/client/restriction-input.test.ts).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import { activatedApi } from './helpers';
import { SCHEMA, computations, pipelinePath, setUpComputations, type ComputationsFixture } from './computationsSetup';

const CANARY = 'vscode_canary';

suite('Populate: restrictions are one SQL condition', function () {
  this.timeout(120_000);
  let fx: ComputationsFixture;

  suiteSetup(async () => {
    fx = await setUpComputations();
    await fx.sql(`DROP DATABASE IF EXISTS \`${CANARY}\``);
    await fx.sql(`CREATE DATABASE \`${CANARY}\``);
    await fx.sql(`CREATE TABLE \`${CANARY}\`.canary (id INT PRIMARY KEY)`);
    await fx.sql(`INSERT INTO \`${CANARY}\`.canary VALUES (1)`);
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (1, 1), (2, 2)`);
  });
  suiteTeardown(async () => {
    await fx?.sql(`DROP DATABASE IF EXISTS \`${CANARY}\``);
    await fx?.close();
  });

  const hostile = [
    `subject_id = 1)) AS \`$src\` WHERE TRUE) AS \`$ks\`; DROP TABLE ${CANARY}.canary; SELECT * FROM (SELECT * FROM (SELECT 1 AS subject_id FROM DUAL WHERE (1`,
    `subject_id = 1; UPDATE ${CANARY}.canary SET id = 2`,
    `subject_id = 1 OR 1 -- `,
    `["subject_id = 1", "1); DROP TABLE ${CANARY}.canary; SELECT (1"]`,
  ];

  for (const [i, restriction] of hostile.entries()) {
    test(`hostile restriction ${i + 1} is refused before anything runs; the canary survives`, async () => {
      const api = await activatedApi();
      const said: string[] = [];
      const listening = api.onDidNotify((n) => said.push(n.message));
      let outcome: PopulateOutcome | undefined;
      try {
        outcome = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
          className: 'Summary',
          module: pipelinePath(),
          options: { reserveJobs: true, suppressErrors: true, restrictions: [restriction] },
        });
      } finally {
        listening.dispose();
      }
      assert.ok(outcome, 'no outcome');
      assert.equal(outcome.exitCode, 2, outcome.transcript);
      assert.match(outcome.transcript, /^djx: --restriction ".*" (is|has .*, which is) not one SQL condition/m);
      assert.ok(said.some((m) => /did not run: --restriction .* not one SQL condition/.test(m)), `notifications: ${JSON.stringify(said)}`);
      assert.deepEqual(await fx.sql(`SELECT id FROM \`${CANARY}\`.canary`), [{ id: 1 }], 'the canary was changed');
      assert.equal(Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${SCHEMA}\`.__summary`))[0]!.n), 0, 'a key was computed');
    });
  }

  test('a key restriction naming an attribute the key source lacks is refused (a typo would compute everything)', async () => {
    const outcome = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
      className: 'Summary',
      module: pipelinePath(),
      options: { restrictions: ['{"subjct_id": 1}'] },
    });
    assert.ok(outcome);
    assert.equal(outcome.exitCode, 2, outcome.transcript);
    assert.match(outcome.transcript, /`subjct_id` is not in .*`subject_id`/);
    assert.equal(Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${SCHEMA}\`.__summary`))[0]!.n), 0);
  });

  test('the key source attributes reach the restriction box, so it refuses the typo as it is typed', async () => {
    const api = await computations();
    const known = await api.db.keySourceAttributes(SCHEMA, 'Summary');
    assert.deepEqual(known, ['subject_id']);
  });
});
