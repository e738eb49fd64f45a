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

/** The host language of a file by its extension, or undefined for other files. */
export function languageOfPath(path: string): HostLanguage | undefined {
  const m = /\.([a-z]+)$/i.exec(path);
  switch (m?.[1].toLowerCase()) {
    case 'py':
    case 'pyi':
      return 'python';
    case 'ts':
    case 'mts':
    case 'cts':
      return 'typescript';
    case 'js':
    case 'mjs':
    case 'cjs':
      return 'javascript';
    default:
      return undefined;
  }
}
