// Parent tables for tests: a resolver over a few declared definitions, as the language
// server's workspace index would provide.
import { analyzeTable, parseDefinition, type ResolvedTable, type Tier, type ValidationContext } from '../../../runtime/definition';

const sources: Record<string, { tier: Tier; text: string }> = {
  Subject: { tier: 'Manual', text: 'subject_id : int32  # unique id\n---\nsex : enum(\'M\', \'F\')' },
  Session: { tier: 'Manual', text: '-> Subject\nsession_idx : int16\n---\nnote : varchar(255)\nstarted : datetime' },
  Master: { tier: 'Computed', text: '-> Session\n---\nresult : float64' },
  'acq.Scan': { tier: 'Imported', text: '-> Session\nscan_idx : int16\n---\nmeta : json' },
  'Master.Part': { tier: 'Part', text: '-> Master\nunit_idx : int32\n---\nspikes : <blob>' },
};

const tables = new Map<string, ResolvedTable>();

function build(name: string): ResolvedTable | undefined {
  const cached = tables.get(name);
  if (cached) return cached;
  const src = sources[name];
  if (!src) return undefined;
  const { ast } = parseDefinition(src.text);
  const model = analyzeTable(ast, { resolve: (p) => build(p.join('.')) });
  const toResolved = (a: (typeof model.attributes)[number]) => ({
    name: a.name, type: a.type, nullable: a.nullable, ...(a.comment ? { comment: a.comment } : {}), span: a.span,
  });
  const table: ResolvedTable = {
    id: `test:${name}`,
    name,
    tier: src.tier,
    primaryKey: model.attributes.filter((a) => model.primaryKey.includes(a.name)).map(toResolved),
    attributes: model.attributes.map(toResolved),
  };
  tables.set(name, table);
  return table;
}

export function resolve(path: string[]): ResolvedTable | undefined {
  return build(path.join('.'));
}

export function context(extra: ValidationContext = {}): ValidationContext {
  return { resolve: (path) => (path.length === 1 && path[0] === 'master' && extra.masterName ? resolve([extra.masterName]) : resolve(path)), ...extra };
}

export const sourceOf = (name: string): string => sources[name]!.text;
