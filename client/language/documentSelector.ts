// The documents the language server reads. Definitions live in Python, TypeScript and
// JavaScript files and in Python notebook cells; the server answers only inside
// `definition` strings, so serving whole host languages does not compete with their
// own servers. Only local and unsaved documents: virtual ones (git:, diff views) would
// duplicate diagnostics.
import type { DocumentSelector } from 'vscode-languageclient/node';

const HOST_LANGUAGES = ['python', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'];

export const documentSelector: DocumentSelector = [
  ...HOST_LANGUAGES.flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]),
  { notebook: '*', language: 'python' },
];
