// The DataJoint version definitions are checked against, in a real VS Code: the server's
// decision reaches the client (the status bar shows it), the datajoint.targetVersion setting
// and the interpreter's installed DataJoint change it and the diagnostics follow, and
// "Migrate Definitions to DataJoint 2" rewrites a 0.14 file, listing what it cannot migrate.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { rmSync, writeFileSync } from 'node:fs';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import { activatedApi, fixtureUri, openInEditor, serverReady, waitFor } from './helpers';
import { testPython } from './computationsSetup';
import type { MigrateOutcome } from '../../../client/targets/migrateCommand';

const LEGACY = [
  'import datajoint as dj',
  '',
  'schema = dj.Schema("legacy_lab")',
  '',
  '',
  '@schema',
  'class Recording(dj.Manual):',
  '    definition = """',
  '    recording_id : int32',
  '    ---',
  '    trace : longblob',
  '    raw = null : blob@store',
  '    flagged = 0 : boolean',
  '    source_path : filepath@raw',
  '    unique index (source_path)',
  '    """',
  '',
].join('\n');

function codesOf(uri: vscode.Uri, severity: vscode.DiagnosticSeverity): string[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity === severity).map((d) => String(typeof d.code === 'object' ? d.code.value : d.code)).sort();
}

suite('DataJoint version of the definitions', () => {
  const file = fixtureUri('legacy_types.py');
  const config = () => vscode.workspace.getConfiguration('datajoint');

  suiteSetup(async () => {
    writeFileSync(file.fsPath, LEGACY);
    await serverReady();
  });

  suiteTeardown(async () => {
    await config().update('targetVersion', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('python.interpreter', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    rmSync(file.fsPath, { force: true });
  });

  test('the setting decides the version, and the definitions are checked against it', async () => {
    const api = await activatedApi();
    await openInEditor(file);
    await config().update('targetVersion', '0.14', vscode.ConfigurationTarget.Workspace);
    await waitFor('the 0.14 setting in the server', () => api.languageServer.targets.find((t) => t.source === 'setting' && t.target === '0.14'));
    // 0.14: its own types are clean; the DataJoint 2 int32 is the one error.
    await waitFor('DJ225 on int32', () => (codesOf(file, vscode.DiagnosticSeverity.Error).join() === 'DJ225' ? true : undefined));
    await config().update('targetVersion', '2', vscode.ConfigurationTarget.Workspace);
    await waitFor('the 2 setting in the server', () => api.languageServer.targets.find((t) => t.source === 'setting' && t.target === '2'));
    const errors = await waitFor('the 0.14 types refused under 2', () => {
      const c = codesOf(file, vscode.DiagnosticSeverity.Error);
      return c.includes('DJ203') ? c : undefined;
    });
    assert.deepEqual(errors, ['DJ203', 'DJ203', 'DJ203'], 'blob@store, boolean and filepath@raw');
  });

  test('with the setting on auto, the DataJoint installed in the interpreter decides', async () => {
    const api = await activatedApi();
    await config().update('targetVersion', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('python.interpreter', testPython(), vscode.ConfigurationTarget.Workspace);
    const t = await waitFor('the installed version in the server', () => api.languageServer.targets.find((x) => x.source === 'installed'));
    assert.equal(t.target, '2');
    assert.match(t.detail, /^datajoint 2\.\d+\.\d+\S* in /);
  });

  test('Migrate Definitions to DataJoint 2 rewrites the file and reports what needs a decision', async () => {
    const editor = await openInEditor(file);
    const outcome = await vscode.commands.executeCommand<MigrateOutcome | undefined>('datajoint.migrateDefinitions', file, { preview: false });
    assert.ok(outcome?.applied, 'the edit was applied');
    const text = editor.document.getText();
    for (const t of ['trace : <blob>', 'raw = null : <blob@store>', 'flagged = 0 : bool', 'source_path : <filepath@raw>']) assert.ok(text.includes(t), `${t} in\n${text}`);
    assert.ok(text.includes('schema = dj.Schema("legacy_lab")'), 'the Python around the definition is untouched');
    // A unique index over a filepath: a uuid in 0.14, a json column in 2.x that MySQL cannot index.
    assert.deepEqual(outcome.result.remaining.map((r) => r.code), ['DJ403']);
    assert.ok(outcome.report?.getText().includes('DJ403'), outcome.report?.getText());
    // The report is an untitled document: closed without a prompt to save it.
    await vscode.window.showTextDocument(outcome.report!);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
