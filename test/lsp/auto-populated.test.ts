// The Computed/Imported classes the CodeLens shows (datajoint/autoPopulated,
// server/features/autoPopulated.ts), over stdio: tiers inherited through a project base
// class of another file, parts and other tiers left out, a class written inside a string
// none, a document or the whole workspace, and an edit seen by the next request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, fileUri, LspClient } from './client';
import { AUTO_POPULATED_REQUEST, type AutoPopulatedClass } from '../../server/protocol';

const BASE = `import datajoint as dj


class Processing(dj.Computed):
    """The lab's base class of every processing step."""

    def make(self, key):
        self.insert1(key)
`;

const PIPELINE = `import datajoint as dj
from lab.base import Processing

schema = dj.Schema("lab_pipeline")

EXAMPLE = '''
class Fake(dj.Computed):
    definition = """
    -> Session
    """
'''


@schema
class Session(dj.Manual):
    definition = """
    session_id : int32
    """


@schema
class Spikes(Processing):
    definition = """
    -> Session
    ---
    n : int32
    """


@schema
class Recording(dj.Imported):
    definition = """
    -> Session
    """

    class Channel(dj.Part):
        definition = """
        -> master
        channel : int32
        """
`;

describe('auto-populated classes for the CodeLens', () => {
  let client: LspClient;
  let root: string;
  const pipeline = () => join(root, 'lab', 'pipeline.py');
  before(async () => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'dj-lsp-auto-'));
    mkdirSync(join(root, 'lab'));
    writeFileSync(join(root, 'lab', '__init__.py'), '');
    writeFileSync(join(root, 'lab', 'base.py'), BASE);
    writeFileSync(pipeline(), PIPELINE);
    ({ client } = await LspClient.start(root));
    await client.waitIndexed();
  });
  after(async () => {
    await client?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const ask = (uri?: string) => client.request<AutoPopulatedClass[]>(AUTO_POPULATED_REQUEST, uri ? { uri } : {});
  const summary = (cs: AutoPopulatedClass[]) => cs.map((c) => `${c.className}:${c.tier}:${c.line}`);

  it("a document's classes: an inherited tier found, parts, Manual and a class inside a string left out", async () => {
    const uri = fileUri(pipeline());
    client.open(uri, PIPELINE);
    const lines = PIPELINE.split('\n');
    const lineOf = (name: string) => lines.findIndex((l) => l.startsWith(`class ${name}(`));
    assert.deepEqual(summary(await ask(uri)), [`Spikes:Computed:${lineOf('Spikes')}`, `Recording:Imported:${lineOf('Recording')}`]);
  });

  it('the whole workspace without a uri', async () => {
    const all = await ask();
    assert.deepEqual(all.map((c) => c.className).sort(), ['Recording', 'Spikes']);
    assert.ok(all.every((c) => c.uri === fileUri(pipeline())));
  });

  it('an edit is seen by the next request', async () => {
    const uri = fileUri(pipeline());
    const edited = PIPELINE.replace('class Spikes(Processing):', 'class Spikes(dj.Lookup):');
    client.change(uri, edited);
    assert.deepEqual((await ask(uri)).map((c) => c.className), ['Recording']);
    client.change(uri, PIPELINE);
    assert.deepEqual((await ask(uri)).map((c) => c.className), ['Spikes', 'Recording']);
  });
});
