// The index's caches (headings, analyses, the dependency graph, inherited tiers) must
// never make an incrementally updated index disagree with one built from scratch, and
// files that updateFile does not name must keep their diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TableIndex } from '../../../runtime/project';

const FILES = ['/w/pkg/a.py', '/w/pkg/b.py', '/w/pkg/c.py', '/w/pkg/d.py'];
const NAMES = ['Alpha', 'Beta', 'Gamma', 'Delta'];

const table = fc.record({
  name: fc.constantFrom(...NAMES),
  base: fc.constantFrom('dj.Manual', 'dj.Computed', 'dj.Lookup', 'Custom'),
  refs: fc.array(fc.tuple(fc.constantFrom('', 'a.', 'b.', 'c.', 'd.'), fc.constantFrom(...NAMES), fc.boolean()), { maxLength: 2 }),
  key: fc.constantFrom('id', 'k', 'id'),
  type: fc.constantFrom('int32', 'varchar(8)', 'INT32'),
});

const file = fc.record({
  tables: fc.array(table, { maxLength: 3 }),
  custom: fc.boolean(),
});

type FileSpec = { tables: Array<{ name: string; base: string; refs: Array<[string, string, boolean]>; key: string; type: string; note?: boolean }>; custom: boolean; comment?: boolean };

function render(spec: FileSpec): string {
  // An edit outside every definition (a comment above them) moves them all in the host.
  const out = spec.comment ? ['# edited above the tables', 'from . import a, b, c, d'] : ['from . import a, b, c, d'];
  if (spec.custom) out.push('class Custom(dj.Computed):', '    pass');
  for (const t of spec.tables) {
    out.push(`class ${t.name}(${t.base}):`, '    definition = """');
    for (const [mod, name, secondary] of t.refs) if (!secondary) out.push(`    -> ${mod}${name}`);
    out.push(`    ${t.key} : ${t.type}`, '    ---');
    for (const [mod, name, secondary] of t.refs) if (secondary) out.push(`    -> [nullable] ${mod}${name}`);
    out.push(`    note : ${t.note ? 'int32' : 'varchar(8)'}`, '    """');
  }
  return out.join('\n') + '\n';
}

type TableSpec = FileSpec['tables'][number];
const retype = (t: TableSpec): TableSpec => ({ ...t, type: t.type === 'int32' ? 'varchar(8)' : 'int32' });
const rekey = (t: TableSpec): TableSpec => ({ ...t, key: t.key === 'id' ? 'k' : 'id' });

/** Typing inside definitions (the same classes and imports, other attributes), or above them. */
function edited(spec: FileSpec, kind: string): FileSpec {
  const tables = spec.tables;
  switch (kind) {
    case 'retype':
      return { ...spec, tables: tables.map(retype) };
    case 'rekey':
      return { ...spec, tables: tables.map(rekey) };
    case 'retype-one':
      return { ...spec, tables: tables.map((t, i) => (i === tables.length - 1 ? retype(t) : t)) };
    case 'note': // a secondary attribute: what references the table inherits stays the same
      return { ...spec, tables: tables.map((t, i) => (i === 0 ? { ...t, note: !t.note } : t)) };
    case 'comment':
      return { ...spec, comment: !spec.comment };
    default:
      throw new Error(`unknown edit ${kind}`);
  }
}

function snapshot(index: TableIndex): Map<string, string> {
  return new Map(FILES.map((f) => [f, JSON.stringify([index.check(f).map((d) => [d.code, d.start, d.end, d.message]), index.tablesIn(f).map((t) => [t.name, t.tier])])]));
}

test('incremental updates agree with a fresh index, and unnamed files keep their diagnostics', () => {
  fc.assert(
    fc.property(fc.array(file, { minLength: 4, maxLength: 4 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.option(file), fc.constantFrom('replace', 'retype', 'rekey', 'retype-one', 'comment', 'note')), { maxLength: 6 }), (initial, edits) => {
      const texts = new Map<string, string>();
      const specs = new Map<string, FileSpec>();
      const index = new TableIndex();
      index.setFile('/w/pkg/__init__.py', '');
      initial.forEach((spec, k) => {
        texts.set(FILES[k], render(spec));
        specs.set(FILES[k], spec);
        index.setFile(FILES[k], texts.get(FILES[k])!);
      });
      let before = snapshot(index);
      for (const [k, replacement, kind] of edits) {
        const path = FILES[k];
        const current = specs.get(path);
        const spec = current && kind !== 'replace' ? edited(current, kind) : replacement;
        let affected: string[];
        if (spec === null) {
          specs.delete(path);
          affected = index.removeFile(path);
          texts.delete(path);
        } else {
          specs.set(path, spec);
          texts.set(path, render(spec));
          affected = index.updateFile(path, texts.get(path)!);
        }
        const fresh = new TableIndex();
        fresh.setFile('/w/pkg/__init__.py', '');
        for (const [p, t] of texts) fresh.setFile(p, t);
        const now = snapshot(index);
        assert.deepEqual(now, snapshot(fresh));
        for (const f of FILES) {
          if (f === path || affected.includes(f)) continue;
          assert.equal(now.get(f), before.get(f), `${f} changed after an edit of ${path} but was not named (${affected.join(', ')})`);
        }
        before = now;
      }
    }),
    { numRuns: 150 },
  );
});
