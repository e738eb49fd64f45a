// Diagnostics from the language server appear on definitions in Python and TypeScript
// files, on the faulty line, and follow edits.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, test } from 'mocha';
import { fixtureUri, openInEditor, screenshot, serverReady, waitFor } from './helpers';

function errorsOn(uri: vscode.Uri, line: number): vscode.Diagnostic[] | undefined {
  const found = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line === line);
  return found.length ? found : undefined;
}

function lineOf(doc: vscode.TextDocument, text: string): number {
  const at = doc.getText().indexOf(text);
  assert.ok(at >= 0, `"${text}" not in ${doc.uri.fsPath}`);
  return doc.positionAt(at).line;
}

suite('Diagnostics', () => {
  suiteSetup(async () => {
    await serverReady();
  });

  for (const file of [['bad_definition.py'], ['ts', 'bad_definition.ts']]) {
    test(`an unknown type is an error in ${file.join('/')}`, async () => {
      const editor = await openInEditor(fixtureUri(...file));
      const line = lineOf(editor.document, 'flaot32');
      const errors = await waitFor(`an error on line ${line + 1} of ${file.join('/')}`, () => errorsOn(editor.document.uri, line));
      assert.match(errors[0].message, /flaot32|type/i);
      const col = editor.document.lineAt(line).text.indexOf('flaot32');
      assert.ok(errors.some((e) => e.range.start.character <= col && e.range.end.character >= col), 'the error does not cover the bad type');
      await screenshot(`diagnostic-${file[file.length - 1].replace('.', '-')}`);
    });
  }

  test('an unknown type is an error in a Python cell of a notebook', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(fixtureUri('notebook.ipynb'));
    await vscode.window.showNotebookDocument(notebook);
    const cell = notebook.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python');
    assert.ok(cell, 'the notebook has no Python code cell');
    const line = lineOf(cell.document, 'flaot32');
    await waitFor(`an error on line ${line + 1} of the notebook cell`, () => errorsOn(cell.document.uri, line));
    await screenshot('diagnostic-notebook');
  });

  test('an edit that breaks a valid definition is reported, and fixing it clears the error', async () => {
    const editor = await openInEditor(fixtureUri('pipeline', 'subject.py'));
    const doc = editor.document;
    const line = lineOf(doc, 'species : varchar(32)');
    assert.equal(errorsOn(doc.uri, line), undefined, 'the valid definition already has an error');
    const start = doc.lineAt(line).text.indexOf('varchar');
    const range = new vscode.Range(line, start, line, start + 'varchar'.length);
    assert.ok(await editor.edit((e) => e.replace(range, 'varchr')));
    await waitFor('an error after the edit', () => errorsOn(doc.uri, line));
    assert.ok(await editor.edit((e) => e.replace(new vscode.Range(line, start, line, start + 'varchr'.length), 'varchar')));
    await waitFor('the error to clear after the fix', () => (errorsOn(doc.uri, line) ? undefined : true));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
