// Entry point of dist/server.js. Runs under the extension's language client (node IPC)
// and standalone over stdio for other editors: `node dist/server.js --stdio`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
// An editor must never lose its language server to one bad input: anything that escapes
// the per-handler guards is logged and the process keeps serving.
process.on('uncaughtException', (e) => connection.console.error(`datajoint: uncaught ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => connection.console.error(`datajoint: unhandled rejection ${String(e)}`));
startServer(connection);
connection.listen();
