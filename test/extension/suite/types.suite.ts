// "DataJoint: Set Up TypeScript Types" in the window: a pipeline importing 'datajoint' gets
// "Cannot find module 'datajoint'" from VS Code's TypeScript service; after the command,
// the package and the tsconfig.json entry are in the workspace folder and the error goes.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { suite, suiteTeardown, test } from 'mocha';
import { activatedApi, openInEditor, waitFor, workspaceRoot } from './helpers';

const PIPELINE = `import * as dj from 'datajoint';
import { NDArray, type Row } from 'datajoint';

export class Trace extends dj.Manual {
  static override definition = 'trace_id : int32\\n---\\nsamples : <blob>';
}

export class Peak extends dj.Computed {
  static override definition = '-> Trace\\n---\\npeak : float64';
  static override async make(key: Row): Promise<void> {
    const { samples } = await Trace.restrict(key).fetch1<{ samples: NDArray }>();
    await Peak.insert1({ ...key, peak: Math.max(...Array.from(samples.data as Float64Array)) });
  }
}
`;

const cannotFindDatajoint = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => /Cannot find module 'datajoint'/.test(d.message));

suite('TypeScript types', () => {
  const root = workspaceRoot().fsPath;
  const file = join(root, 'typed_pipeline.ts');
  const tsconfig = join(root, 'tsconfig.json');
  const hadTsconfig = existsSync(tsconfig);
  suiteTeardown(() => {
    // The other suites see the workspace as it was.
    rmSync(file, { force: true });
    rmSync(join(root, '.datajoint'), { recursive: true, force: true });
    if (!hadTsconfig) rmSync(tsconfig, { force: true });
  });

  test("Set Up TypeScript Types makes `import * as dj from 'datajoint'` resolve for VS Code's TypeScript", async function () {
    this.timeout(180_000);
    await activatedApi();
    writeFileSync(file, PIPELINE);
    const editor = await openInEditor(vscode.Uri.file(file));
    await waitFor("TypeScript's error for the missing module", () => (cannotFindDatajoint(editor.document.uri).length ? true : undefined));
    const shim = await vscode.commands.executeCommand<string | undefined>('datajoint.setUpTypeScriptTypes');
    assert.equal(shim, join(root, '.datajoint', 'datajoint'));
    assert.ok(existsSync(join(shim, 'types', 'index.d.ts')), 'the declarations are copied');
    assert.deepEqual(JSON.parse(readFileSync(tsconfig, 'utf8')).compilerOptions.paths, { datajoint: ['./.datajoint/datajoint'] });
    await waitFor('the error to go once TypeScript reads the new tsconfig.json', () => (cannotFindDatajoint(editor.document.uri).length === 0 ? true : undefined));
  });
});
