// Our diagram's Mermaid (runtime/diagram/mermaid.ts) against the real DataJoint for
// Python's Diagram.make_mermaid() (2.3.5) for the same pipeline, built without a database
// by diagram_mermaid_reference.py. DataJoint orders a schema's nodes and its edges by the
// iteration order of a set of table names, so the two texts are compared block by block
// with each block's lines (and each edge with its linkStyle) as a set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TableIndex } from '../../../runtime/project';
import { graphFromIndex, toMermaid } from '../../../runtime/diagram';
import { pythonInterpreter } from './helpers';

const PY = `import datajoint as dj
schema = dj.Schema("lab_ephys")
other = dj.Schema("lab_subject")

@other
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
`;

/** Blocks: header, classDefs, each subgraph (its lines as a set), edges with their styles as a set. */
function blocks(text: string): unknown {
  const lines = text.split('\n');
  const head = lines.slice(0, 2);
  const classDefs = lines.filter((l) => l.startsWith('    classDef '));
  const subgraphs: Record<string, string[]> = {};
  let current: string | undefined;
  for (const l of lines) {
    if (/^    subgraph /.test(l)) current = l;
    else if (l === '    end') current = undefined;
    else if (current) (subgraphs[current] ??= []).push(l);
  }
  for (const k of Object.keys(subgraphs)) subgraphs[k]!.sort();
  const edges = lines.filter((l) => l.includes(' --> ')).map((l) => l.trim());
  const styles = new Map(lines.filter((l) => l.startsWith('    linkStyle ')).map((l) => [Number(l.split(' ')[5]), l.replace(/linkStyle \d+ /, '').trim()]));
  return { head, classDefs, subgraphs, edges: edges.map((e, i) => `${e} ${styles.get(i)}`).sort() };
}

test('diagram: Mermaid matches DataJoint for Python make_mermaid for the same pipeline', async () => {
  const index = new TableIndex();
  index.setFile('/w/ephys.py', PY);
  const graph = graphFromIndex(index, { textOf: (p) => (p === '/w/ephys.py' ? PY : undefined) });
  // Without class objects DataJoint labels a schema's group with the schema's name.
  graph.schemas = graph.schemas.map((s) => ({ ...s, label: s.name }));
  const pk = new Map(index.tables().map((t) => [t.name, index.heading(t)!.primaryKey.map((a) => a.name)]));
  const spec = {
    nodes: graph.nodes.map((n) => ({ schema: n.schema, table: n.table, name: n.name, pk: pk.get(n.name) })),
    edges: graph.edges.map((e) => {
      const from = graph.nodes.find((n) => n.id === e.from)!;
      const to = graph.nodes.find((n) => n.id === e.to)!;
      return { parent: [from.schema, from.table], child: [to.schema, to.table], attr_map: e.attrMap };
    }),
  };
  const python = await pythonInterpreter();
  const r = spawnSync(python, ['-W', 'ignore', join(__dirname, 'diagram_mermaid_reference.py')], { input: JSON.stringify(spec), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const reference = r.stdout.trimEnd();
  assert.deepEqual(blocks(toMermaid(graph)), blocks(reference));
  assert.equal(toMermaid(graph).split('\n').length, reference.split('\n').length);
});
