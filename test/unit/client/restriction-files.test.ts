// Long restrictions go to the CLI and the Python runner in files (client/populate/restrictionFiles.ts):
// which ones, the files' contents and modes, the arguments, and the cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { spillLongRestrictions } from '../../../client/populate/restrictionFiles';
import { populateArgs } from '../../../client/populate/launchArgs';
import type { PopulateOptions } from '../../../client/populate/populateRequest';

test('only restrictions over the limit go to files; the short ones stay arguments', () => {
  const long = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ subject_id: i })));
  const given: PopulateOptions = { reserveJobs: true, restrictions: ['subject_id > 1', long] };
  const s = spillLongRestrictions(given);
  try {
    assert.deepEqual(s.options.restrictions, ['subject_id > 1']);
    assert.equal(s.options.restrictionFiles?.length, 1);
    const file = s.options.restrictionFiles![0]!;
    assert.equal(readFileSync(file, 'utf8'), long);
    if (process.platform !== 'win32') {
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
    }
    assert.equal(given.restrictions?.length, 2, 'the options given are left as they were');
    const args = populateArgs('/x/cli.js', { className: 'Analysis', module: '/w/p.ts', options: s.options });
    assert.ok(args.includes('--restriction=subject_id > 1'));
    assert.ok(args.includes(`--restriction-file=${file}`));
    assert.ok(args.every((a) => a.length < 1024), 'no long argument');
  } finally {
    s.dispose();
  }
  assert.equal(existsSync(s.options.restrictionFiles![0]!), false, 'removed at the end');
  s.dispose();
});

test('nothing long: the same options, no folder made', () => {
  const given = { restrictions: ['a = 1'] };
  const s = spillLongRestrictions(given);
  assert.equal(s.options, given);
  s.dispose();
});
