// The shape of every problem reported about a definition, by the language server,
// `djx lint` and declaration alike. Codes are stable (quick fixes key on them); the
// catalogue of codes and messages lives in runtime/definition/catalogue.ts.
import type { Span } from './ast';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The preferred fix for this diagnostic (shown first, applied by "fix all"). */
  preferred?: boolean;
}

export interface RelatedInformation {
  message: string;
  span: Span;
  /** Another table's definition; absent when the span is in the same definition. */
  table?: string;
}

export interface Diagnostic {
  /** Stable code, e.g. `DJ101`. */
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  related?: RelatedInformation[];
  fixes?: Fix[];
  /** Editor hints: `deprecated` for legacy types, `unnecessary` for ignored text. */
  tags?: Array<'deprecated' | 'unnecessary'>;
  /**
   * The problem is the class's (its name, tier or master), not any text of the
   * definition: `span` is the empty `{0, 0}` and hosts show it on the class name.
   */
  onClass?: true;
}
