// The capabilities we announce, shaped by what the client says it supports
// (lsp-sample: check client capabilities in onInitialize, not later).
import { TextDocumentSyncKind, type ClientCapabilities, type ServerCapabilities } from 'vscode-languageserver/node';

export const TRIGGER_CHARACTERS = ['>', ':', '[', '(', ',', '.', '<', ' ', '='];
export const FIX_ALL_KIND = 'source.fixAll.datajoint';

export interface ClientSupport {
  workspaceFolders: boolean;
  watchedFilesDynamic: boolean;
  relativePatterns: boolean;
  workDoneProgress: boolean;
  relatedInformation: boolean;
  snippets: boolean;
  markdown: boolean;
  hierarchicalSymbols: boolean;
  codeActionLiterals: boolean;
  diagnosticTags: boolean;
}

export function clientSupport(c: ClientCapabilities): ClientSupport {
  return {
    workspaceFolders: !!c.workspace?.workspaceFolders,
    watchedFilesDynamic: !!c.workspace?.didChangeWatchedFiles?.dynamicRegistration,
    relativePatterns: !!c.workspace?.didChangeWatchedFiles?.relativePatternSupport,
    workDoneProgress: !!c.window?.workDoneProgress,
    relatedInformation: !!c.textDocument?.publishDiagnostics?.relatedInformation,
    snippets: !!c.textDocument?.completion?.completionItem?.snippetSupport,
    markdown: (c.textDocument?.hover?.contentFormat ?? []).includes('markdown'),
    hierarchicalSymbols: !!c.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport,
    codeActionLiterals: !!c.textDocument?.codeAction?.codeActionLiteralSupport,
    diagnosticTags: !!c.textDocument?.publishDiagnostics?.tagSupport,
  };
}

export function serverCapabilities(s: ClientSupport, notebooks: boolean): ServerCapabilities {
  const caps: ServerCapabilities = {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
    completionProvider: { triggerCharacters: TRIGGER_CHARACTERS, resolveProvider: false },
    hoverProvider: true,
    definitionProvider: true,
    referencesProvider: true,
    documentSymbolProvider: true,
    workspaceSymbolProvider: true,
    documentFormattingProvider: true,
    documentRangeFormattingProvider: true,
    codeActionProvider: s.codeActionLiterals ? { codeActionKinds: ['quickfix', FIX_ALL_KIND] } : true,
  };
  if (notebooks) {
    caps.notebookDocumentSync = { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] };
  }
  if (s.workspaceFolders) caps.workspace = { workspaceFolders: { supported: true, changeNotifications: true } };
  return caps;
}
