// "Open value": read-only documents `datajoint-value:/<schema>/<table>/<attribute> (<key>).jsonc`
// holding one value's whole decoded text (runtime/rows/value-text.ts), kept while open.
import * as vscode from 'vscode';
import type { RowsTarget } from './rowsTarget';

export class RowValueDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'datajoint-value';
  private readonly texts = new Map<string, string>();
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changes.event;
  private readonly shown = new vscode.EventEmitter<vscode.TextDocument>();
  /** A value's document was shown (for the tests). */
  readonly onDidShow = this.shown.event;
  private readonly closing: vscode.Disposable;

  constructor() {
    this.closing = vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === RowValueDocuments.scheme) this.texts.delete(d.uri.toString());
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This value is no longer held: open it again from its rows grid.';
  }

  async show(target: RowsTarget, attribute: string, keyText: string, text: string, language: 'json' | 'plaintext'): Promise<vscode.TextDocument> {
    const name = `${attribute} (${keyText})`.replace(/[/\\]/g, '_');
    const uri = vscode.Uri.from({ scheme: RowValueDocuments.scheme, path: `/${target.schema}/${target.table}/${name}.${language === 'json' ? 'jsonc' : 'txt'}` });
    const had = this.texts.has(uri.toString());
    this.texts.set(uri.toString(), text);
    if (had) this.changes.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    this.shown.fire(doc);
    return doc;
  }

  dispose(): void {
    this.closing.dispose();
    this.changes.dispose();
    this.shown.dispose();
  }
}
