// Which documents the server serves: by LSP language id here, by path in runtime/hosts/files.ts.
import type { HostLanguage } from '../../runtime/hosts/types';

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

/** runtime/hosts/files.ts decides which files count, for the server as for `djx lint`. */
export { languageOfPath as hostLanguageOfPath, SOURCE_EXTENSIONS } from '../../runtime/hosts/files';
