// A restriction too long for a command line (Retry and Populate of a group of thousands of
// keys is one JSON array of them; Linux refuses a single argument over 128 KiB) goes to
// the CLI or the Python runner in a file of its own (`--restriction-file`), read there by
// the same rules as `--restriction`. The files live in a private temporary folder removed
// when the run ends. No vscode import: unit-tested (test/unit/client/restriction-files.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Longer restrictions than this (in UTF-16 units, so at most 3x as many bytes) go into
 * files. Windows limits a whole command line to 32,767 characters (and escapes every `"` of
 * a JSON key list), so there any restriction of some length goes.
 */
export const LONG_RESTRICTION = process.platform === 'win32' ? 2048 : 16 * 1024;

/** The restriction fields of populate's options (populateRun.ts: PopulateOptions). */
export interface Restricted {
  restrictions?: string[];
  restrictionFiles?: string[];
}

export interface SpilledOptions<T extends Restricted> {
  options: T;
  /** Removes the files (idempotent). */
  dispose(): void;
}

export function spillLongRestrictions<T extends Restricted>(options: T, limit = LONG_RESTRICTION): SpilledOptions<T> {
  const long = (options.restrictions ?? []).filter((r) => r.length > limit);
  if (!long.length) return { options, dispose: () => undefined };
  // mkdtemp makes the folder 0700: other users cannot read the keys or swap a file in.
  const dir = mkdtempSync(join(tmpdir(), 'dj-restriction-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const files = long.map((text, i) => {
      const file = join(dir, `restriction-${i + 1}.txt`);
      writeFileSync(file, text, { encoding: 'utf8', mode: 0o600 });
      return file;
    });
    return {
      options: { ...options, restrictions: (options.restrictions ?? []).filter((r) => r.length <= limit), restrictionFiles: [...(options.restrictionFiles ?? []), ...files] },
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}
