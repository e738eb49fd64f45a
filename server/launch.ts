// How the language server's Node process is started, for every launcher: the VS Code
// client (client/language/definitionLanguageService.ts), the protocol tests and
// bench:lsp (test/lsp/client.ts); the README tells other editors.
//
// A first look at a large file builds its whole model at once (5,000 definitions keep some
// 80 MB). On V8's small starting heap the old generation reaches its first limits on the
// way, and two full collections (some 60 ms here) run before the first diagnostics; a heap
// that starts at 128 MB leaves them out. Measured with 20 cold servers each, alternating:
// first diagnostics of bench:lsp's 5,000-definition file 870 -> 790 ms (median, 2 cores).
// Memory is committed only as it is used.
export const SERVER_NODE_ARGS: readonly string[] = ['--initial-heap-size=128'];
