// Finding DataJoint table definitions embedded in Python, TypeScript and JavaScript
// files: the classes, their `definition` strings with exact position maps, and the
// imports that let references resolve across files.
import { scanPython } from './python';
import { scanTypeScript } from './typescript';
import type { HostDefinition, HostLanguage, HostScan } from './types';

export type { HostDefinition, HostImport, HostLanguage, HostScan, HostTable, LiteralStyle, Tier } from './types';
export { PositionMap } from './position-map';
export { encodeForHost } from './encode';
export { tierOfBase } from './tiers';
export { languageOfPath, SOURCE_EXTENSIONS, sourceFiles, isSkippedFolder } from './files';

/** Tables, definitions and imports of one host file. Never throws. */
export function scanHost(text: string, language: HostLanguage): HostScan {
  try {
    return language === 'python' ? scanPython(text) : scanTypeScript(text, language);
  } catch {
    // The scanners are written not to throw; this is the last line of defence for an editor.
    return { language, tables: [], definitions: [], imports: [] };
  }
}

/** Every static `definition` string in the file, in source order. */
export function findDefinitions(text: string, language: HostLanguage): HostDefinition[] {
  return scanHost(text, language).definitions;
}
