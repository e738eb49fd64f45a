// Edits shared by quick fixes: removing a foreign-key option or a whole line.
import type { ForeignKeyLine, Identifier, Span } from '../ast';
import type { Fix } from '../diagnostic';

/** Removes one option with its separating comma; the brackets too when it was the only one. */
export function removeOptionFix(line: ForeignKeyLine, option: Identifier, source: string, title: string): Fix {
  const options = line.options;
  const i = options.indexOf(option);
  let span: Span;
  if (options.length === 1 && line.optionsSpan) {
    let end = line.optionsSpan.end;
    while (end < source.length && (source[end] === ' ' || source[end] === '\t')) end++;
    span = { start: line.optionsSpan.start, end };
  } else if (i < options.length - 1) {
    span = { start: option.span.start, end: options[i + 1]!.span.start };
  } else {
    span = { start: options[i - 1]!.span.end, end: option.span.end };
  }
  return { title, edits: [{ span, newText: '' }], preferred: true };
}

/** Deletes a whole line, with its line break. */
export function deleteLineFix(source: string, span: Span, title: string): Fix {
  const lineStart = source.lastIndexOf('\n', span.start - 1) + 1;
  const nl = source.indexOf('\n', span.end);
  const edit = nl >= 0 ? { start: lineStart, end: nl + 1 } : { start: Math.max(0, lineStart - 1), end: source.length };
  return { title, edits: [{ span: edit, newText: '' }], preferred: true };
}

/** Deletes the character at an offset (e.g. the colon a comment must not start with). */
export function deleteCharFix(at: number, title: string): Fix {
  return { title, edits: [{ span: { start: at, end: at + 1 }, newText: '' }], preferred: true };
}
