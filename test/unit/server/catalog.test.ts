// The pure pieces of catalog resolution: a received snapshot is validated
// (parseCatalogSnapshot), a definition is compared with its declared table in DataJoint's
// vocabulary (compareWithDeclared: DJ601's diff), and the class lookup picks the schema
// the hints single out (server/workspace/catalog.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTable, parseDefinition } from '../../../runtime/definition/index';
import { compareWithDeclared, parseCatalogSnapshot, type CatalogAttribute, type CatalogTable } from '../../../runtime/catalog/index';
import { DatabaseCatalog, tableNameOf } from '../../../server/workspace/catalog';
import { TableIndex } from '../../../runtime/project/index';

const col = (name: string, type: string, o: Partial<CatalogAttribute> = {}): CatalogAttribute => ({
  name, sqlType: type, type, category: 'core', typeSource: 'marker', nullable: false, default: null, inKey: false, comment: '', autoIncrement: false, hidden: false, ...o,
});
const table = (schema: string, name: string, className: string, attributes: CatalogAttribute[], comment = ''): CatalogTable => ({
  schema, name, tier: 'Manual', className, comment, estimatedRows: 0, attributes, primaryKey: attributes.filter((a) => a.inKey).map((a) => a.name), foreignKeys: [], indexes: [],
});

const declared = table('lab', 'subject', 'Subject', [
  col('subject_id', 'int32', { inKey: true }),
  col('name', 'varchar(64)', { default: '', comment: 'nickname' }),
  col('weight', 'float', { sqlType: 'float', typeSource: 'sql', category: 'native', nullable: true }),
  col('_job_start_time', 'datetime(3)', { hidden: true, nullable: true }),
], 'Subjects');
const model = (text: string) => analyzeTable(parseDefinition(text).ast);

test('an unchanged definition compares equal (spacing, quotes and native types as the backend stores them)', () => {
  for (const backend of ['mysql', 'postgresql'] as const) {
    const r = compareWithDeclared(model('# Subjects\nsubject_id : int32\n---\nname = "" : VARCHAR(64)  # nickname\nweight = null : float'), declared, backend);
    assert.deepEqual(r.diff, [], backend);
  }
});

test('each difference is a diff line: type, default, comment, key, attribute added and removed, table comment', () => {
  const r = compareWithDeclared(model('# People\nsubject_id : int64\nname = "x" : varchar(64)  # nick\n---\nheight : float32'), declared, 'mysql');
  assert.deepEqual(r.diff, [
    '- # Subjects', '+ # People',
    '- primary key (subject_id)', '+ primary key (subject_id, name)',
    '- subject_id : int32', '+ subject_id : int64',
    '- name = "" : varchar(64)  # nickname', '+ name = "x" : varchar(64)  # nick',
    '+ height : float32',
    '- weight = null : float',
  ]);
});

test('a received snapshot is checked: null stays null, a malformed one is refused with the reason', () => {
  assert.equal(parseCatalogSnapshot(null), null);
  const ok = parseCatalogSnapshot({ label: 'x', backend: 'postgresql', tables: [declared] })!;
  assert.equal(ok.backend, 'postgresql');
  assert.deepEqual(ok.schemas, ['lab']);
  assert.deepEqual(ok.tables[0]!.primaryKey, ['subject_id']);
  assert.throws(() => parseCatalogSnapshot('catalog'), /not an object/);
  assert.throws(() => parseCatalogSnapshot({ tables: [{ schema: 'a', name: 'b', className: 'B', tier: 'Nope', attributes: [] }] }), /tables\[0\]/);
  assert.throws(() => parseCatalogSnapshot({ backend: 'oracle', tables: [] }), /backend/);
});

test('the lookup: one table of a class is found; among several, the hints decide or nothing is', () => {
  const c = new DatabaseCatalog();
  c.set({ label: 'db', backend: 'mysql', schemas: ['lab', 'lab_acquisition', 'other'], tables: [declared, table('lab_acquisition', 'session', 'Session', []), table('other', 'session', 'Session', [])] });
  const none = () => ({ strong: [], weak: [] });
  assert.equal(c.lookup(['Subject'], none)?.schema, 'lab');
  assert.equal(c.lookup(['Session'], none), undefined, 'ambiguous');
  assert.equal(c.lookup(['acquisition', 'Session'], (q) => ({ strong: [], weak: q ? [q] : [] }))?.schema, 'lab_acquisition');
  assert.equal(c.lookup(['Session'], () => ({ ownSchema: 'other', strong: [], weak: [] }))?.schema, 'other');
  assert.equal(c.lookup(['acq', 'Session'], () => ({ strong: ['other'], weak: [] }))?.schema, 'other');
  c.set(null);
  assert.equal(c.lookup(['Subject'], none), undefined);
});

// A part's SQL name begins with its master's (TableIndex.masterOf: the first class of the
// master's name with a tier, looked up by id), as DataJoint names it.
test('the SQL names of workspace tables: parts through their master, a master with an untiered namesake before it', () => {
  const index = new TableIndex();
  index.setFile('/w/lab.py', [
    'import datajoint as dj',
    'class Session(Unrelated):',
    '    definition = "x : int32"',
    'class Session(dj.Manual):',
    '    definition = """',
    '    session_id : int32',
    '    """',
    '    class Trial(dj.Part):',
    '        definition = """',
    '        -> master',
    '        """',
    'class Kind(dj.Lookup):',
    '    definition = """',
    '    kind : varchar(8)',
    '    """',
    '    class AlsoKind(dj.Part):',
    '        definition = """',
    '        -> master',
    '        """',
    '',
  ].join('\n'), 'python');
  const names = index.tables().map((t) => [t.id, tableNameOf(index, t)]);
  assert.deepEqual(names, [
    ['/w/lab.py#Session~2', 'session'],
    ['/w/lab.py#Session.Trial', 'session__trial'],
    ['/w/lab.py#Kind', '#kind'],
    ['/w/lab.py#Kind.AlsoKind', '#kind__also_kind'],
  ]);
  assert.equal(index.masterOf(index.table('/w/lab.py#Kind.AlsoKind')!)?.id, '/w/lab.py#Kind');
  assert.equal(index.masterOf(index.table('/w/lab.py#Kind')!), undefined);
});

// Each `@schema` class statement declares its table, so a master defined twice declares
// two, each with the parts written inside it (not those of the first of the name).
test('the parts of a master defined twice are named through the class that holds them', () => {
  const index = new TableIndex();
  const master = (tier: string, key: string): string[] => [
    `class Rig(dj.${tier}):`, '    definition = """', `    ${key} : int32`, '    """',
    '    class Port(dj.Part):', '        definition = """', '        -> master', '        """',
  ];
  index.setFile('/w/rig.py', ['import datajoint as dj', ...master('Manual', 'rig_id'), ...master('Lookup', 'kind_id'), ''].join('\n'), 'python');
  assert.deepEqual(index.tables().map((t) => [t.id, tableNameOf(index, t)]), [
    ['/w/rig.py#Rig', 'rig'],
    ['/w/rig.py#Rig.Port', 'rig__port'],
    ['/w/rig.py#Rig~2', '#rig'],
    ['/w/rig.py#Rig.Port~2', '#rig__port'],
  ]);
  assert.equal(index.masterOf(index.table('/w/rig.py#Rig.Port~2')!)?.id, '/w/rig.py#Rig~2');
});
