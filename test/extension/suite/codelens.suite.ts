// The CodeLens above Computed/Imported classes: "Populate" in TypeScript and Python
// files, and when connected the table's remaining keys and failed jobs, refreshed after
// a run.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import type { RowsPanelHandle } from '../../../client/rows/rowsPanel';
import { fixtureUri, openInEditor, screenshot, sleep, waitFor, workspaceRoot } from './helpers';
import { PIPELINE, SCHEMA, pipelinePath, setUpComputations, type ComputationsFixture } from './computationsSetup';

async function lensesAt(uri: vscode.Uri, line: number): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.filter((l) => l.range.start.line === line && l.command).map((l) => l.command!.title);
}

function lineOf(doc: vscode.TextDocument, text: string): number {
  const at = doc.getText().indexOf(text);
  assert.ok(at >= 0, `${text} not in ${doc.uri.fsPath}`);
  return doc.positionAt(at).line;
}

suite('CodeLens over Computed and Imported classes', function () {
  this.timeout(120_000);
  let fx: ComputationsFixture;

  suiteSetup(async () => {
    fx = await setUpComputations();
    await fx.sql(`INSERT INTO \`${SCHEMA}\`.subject (subject_id, weight) VALUES (1, 1), (2, 2), (3, -3)`);
  });
  suiteTeardown(async () => {
    await fx?.close();
  });

  test('a Computed class shows Populate and its remaining keys; the counts follow a run', async () => {
    const uri = fixtureUri(...PIPELINE);
    const editor = await openInEditor(uri);
    const line = lineOf(editor.document, 'export class Summary');
    // A Manual table gets View Rows only (while connected): no Populate.
    assert.deepEqual(
      await waitFor('the View Rows lens over a Manual class', async () => {
        const titles = await lensesAt(uri, lineOf(editor.document, 'export class Subject'));
        return titles.length ? titles : undefined;
      }),
      ['$(table) View Rows'],
    );
    const before = await waitFor('the counts lens', async () => {
      const titles = await lensesAt(uri, line);
      return titles.some((t) => /remaining/.test(t)) ? titles : undefined;
    });
    assert.ok(before.includes('$(play) Populate'), before.join(' | '));
    assert.ok(before.includes('3 remaining'), before.join(' | '));

    const outcome = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', {
      className: 'Summary',
      module: pipelinePath(),
      options: { reserveJobs: true, suppressErrors: true },
    });
    assert.equal(outcome?.errorCount, 1, outcome?.transcript);
    const after = await waitFor('the counts after the run', async () => {
      const titles = await lensesAt(uri, line);
      return titles.includes('1 remaining · 1 error') ? titles : undefined;
    });
    assert.ok(after.includes('$(play) Populate'));
    await openInEditor(uri);
    await sleep(1000);
    await screenshot('codelens');
  });

  test('View Rows beside Populate on every table class the server knows; it opens the grid of the table in its schema', async () => {
    const uri = fixtureUri(...PIPELINE);
    const doc = await vscode.workspace.openTextDocument(uri);
    const summary = await waitFor('View Rows over the Computed class', async () => {
      const titles = await lensesAt(uri, lineOf(doc, 'export class Summary'));
      return titles.includes('$(table) View Rows') ? titles : undefined;
    });
    assert.ok(summary.includes('$(play) Populate'), summary.join(' | '));
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    const line = lineOf(doc, 'export class Subject');
    const viewRows = lenses.find((l) => l.range.start.line === line && l.command?.title === '$(table) View Rows')!.command!;
    assert.equal(viewRows.command, 'datajoint.viewRows');
    assert.deepEqual(viewRows.arguments, [{ schema: SCHEMA, table: 'subject' }]);
    const grid = await vscode.commands.executeCommand<RowsPanelHandle>(viewRows.command, ...(viewRows.arguments ?? []));
    try {
      const drawn = await waitFor('the grid of Subject', () => (grid.rendered?.reason === 'page' || grid.rendered?.reason === 'count' ? grid.rendered : undefined));
      assert.equal(drawn.rows, 3);
      assert.equal(drawn.firstKey, 'subject_id=1');
    } finally {
      grid.panel.dispose();
    }
    // A Python file: its schema from the @schema decorator, the table's SQL name from its tier.
    const py = fixtureUri('pipeline', 'analysis.py');
    const pyDoc = await vscode.workspace.openTextDocument(py);
    const pyLenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', py)) ?? [];
    const rowsLenses = pyLenses.filter((l) => l.command?.command === 'datajoint.viewRows');
    assert.ok(rowsLenses.length >= 1, pyLenses.map((l) => l.command?.title).join(' | '));
    const activity = rowsLenses.find((l) => l.range.start.line === lineOf(pyDoc, 'class Activity(dj.Computed)'));
    assert.ok(activity, 'View Rows over the Python Computed class');
    assert.deepEqual(activity.command!.arguments, [{ schema: 'vscode_fixture', table: '__activity' }]);
  });

  test('a Python Computed class gets the lens too', async () => {
    const uri = fixtureUri('pipeline', 'analysis.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    const titles = await lensesAt(uri, lineOf(doc, 'class Activity(dj.Computed)'));
    assert.ok(titles.includes('$(play) Populate'), titles.join(' | '));
  });

  test("a class whose tier comes from the project's base class gets the lens; a class inside a string none", async () => {
    // The language server's index decides (server/features/autoPopulated.ts), not a text scan.
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'pipeline', 'lens_inherited.py');
    const text = [
      'import datajoint as dj',
      '',
      'schema = dj.Schema("lens_inherited")',
      '',
      'EXAMPLE = """',
      'class Quoted(dj.Computed):',
      '    pass',
      '"""',
      '',
      '',
      'class Step(dj.Computed):',
      '    def make(self, key):',
      '        self.insert1(key)',
      '',
      '',
      '@schema',
      'class Spikes(Step):',
      '    definition = """',
      '    spike_id : int32',
      '    """',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      const spikes = lineOf(doc, 'class Spikes(Step)');
      const titles = await waitFor('the lens over a class with an inherited tier', async () => {
        const t = await lensesAt(uri, spikes);
        return t.includes('$(play) Populate') ? t : undefined;
      });
      assert.ok(titles.includes('$(debug-alt) Debug make()'), titles.join(' | '));
      assert.deepEqual(await lensesAt(uri, lineOf(doc, 'class Quoted(dj.Computed)')), []);
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });

  test('without a connection only Populate, Populate with Options… and Debug make() are shown, no counts', async () => {
    await vscode.commands.executeCommand('datajoint.disconnect');
    const uri = fixtureUri(...PIPELINE);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.deepEqual(await lensesAt(uri, lineOf(doc, 'export class Summary')), ['$(play) Populate', 'Populate with Options…', '$(debug-alt) Debug make()']);
  });
});
