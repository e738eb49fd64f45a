// Populate from the extension picks a module that can run the table, and says how it went:
// a class defined inside a factory (tallies/tables.ts) is run from a module that exports
// it bound to the schema (asked among several, remembered for the workspace); the CodeLens
// counts are those of the file's own schema; every run ends with a notification whose
// actions work; a run that cannot start says why; one click runs with the table's last
// options, "Populate with Options…" asks and remembers.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as dj from '../../../runtime/index';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import { DEFAULT_OPTIONS } from '../../../client/populate/populateCommand';
import { activatedApi, noticeOf, canTypeIntoWindow, openInEditor, typeIntoWindow, waitFor, workspaceRoot } from './helpers';
import { SCHEMA, computations, pipelinePath, setUpComputations, type ComputationsFixture } from './computationsSetup';

const A = 'vscode_tally_a';
const B = 'vscode_tally_b';
const FOLDER = 'tallies';

const TALLY = `
  # How many
  -> Subject
  ---
  n : int32
`;
const SUBJECT = `
  subject_id : int32
`;

// The factory (like examples/pipeline/pipeline.ts), three modules that export its Tally
// bound to a schema, one that declares it at the top level, and one that cannot load.
// (Imports name the file's extension: an extensionless sibling import fails to load with
// the CLI beside tsx, an issue 10 item of the CLI's own, not this suite's subject.)
const FILES: Record<string, string> = {
  'tables.ts': `import * as dj from 'datajoint';
export function createTallies(name: string) {
  const schema = new dj.Schema(name);
  class Subject extends dj.Manual {
    static override definition = \`${SUBJECT}\`;
  }
  class Tally extends dj.Computed {
    static override definition = \`${TALLY}\`;
    static override async make(key: dj.Row): Promise<void> {
      await Tally.insert1({ ...key, n: 1 });
    }
  }
  schema.register(Subject, Tally);
  return { schema, Subject, Tally };
}
`,
  'lab.ts': `import { createTallies } from './tables.ts';\nexport const tallies = createTallies(process.env.VSCODE_TEST_TALLY_SCHEMA || '${A}');\nexport const { schema, Subject, Tally } = tallies;\n`,
  'again.ts': `export { Tally } from './lab.ts';\n`,
  'other.ts': `import { createTallies } from './tables.ts';\nexport const { Tally } = createTallies('${B}');\n`,
  'direct.ts': `import * as dj from 'datajoint';
export const schema = new dj.Schema('${B}');
export class Subject extends dj.Manual {
  static override definition = \`${SUBJECT}\`;
}
export class Tally extends dj.Computed {
  static override definition = \`${TALLY}\`;
  static override async make(key: dj.Row): Promise<void> {
    await Tally.insert1({ ...key, n: 2 });
  }
}
schema.register(Subject, Tally);
`,
  'broken.ts': `import { createTallies } from './tables.ts';\nexport const { Tally } = createTallies('vscode_tally_broken');\nthrow new Error('this module fails to load on purpose');\n`,
};

const file = (name: string) => join(workspaceRoot().fsPath, FOLDER, name);


async function lensTitles(uri: vscode.Uri, line: number): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.filter((l) => l.range.start.line === line && l.command).map((l) => l.command!.title);
}

suite('Populate: the module, the notification, the options', function () {
  this.timeout(180_000);
  let fx: ComputationsFixture;

  suiteSetup(async () => {
    fx = await setUpComputations();
    for (const [schemaName, subjects] of [
      [A, 2],
      [B, 3],
    ] as const) {
      await fx.conn.execute(`DROP DATABASE IF EXISTS \`${schemaName}\``);
      const schema = new dj.Schema(schemaName, { connection: fx.conn });
      class Subject extends dj.Manual {
        static override definition = SUBJECT;
      }
      class Tally extends dj.Computed {
        static override definition = TALLY;
      }
      await schema.declare(Subject, Tally);
      const values = Array.from({ length: subjects }, (_, i) => `(${i + 1})`).join(', ');
      await fx.sql(`INSERT INTO \`${schemaName}\`.subject (subject_id) VALUES ${values}`);
    }
    mkdirSync(join(workspaceRoot().fsPath, FOLDER), { recursive: true });
    for (const [name, text] of Object.entries(FILES)) writeFileSync(file(name), text);
    await vscode.workspace.getConfiguration('datajoint').update('schemas', [SCHEMA, A, B], vscode.ConfigurationTarget.Workspace);
    (await computations()).codeLens.refresh();
  });
  suiteTeardown(async () => {
    rmSync(join(workspaceRoot().fsPath, FOLDER), { recursive: true, force: true });
    for (const s of [A, B]) await fx?.conn.execute(`DROP DATABASE IF EXISTS \`${s}\``);
    await fx?.close();
  });

  test('the CodeLens counts are those of the schema the file binds the class to; a factory class shows none', async () => {
    const direct = vscode.Uri.file(file('direct.ts'));
    const doc = (await openInEditor(direct)).document;
    const line = doc.positionAt(doc.getText().indexOf('export class Tally')).line;
    // B has 3 subjects, A has 2: the lens of direct.ts (schema B) says 3.
    const titles = await waitFor('the counts lens of direct.ts', async () => {
      const t = await lensTitles(direct, line);
      return t.some((x) => /remaining|up to date/.test(x)) ? t : undefined;
    });
    assert.ok(titles.includes('3 remaining'), titles.join(' | '));
    assert.ok(titles.includes('Populate with Options…'), titles.join(' | '));
    const factory = vscode.Uri.file(file('tables.ts'));
    const fdoc = await vscode.workspace.openTextDocument(factory);
    const fline = fdoc.positionAt(fdoc.getText().indexOf('class Tally')).line;
    assert.deepEqual(await lensTitles(factory, fline), ['$(play) Populate', 'Populate with Options…', '$(debug-alt) Debug make()']);
  });

  test('Populate of a class defined in a factory runs a module that exports it bound to the schema; the choice is kept', async function () {
    if (!canTypeIntoWindow()) throw new Error('choosing the module needs the offline launcher, which types into the window');
    // The factory file's CodeLens: schema unknown there; A and B have the table; four modules fit.
    const lens = { className: 'Tally', module: file('tables.ts'), options: {} };
    const run = vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', lens);
    await typeIntoWindow('populate-module', 'again.ts', '.quick-input-widget:has-text("Populate Tally: module") .quick-input-box input');
    const outcome = await run;
    assert.ok(outcome, 'no run');
    assert.equal(outcome.request.module, file('again.ts'));
    assert.equal(outcome.exitCode, 0, outcome.transcript);
    assert.equal(outcome.successCount, 2, outcome.transcript);
    assert.equal(Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${A}\`.__tally`))[0]!.n), 2);
    // Again: the module chosen before, no question (a question would leave this run waiting).
    const again = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', lens);
    assert.equal(again?.request.module, file('again.ts'));
    assert.equal(again?.exitCode, 0, again?.transcript);
    // The Tables/Jobs views name the schema: B's table runs from a module bound to B.
    const bRun = vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { table: { className: 'Tally', schema: B }, options: {} });
    await typeIntoWindow('populate-module-b', 'other.ts', '.quick-input-widget:has-text("Populate Tally: module") .quick-input-box input');
    const b = await bRun;
    assert.ok(b);
    assert.equal(b.request.module, file('other.ts'));
    assert.equal(b.exitCode, 0, b.transcript);
    assert.equal(Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${B}\`.__tally`))[0]!.n), 3);
  });

  test('a run ends with a notification of its counts; Show Errors reveals the table in the Jobs view, Show Terminal its terminal', async () => {
    const api = await activatedApi();
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (1, 1), (2, -2), (3, 3), (4, -4)`);
    const { notice, result } = await noticeOf(() =>
      vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Summary', module: pipelinePath(), options: { reserveJobs: true, suppressErrors: true } }),
    );
    assert.equal(result?.errorCount, 2, result?.transcript);
    assert.equal(notice.message, 'Summary: 2 done, 2 failed; 2 keys left: 2 error jobs');
    assert.equal(notice.level, 'error');
    assert.deepEqual(notice.actions, ['Show Errors', 'Show Terminal']);
    await notice.choose('Show Errors');
    const selected = await waitFor('the table selected in the Jobs view', () => {
      const [n] = api.computations.jobsView.selection;
      return n ? n : undefined;
    });
    assert.ok(selected.kind === 'table' && selected.table.className === 'Summary' && selected.table.schema === SCHEMA, JSON.stringify(selected));
    await notice.choose('Show Terminal');
    await waitFor('the run\'s terminal in front', () => (vscode.window.activeTerminal?.name.endsWith('Populate Summary') ? true : undefined));

    const ok = await noticeOf(() => vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Summary', module: pipelinePath(), options: { reserveJobs: true, suppressErrors: true } }));
    // The two failed keys stay error jobs: not a plain success, but nothing failed now.
    assert.equal(ok.notice.message, 'Summary: nothing to compute; 2 keys left: 2 error jobs');
    assert.equal(ok.notice.level, 'warning');
    assert.deepEqual(ok.notice.actions, ['Show Errors', 'Show Terminal']);
  });

  test('a run that cannot start says why, with an action', async () => {
    const broken = await noticeOf(() => vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Tally', module: file('broken.ts'), options: {} }));
    assert.equal(broken.result?.exitCode, 2, broken.result?.transcript);
    assert.match(broken.notice.message, /^Populate Tally did not run: .*fails to load on purpose/);
    assert.deepEqual(broken.notice.actions, ['Show Terminal']);
    const missing = await noticeOf(() => vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Tally', schema: 'vscode_no_such_schema', options: {} }));
    assert.equal(missing.result, undefined);
    assert.match(missing.notice.message, /no TypeScript\/JavaScript module in this workspace exports Tally bound to schema vscode_no_such_schema/);
    assert.doesNotMatch(missing.notice.message, /`/);
    assert.deepEqual(missing.notice.actions, ['Open Definition']);
  });

  test('one click runs with the table\'s last options; Populate with Options… asks and remembers them', async () => {
    if (!canTypeIntoWindow()) throw new Error('the option steps need the offline launcher, which types into the window');
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (10, 1), (11, 1), (12, 1)`);
    // Never populated with options from this workspace: today's defaults (and B's module chosen before).
    const first = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Tally', schema: B });
    assert.equal(first?.request.module, file('other.ts'));
    assert.deepEqual(first?.request.options, DEFAULT_OPTIONS);
    const step = (n: number) => `.quick-input-widget:has-text("(${n}/7)") .quick-input-box input`;
    const asked = vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTableWithOptions', { className: 'Summary', module: pipelinePath() });
    await typeIntoWindow('options-flags', '', step(2));
    await typeIntoWindow('options-processes', '', step(3));
    await typeIntoWindow('options-limit', '1', step(4));
    // (Remembered for Summary: the populate suite, run after this one, keeps it; it restricts nothing there.)
    await typeIntoWindow('options-restriction', 'subject_id > 0', step(5));
    await typeIntoWindow('options-priority', '', step(6));
    await typeIntoWindow('options-make-kwargs', '', step(7));
    const withOptions = await asked;
    assert.equal(withOptions?.request.options.limit, 1);
    assert.deepEqual(withOptions?.request.options.restrictions, ['subject_id > 0']);
    assert.equal(withOptions?.successCount, 1, withOptions?.transcript);
    // One click (a CodeLens, a view's ▷): the same options, no question.
    const oneClick = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Summary', module: pipelinePath() });
    assert.deepEqual(oneClick?.request.options, withOptions?.request.options);
    assert.equal(oneClick?.successCount, 1, oneClick?.transcript);
    assert.equal(Number((await fx.sql(`SELECT COUNT(*) AS n FROM \`${SCHEMA}\`.__summary WHERE subject_id >= 10`))[0]!.n), 2);
  });
});
