// The DataJoint the active file's definitions are checked against, in the status bar
// ("DataJoint 0.14"), with what decided it in the tooltip; a click picks the setting for
// the folder. Tells the server which DataJoint each folder's Python environment has.
import * as vscode from 'vscode';
import { INSTALLED_DATAJOINT_NOTIFICATION, type FolderTargetInfo, type InstalledDataJoint, type TargetVersion } from '../../server/protocol';
import type { DefinitionLanguageService } from '../language/definitionLanguageService';
import { INTERPRETER_SETTING, resolveInterpreter } from '../python/interpreter';
import { interpreterSources } from '../python/pythonLaunch';
import { installedDataJoint } from './installedDataJoint';

export const SELECT_TARGET_COMMAND = 'datajoint.selectTargetVersion';
const SETTING = 'targetVersion';

const SOURCE: Record<FolderTargetInfo['source'], string> = {
  setting: 'set by datajoint.targetVersion',
  installed: 'installed in the Python environment',
  pin: 'pinned',
  definitions: 'inferred from the definitions',
  default: 'the default',
};

const LANGUAGES = new Set(['python', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact']);

export class TargetStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('datajoint.targetVersion', vscode.StatusBarAlignment.Right, 99);
  private readonly subscriptions: vscode.Disposable[] = [];
  private asked = new Map<string, string>();

  constructor(private readonly service: DefinitionLanguageService) {
    this.item.name = 'DataJoint Version';
    this.item.command = SELECT_TARGET_COMMAND;
    this.subscriptions.push(
      service.onDidChangeTargets(() => this.render()),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      service.onDidChangeState((s) => {
        if (s === 'ready') {
          this.asked.clear();
          void this.sendInstalled();
        }
        this.render();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(INTERPRETER_SETTING)) {
          this.asked.clear();
          void this.sendInstalled();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.sendInstalled()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.sendInstalled()),
      vscode.commands.registerCommand(SELECT_TARGET_COMMAND, () => this.select()),
    );
    this.render();
  }

  /** The target of the folder of a document (or of the active one). */
  targetOf(uri: vscode.Uri | undefined): FolderTargetInfo | undefined {
    const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    return this.service.targets.find((t) => vscode.Uri.parse(t.folder).fsPath === folder.uri.fsPath);
  }

  private render(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !LANGUAGES.has(doc.languageId) || this.service.state !== 'ready') {
      this.item.hide();
      return;
    }
    // TypeScript and JavaScript pipelines are DataJoint 2 (our runtime); only Python varies.
    const t = doc.languageId === 'python' ? this.targetOf(doc.uri) : undefined;
    const target = doc.languageId === 'python' ? t?.target : '2';
    if (!target) {
      this.item.hide();
      return;
    }
    this.item.text = `$(versions) DataJoint ${target}`;
    const why = t ? `${SOURCE[t.source]}: ${t.detail}` : 'TypeScript and JavaScript pipelines are DataJoint 2';
    this.item.tooltip = new vscode.MarkdownString(`Definitions are checked against **DataJoint ${target}** (${why}).\n\nClick to choose the version for this folder.`);
    this.item.show();
  }

  /** Asks each folder's interpreter which DataJoint it has (once per interpreter) and tells the server. */
  async sendInstalled(): Promise<void> {
    // An untrusted workspace's interpreter (its .venv) is not run; trust granted later asks again.
    if (!vscode.workspace.isTrusted) return;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const py = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.py'), '**/{node_modules,.venv,venv,site-packages}/**', 1);
      if (py.length === 0) continue;
      const interpreter = await resolveInterpreter(folder.uri, interpreterSources(folder.uri)).catch(() => undefined);
      if (!interpreter) continue;
      const key = `${folder.uri.toString()}|${interpreter.executable}`;
      if (this.asked.has(key)) continue;
      const version = await installedDataJoint(interpreter);
      this.asked.set(key, version ?? '');
      const params: InstalledDataJoint = { folder: this.service.asServerUri(folder.uri), version, interpreter: interpreter.executable };
      this.service.notify(INSTALLED_DATAJOINT_NOTIFICATION, params);
    }
  }

  private async select(): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    const folder = (doc && vscode.workspace.getWorkspaceFolder(doc.uri)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    const config = vscode.workspace.getConfiguration('datajoint', folder.uri);
    const current = config.get<string>(SETTING, 'auto');
    const detected = this.targetOf(folder.uri);
    const items: Array<vscode.QuickPickItem & { value: 'auto' | TargetVersion }> = [
      { value: 'auto', label: 'Detect', description: detected && detected.source !== 'setting' ? `now DataJoint ${detected.target}: ${detected.detail}` : 'installed version, pin, definitions' },
      { value: '2', label: 'DataJoint 2', description: 'core types, codecs <blob>, <attach@store>, ...' },
      { value: '0.14', label: 'DataJoint 0.14', description: 'native and legacy types: longblob, blob@store, int unsigned, ...' },
      { value: '0.13', label: 'DataJoint 0.12 / 0.13', description: 'as 0.14, and old-style foreign keys (a) -> Parent(b)' },
    ];
    for (const i of items) if (i.value === current) i.detail = '$(check) current setting';
    const pick = await vscode.window.showQuickPick(items, { title: `DataJoint version of ${folder.name}`, placeHolder: 'Check the definitions against' });
    if (!pick) return;
    const target = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 1 ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
    await config.update(SETTING, pick.value === 'auto' ? undefined : pick.value, target);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
