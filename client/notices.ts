// The notifications that end a command with something to act on (a populate run's
// summary, a run or a Connect that cannot start): shown with their actions, and announced on an event with the same actions so that the API's users
// (other extensions, the extension tests) see what the user saw and can choose an action.
import * as vscode from 'vscode';
import type { SummaryLevel } from './populate/runSummary';

export interface NoticeAction {
  title: string;
  run(): unknown;
}

export interface Notice {
  level: SummaryLevel;
  message: string;
  /** Action titles, in the order shown. */
  actions: string[];
  /** Runs an action as a click on its button does. */
  choose(title: string): Promise<unknown>;
}

export class Notices implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Notice>();
  readonly onDidNotify = this.emitter.event;

  /** Shows the notification; resolves once it is shown (not when it is answered). */
  show(level: SummaryLevel, message: string, actions: NoticeAction[] = []): Notice {
    const choose = async (title: string) => actions.find((a) => a.title === title)?.run();
    const titles = actions.map((a) => a.title);
    const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(message, ...titles).then((picked) => picked && choose(picked));
    const notice: Notice = { level, message, actions: titles, choose };
    this.emitter.fire(notice);
    return notice;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
