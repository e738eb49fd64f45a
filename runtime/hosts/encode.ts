// Writing text back into a definition literal (quick fixes, formatting): the inverse
// of the decoders, for the literal's own quoting style.
import type { LiteralStyle } from './types';

/**
 * Host source text that decodes to `value` inside a literal written in `style`.
 * Raw Python strings cannot express a quote before the end or a lone trailing
 * backslash; such text is returned as is.
 */
export function encodeForHost(value: string, style: LiteralStyle): string {
  if (style.quote === '`') {
    return value.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${').replace(/\r/g, '\\r');
  }
  const triple = style.quote.length === 3;
  const q = style.quote[0];
  if (style.raw) return triple ? value : value.replace(/\r?\n/g, ' ');
  let out = value.replace(/\\/g, '\\\\').replace(/\r/g, '\\r');
  if (/[ft]/i.test(style.prefix)) out = out.replace(/\{/g, '{{').replace(/\}/g, '}}');
  if (triple) {
    // A quote next to another (or at the end, next to the closing quotes) would end the literal early.
    return out.replace(new RegExp(`${q}(?=${q}|$)`, 'g'), `\\${q}`);
  }
  return out.replace(new RegExp(q, 'g'), `\\${q}`).replace(/\n/g, '\\n');
}
