// A SLURM task's sessions carry its id (runtime/connection/session-name.ts), and the server
// gives it back by connection id (runtime/jobs/session-names.ts): PostgreSQL's
// application_name, MySQL's connection attribute program_name (MariaDB keeps it with
// performance_schema on, as the test server runs). Nothing in the jobs tables changes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '../../../runtime/index';
import { fragmentsFor } from '../../../runtime/dialect/fragments';
import type { SqlSession } from '../../../runtime/jobs/session';
import { sessionNames } from '../../../runtime/jobs/session-names';
import { sessionName, slurmTaskOf } from '../../../runtime/connection/session-name';
import { backends, connect } from './helpers';

function session(conn: Connection): SqlSession {
  return {
    sql: fragmentsFor(conn.backend, {}),
    query: (sql, params = []) => conn.query(sql, [...params]),
    execute: (sql, params = []) => conn.execute(sql, [...params]),
    transaction: (fn) => conn.transaction(fn),
    connectionId: async () => 0,
  };
}

async function idOf(conn: Connection): Promise<number> {
  const sql = fragmentsFor(conn.backend, {}).sessionId;
  return Number((await conn.query<{ id: unknown }>(`SELECT ${sql} AS id`))[0]?.id);
}

const SLURM = { SLURM_JOB_ID: '4245', SLURM_ARRAY_JOB_ID: '4242', SLURM_ARRAY_TASK_ID: '3' };

describe('session names', () => {
  it('the name of a process of a SLURM job, and the task read back from it', () => {
    assert.equal(sessionName(SLURM), 'djx slurm=4242_3');
    assert.equal(sessionName({ SLURM_JOB_ID: '77' }), 'djx slurm=77');
    assert.equal(sessionName({}), undefined);
    assert.equal(sessionName({ SLURM_JOB_ID: '7; rm' }), undefined, 'only digits');
    assert.deepEqual(slurmTaskOf('djx slurm=4242_3'), { job: '4242', task: '3', id: '4242_3' });
    assert.deepEqual(slurmTaskOf('djx-worker slurm=9_0'), { job: '9', task: '0', id: '9_0' });
    assert.deepEqual(slurmTaskOf('djx slurm=77'), { job: '77', id: '77' });
    assert.equal(slurmTaskOf('psql'), undefined);
  });

  for (const backend of backends()) {
    it(`a SLURM task's sessions are named after it; others are not (${backend})`, async () => {
      const saved = { ...process.env };
      Object.assign(process.env, SLURM);
      let named: Connection | undefined;
      let plain: Connection | undefined;
      try {
        named = await connect({}, backend);
        const namedId = await idOf(named);
        for (const k of Object.keys(SLURM)) delete process.env[k];
        plain = await connect({}, backend);
        const plainId = await idOf(plain);
        const names = await sessionNames(session(plain), [namedId, plainId, -1]);
        assert.equal(slurmTaskOf(names.get(namedId))?.id, '4242_3', JSON.stringify([...names]));
        assert.equal(slurmTaskOf(names.get(plainId)), undefined);
        assert.deepEqual((await sessionNames(session(plain), [])).size, 0);
      } finally {
        process.env = saved;
        await named?.close();
        await plain?.close();
      }
    });
  }
});
