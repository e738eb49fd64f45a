// Token scopes of whole fixture files, compared with the committed snapshots under
// test/fixtures/syntax/*.snap. After an intended grammar change, look at the diff and
// rewrite them with UPDATE_SNAPSHOTS=1.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, formatSnapshot, registry, tokenize, type HostSet } from './textmate';

interface Case {
  fixture: string;
  scopeName: string;
  hosts: HostSet;
}

const CASES: Case[] = [
  { fixture: 'definitions.py', scopeName: 'source.python', hosts: 'real' },
  { fixture: 'definitions.py', scopeName: 'source.python', hosts: 'stand-in' },
  { fixture: 'definitions.ts', scopeName: 'source.ts', hosts: 'real' },
  { fixture: 'definitions.ts', scopeName: 'source.ts', hosts: 'stand-in' },
  { fixture: 'definitions.ts', scopeName: 'source.tsx', hosts: 'real' },
  { fixture: 'definitions.js', scopeName: 'source.js', hosts: 'real' },
  { fixture: 'definitions.js', scopeName: 'source.js.jsx', hosts: 'real' },
  { fixture: 'standalone.dj.txt', scopeName: 'source.datajoint', hosts: 'real' },
];

const update = process.env.UPDATE_SNAPSHOTS === '1';

for (const c of CASES) {
  const snap = join(FIXTURES, `${c.fixture}.${c.scopeName}.${c.hosts}.snap`);
  test(`snapshot: ${c.fixture} as ${c.scopeName} (${c.hosts} host grammars)`, async () => {
    const source = readFileSync(join(FIXTURES, c.fixture), 'utf8');
    const actual = formatSnapshot(await tokenize(registry(c.hosts), c.scopeName, source));
    if (update) {
      writeFileSync(snap, actual);
      return;
    }
    assert.ok(existsSync(snap), `missing snapshot ${snap}; create it with UPDATE_SNAPSHOTS=1`);
    assert.equal(actual, readFileSync(snap, 'utf8'), `tokens differ from ${snap}; if intended, rerun with UPDATE_SNAPSHOTS=1`);
  });
}
