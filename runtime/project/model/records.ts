// One record per definition, in the manner of Langium's document lifecycle: the text,
// its parse (AST and syntax diagnostics), and what the project made of it, each stage
// stamped with the index's one epoch. A record survives a new version of its file when
// its text is unchanged, so a definition is parsed once for the index, the language
// server's sites and the target's evidence alike.
import { parseDefinition } from '../../definition/parser';
import type { Definition } from '../../definition/ast';
import type { ResolvedTable } from '../../definition/context';
import type { Diagnostic } from '../../definition/diagnostic';
import type { TableModel } from '../../definition/model';

/**
 * How far a record has come in the current epoch: `scanned` (text only), `parsed` (AST and
 * syntax diagnostics), `linked` (its references resolved: model and heading), `checked`
 * (every diagnostic). A change of names (the index's `namesEpoch`) voids every link and
 * check made before it; other changes leave them to be confirmed on use.
 */
export type RecordState = 'scanned' | 'parsed' | 'linked' | 'checked';

/** A path a definition resolved while it was linked or checked, and to what. */
export interface Dependency {
  path: string[];
  heading: ResolvedTable | undefined;
  /** Why an unresolved path resolved to nothing, when the index knows. */
  why?: string | undefined;
}

export interface Linked {
  heading: ResolvedTable;
  /** The analysis behind the heading until the record's check has used it (absent when it was made inside a reference cycle). */
  model?: TableModel | undefined;
  deps: Dependency[];
  epoch: number;
}

export interface Checked {
  /** The link the check used (its model): a new one means a new check. */
  linked: Linked | undefined;
  deps: Dependency[];
  diagnostics: Diagnostic[];
  epoch: number;
}

export class DefinitionRecord {
  private parsed?: { ast: Definition; diagnostics: Diagnostic[] };
  linked?: Linked;
  checked?: Checked;
  /** The model the editor's features use when the link made none (a table on a cycle). */
  featureModel?: { epoch: number; model: TableModel };
  /** Set while the record is being linked: a reference back to it resolves to nothing. */
  linking = false;

  constructor(readonly text: string) {}

  get ast(): Definition {
    return this.parse().ast;
  }

  get syntaxDiagnostics(): Diagnostic[] {
    return this.parse().diagnostics;
  }

  private parse(): { ast: Definition; diagnostics: Diagnostic[] } {
    return (this.parsed ??= parseDefinition(this.text));
  }

  /** Takes over the parse of another record of the same text (a moved or renamed class). */
  adoptParse(other: DefinitionRecord): void {
    if (other.text === this.text) this.parsed ??= other.parsed;
  }

  stateAt(epoch: number): RecordState {
    if (this.checked?.epoch === epoch) return 'checked';
    if (this.linked?.epoch === epoch) return 'linked';
    return this.parsed ? 'parsed' : 'scanned';
  }

}
