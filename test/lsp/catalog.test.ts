// The database catalog in the language server (datajoint/catalog): a reference the
// workspace cannot resolve resolves against the tables the client says are declared,
// hover says so, their headings feed the checks downstream, a definition that differs
// from its declared table gets DJ601 with a diff, null (disconnected) brings back the
// workspace-only behaviour, and a malformed notification is logged and ignored.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { ensureBuilt, fileUri, LspClient, positionOf } from './client';
import { complete, hoverText, labels } from './helpers';
import { CATALOG_NOTIFICATION, type CatalogParams } from '../../server/protocol';
import type { CatalogAttribute, CatalogTable } from '../../runtime/catalog/index';

const LAB = [
  'import datajoint as dj',
  '',
  'schema = dj.Schema("example_lab")',
  '',
  '',
  '@schema',
  'class Lab(dj.Lookup):',
  '    definition = """',
  '    # Laboratories',
  '    lab : varchar(32)          # short name',
  '    ---',
  '    institution : varchar(255)',
  '    """',
  '',
].join('\n');

const SUBJECT = [
  'import datajoint as dj',
  'from lab_pipeline.species import Species',
  'from .lab import Lab',
  '',
  'schema = dj.Schema("example_subject")',
  '',
  '',
  '@schema',
  'class Subject(dj.Manual):',
  '    definition = """',
  '    # Experimental subjects',
  '    subject_id : int32',
  '    ---',
  '    -> Species',
  '    -> Lab',
  "    sex : enum('female', 'male', 'unknown')",
  '    date_of_birth = null : date',
  "    subject_notes = '' : varchar(4000)",
  '    """',
  '',
  '',
  '@schema',
  'class Alias(dj.Manual):',
  '    definition = """',
  '    -> Species',
  '    ---',
  '    species : varchar(32)',
  '    """',
  '',
].join('\n');

/** A column as Catalog.describeTable reads it back (a marked DataJoint type unless said otherwise). */
function col(name: string, type: string, o: Partial<CatalogAttribute> = {}): CatalogAttribute {
  return { name, sqlType: type, type, category: 'core', typeSource: 'marker', nullable: false, default: null, inKey: false, comment: '', autoIncrement: false, hidden: false, ...o };
}

function table(schema: string, name: string, tier: CatalogTable['tier'], className: string, attributes: CatalogAttribute[], comment = '', foreignKeys: CatalogTable['foreignKeys'] = []): CatalogTable {
  return { schema, name, tier, className, comment, estimatedRows: 0, attributes, primaryKey: attributes.filter((a) => a.inKey).map((a) => a.name), foreignKeys, indexes: [] };
}

const fk = (parentSchema: string, parentTable: string, columns: string[]) => ({
  constraint: `${parentTable}_fk`, parentSchema, parentTable, attrMap: Object.fromEntries(columns.map((c) => [c, c])), columns, primary: false, aliased: false, nullable: false, unique: false,
});

const CATALOG: NonNullable<CatalogParams> = {
  label: 'root@db.example:3306',
  backend: 'mysql',
  schemas: ['example_lab', 'example_subject'],
  tables: [
    table('example_lab', '#lab', 'Lookup', 'Lab', [col('lab', 'varchar(32)', { inKey: true, comment: 'short name' }), col('institution', 'varchar(255)')], 'Laboratories'),
    table('example_subject', '#species', 'Lookup', 'Species', [col('species', 'varchar(32)', { inKey: true, comment: 'common name' })], 'Species of subjects'),
    table(
      'example_subject',
      'subject',
      'Manual',
      'Subject',
      [
        col('subject_id', 'int32', { inKey: true }),
        col('species', 'varchar(32)', { typeSource: 'foreignKey', comment: 'common name' }),
        col('lab', 'varchar(32)', { typeSource: 'foreignKey', comment: 'short name' }),
        col('sex', "enum('female', 'male', 'unknown')"),
        col('date_of_birth', 'date', { nullable: true }),
        col('subject_notes', 'varchar(255)', { default: '' }),
      ],
      'Experimental subjects',
      [fk('example_subject', '#species', ['species']), fk('example_lab', '#lab', ['lab'])],
    ),
  ],
};

const codes = (ds: Diagnostic[]): string[] => ds.map((d) => String(d.code)).sort();

describe('the database catalog in the language server', () => {
  let root: string;
  let client: LspClient;
  let subjectUri: string;
  let labUri: string;

  before(async () => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'dj-lsp-catalog-'));
    writeFileSync(join(root, '__init__.py'), '');
    writeFileSync(join(root, 'lab.py'), LAB);
    writeFileSync(join(root, 'subject.py'), SUBJECT);
    ({ client } = await LspClient.start(root));
    await client.waitIndexed();
    labUri = fileUri(join(root, 'lab.py'));
    subjectUri = fileUri(join(root, 'subject.py'));
    client.open(labUri, LAB);
    client.open(subjectUri, SUBJECT);
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('without a catalog, a reference the workspace cannot resolve is a warning', async () => {
    const d = await client.waitDiagnostics(subjectUri, (x) => x.length > 0);
    assert.deepEqual(codes(d), ['DJ303', 'DJ303']);
    assert.deepEqual(codes(await client.waitDiagnostics(labUri)), []);
  });

  it('with a catalog, the reference resolves, hover says from the database, and the heading feeds the checks', async () => {
    client.notify(CATALOG_NOTIFICATION, CATALOG);
    const d = await client.waitDiagnostics(subjectUri, (x) => !x.some((y) => y.code === 'DJ303'));
    // Alias: `species` is brought by `-> Species` (read from the database) and declared again.
    const dup = d.find((x) => x.code === 'DJ206');
    assert.ok(dup, `DJ206 on Alias: ${JSON.stringify(d)}`);
    const h = await client.request<{ contents: unknown } | null>('textDocument/hover', { textDocument: { uri: subjectUri }, position: positionOf(SUBJECT, '-> Species', 4) });
    const text = hoverText(h);
    assert.match(text, /Species.*from the database \(root@db\.example:3306\)/);
    assert.match(text, /`example_subject`\.`#species`/);
    assert.match(text, /species` : `varchar\(32\)`/);
  });

  it('a definition that differs from its declared table gets DJ601 with the diff; an unchanged one gets nothing', async () => {
    const d = await client.waitDiagnostics(subjectUri, (x) => x.some((y) => y.code === 'DJ601'));
    const diff = d.filter((x) => x.code === 'DJ601');
    assert.equal(diff.length, 1, JSON.stringify(d));
    assert.equal(diff[0]!.severity, 2);
    assert.deepEqual(diff[0]!.range.start, positionOf(SUBJECT, 'Subject(dj.Manual)'), 'on the class name');
    assert.match(String(diff[0]!.message), /`example_subject\.subject` declared in the database \(root@db\.example:3306\)/);
    const lines = String(diff[0]!.message).split('\n').slice(1);
    assert.deepEqual(lines, ['- subject_notes = "" : varchar(255)', "+ subject_notes = '' : varchar(4000)"]);
    // Lab is declared exactly as written: no DJ601.
    assert.deepEqual(codes(await client.waitDiagnostics(labUri)), []);
  });

  it('completion after -> offers the declared tables the workspace does not have', async () => {
    const edited = SUBJECT.replace('    -> Lab\n', '    -> Lab\n    -> \n');
    client.change(subjectUri, edited);
    const at = positionOf(edited, '    -> \n', 7);
    const items = labels(await complete(client, subjectUri, at));
    assert.ok(items.includes('Lab'), 'the workspace table');
    assert.ok(items.includes('Species'), `the declared table: ${items.join(', ')}`);
    client.change(subjectUri, SUBJECT);
    await client.waitDiagnostics(subjectUri, (x) => x.some((y) => y.code === 'DJ601'));
  });

  it('a malformed catalog is logged and ignored; the server keeps the catalog it had', async () => {
    for (const bad of [42, { tables: 'no' }, { tables: [{ schema: 1 }] }, { backend: 'oracle', tables: [] }]) client.notify(CATALOG_NOTIFICATION, bad);
    await client.until('the warnings', () => client.received.logs.filter((l) => l.includes(`ignored a malformed ${CATALOG_NOTIFICATION}`)).length === 4);
    assert.ok(client.alive);
    client.change(subjectUri, SUBJECT + '\n');
    const d = await client.waitDiagnostics(subjectUri);
    assert.ok(d.some((x) => x.code === 'DJ601') && !d.some((x) => x.code === 'DJ303'), JSON.stringify(codes(d)));
  });

  it('null (disconnected) brings the warnings back and drops DJ601', async () => {
    client.notify(CATALOG_NOTIFICATION, null);
    const d = await client.waitDiagnostics(subjectUri, (x) => x.some((y) => y.code === 'DJ303'));
    assert.deepEqual(codes(d), ['DJ303', 'DJ303']);
  });
});
