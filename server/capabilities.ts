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
  /** Formatting providers can be registered and unregistered while running. */
  formattingDynamic: boolean;
  /** workspace/configuration (pulling settings). */
  configuration: boolean;
  /** workspace/applyEdit (commands that edit). */
  applyEdit: boolean;
  /** Versioned document edits in a WorkspaceEdit. */
  documentChanges: boolean;
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
    formattingDynamic: !!c.textDocument?.formatting?.dynamicRegistration && !!c.textDocument?.rangeFormatting?.dynamicRegistration,
    configuration: !!c.workspace?.configuration,
    applyEdit: !!c.workspace?.applyEdit,
    documentChanges: !!c.workspace?.workspaceEdit?.documentChanges,
  };
}

/**
 * `formatting`: announce the formatting providers now (opt-in; see
 * features/formatOptIn.ts). `commands`: the server commands (workspace/executeCommand).
 */
export function serverCapabilities(s: ClientSupport, notebooks: boolean, formatting = false, commands: string[] = []): ServerCapabilities {
  const caps: ServerCapabilities = {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
    completionProvider: { triggerCharacters: TRIGGER_CHARACTERS, resolveProvider: false },
    hoverProvider: true,
    definitionProvider: true,
    referencesProvider: true,
    documentSymbolProvider: true,
    workspaceSymbolProvider: true,
    codeActionProvider: s.codeActionLiterals ? { codeActionKinds: ['quickfix', FIX_ALL_KIND] } : true,
  };
  if (formatting) {
    caps.documentFormattingProvider = true;
    caps.documentRangeFormattingProvider = true;
  }
  if (commands.length) caps.executeCommandProvider = { commands };
  if (notebooks) {
    caps.notebookDocumentSync = { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] };
  }
  if (s.workspaceFolders) caps.workspace = { workspaceFolders: { supported: true, changeNotifications: true } };
  return caps;
}
