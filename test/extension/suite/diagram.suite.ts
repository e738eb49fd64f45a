// The pipeline diagram in a real VS Code: the example pipelines of the workspace drawn with
// the database's status on their auto-populated nodes (a screenshot kept as a test
// artefact), the exports, and "Populate this and everything downstream" running Scan,
// Traces and Report one after another in dependency order.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import * as dj from '../../../runtime/index';
import { activatedApi, screenshot, waitFor } from './helpers';
import { SCHEMA, setUpComputations, type ComputationsFixture } from './computationsSetup';
import type { RenderedDiagram } from '../../../client/diagram/diagramPanel';

const DIAGRAM_SCHEMA = 'vscode_diagram';

async function declareDiagramPipeline(conn: dj.Connection): Promise<void> {
  await conn.execute(`DROP DATABASE IF EXISTS \`${DIAGRAM_SCHEMA}\``);
  const schema = new dj.Schema(DIAGRAM_SCHEMA, { connection: conn });
  // Same definitions as the workspace's diagram/pipeline.ts (which the CLI loads for make).
  class Animal extends dj.Manual {
    static override definition = 'animal_id : int32';
  }
  class Scan extends dj.Imported {
    static override definition = '-> Animal\n---\nframes : int32';
    static Field = class extends dj.Part {
      static override definition = '-> master\nfield : int16';
    };
  }
  class Traces extends dj.Computed {
    static override definition = '-> Scan';
  }
  class Report extends dj.Computed {
    static override definition = '-> Traces';
  }
  // The bundler renames classes whose names collide in the suite's bundle (Report → Report2),
  // and the table name comes from the class name: the names are set as the pipeline writes them.
  for (const [cls, name] of [[Animal, 'Animal'], [Scan, 'Scan'], [Scan.Field, 'Field'], [Traces, 'Traces'], [Report, 'Report']] as const) {
    Object.defineProperty(cls, 'name', { value: name });
  }
  await schema.declare(Animal, Scan, Traces, Report);
  await conn.query(`INSERT INTO \`${DIAGRAM_SCHEMA}\`.\`animal\` (animal_id) VALUES (1), (2)`);
}

/** The next drawing (or status change) of the webview whose nodes satisfy `ok`. */
function rendered(ok: (r: RenderedDiagram) => boolean, what: string): Promise<RenderedDiagram> {
  return waitFor(what, async () => {
    const r = (await activatedApi()).diagram.rendered;
    return r && ok(r) ? r : undefined;
  });
}

const statusOf = (r: RenderedDiagram, id: string) => r.nodes.find((n) => n.id === id)?.status;

suite('Pipeline diagram', () => {
  let fixture: ComputationsFixture;

  suiteSetup(async function () {
    this.timeout(120_000);
    fixture = await setUpComputations();
    await declareDiagramPipeline(fixture.conn);
    await vscode.workspace.getConfiguration('datajoint').update('schemas', [SCHEMA, DIAGRAM_SCHEMA], vscode.ConfigurationTarget.Workspace);
    await fixture.sql(`INSERT INTO \`${SCHEMA}\`.\`subject\` (subject_id, weight) VALUES (1, 2.5), (2, 4)`);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fixture?.conn.execute(`DROP DATABASE IF EXISTS \`${DIAGRAM_SCHEMA}\``);
    await fixture?.close();
  });

  test('shows the workspace pipelines with tiers, parts and live status of auto-populated tables', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('datajoint.showDiagram');
    const r = await rendered((x) => statusOf(x, `${DIAGRAM_SCHEMA}.__report`) === '0/0 done' && statusOf(x, `${DIAGRAM_SCHEMA}._scan`) === '0/2 done · 2 left', 'the diagram with its status');
    const ids = r.nodes.map((n) => n.id);
    for (const id of [`${DIAGRAM_SCHEMA}.animal`, `${DIAGRAM_SCHEMA}._scan`, `${DIAGRAM_SCHEMA}._scan__field`, `${DIAGRAM_SCHEMA}.__traces`, `${SCHEMA}.subject`, `${SCHEMA}.__summary`]) {
      assert.ok(ids.includes(id), `${id} is drawn: ${ids.join(', ')}`);
    }
    assert.equal(statusOf(r, `${SCHEMA}.__summary`), '0/2 done · 2 left');
    // A part shows its own name; a Manual table has no status line.
    assert.equal(r.nodes.find((n) => n.id === `${DIAGRAM_SCHEMA}._scan__field`)?.label, 'Field');
    assert.equal(statusOf(r, `${DIAGRAM_SCHEMA}.animal`), '');
    // The workspace's Python pipeline is not declared in this database.
    assert.equal(statusOf(r, 'vscode_fixture.__activity'), 'not declared');
    assert.ok(r.layoutMs >= 0);
    const graph = (await activatedApi()).diagram.currentGraph!;
    assert.equal(graph.nodes.find((n) => n.id === `${DIAGRAM_SCHEMA}._scan`)?.tier, 'Imported');
    assert.equal(graph.nodes.find((n) => n.id === 'vscode_fixture.__activity')?.declared, false);
    await screenshot('diagram-example-pipeline');
  });

  test('a node opens its definition in the editor', async () => {
    const api = await activatedApi();
    const node = api.diagram.currentGraph!.nodes.find((n) => n.id === `${DIAGRAM_SCHEMA}.__traces`)!;
    assert.equal(await api.diagram.openDefinition(node), true);
    const editor = await waitFor('the definition in an editor', () => (vscode.window.activeTextEditor?.document.uri.fsPath.endsWith(join('diagram', 'pipeline.ts')) ? vscode.window.activeTextEditor : undefined));
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /class Traces/);
  });

  test('exports Mermaid and SVG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dj-diagram-'));
    try {
      const mmd = vscode.Uri.file(join(dir, 'pipeline.mmd'));
      const svg = vscode.Uri.file(join(dir, 'pipeline.svg'));
      await vscode.commands.executeCommand('datajoint.exportDiagramMermaid', mmd);
      await vscode.commands.executeCommand('datajoint.exportDiagramSvg', svg);
      const text = readFileSync(mmd.fsPath, 'utf8');
      assert.match(text, /^flowchart TB\n/);
      assert.match(text, /subgraph vscode_diagram\["pipeline"\]/);
      assert.match(text, /subgraph entity_Scan\[" "\]\n {12}Scan\(\[Scan\]\):::imported\n {12}Scan_Field\[Field\]:::part/);
      assert.match(text, /Traces --> Report/);
      const picture = readFileSync(svg.fsPath, 'utf8');
      assert.match(picture, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(picture, /@media \(prefers-color-scheme: dark\)/);
      assert.match(picture, /data-id="vscode_diagram.__report"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('populates a table and everything downstream in dependency order', async function () {
    this.timeout(240_000);
    const api = await activatedApi();
    const started: string[] = [];
    const ended: string[] = [];
    const subs = [
      api.computations.runner.onDidStart((r) => started.push(`${r.className}@${ended.length}`)),
      api.computations.runner.onDidEnd((o) => ended.push(o.request.className)),
    ];
    try {
      const result = await api.diagram.populateDownstream(`${DIAGRAM_SCHEMA}.animal`);
      assert.equal(result.completed, true, result.message);
      assert.deepEqual(result.planned, [`${DIAGRAM_SCHEMA}._scan`, `${DIAGRAM_SCHEMA}.__traces`, `${DIAGRAM_SCHEMA}.__report`]);
      assert.deepEqual(result.steps.map((s) => [s.className, s.outcome]), [['Scan', 'done'], ['Traces', 'done'], ['Report', 'done']]);
      // Each run started only after the one before it had ended.
      assert.deepEqual(started, ['Scan@0', 'Traces@1', 'Report@2']);
      assert.deepEqual(ended, ['Scan', 'Traces', 'Report']);
    } finally {
      subs.forEach((s) => s.dispose());
    }
    const rows = await fixture.sql(`SELECT COUNT(*) AS n FROM \`${DIAGRAM_SCHEMA}\`.\`__report\``);
    assert.equal(Number(rows[0]!.n), 2);
    await rendered((x) => statusOf(x, `${DIAGRAM_SCHEMA}.__report`) === '2/2 done' && statusOf(x, `${DIAGRAM_SCHEMA}._scan`) === '2/2 done', 'the status after the runs');
    await screenshot('diagram-after-populate-downstream');
  });

  test('a failed run stops the chain and says where', async function () {
    this.timeout(240_000);
    const api = await activatedApi();
    // Summary fails for a negative weight (computations/pipeline.ts): nothing downstream of it here, so it is the chain's only step.
    await fixture.sql(`INSERT INTO \`${SCHEMA}\`.\`subject\` (subject_id, weight) VALUES (3, -1)`);
    const result = await api.diagram.populateDownstream(`${SCHEMA}.subject`);
    assert.equal(result.completed, false);
    assert.deepEqual(result.steps.map((s) => [s.className, s.outcome]), [['Summary', 'failed']]);
    assert.match(result.message, /stopped at Summary: 1 key failed/);
  });
});
