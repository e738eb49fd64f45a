// The exit statuses of every `djx` command, chosen here: 0 done (lint: no error), 1 a key
// failed (lint: findings), 2 usage or connection errors, 130 stopped by Ctrl-C / SIGTERM.
import { InvalidArgumentError } from 'commander';
import { PipelineLoadError } from '../populate/load';
import { ERROR_PREFIX } from './name';

export const EXIT_DONE = 0;
export const EXIT_KEY_FAILED = 1;
/** `djx lint`: errors found (or more warnings than --max-warnings). */
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A usage error raised by a command (bad path, bad option value): exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const USAGE_CODES = new Set(['config', 'unreachable', 'login', 'access', 'lostConnection', 'unknownSchema', 'missingTable', 'usage', 'declaration', 'tableConflict']);

/** Prints one line for an error that ended a command and returns its exit status. */
export function failWith(e: unknown): number {
  const err = e as { code?: unknown; toOneLine?: () => string; message?: string };
  const line = typeof err?.toOneLine === 'function' ? err.toOneLine() : e instanceof Error ? e.message : String(e);
  process.stderr.write(`${ERROR_PREFIX}${line}\n`);
  if (e instanceof PipelineLoadError || e instanceof RangeError || e instanceof SyntaxError) return EXIT_USAGE;
  if (typeof err?.code === 'string' && USAGE_CODES.has(err.code)) return EXIT_USAGE;
  // mysql2 errors outside the runtime's translation (the workers' own connections).
  if (typeof err?.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ER_ACCESS_DENIED_ERROR|ER_DBACCESS_DENIED_ERROR|ER_BAD_DB_ERROR)$/.test(err.code)) return EXIT_USAGE;
  return EXIT_KEY_FAILED;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseCount(name: string, min = 0): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} expects a whole number >= ${min}.`);
    return n;
  };
}

/** A reader that went away (`djx jobs … | head`) ends the output, not the command. */
let tolerating = false;
export function tolerateClosedStdout(): void {
  if (tolerating) return;
  tolerating = true;
  process.stdout.on('error', () => undefined);
}
