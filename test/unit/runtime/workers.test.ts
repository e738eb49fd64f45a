// The Workers view's grouping of reservations by holder (runtime/jobs/workers.ts) and the
// durations' formatting (runtime/jobs/durations.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupByHolder } from '../../../runtime/jobs/workers';
import { formatSeconds } from '../../../runtime/jobs/durations';
import type { JobRow } from '../../../runtime/jobs/queue';
import type { HolderState } from '../../../runtime/jobs/holder';

function reserved(id: number, host: string, pid: number, holder: HolderState, at: string, extra: Partial<JobRow> = {}): JobRow {
  return {
    key: { id },
    status: 'reserved',
    priority: 5,
    createdTime: null,
    scheduledTime: null,
    reservedTime: new Date(at),
    completedTime: null,
    duration: null,
    errorMessage: '',
    user: 'dj@lab',
    host,
    pid,
    connectionId: 100 + pid,
    version: '',
    holder,
    ...extra,
  };
}

test('reservations grouped by host and pid: gone holders first, then unknown, then alive, the longest held first', () => {
  const held = [
    { table: 'A', job: reserved(1, 'n1', 10, 'alive', '2026-01-01T10:05:00Z') },
    { table: 'B', job: reserved(2, 'n1', 10, 'alive', '2026-01-01T10:01:00Z') },
    { table: 'A', job: reserved(3, 'n2', 20, 'gone', '2026-01-01T10:09:00Z') },
    { table: 'A', job: reserved(4, 'n3', 30, 'unknown', '2026-01-01T10:00:00Z') },
    { table: 'A', job: reserved(5, 'n4', 40, 'gone', '2026-01-01T10:02:00Z') },
    { table: 'A', job: { ...reserved(6, 'n5', 50, 'alive', '2026-01-01T10:00:00Z'), status: 'error' as const } },
  ];
  const groups = groupByHolder(held);
  assert.deepEqual(
    groups.map((g) => [g.id, g.state, g.keys.map((k) => k.job.key.id)]),
    [
      ['n4:40', 'gone', [5]],
      ['n2:20', 'gone', [3]],
      ['n3:30', 'unknown', [4]],
      ['n1:10', 'alive', [1, 2]],
    ],
  );
  const n1 = groups.at(-1)!;
  assert.equal((n1.since as Date).toISOString(), '2026-01-01T10:01:00.000Z');
  assert.deepEqual(n1.users, ['dj@lab']);
  assert.deepEqual(n1.connectionIds, [110]);
});

test('reservation times given as the server\'s text are compared as times', () => {
  const text = (id: number, pid: number, at: string) => ({ table: 'A', job: { ...reserved(id, 'h', pid, 'alive', '2026-01-01T00:00:00Z'), reservedTime: at as unknown as Date } });
  const groups = groupByHolder([text(1, 1, '2026-01-01 10:05:00.000'), text(2, 1, '2026-01-01 09:59:00.000'), text(3, 2, '2026-01-01 09:00:00.000')]);
  assert.deepEqual(
    groups.map((g) => [g.id, g.since]),
    [
      ['h:2', '2026-01-01 09:00:00.000'],
      ['h:1', '2026-01-01 09:59:00.000'],
    ],
  );
});

test('a holder with one reservation alive is alive; gone only when every reservation says so', () => {
  const groups = groupByHolder([
    { table: 'A', job: reserved(1, 'h', 7, 'gone', '2026-01-01T10:00:00Z') },
    { table: 'A', job: reserved(2, 'h', 7, 'alive', '2026-01-01T10:00:00Z') },
    { table: 'A', job: reserved(3, 'g', 8, 'gone', '2026-01-01T10:00:00Z') },
    { table: 'A', job: reserved(4, 'g', 8, 'unknown', '2026-01-01T10:00:00Z') },
  ]);
  assert.deepEqual(
    groups.map((g) => [g.id, g.state]),
    [
      ['g:8', 'unknown'],
      ['h:7', 'alive'],
    ],
  );
});

test('durations as the Jobs view writes them', () => {
  assert.equal(formatSeconds(0.4213), '0.42 s');
  assert.equal(formatSeconds(3.14), '3.1 s');
  assert.equal(formatSeconds(42.4), '42 s');
  assert.equal(formatSeconds(125), '2 min 5 s');
  assert.equal(formatSeconds(3780), '1 h 3 min');
  assert.equal(formatSeconds(Number.NaN), '?');
});
