// How long a table's makes took: median and 95th percentile, the slowest keys and the code
// versions that made the rows. Two places record it (DataJoint 2.x, jobs.py and
// autopopulate.py): the target's hidden `_job_start_time`/`_job_duration`/`_job_version`
// columns when `jobs.add_job_metadata` was on at declaration (one value per row made), and
// the jobs table's `duration`/`version` of `success` rows when `jobs.keep_completed` is on.
// The target's columns are read first: they describe every row still in the table, the jobs
// table only the runs that kept their rows.
import type { Row, SqlSession } from './session';

/** Where the durations are read: a table, its duration and version columns, a row filter. */
export interface DurationSource {
  /** `target`: the table's own `_job_*` columns; `jobs`: its jobs table's success rows. */
  kind: 'target' | 'jobs';
  /** Qualified, quoted name. */
  table: string;
  keyNames: readonly string[];
}

export interface SlowKey {
  key: Record<string, unknown>;
  seconds: number;
  version: string;
}

export interface DurationStats {
  source: DurationSource['kind'];
  /** Rows with a duration. */
  count: number;
  p50: number;
  p95: number;
  max: number;
  /** Slowest first. */
  slowest: SlowKey[];
  /** The code versions (`git rev-parse --short HEAD` or '') with how many rows each made, most first. */
  versions: Array<{ version: string; count: number }>;
}

/** How many slowest keys and versions are listed. */
export const LISTED_SLOWEST = 5;
export const LISTED_VERSIONS = 5;

function columns(kind: DurationSource['kind']): { duration: string; version: string; filter: string } {
  return kind === 'target'
    ? { duration: '_job_duration', version: '_job_version', filter: '' }
    : { duration: 'duration', version: 'version', filter: "status = 'success' AND " };
}

/**
 * The nearest-rank percentile's offset into N ascending values (p in 0..1): the value at
 * ceil(p·N)-1, so p50 of [1,2,3,4] is 2 and p95 of 20 values is the 19th.
 */
export function percentileOffset(p: number, n: number): number {
  return Math.max(0, Math.ceil(p * n) - 1);
}

/**
 * The figures of one source, or undefined when it has no row with a duration. Each
 * percentile is one ordered read of a single row (no table is fetched whole), in SQL both
 * backends speak.
 */
export async function durationStats(session: SqlSession, src: DurationSource): Promise<DurationStats | undefined> {
  const q = session.sql;
  const c = columns(src.kind);
  const d = q.quote(c.duration);
  const where = ` WHERE ${c.filter}${d} IS NOT NULL`;
  const [head] = await session.query(`SELECT COUNT(*) AS n, MAX(${d}) AS top FROM ${src.table}${where}`);
  const count = Number(head?.n ?? 0);
  if (count === 0) return undefined;
  const at = async (offset: number): Promise<number> => {
    const [r] = await session.query(`SELECT ${d} AS v FROM ${src.table}${where} ORDER BY ${d} LIMIT 1 OFFSET ${offset}`);
    return Number(r?.v ?? 0);
  };
  const p50 = await at(percentileOffset(0.5, count));
  const p95 = await at(percentileOffset(0.95, count));
  const v = q.quote(c.version);
  const keys = src.keyNames.map((k) => q.quote(k)).join(', ');
  const slow = await session.query(
    `SELECT ${keys}, ${d} AS ${q.quote('$seconds')}, ${v} AS ${q.quote('$version')} FROM ${src.table}${where} ORDER BY ${d} DESC LIMIT ${LISTED_SLOWEST}`,
  );
  // NULL and '' are both "no version": one group.
  const version = `COALESCE(${v}, '')`;
  const versions = await session.query(
    `SELECT ${version} AS ${q.quote('$version')}, COUNT(*) AS n FROM ${src.table}${where} GROUP BY ${version} ORDER BY n DESC, ${version} LIMIT ${LISTED_VERSIONS}`,
  );
  const pick = (r: Row) => Object.fromEntries(src.keyNames.map((k) => [k, r[k]]));
  return {
    source: src.kind,
    count,
    p50,
    p95,
    max: Number(head?.top ?? 0),
    slowest: slow.map((r) => ({ key: pick(r), seconds: Number(r.$seconds), version: String(r.$version ?? '') })),
    versions: versions.map((r) => ({ version: String(r.$version ?? ''), count: Number(r.n) })),
  };
}

/** `0.42 s`, `3.1 s`, `2 min 5 s`, `1 h 3 min`: a duration as the Jobs view shows it. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 10) return `${s < 1 ? s.toFixed(2) : s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - 60 * m)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - 60 * h} min`;
}
