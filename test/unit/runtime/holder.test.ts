// Whether a reservation's holder lives (runtime/jobs/holder.ts): only a holder on this host
// whose process has exited and whose connection is gone is known dead.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { holderState, processRuns } from '../../../runtime/jobs/holder';

const HERE = 'this-host';
const running = new Set([100]);
const runs = (pid: number) => running.has(pid);

describe('holderState', () => {
  it('on this host the process decides, whatever the connection', () => {
    assert.equal(holderState({ host: HERE, pid: 100, connectionOpen: false }, HERE, runs), 'alive', "a Python worker under its parent's closed connection");
    assert.equal(holderState({ host: HERE, pid: 100, connectionOpen: true }, HERE, runs), 'alive');
    assert.equal(holderState({ host: HERE, pid: 200, connectionOpen: false }, HERE, runs), 'gone');
  });
  it('an exited process whose connection the server still lists is not yet known dead', () => {
    assert.equal(holderState({ host: HERE, pid: 200, connectionOpen: true }, HERE, runs), 'unknown');
  });
  it('on another host a closed connection proves nothing; an open one shows the holder alive', () => {
    assert.equal(holderState({ host: 'other-host', pid: 200, connectionOpen: false }, HERE, runs), 'unknown');
    assert.equal(holderState({ host: 'other-host', pid: 100, connectionOpen: false }, HERE, runs), 'unknown', 'a pid of this host means nothing there');
    assert.equal(holderState({ host: 'other-host', pid: 200, connectionOpen: true }, HERE, runs), 'alive');
  });
  it('a row without host or pid is never judged by a process', () => {
    assert.equal(holderState({ host: '', pid: 200, connectionOpen: false }, '', runs), 'unknown');
    assert.equal(holderState({ host: HERE, pid: 0, connectionOpen: false }, HERE, runs), 'unknown');
  });
});

describe('processRuns', () => {
  it('sees this process, not one that has exited, nor pid 0', () => {
    assert.equal(processRuns(process.pid), true);
    assert.equal(processRuns(spawnSync(process.execPath, ['-e', '0']).pid), false);
    assert.equal(processRuns(0), false);
    assert.equal(processRuns(-1), false);
  });
});
