// `djx populate --stop-on-stdin`: stop requests read from stdin reach the same handlers as
// the signals; other lines are ignored; closing the listener releases stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { listenForStopRequests } from '../../../runtime/cli/populate/stop-requests';

test('SIGINT and SIGTERM lines reach the signal handlers; anything else is ignored', async () => {
  const input = new PassThrough();
  const seen: string[] = [];
  const onInt = (s: string) => seen.push(s);
  const onTerm = (s: string) => seen.push(s);
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const stop = listenForStopRequests(input);
  try {
    input.write('hello\n  SIGINT  \nsigint\nSIGTERM\r\n');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['SIGINT', 'SIGTERM']);
  } finally {
    stop();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  assert.equal(input.destroyed, true, 'stdin is released once the run is over');
});

test('a request before any handler is installed ends the process with 130, as the signal would', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', "require('./runtime/cli/populate/stop-requests').listenForStopRequests(); setTimeout(() => {}, 10000)"], {
    cwd: `${__dirname}/../../..`,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.stdin.write('SIGINT\n');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 130);
});
