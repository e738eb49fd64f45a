// "Migrate Definitions to DataJoint 2": the workspace's files checked against DataJoint 2 in
// an index of their own (the project keeps its targets), the preferred fix of every
// diagnostic as one WorkspaceEdit for the client to preview, and what DataJoint 2 would
// still refuse afterwards, each with its message as the reason. `djx lint --fix --target 2`
// is the same for CI.
import * as path from 'node:path';
import type { TextEdit } from 'vscode-languageserver/node';
import { applyEdits, preferredFixes, TableIndex, type HostTextEdit } from '../../runtime/project/index';
import { HostFile } from '../documents/hostFile';
import { keyOfUri } from '../documents/uris';
import type { MigrateParams, MigrateRemaining, MigrateResult } from '../protocol';
import type { FeatureContext } from './featureContext';

/** Rounds of fixes: a fix may reveal another (as `djx lint --fix`). */
const ROUNDS = 10;

export function migrateDefinitions(ctx: FeatureContext, roots: readonly string[], params: MigrateParams): MigrateResult {
  const { project } = ctx;
  const scope = params.uri ? keyOfUri(params.uri) : undefined;
  const inScope = (key: string): boolean => !scope || key === scope || key.startsWith(scope + path.sep) || key.startsWith(scope + '/');
  const index = new TableIndex({ roots: [...roots], target: () => '2' });
  const files = project.keys().map((k) => project.file(k)!).filter((f) => f && f.notIndexed === undefined);
  for (const f of files) index.setFile(f.key, f.text, f.language);
  const texts = new Map<string, string>();
  const applied = new Map<string, HostTextEdit[][]>();
  const chosen = files.filter((f) => inScope(f.key) && index.tablesIn(f.key).some((t) => t.definition));
  for (let round = 0; round < ROUNDS; round++) {
    let changed = false;
    for (const f of chosen) {
      const text = texts.get(f.key) ?? f.text;
      const edits = preferredFixes(index.check(f.key));
      if (!edits.length) continue;
      const next = applyEdits(text, edits);
      texts.set(f.key, next);
      index.setFile(f.key, next, f.language);
      (applied.get(f.key) ?? applied.set(f.key, []).get(f.key)!).push(edits);
      changed = true;
    }
    if (!changed) break;
  }
  const changes: MigrateResult['edit']['changes'] = {};
  const dropped = new Set<string>();
  let edits = 0;
  for (const f of chosen) {
    const rounds = applied.get(f.key);
    if (!rounds) continue;
    if (rounds.length === 1) {
      // One round: each fix as its own edit, located in the document as it is.
      for (const e of rounds[0]!) {
        const loc = f.location(e.start, e.end);
        (changes[loc.uri] ??= []).push({ range: loc.range, newText: e.newText } satisfies TextEdit);
        edits++;
      }
      continue;
    }
    // Several rounds: the file's new text as one edit per editor document (notebook cells keep theirs).
    const next = texts.get(f.key)!;
    const whole = f.location(0, f.text.length);
    if (f.uris.length !== 1) {
      dropped.add(f.key); // a notebook whose fixes took rounds: left for a second run
      continue;
    }
    (changes[whole.uri] ??= []).push({ range: whole.range, newText: next });
    edits += rounds.reduce((n, r) => n + r.length, 0);
  }
  const remaining: MigrateRemaining[] = [];
  for (const f of chosen) {
    const fixedText = texts.get(f.key);
    // A notebook's new text is not mapped back to its cells: what is left there is read from
    // the cells as they are now, leaving out what the edit fixes.
    const notebook = fixedText !== undefined && f.uris.length !== 1;
    if (notebook) index.setFile(f.key, f.text, f.language);
    const after = fixedText !== undefined && !notebook ? new HostFile(f.key, f.language, [{ uri: f.uris[0]!, text: fixedText }]) : f;
    for (const d of index.check(f.key)) {
      if (d.severity !== 'error' || (notebook && !dropped.has(f.key) && d.fixes?.some((x) => x.preferred))) continue;
      const loc = after.location(d.start, d.end);
      remaining.push({ uri: loc.uri, line: loc.range.start.line, character: loc.range.start.character, code: d.code, message: d.message });
    }
  }
  return { edit: { changes }, edits, files: Object.keys(changes).length, remaining };
}
