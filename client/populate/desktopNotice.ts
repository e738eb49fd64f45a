// A populate run that ends while the user works in another window: VS Code's own
// notification waits inside the window, so a long run's summary is also given to the
// desktop's notification service (Linux: notify-send of libnotify; macOS: osascript's
// `display notification`; Windows: a PowerShell toast). No vscode import: unit-tested
// (test/unit/client/desktop-notice.test.ts). The summary may hold anything the run printed
// last (a make's message), so it never becomes code: it goes as an argument (notify-send,
// osascript's `on run argv`) or in the environment (PowerShell reads $env:), never through a
// shell or inside a script's string literal.

/** `datajoint.populate.desktopNotificationAfter`: after how many seconds of run; 0 = never. */
export const DESKTOP_NOTICE_SETTING = 'populate.desktopNotificationAfter';
export const DESKTOP_NOTICE_DEFAULT_SECONDS = 60;

/** Whether a run's end is told to the desktop: a long run, the window not focused, not turned off. */
export function wantsDesktopNotice(o: { runMs: number; windowFocused: boolean; afterSeconds: number }): boolean {
  return o.afterSeconds > 0 && !o.windowFocused && o.runMs >= o.afterSeconds * 1000;
}

export interface DesktopNoticeCommand {
  file: string;
  args: string[];
  /** Variables the command reads the texts from (added to the editor's environment). */
  env?: Record<string, string>;
}

/** The command that shows `title`/`body` on this platform, or undefined where there is none. */
export function desktopNoticeCommand(platform: NodeJS.Platform, title: string, body: string, level: 'info' | 'warning' | 'error'): DesktopNoticeCommand | undefined {
  switch (platform) {
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      // `--` ends the options: a summary starting with '-' is still text.
      return { file: 'notify-send', args: ['--app-name=VS Code', `--urgency=${level === 'error' ? 'critical' : 'normal'}`, '--', title, body] };
    case 'darwin':
      // The texts are the script's arguments: data, whatever quotes they hold.
      return { file: 'osascript', args: ['-e', 'on run argv', '-e', 'display notification (item 2 of argv) with title (item 1 of argv)', '-e', 'end run', title, body] };
    case 'win32': {
      const script = [
        '[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] > $null',
        '$t = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)',
        "$x = $t.GetElementsByTagName('text'); $x.Item(0).AppendChild($t.CreateTextNode($env:DJ_NOTICE_TITLE)) > $null; $x.Item(1).AppendChild($t.CreateTextNode($env:DJ_NOTICE_BODY)) > $null",
        "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('Microsoft.VisualStudioCode').Show([Windows.UI.Notifications.ToastNotification]::new($t))",
      ].join('; ');
      return { file: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', script], env: { DJ_NOTICE_TITLE: title, DJ_NOTICE_BODY: body } };
    }
    default:
      return undefined;
  }
}
