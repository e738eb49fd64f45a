import assert from 'node:assert/strict';
import type { HostDefinition } from '../../../runtime/hosts';

/**
 * The exact-map property: every verbatim definition character is the host character at
 * its mapped offset, mapping back returns the same offset, and every escape's host text
 * is a backslash sequence (or a normalised line break / doubled f-string brace).
 */
export function assertExactMap(host: string, def: HostDefinition): void {
  const { map, text } = def;
  assert.equal(map.length, text.length);
  assert.equal(map.toHost(0), def.contentSpan.start);
  assert.equal(map.toHost(text.length), def.contentSpan.end);
  for (let d = 0; d < text.length; d++) {
    const h = map.toHost(d);
    if (map.isVerbatim(d)) {
      assert.equal(host[h], text[d], `character at definition offset ${d}`);
      assert.equal(map.toDefinition(h), d, `round trip at definition offset ${d}`);
    } else {
      // Inside an escape that decodes to two UTF-16 units (\U0001F600) only the first maps back exactly.
      assert.ok(map.toDefinition(h) <= d && map.toDefinition(h) >= d - 1, `escape round trip at ${d}`);
    }
  }
  for (const e of map.escapes()) {
    const written = host.slice(e.host.start, e.host.end);
    assert.match(written, /^(\\[^]*|\r\n?|\{\{|\}\})$/, `escape ${JSON.stringify(written)}`);
  }
  // Monotonic: host offsets never go backwards.
  let prev = -1;
  for (let d = 0; d <= text.length; d++) {
    const h = map.toHost(d);
    assert.ok(h >= prev, `monotonic at ${d}`);
    prev = h;
  }
}

export function only<T>(xs: T[]): T {
  assert.equal(xs.length, 1, `expected one item, got ${xs.length}`);
  return xs[0];
}
