// View Rows against the live MariaDB: a table of 3,000 rows opened from its Tables view
// item, the grid paged forward and back, sorted both ways by clicking a header, restricted
// (a valid condition, key JSON, and text that is not one condition: refused in place, never
// run), a blob opened whole, the estimate replaced by the exact count, and the same panel
// revealed when asked by the table's full name. Every action is performed on the webview's
// own controls and checked by what the webview reports it drew (RowsApi).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as dj from '../../../runtime/index';
import type { RowsPanelHandle } from '../../../client/rows/rowsPanel';
import type { RowsRendered, RowsTestAction } from '../../../client/rows/rowsProtocol';
import type { TablesNode } from '../../../client/views/tablesTree';
import { VIEW_ROWS_COMMAND } from '../../../client/commandNames';
import { activatedApi, screenshot, waitFor } from './helpers';
import { connectWindow, disconnectWindow, freshSchema } from './computationsSetup';

// Per extension host: the repository and .vsix runs may share one server at the same time.
const SCHEMA = `vscode_rows_${process.pid}`;
const N = 3000;
/** A value that does not follow the key, so sorting by it reorders the rows. */
const valueOf = (id: number) => (id * 7919) % 3001;

async function rendered(h: RowsPanelHandle, action: RowsTestAction): Promise<RowsRendered> {
  const r = await h.act(action);
  assert.ok(!(r instanceof Object && 'uri' in r), 'a drawing, not a document');
  return r as RowsRendered;
}

suite('Rows grid (View Rows)', function () {
  this.timeout(180_000);
  let conn: dj.Connection;
  let grid: RowsPanelHandle;

  suiteSetup(async () => {
    conn = await freshSchema(SCHEMA);
    const schema = new dj.Schema(SCHEMA, { connection: conn });
    class Sample extends dj.Manual {
      static override definition = `
        # samples to page through
        sample_id : int32
        ---
        value : int32
        label : varchar(16)
        recorded : datetime
        trace = null : <blob>
      `;
    }
    await schema.declare(Sample);
    for (let start = 1; start <= N; start += 1000) {
      await Sample.insert(
        Array.from({ length: 1000 }, (_, k) => {
          const id = start + k;
          return { sample_id: id, value: valueOf(id), label: `s${id % 5}`, recorded: '2024-03-31 02:30:00', trace: id % 10 === 7 ? Float64Array.of(id, id / 2, id / 4) : null };
        }),
      );
    }
    await connectWindow(SCHEMA);
  });

  suiteTeardown(async () => {
    grid?.panel.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await disconnectWindow();
    await conn?.execute(`DROP DATABASE IF EXISTS \`${SCHEMA}\``);
    await conn?.close();
  });

  test('opens from the table in the Tables view: the first page, the types in the header, the count', async () => {
    const api = await activatedApi();
    const roots = await api.tables.getChildren();
    const schemaNode = roots.find((n) => n.kind === 'schema' && n.schema === SCHEMA);
    assert.ok(schemaNode, JSON.stringify(roots));
    const tables = await api.tables.getChildren(schemaNode);
    const node = tables.find((n): n is Extract<TablesNode, { kind: 'table' }> => n.kind === 'table' && n.table.className === 'Sample');
    assert.ok(node, JSON.stringify(tables.map((t) => t.kind)));
    assert.match(String(api.tables.getTreeItem(node).contextValue), /\btable\b/);
    const handle = await vscode.commands.executeCommand<RowsPanelHandle>(VIEW_ROWS_COMMAND, node);
    assert.ok(handle, 'View Rows opened a grid');
    grid = handle;
    assert.equal(api.rows.panel(SCHEMA, 'sample'), handle);
    const first = await waitFor('the first page drawn', () => (handle.rendered?.reason === 'page' || handle.rendered?.reason === 'count' ? handle.rendered : undefined));
    assert.equal(first.rows, 100);
    assert.equal(first.firstKey, 'sample_id=1');
    assert.equal(first.page, 1);
    assert.deepEqual(first.headers, ['sample_id PK int32', 'value int32', 'label varchar(16)', 'recorded datetime', 'trace <blob> · null']);
    assert.deepEqual(first.firstRow, ['1', String(valueOf(1)), 's1', '2024-03-31 02:30:00', 'NULL']);
    assert.deepEqual(first.firstRowKinds, ['number', 'number', 'text', 'date', 'null']);
    // The exact count follows the estimate.
    const counted = await waitFor('the exact count', () => (handle.rendered && /^page 1 of 30 · rows 1–100 of 3000 rows$/.test(handle.rendered.pageLabel) ? handle.rendered : undefined));
    assert.equal(counted.rows, 100);
  });

  test('pages forward and back', async () => {
    assert.equal((await rendered(grid, { kind: 'next' })).firstKey, 'sample_id=101');
    const third = await rendered(grid, { kind: 'next' });
    assert.equal(third.firstKey, 'sample_id=201');
    assert.match(third.pageLabel, /^page 3 of 30 · rows 201–300 of 3000 rows$/);
    await screenshot('rows-grid-page-3');
    assert.equal((await rendered(grid, { kind: 'previous' })).firstKey, 'sample_id=101');
    const back = await rendered(grid, { kind: 'first' });
    assert.equal(back.firstKey, 'sample_id=1');
    assert.equal(back.page, 1);
  });

  test('a restriction the server refuses leaves the page shown, and paging goes on from it', async () => {
    await rendered(grid, { kind: 'next' });
    const third = await rendered(grid, { kind: 'next' });
    assert.equal(third.firstKey, 'sample_id=201');
    // Passes the box's check (one condition over known attributes); the server has no such function.
    const refused = await rendered(grid, { kind: 'restrict', text: 'nosuchfn(sample_id) > 1' });
    assert.equal(refused.reason, 'problem');
    assert.match(refused.problem ?? '', /nosuchfn/i);
    assert.equal(refused.firstKey, 'sample_id=201', 'the page shown stays');
    const fourth = await rendered(grid, { kind: 'next' });
    assert.equal(fourth.firstKey, 'sample_id=301');
    assert.match(fourth.pageLabel, /^page 4 of 30 · rows 301–400 of 3000 rows$/);
    assert.equal((await rendered(grid, { kind: 'first' })).firstKey, 'sample_id=1');
  });

  test('sorts by clicking a header, ascending then descending, the key breaking ties', async () => {
    const values = Array.from({ length: N }, (_, i) => valueOf(i + 1));
    const asc = await rendered(grid, { kind: 'sort', attribute: 'value' });
    assert.equal(asc.headers[1], 'value ▲ int32');
    assert.equal(asc.firstRow[1], String(Math.min(...values)));
    const desc = await rendered(grid, { kind: 'sort', attribute: 'value' });
    assert.equal(desc.headers[1], 'value ▼ int32');
    assert.equal(desc.firstRow[1], String(Math.max(...values)));
    // Ties: label has five values; within one, keys ascend.
    const byLabel = await rendered(grid, { kind: 'sort', attribute: 'label' });
    assert.equal(byLabel.firstKey, 'sample_id=5');
    assert.equal(byLabel.firstRow[2], 's0');
    const next = await rendered(grid, { kind: 'next' });
    assert.equal(next.firstKey, 'sample_id=505');
  });

  test('restricts by a condition and by key JSON; text that is not one condition is refused in place and never runs', async () => {
    const some = await rendered(grid, { kind: 'restrict', text: 'sample_id > 2990' });
    assert.equal(some.rows, 10);
    assert.equal(some.page, 1);
    assert.equal(some.problem, undefined);
    await waitFor('the restricted count', () => (grid.rendered && /of 10 rows$/.test(grid.rendered.pageLabel) ? true : undefined));
    const refused = await rendered(grid, { kind: 'restrict', text: 'sample_id > 10; DROP TABLE sample' });
    assert.equal(refused.reason, 'problem');
    assert.equal(refused.problem, 'Not one SQL condition: it has `;` at character 15 (a second statement).');
    assert.equal(refused.rows, 10, 'the page shown stays');
    const unknown = await rendered(grid, { kind: 'restrict', text: '{"sampleid": 7}' });
    assert.match(unknown.problem ?? '', /Attribute `sampleid` is not in/);
    assert.equal(Number((await conn.query(`SELECT COUNT(*) AS n FROM \`${SCHEMA}\`.sample`))[0]!.n), N);
    const one = await rendered(grid, { kind: 'restrict', text: '{"sample_id": 7}' });
    assert.equal(one.rows, 1);
    assert.equal(one.firstKey, 'sample_id=7');
    assert.equal(one.problem, undefined);
    assert.match(one.firstRow[4]!, /^float64 3: 7, 3\.5, 1\.75$/);
    assert.equal(one.firstRowKinds[4], 'blob');
  });

  test('Open value shows the whole decoded blob in a read-only editor', async () => {
    const doc = (await grid.act({ kind: 'open', row: 0, column: 'trace' })) as vscode.TextDocument;
    assert.equal(doc.uri.scheme, 'datajoint-value');
    assert.equal(doc.getText(), '{\n  "dtype": "float64",\n  "shape": [3],\n  "data": [7, 3.5, 1.75]\n}');
    await screenshot('rows-grid-open-value');
  });

  test('View Rows by full name reveals the open grid', async () => {
    const again = await vscode.commands.executeCommand<RowsPanelHandle>(VIEW_ROWS_COMMAND, `\`${SCHEMA}\`.\`sample\``);
    assert.equal(again, grid);
    const all = await rendered(grid, { kind: 'restrict', text: '' });
    assert.equal(all.rows, 100);
    assert.equal(all.problem, undefined);
  });
});
