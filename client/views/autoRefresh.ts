// Refreshes a view every `datajoint.refreshInterval` seconds, only while it is visible
// (polling a hidden view would load the database for nothing). 0 turns it off.
import * as vscode from 'vscode';

let ticking = 0;

/**
 * Whether the code running now is an auto-refresh tick's: a view's refresh() asks, so that
 * what listens to its reloads can tell a tick from a reload someone asked for (the
 * language server's catalog is read again on the latter only: language/catalogSync.ts).
 */
export function inAutoRefresh(): boolean {
  return ticking > 0;
}

export function autoRefresh(view: vscode.TreeView<unknown>, refresh: () => void, isConnected: () => boolean): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const seconds = vscode.workspace.getConfiguration('datajoint').get<number>('refreshInterval', 0);
    if (seconds > 0 && view.visible) {
      timer = setInterval(() => {
        if (!isConnected()) return;
        ticking++;
        try {
          refresh();
        } finally {
          ticking--;
        }
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
