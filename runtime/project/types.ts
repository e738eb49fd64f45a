import type { Diagnostic, Severity } from '../definition/diagnostic';
import type { Range } from './lines';

export interface HostLocation {
  path: string;
  /** Host offsets. */
  start: number;
  end: number;
  /** 0-based line and UTF-16 character. */
  range: Range;
}

/** A definition diagnostic placed in its host file. */
export interface HostDiagnostic extends HostLocation {
  /** The table's name in its module (`Session.Trial`). */
  table: string;
  tableId: string;
  code: string;
  severity: Severity;
  message: string;
  tags?: Array<'deprecated' | 'unnecessary'>;
  related?: Array<HostLocation & { message: string }>;
  /** Edits already encoded for the host literal (escapes, quotes). */
  fixes?: Array<{ title: string; preferred?: boolean; edits: Array<HostLocation & { newText: string }> }>;
  /** The diagnostic as the validator reported it, spans in the definition. */
  diagnostic: Diagnostic;
}
