// Which DataJoint each workspace folder's Python definitions are checked against, decided
// as `djx lint` decides it (runtime/project/datajoint-target.ts) with two inputs only the
// editor has: the `datajoint.targetVersion` setting of the folder and the version installed
// in the folder's Python environment (the client asks the interpreter, INSTALLED_DATAJOINT).
// A project nested in a folder with a pin of its own follows that pin.
import * as path from 'node:path';
import {
  chooseTarget, definitionEvidence, PinLookup, pinnedTarget,
  type FolderTarget, type TargetSetting,
} from '../../runtime/project/index';
import type { DataJointTarget } from '../../runtime/definition/types';
import type { Definition } from '../../runtime/definition/ast';
import type { FolderTargetInfo } from '../protocol';
import { uriOfKey } from '../documents/uris';
import type { Project } from './project';

export class Targets {
  private roots: string[] = [];
  private readonly settings = new Map<string, TargetSetting>();
  private readonly installed = new Map<string, { version: string | null; interpreter: string }>();
  private pins = new PinLookup();
  private decided = new Map<string, FolderTarget>();

  constructor(private readonly project: Project) {}

  setRoots(roots: readonly string[]): void {
    // Deepest first, so that a file takes the innermost folder that holds it.
    this.roots = [...roots].sort((a, b) => b.length - a.length);
    this.pins = new PinLookup(this.roots);
  }

  setSetting(root: string, setting: TargetSetting): void {
    this.settings.set(root, setting);
  }

  setInstalled(root: string, installed: { version: string | null; interpreter: string }): void {
    this.installed.set(root, installed);
  }

  private pinsDirty = false;

  /** A pin file changed on disk: nested projects may follow another pin now. */
  pinsChanged(): void {
    this.pins.clear();
    this.pinsDirty = true;
  }

  rootOf(file: string): string | undefined {
    return this.roots.find((r) => file === r || file.startsWith(r + path.sep) || file.startsWith(r + '/'));
  }

  /**
   * Decides every folder again and hands the rule to the project. `targets`: a target
   * changed (every definition is checked again); `info`: what the client shows changed.
   */
  decide(): { targets: boolean; info: boolean } {
    const next = new Map<string, FolderTarget>();
    for (const root of this.roots) {
      const pin = pinnedTarget(root);
      const installed = this.installed.get(root);
      next.set(root, chooseTarget({
        setting: this.settings.get(root) ?? 'auto',
        ...(installed ? { installed } : {}),
        ...(pin ? { pin } : {}),
        evidence: definitionEvidence(this.pythonDefinitionsUnder(root)),
      }));
    }
    const changed = next.size !== this.decided.size || [...next].some(([r, t]) => this.decided.get(r)?.target !== t.target);
    const detailChanged = changed || [...next].some(([r, t]) => this.decided.get(r)?.detail !== t.detail);
    this.decided = next;
    const recheck = changed || this.pinsDirty;
    this.pinsDirty = false;
    if (recheck) this.project.setTarget((p) => this.targetOf(p));
    return { targets: recheck, info: detailChanged };
  }

  /** The DataJoint a Python file is checked against. */
  targetOf(file: string): DataJointTarget {
    const root = this.rootOf(file);
    const folder = root ? this.decided.get(root) : undefined;
    // Set or installed: the folder's answer. Otherwise a pin nearer the file than the folder's wins.
    if (folder && (folder.source === 'setting' || folder.source === 'installed')) return folder.target;
    const nearer = this.pins.forFile(file);
    if (nearer && (!root || nearer.folder !== root)) return nearer.target;
    return folder?.target ?? nearer?.target ?? '2';
  }

  /** For the client's status bar. */
  info(): FolderTargetInfo[] {
    return [...this.decided].map(([root, t]) => ({ folder: uriOfKey(root), target: t.target, source: t.source, detail: t.detail }));
  }

  /** The index's parse of each definition (the one its checks use). */
  private *pythonDefinitionsUnder(root: string): Iterable<Definition> {
    for (const key of this.project.keys()) {
      if (!/\.pyi?$/.test(key) || this.rootOf(key) !== root) continue;
      for (const t of this.project.tables.tablesIn(key)) if (t.record) yield t.record.ast;
    }
  }
}
