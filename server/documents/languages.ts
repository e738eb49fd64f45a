// Which documents the server serves, by LSP language id and by file extension.
import type { HostLanguage } from '../../runtime/hosts/types';

export const SERVED_LANGUAGE_IDS = ['python', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'] as const;

export function hostLanguageOfId(languageId: string): HostLanguage | undefined {
  switch (languageId) {
    case 'python':
      return 'python';
    case 'typescript':
    case 'typescriptreact':
      return 'typescript';
    case 'javascript':
    case 'javascriptreact':
      return 'javascript';
    default:
      return undefined;
  }
}

const BY_EXTENSION: Record<string, HostLanguage> = {
  '.py': 'python',
  '.pyi': 'python',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
};

export const SOURCE_EXTENSIONS = ['.py', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export function hostLanguageOfPath(path: string): HostLanguage | undefined {
  if (path.endsWith('.d.ts')) return undefined;
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : BY_EXTENSION[path.slice(dot).toLowerCase()];
}
