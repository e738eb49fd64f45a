// Generated pipelines for the language-server benchmark: realistic shapes (groups of
// related tables, imports between sibling modules), sized by the caller.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TYPES = ['int32', 'int16', 'float64', 'varchar(64)', 'date', 'bool', '<blob>', 'decimal(8,3)', "enum('a','b')", 'datetime(3)'];

/**
 * A pipeline module of `n` tables padded with comments to `targetLines` lines. Tables come
 * in groups of ten, as in real pipelines: each references the previous one of its group
 * in the primary key (a chain at most ten deep) and the table ten before it below `---`.
 */
export function pythonModule(n: number, prefix: string, imports: string[] = [], parentRef?: string, targetLines?: number): string {
  const out: string[] = ['import datajoint as dj', ...imports, '', `schema = dj.Schema("${prefix.toLowerCase()}")`, ''];
  const perTable = targetLines ? Math.ceil((targetLines - out.length) / n) : 0;
  for (let i = 0; i < n; i++) {
    const start = out.length;
    const ref = i % 10 !== 0 ? `${prefix}${i - 1}` : i === 0 ? parentRef : undefined;
    // Computed tables take their whole key from the table they compute from.
    const computed = ref !== undefined && i % 3 === 2;
    const tier = computed ? 'Computed' : i % 2 ? 'Lookup' : 'Manual';
    out.push('', '@schema', `class ${prefix}${i}(dj.${tier}):`, '    definition = """', `    # table ${i} of ${prefix}`);
    if (ref) out.push(`    -> ${ref}`);
    if (!computed) out.push(`    ${prefix.toLowerCase()}${i}_id : int32   # key`);
    out.push('    ---');
    if (i >= 10) out.push(`    -> ${prefix}${i - 10}`);
    for (let a = 0; a < 8; a++) out.push(`    attr_${a} : ${TYPES[(i + a) % TYPES.length]}   # attribute ${a}`);
    out.push(`    index(attr_${TYPES[i % TYPES.length] === '<blob>' ? 1 : 0})`, '    """', '');
    if (computed) out.push('    def make(self, key):', '        self.insert1(key)');
    while (perTable && out.length - start < perTable) out.push(`    # padding line ${out.length - start}`);
  }
  return `${out.join('\n')}\n`;
}

/** 1,000 files: 100 packages of 10 modules; each module imports its predecessor and references its last table. */
export function generateWorkspace(root: string): number {
  let files = 0;
  for (let p = 0; p < 100; p++) {
    const pkg = join(root, `pkg${p}`);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, '__init__.py'), '');
    files++;
    for (let m = 0; m < 9; m++) {
      const prefix = `P${p}M${m}T`;
      const imports = m > 0 ? [`from . import mod${m - 1}`] : [];
      const parent = m > 0 ? `mod${m - 1}.P${p}M${m - 1}T2` : undefined;
      writeFileSync(join(pkg, `mod${m}.py`), pythonModule(3, prefix, imports, parent));
      files++;
    }
  }
  return files;
}

