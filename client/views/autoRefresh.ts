// Refreshes a view every `datajoint.refreshInterval` seconds, only while it is visible
// (polling a hidden view would load the database for nothing). 0 turns it off.
import * as vscode from 'vscode';

export function autoRefresh(view: vscode.TreeView<unknown>, refresh: () => void, isConnected: () => boolean): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const seconds = vscode.workspace.getConfiguration('datajoint').get<number>('refreshInterval', 0);
    if (seconds > 0 && view.visible) {
      timer = setInterval(() => {
        if (isConnected()) refresh();
      }, seconds * 1000);
    }
  };
  schedule();
  const subs = [
    view.onDidChangeVisibility(schedule),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('datajoint.refreshInterval')) schedule();
    }),
  ];
  return new vscode.Disposable(() => {
    if (timer) clearInterval(timer);
    subs.forEach((s) => s.dispose());
  });
}
