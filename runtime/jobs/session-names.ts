// What the server knows of the sessions that hold reservations: the names they gave it
// (runtime/connection/session-name.ts), read back by connection id, so the Workers view
// can show a reservation's SLURM task. PostgreSQL: pg_stat_activity.application_name;
// MySQL: performance_schema.session_connect_attrs (empty where performance_schema is off,
// MariaDB's default: then no names, and nothing else is lost).
import type { SqlSession } from './session';

/** Session names by connection id, of those of `ids` the server lists with a name. */
export async function sessionNames(session: SqlSession, ids: readonly number[]): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id) => Number.isInteger(id) && id > 0))];
  const out = new Map<number, string>();
  if (!wanted.length) return out;
  const marks = wanted.map(() => '?').join(', ');
  const sql =
    session.sql.backend === 'postgresql'
      ? `SELECT pid AS id, application_name AS name FROM pg_stat_activity WHERE pid IN (${marks}) AND application_name <> ''`
      : `SELECT PROCESSLIST_ID AS id, ATTR_VALUE AS name FROM performance_schema.session_connect_attrs WHERE ATTR_NAME = 'program_name' AND PROCESSLIST_ID IN (${marks})`;
  // Names are an aid: a server that will not tell (no performance_schema, no privilege to
  // see other sessions) gives none, and the views show the reservations without them.
  const rows = await session.query(sql, wanted).catch(() => []);
  for (const r of rows) out.set(Number(r.id), String(r.name));
  return out;
}
