// The desktop notification of a long run that ends while the window is not focused
// (client/populate/desktopNotice.ts): when it is given, and the command of each platform
// with the summary as data (no shell, quotes kept as text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desktopNoticeCommand, wantsDesktopNotice } from '../../../client/populate/desktopNotice';

test('only a run at least as long as the setting, the window unfocused, the setting not 0', () => {
  assert.equal(wantsDesktopNotice({ runMs: 61_000, windowFocused: false, afterSeconds: 60 }), true);
  assert.equal(wantsDesktopNotice({ runMs: 60_000, windowFocused: false, afterSeconds: 60 }), true);
  assert.equal(wantsDesktopNotice({ runMs: 59_999, windowFocused: false, afterSeconds: 60 }), false);
  assert.equal(wantsDesktopNotice({ runMs: 600_000, windowFocused: true, afterSeconds: 60 }), false);
  assert.equal(wantsDesktopNotice({ runMs: 600_000, windowFocused: false, afterSeconds: 0 }), false);
});

test('Linux: notify-send with the title and summary after --, critical for a failed run', () => {
  assert.deepEqual(desktopNoticeCommand('linux', 'DataJoint: Populate Quality', '-80 done', 'error'), {
    file: 'notify-send',
    args: ['--app-name=VS Code', '--urgency=critical', '--', 'DataJoint: Populate Quality', '-80 done'],
  });
  assert.equal(desktopNoticeCommand('linux', 't', 'b', 'info')!.args[1], '--urgency=normal');
});

test('macOS: the summary is an AppleScript string whatever quotes it holds', () => {
  const c = desktopNoticeCommand('darwin', 'T', 'say "hi" \\ bye', 'info')!;
  assert.equal(c.file, 'osascript');
  assert.deepEqual(c.args, ['-e', 'display notification "say \\"hi\\" \\\\ bye" with title "T"']);
});

test("Windows: the summary is a PowerShell single-quoted string (' doubled)", () => {
  const c = desktopNoticeCommand('win32', 'T', "it's done", 'info')!;
  assert.equal(c.file, 'powershell.exe');
  assert.match(c.args.at(-1)!, /CreateTextNode\('it''s done'\)/);
  assert.equal(desktopNoticeCommand('aix', 'T', 'b', 'info'), undefined);
});
