// `--clear-errors <regex>`: before each round, error jobs whose message matches are deleted,
// so that the round's refresh adds them again and a worker retries them — for transient
// failures (deadlocks, "Lock wait timeout exceeded") as dj_worker users do. The patterns
// are applied here, in JavaScript, to the listed messages: never sent to the database.
import { jobsFor, type AutoPopulatedClass } from '../populate/index';

/** Error jobs listed per look; more are taken at the next round. */
const LIST_LIMIT = 10_000;

export async function clearMatchingErrors(table: AutoPopulatedClass, patterns: readonly RegExp[]): Promise<number> {
  if (patterns.length === 0) return 0;
  const jobs = jobsFor(table);
  const matching = (await jobs.errors(LIST_LIMIT)).filter((j) => patterns.some((p) => {
    // A /g or /y pattern keeps state between test() calls; start each message afresh.
    p.lastIndex = 0;
    return p.test(j.errorMessage);
  }));
  if (matching.length === 0) return 0;
  // Deletes only rows still in error (another worker may have cleared or retried one).
  return jobs.retryKeys(matching.map((j) => j.key));
}
