// A populate run that ends while the user works in another window: VS Code's own
// notification waits inside the window, so a long run's summary is also given to the
// desktop's notification service (Linux: notify-send of libnotify; macOS: osascript's
// `display notification`; Windows: a PowerShell toast). No vscode import: unit-tested
// (test/unit/client/desktop-notice.test.ts). The summary goes as an argument vector, never
// through a shell, and holds nothing secret (class name and counts).

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
}

/** AppleScript and PowerShell string literals: the text as data, whatever it holds. */
const appleString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const psString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The command that shows `title`/`body` on this platform, or undefined where there is none. */
export function desktopNoticeCommand(platform: NodeJS.Platform, title: string, body: string, level: 'info' | 'warning' | 'error'): DesktopNoticeCommand | undefined {
  switch (platform) {
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      // `--` ends the options: a summary starting with '-' is still text.
      return { file: 'notify-send', args: ['--app-name=VS Code', `--urgency=${level === 'error' ? 'critical' : 'normal'}`, '--', title, body] };
    case 'darwin':
      return { file: 'osascript', args: ['-e', `display notification ${appleString(body)} with title ${appleString(title)}`] };
    case 'win32': {
      const script = [
        '[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] > $null',
        '$t = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)',
        `$x = $t.GetElementsByTagName('text'); $x.Item(0).AppendChild($t.CreateTextNode(${psString(title)})) > $null; $x.Item(1).AppendChild($t.CreateTextNode(${psString(body)})) > $null`,
        "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('Microsoft.VisualStudioCode').Show([Windows.UI.Notifications.ToastNotification]::new($t))",
      ].join('; ');
      return { file: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', script] };
    }
    default:
      return undefined;
  }
}
