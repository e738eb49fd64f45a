// Formatting in a real VS Code: by default the extension offers no document formatter (so
// black, ruff or prettier stay the user's formatter), and "DataJoint: Format Definitions
// in File" aligns just the definitions of the active file, leaving host code alone.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { rmSync, writeFileSync } from 'node:fs';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import { fixtureUri, openInEditor, screenshot, serverReady, waitFor } from './helpers';

const MESSY =
  'import datajoint as dj\n\nx = dict(a = 1,   b=2)\n\n\nclass Messy(dj.Manual):\n    definition = """\n    messy_id:int32 # the id\n    ---\n    long_name   :   varchar(64)  #  a comment\n    """\n';

suite('Formatting', () => {
  const uri = fixtureUri('format_me.py');

  suiteSetup(async () => {
    await serverReady();
    writeFileSync(uri.fsPath, MESSY);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    rmSync(uri.fsPath, { force: true });
  });

  test('no document formatter is offered while datajoint.format.enable is off', async () => {
    assert.equal(vscode.workspace.getConfiguration('datajoint').get('format.enable'), false);
    const editor = await openInEditor(uri);
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>('vscode.executeFormatDocumentProvider', editor.document.uri, {
      tabSize: 4,
      insertSpaces: true,
    });
    assert.ok(!edits || edits.length === 0, `a formatter answered: ${JSON.stringify(edits)}`);
  });

  test('Format Definitions in File aligns the definition and leaves host code untouched', async () => {
    const editor = await openInEditor(uri);
    await vscode.commands.executeCommand('datajoint.formatDefinitions');
    const text = await waitFor('the definition to be formatted', () => {
      const t = editor.document.getText();
      return t !== MESSY ? t : undefined;
    });
    assert.ok(text.includes('    messy_id  : int32        # the id\n    ---\n    long_name : varchar(64)  #  a comment\n'), text);
    assert.ok(text.includes('x = dict(a = 1,   b=2)'), 'host code changed');
    await screenshot('format-definitions');
    // Running it again changes nothing.
    const version = editor.document.version;
    await vscode.commands.executeCommand('datajoint.formatDefinitions');
    assert.equal(editor.document.getText(), text);
    assert.equal(editor.document.version, version);
  });
});
