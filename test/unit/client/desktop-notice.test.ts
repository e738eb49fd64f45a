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

// A summary may end with whatever a make printed: it must stay data on every platform.
const HOSTILE = `x’); Start-Process calc; (’ " \\ ' $(rm -rf ~) \`id\``;

test('macOS: the texts are the script\'s arguments, never part of its code', () => {
  const c = desktopNoticeCommand('darwin', 'T', HOSTILE, 'info')!;
  assert.equal(c.file, 'osascript');
  assert.deepEqual(c.args.slice(-2), ['T', HOSTILE]);
  assert.ok(c.args.slice(0, -2).every((a) => !a.includes('calc')), 'the summary is in no -e script');
});

test('Windows: the texts reach PowerShell in the environment, never inside the script', () => {
  const c = desktopNoticeCommand('win32', 'T', HOSTILE, 'info')!;
  assert.equal(c.file, 'powershell.exe');
  assert.ok(!c.args.some((a) => a.includes('calc')), 'the summary is not in the command line');
  assert.match(c.args.at(-1)!, /CreateTextNode\(\$env:DJ_NOTICE_BODY\)/);
  assert.deepEqual(c.env, { DJ_NOTICE_TITLE: 'T', DJ_NOTICE_BODY: HOSTILE });
  assert.equal(desktopNoticeCommand('aix', 'T', 'b', 'info'), undefined);
});
