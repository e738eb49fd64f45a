// The pipeline diagram's model (runtime/diagram): built from a workspace's definitions
// through the project index, merged with a catalog, its dependency order and populate
// chain, its Mermaid text (the form of datajoint/diagram.py make_mermaid), and the layout
// and SVG of a 300-table pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableIndex } from '../../../runtime/project';
import { graphFromIndex, mergeCatalog, populateChain, topologicalOrder, toMermaid, layoutDiagram, renderSvg, collapseSchemas, type DiagramGraph } from '../../../runtime/diagram';
import { syntheticPipeline } from '../../../runtime/diagram/synthetic';
import type { CatalogTable } from '../../../runtime/catalog';

const PY = `import datajoint as dj
schema = dj.Schema("lab_ephys")

@schema
class Subject(dj.Manual):
    definition = """
    subject_id : int32
    """

@schema
class Probe(dj.Lookup):
    definition = """
    probe : varchar(16)
    """

@schema
class Recording(dj.Imported):
    definition = """
    -> Subject
    rec : int16
    ---
    -> Probe
    """

    class Channel(dj.Part):
        definition = """
        -> master
        ch : int16
        """

@schema
class Spikes(dj.Computed):
    definition = """
    -> Recording
    """

@schema
class Pair(dj.Computed):
    definition = """
    -> Spikes
    -> Recording.Channel.proj(other_subject='subject_id', other_rec='rec', other_ch='ch')
    """

@schema
class Rates(dj.Computed):
    definition = """
    -> Pair
    """
`;

function workspace(): DiagramGraph {
  const index = new TableIndex();
  const files = new Map([['/w/ephys.py', PY]]);
  for (const [p, t] of files) index.setFile(p, t);
  return graphFromIndex(index, { textOf: (p) => files.get(p) });
}

test('diagram: the workspace graph has every table with its schema, SQL name, tier and master', () => {
  const g = workspace();
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  assert.deepEqual([...byName.keys()].sort(), ['Pair', 'Probe', 'Rates', 'Recording', 'Recording.Channel', 'Spikes', 'Subject']);
  assert.equal(byName.get('Recording')!.id, 'lab_ephys._recording');
  assert.equal(byName.get('Recording')!.tier, 'Imported');
  assert.equal(byName.get('Probe')!.table, '#probe');
  const channel = byName.get('Recording.Channel')!;
  assert.equal(channel.id, 'lab_ephys._recording__channel');
  assert.equal(channel.master, 'lab_ephys._recording');
  assert.deepEqual(byName.get('Spikes')!.location, { path: '/w/ephys.py', line: PY.split('\n').findIndex((l) => l.startsWith('class Spikes')), character: 6 });
  assert.deepEqual(g.schemas, [{ name: 'lab_ephys', label: 'ephys', title: 'schema lab_ephys · /w/ephys.py' }]);
  assert.equal(g.connected, false);
  // A table adding a key attribute of its own introduces a dimension (drawn underlined).
  assert.equal(byName.get('Recording')!.introducesDimension, true);
  assert.equal(byName.get('Spikes')!.introducesDimension, false);
});

test('diagram: edges are primary or secondary, one-to-one or one-to-many, renamed as dependencies.py marks them', () => {
  const g = workspace();
  const edge = (from: string, to: string) => g.edges.filter((e) => e.from === `lab_ephys.${from}` && e.to === `lab_ephys.${to}`);
  const [subjectRec] = edge('subject', '_recording');
  assert.deepEqual([subjectRec!.primary, subjectRec!.multi, subjectRec!.aliased], [true, true, false]);
  const [probeRec] = edge('#probe', '_recording');
  assert.deepEqual([probeRec!.primary, probeRec!.aliased], [false, false]);
  const [recSpikes] = edge('_recording', '__spikes');
  assert.deepEqual([recSpikes!.primary, recSpikes!.multi], [true, false]);
  const [renamed] = edge('_recording__channel', '__pair');
  assert.equal(renamed!.aliased, true);
  assert.deepEqual(renamed!.attrMap, { other_subject: 'subject_id', other_rec: 'rec', other_ch: 'ch' });
});

test('diagram: merged with a catalog, tables are declared, not declared, or from the database only', () => {
  const table = (name: string, pk: string[], fks: CatalogTable['foreignKeys'] = [], master?: string): CatalogTable => {
    const t: CatalogTable = { schema: 'lab_ephys', name, tier: 'Manual', className: '', comment: '', estimatedRows: 0, attributes: [], primaryKey: pk, foreignKeys: fks, indexes: [] };
    if (master) t.master = master;
    return t;
  };
  const fk = (parentTable: string, cols: string[]) => ({ constraint: 'c', parentSchema: 'lab_ephys', parentTable, attrMap: Object.fromEntries(cols.map((c) => [c, c])), columns: cols, primary: true, aliased: false, nullable: false, unique: false });
  const g = mergeCatalog(workspace(), [
    table('subject', ['subject_id']),
    table('_recording', ['subject_id', 'rec'], [fk('subject', ['subject_id'])]),
    table('__old_summary', ['subject_id'], [fk('subject', ['subject_id'])]),
  ]);
  const n = (id: string) => g.nodes.find((x) => x.id === `lab_ephys.${id}`)!;
  assert.equal(g.connected, true);
  assert.equal(n('subject').declared, true);
  assert.equal(n('__spikes').declared, false);
  const old = n('__old_summary');
  assert.deepEqual([old.inWorkspace, old.declared, old.tier, old.name], [false, true, 'Computed', 'OldSummary']);
  assert.ok(g.edges.some((e) => e.from === 'lab_ephys.subject' && e.to === old.id && !e.multi));
  // The workspace's foreign key of a table in both is not doubled.
  assert.equal(g.edges.filter((e) => e.from === 'lab_ephys.subject' && e.to === 'lab_ephys._recording').length, 1);
});

test('diagram: topological order puts parents first; the populate chain runs auto-populated descendants in order', () => {
  const g = workspace();
  const order = topologicalOrder(g);
  const at = (id: string) => order.indexOf(`lab_ephys.${id}`);
  for (const e of g.edges) assert.ok(order.indexOf(e.from) < order.indexOf(e.to), `${e.from} before ${e.to}`);
  assert.ok(at('_recording') < at('_recording__channel'));
  assert.deepEqual(populateChain(g, 'lab_ephys._recording').map((n) => n.name), ['Recording', 'Spikes', 'Pair', 'Rates']);
  // From a Manual table: its auto-populated descendants; from a part: its master's chain.
  assert.deepEqual(populateChain(g, 'lab_ephys.subject').map((n) => n.name), ['Recording', 'Spikes', 'Pair', 'Rates']);
  assert.deepEqual(populateChain(g, 'lab_ephys._recording__channel').map((n) => n.name), ['Recording', 'Spikes', 'Pair', 'Rates']);
  assert.deepEqual(populateChain(g, 'lab_ephys.__pair').map((n) => n.name), ['Pair', 'Rates']);
  assert.deepEqual(populateChain(g, 'lab_ephys.__rates').map((n) => n.name), ['Rates']);
  assert.throws(() => populateChain(g, 'nope.x'), /No table nope\.x/);
});

test('diagram: Mermaid in the form of make_mermaid (classDefs, schema subgraph, entity subgraph, shapes, linkStyles)', () => {
  const text = toMermaid(workspace());
  const lines = text.split('\n');
  assert.equal(lines[0], 'flowchart TB');
  assert.ok(lines.includes('    classDef computed fill:#FFEDE5,stroke:#FF5113,color:#B23200'));
  assert.ok(lines.includes('    subgraph lab_ephys["ephys"]'));
  const entity = lines.indexOf('        subgraph entity_Recording[" "]');
  assert.ok(entity > 0);
  assert.deepEqual(lines.slice(entity + 1, entity + 4), ['            Recording([Recording]):::imported', '            Recording_Channel[Channel]:::part', '        end']);
  assert.ok(lines.includes('        Probe[Probe]:::lookup'));
  assert.ok(lines.includes('        Subject[Subject]:::manual'));
  const edges = lines.filter((l) => l.includes(' --> '));
  const styles = lines.filter((l) => l.startsWith('    linkStyle '));
  assert.equal(edges.length, styles.length);
  const renamed = edges.indexOf('    Recording_Channel --> Pair');
  assert.equal(styles[renamed], `    linkStyle ${renamed} stroke:#C77D3A,stroke-width:1px`);
  const oneToOne = edges.indexOf('    Recording --> Spikes');
  assert.equal(styles[oneToOne], `    linkStyle ${oneToOne} stroke:#171C39,stroke-width:2px`);
});

test('diagram: a collapsed schema is one node with the count of its tables, its crossing edges merged', () => {
  const g = syntheticPipeline(40, 3);
  const c = collapseSchemas(g, new Set(['lab_a']));
  const node = c.nodes.find((n) => n.id === 'collapsed:lab_a')!;
  assert.equal(node.tableCount, g.nodes.filter((n) => n.schema === 'lab_a').length);
  assert.ok(c.edges.every((e) => e.from !== e.to));
  assert.ok(toMermaid(c).includes(`lab_a[["(${node.tableCount} tables)"]]:::collapsed`));
});

test('diagram: 300 tables are laid out without overlaps and drawn as SVG with tier shapes', async () => {
  const g = syntheticPipeline(300);
  const layout = await layoutDiagram(g, { statusLines: true });
  assert.equal(layout.nodes.length, 300);
  assert.equal(layout.groups.filter((x) => x.kind === 'schema').length, 6);
  const boxes = layout.nodes;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.node.id} and ${b.node.id} overlap`);
    }
  }
  // Every node inside its schema's frame.
  for (const n of boxes) {
    const frame = layout.groups.find((x) => x.kind === 'schema' && x.schema === n.node.schema)!;
    assert.ok(n.x >= frame.x && n.y >= frame.y && n.x + n.width <= frame.x + frame.width + 0.5 && n.y + n.height <= frame.y + frame.height + 0.5, `${n.node.id} outside ${frame.id}`);
  }
  assert.ok(layout.edges.every((e) => e.points.length >= 2));
  const svg = renderSvg(layout, { standalone: true });
  assert.equal((svg.match(/class="dj-node /g) ?? []).length, 300);
  assert.ok(svg.includes('<ellipse class="dj-shape"'));
  assert.ok(svg.includes('dj-edge dj-secondary'));
  assert.ok(svg.includes('@media (prefers-color-scheme: dark)'));
});

test('diagram: SVG text is escaped', async () => {
  const g: DiagramGraph = { nodes: [{ id: 's.a', schema: 's', table: 'a', className: 'A', name: 'A', tier: 'Manual', inWorkspace: true, introducesDimension: true, comment: '<script>&"' }], edges: [], schemas: [{ name: 's', label: 'a<b' }], connected: false };
  const svg = renderSvg(await layoutDiagram(g));
  assert.ok(!svg.includes('<script>'));
  assert.ok(svg.includes('&lt;script&gt;&amp;&quot;'));
  assert.ok(svg.includes('a&lt;b'));
  assert.ok(svg.includes('text-decoration="underline"'));
});

test('diagram: two modules named pipeline.py in different folders: groups named by module, told apart by schema and folder', async () => {
  const module = (schema: string) => `import datajoint as dj
schema = dj.Schema("${schema}")

@schema
class Subject(dj.Manual):
    definition = """
    subject_id : int32
    """
`;
  const files = new Map([
    ['/w/lab/pipeline.py', module('lab_main')],
    ['/w/rig/pipeline.py', module('rig_main')],
    ['/w/other/ephys.py', module('ephys_main')],
  ]);
  const index = new TableIndex();
  for (const [p, t] of files) index.setFile(p, t);
  const g = graphFromIndex(index, { textOf: (p) => files.get(p) });
  assert.deepEqual(g.schemas, [
    { name: 'ephys_main', label: 'ephys', title: 'schema ephys_main · /w/other/ephys.py' },
    { name: 'lab_main', label: 'pipeline', title: 'schema lab_main · /w/lab/pipeline.py', detail: 'lab_main · lab/' },
    { name: 'rig_main', label: 'pipeline', title: 'schema rig_main · /w/rig/pipeline.py', detail: 'rig_main · rig/' },
  ]);
  const layout = await layoutDiagram(g);
  const lab = layout.groups.find((x) => x.schema === 'lab_main')!;
  assert.equal(lab.detail, 'lab_main · lab/');
  const svg = renderSvg(layout);
  assert.ok(svg.includes('<title>schema lab_main · /w/lab/pipeline.py</title>'), svg);
  assert.ok(svg.includes('<text class="dj-schema-detail"'));
  assert.ok(svg.includes('>rig_main · rig/</text>'));
  // A label nobody else has needs no second line.
  assert.ok(!/dj-schema-detail[^>]*>ephys_main/.test(svg));
  // The second line has room: the group's first node starts below it.
  const node = layout.nodes.find((n) => n.node.schema === 'lab_main')!;
  assert.ok(node.y - lab.y >= 26 + 14, `${node.y - lab.y}`);
});

test('diagram: the folders that tell colliding modules apart go as deep as needed', () => {
  const module = (schema: string) => `import datajoint as dj\nschema = dj.Schema("${schema}")\n\n@schema\nclass A(dj.Manual):\n    definition = """\n    a : int32\n    """\n`;
  const files = new Map([
    ['/w/x/lab/pipeline.py', module('s1')],
    ['/w/y/lab/pipeline.py', module('s2')],
  ]);
  const index = new TableIndex();
  for (const [p, t] of files) index.setFile(p, t);
  const g = graphFromIndex(index, { textOf: (p) => files.get(p) });
  assert.deepEqual(g.schemas.map((s) => s.detail), ['s1 · x/lab/', 's2 · y/lab/']);
});

test('diagram: the light and dark palettes cover the same tiers (one table)', async () => {
  const { LIGHT, DARK, TIER_SHAPE } = await import('../../../runtime/diagram/theme');
  assert.deepEqual(Object.keys(LIGHT.tiers).sort(), Object.keys(TIER_SHAPE).sort());
  assert.deepEqual(Object.keys(DARK.tiers).sort(), Object.keys(TIER_SHAPE).sort());
  assert.deepEqual(LIGHT.tiers.Computed, { fill: '#FFEDE5', stroke: '#FF5113', text: '#B23200' });
  assert.deepEqual(DARK.tiers.Computed, { fill: '#331B12', stroke: '#FF7A47', text: '#FFC7AE' });
  assert.equal(LIGHT.background, undefined);
  assert.equal(DARK.background, '#161A21');
  assert.equal(LIGHT.edge, '#171C39');
  assert.equal(DARK.edgeAlpha, 'C0');
});
