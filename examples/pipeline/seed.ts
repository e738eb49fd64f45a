// Sample data for the example pipeline: a few subjects, sessions and raw recordings,
// deterministic so demos and tests see the same numbers every time.
import type { Pipeline } from './pipeline';

export interface SeedOptions {
  subjects?: number;
  sessionsPerSubject?: number;
  samplesPerSession?: number;
}

const DAY_MS = 86_400_000;
const FIRST_SESSION = Date.UTC(2024, 0, 1);

/** `YYYY-MM-DD` of the i-th session (0-based), one day apart. */
export function sessionDate(i: number): string {
  return new Date(FIRST_SESSION + i * DAY_MS).toISOString().slice(0, 10);
}

/** Inserts subjects, sessions and raw data (skipping rows that exist); returns the session keys. */
export async function seedPipeline(p: Pipeline, options: SeedOptions = {}): Promise<Array<{ subject_id: number; session_idx: number }>> {
  const subjects = options.subjects ?? 3;
  const sessions = options.sessionsPerSubject ?? 2;
  const samples = options.samplesPerSession ?? 5;
  const sexes = ['f', 'm', 'u'];
  await p.Subject.insert(
    Array.from({ length: subjects }, (_, i) => ({
      subject_id: i + 1,
      subject_name: `subject ${i + 1}`,
      sex: sexes[i % sexes.length],
      date_of_birth: `2023-0${(i % 9) + 1}-15`,
    })),
    { skipDuplicates: true },
  );
  const keys: Array<{ subject_id: number; session_idx: number }> = [];
  for (let s = 1; s <= subjects; s++) {
    for (let k = 1; k <= sessions; k++) keys.push({ subject_id: s, session_idx: k });
  }
  // One day per session from 2024-01-01 on: (session_date, session_idx) is UNIQUE, so
  // dates that repeat (e.g. a day of the month) would make skipDuplicates drop sessions.
  await p.Session.insert(
    keys.map((key, i) => ({ ...key, session_date: sessionDate(i), operator: i % 2 ? 'ann' : 'bob' })),
    { skipDuplicates: true },
  );
  await p.RawData.insert(
    keys.map((key) => ({
      ...key,
      // A small deterministic signal per session.
      samples: Array.from({ length: samples }, (_, j) => Math.round(Math.sin(key.subject_id * 7 + key.session_idx * 3 + j) * 1000) / 1000),
      sampling_rate: 1000,
    })),
    { skipDuplicates: true },
  );
  return keys;
}
