// Completion after `->` offers the tables of the workspace, from other modules too.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, test } from 'mocha';
import { fixtureUri, openInEditor, positionAfter, screenshot, serverReady, sleep, waitFor } from './helpers';

suite('Completion', () => {
  suiteSetup(async () => {
    await serverReady();
  });

  const cases: { file: string[]; wanted: string[]; alsoOpen?: string[] }[] = [
    // Activity lives in a module imported as a whole: offered qualified. The imported
    // module is open in another editor, as it usually is while users work.
    { file: ['completion_target.py'], wanted: ['Subject', 'Session', 'Activity'], alsoOpen: ['pipeline', 'subject.py'] },
    { file: ['ts', 'completion_target.ts'], wanted: ['Mouse', 'Recording'] },
  ];
  for (const { file, wanted, alsoOpen } of cases) {
    test(`after -> the workspace tables are listed in ${file.join('/')}`, async () => {
      if (alsoOpen) await openInEditor(fixtureUri(...alsoOpen));
      const editor = await openInEditor(fixtureUri(...file));
      const position = positionAfter(editor.document, '-> ');
      let last: string[] = [];
      // The index is built in the background at start; poll until it has the tables.
      await waitFor(`completions ${wanted.join(', ')}`, async () => {
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, position, '>');
        last = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
        return wanted.every((w) => last.some((n) => n === w || n.endsWith(`.${w}`))) ? last : undefined;
      }).catch((e: Error) => {
        throw new Error(`${e.message}; last completions: ${last.slice(0, 30).join(', ') || '(none)'}`);
      });
      // Nothing from outside the workspace's definitions is offered here.
      assert.ok(!last.includes('dj'), `host-language names leaked into the completions: ${last.join(', ')}`);
      editor.selection = new vscode.Selection(position, position);
      await vscode.commands.executeCommand('editor.action.triggerSuggest');
      await sleep(700);
      await screenshot(`completion-${file[file.length - 1].replace('.', '-')}`);
      await vscode.commands.executeCommand('hideSuggestWidget');
    });
  }
});
