// The values of `djx populate/progress/jobs` options that carry restrictions, keys and
// JSON, checked before anything runs: each refusal is one line naming the option and
// its text (exit 2, failWith), never another option's name.
import { readFileSync } from 'node:fs';
import { checkCondition } from '../../query/condition';
import { unknownAttributes, unknownAttributesMessage } from '../../query/unknown-attributes';

/** A refused option value: a usage error (exit 2). `problem` continues the sentence "--option "text" …". */
export class OptionValueError extends SyntaxError {
  constructor(option: string, text: string, problem: string) {
    super(`${option} ${JSON.stringify(text)} ${problem}`);
    this.name = 'OptionValueError';
  }
}

function parseJson(option: string, text: string, shown = text): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new OptionValueError(option, shown, `is not valid JSON (${(e as Error).message})`);
  }
}

/** The SQL conditions in a restriction value (itself, or the strings of a JSON array). */
function conditionsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(conditionsOf);
  return [];
}

/**
 * `--restriction`/`-r`: JSON (object or array) when it looks like JSON, else one SQL
 * condition (query/condition.ts), refused here when it is not one.
 */
export function parseRestriction(text: string, option = '--restriction', shown = text): unknown {
  const t = text.trim();
  const value = t.startsWith('{') || t.startsWith('[') ? parseJson(option, text, shown) : text;
  for (const c of conditionsOf(value)) {
    const problem = checkCondition(c);
    if (problem !== undefined) {
      throw new OptionValueError(option, shown, `${c === text ? 'is' : `has ${JSON.stringify(c)}, which is`} not one SQL condition: it ${problem}`);
    }
  }
  return value;
}

/**
 * `--restriction-file <path>`: a file holding one restriction, as `--restriction` takes
 * it (the editor passes a long key list this way: a command line argument is limited to
 * 128 KiB on Linux). A refusal names the file, not its possibly huge text.
 */
export function readRestrictionFile(path: string): { text: string; value: unknown } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OptionValueError('--restriction-file', path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { text, value: parseRestriction(text, '--restriction-file', path) };
}

/** An option whose value is a JSON object (`--make-kwargs`, `--key`). */
export function parseJsonObject(option: string, text: string): Record<string, unknown> {
  const value = parseJson(option, text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new OptionValueError(option, text, 'is not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Refuses values naming attributes that none of the tables has in `known` (the key
 * sources' headings for `--restriction`, the jobs tables' keys for `--key`): the API
 * ignores them, as the reference does, so a typo would select every key.
 */
export function refuseUnknownAttributes(option: string, texts: readonly string[], values: readonly unknown[], known: readonly string[], where: string): void {
  values.forEach((v, i) => {
    const unknown = unknownAttributes(v as never, known);
    if (unknown.length) throw new OptionValueError(option, texts[i]!, `refused: ${unknownAttributesMessage(unknown, known, where)}`);
  });
}
