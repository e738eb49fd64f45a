// Shared setup of the populate and jobs tests: a server (the test script's, or a
// throwaway one), a schema of its own per test file, and the counting pipeline loaded
// with the environment that its worker processes inherit.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { testServer } from '../runtime/helpers';

export const PIPELINE = join(__dirname, '..', '..', 'fixtures', 'pipelines', 'counting.ts');

export type Pipeline = typeof import('../../fixtures/pipelines/counting');

export interface Env {
  schema: string;
  pipeline: Pipeline;
  /** A plain connection for inspecting and changing tables behind the runtime's back. */
  sql: mysql.Connection;
  close(): Promise<void>;
}

export async function setup(prefix: string): Promise<Env> {
  const s = await testServer();
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  Object.assign(process.env, {
    DJ_HOST: s.host,
    DJ_PORT: String(s.port),
    DJ_USER: s.user,
    DJ_PASS: s.password,
    DJ_PIPELINE_SCHEMA: schema,
    DJ_USE_TLS: 'false',
  });
  const pipeline = (await import('../../fixtures/pipelines/counting')) as Pipeline;
  await pipeline.setupCounter();
  const sql = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password });
  return {
    schema,
    pipeline,
    sql,
    async close() {
      await sql.query(`DROP DATABASE IF EXISTS \`${schema}\``);
      await sql.end();
      await (await pipeline.schema.connection()).close();
      // Stops the server only when this file started one (no DJ_TEST_* given).
      await s.stop();
    },
  };
}

/** Rows of a query on the plain connection. */
export async function rows<T = Record<string, unknown>>(env: Env, query: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await env.sql.query(query, params);
  return r as T[];
}

/** Empties the data tables (parts first) and the call counter; drops jobs tables. */
export async function reset(env: Env, subjects: Array<Partial<{ subject_id: number; name: string; delay_ms: number; work: number }>>): Promise<void> {
  const q = (t: string) => `\`${env.schema}\`.\`${t}\``;
  for (const t of ['__analysis__detail', '__analysis', '__triple', '__early', '__cumulative', 'make_calls']) await env.sql.query(`DELETE FROM ${q(t)}`);
  for (const t of ['~~analysis', '~~triple', '~~early']) await env.sql.query(`DROP TABLE IF EXISTS ${q(t)}`);
  await env.sql.query(`UPDATE ${q('make_concurrency')} SET running = 0, peak = 0`);
  await env.sql.query(`DELETE FROM ${q('subject')}`);
  if (subjects.length) {
    const values = subjects.map((s) => [s.subject_id, s.name ?? '', s.delay_ms ?? 0, s.work ?? 0]);
    await env.sql.query(`INSERT INTO ${q('subject')} (subject_id, name, delay_ms, work) VALUES ?`, [values]);
  }
}

/** make calls per subject of one table. */
export async function calls(env: Env, table: string): Promise<Map<number, number>> {
  const r = await rows<{ subject_id: number; n: number }>(env, `SELECT subject_id, COUNT(*) AS n FROM \`${env.schema}\`.make_calls WHERE tbl = ? GROUP BY subject_id`, [table]);
  return new Map(r.map((x) => [Number(x.subject_id), Number(x.n)]));
}

export function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => i + from);
}

/** The most makes of Analysis that ran at the same moment since the last reset. */
export async function peakConcurrency(env: Env): Promise<number> {
  const [r] = await rows<{ peak: number }>(env, `SELECT peak FROM \`${env.schema}\`.make_concurrency WHERE id = 1`);
  return Number(r!.peak);
}
