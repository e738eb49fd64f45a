// A populate worker's control connection to a server that accepts the TCP connection and
// never answers (a hung server, a half-open tunnel) fails as the pool's sessions do, after
// the connect timeout, instead of leaving the worker waiting forever: node-postgres has no
// timeout of its own, mysql2 one. The "server" is a socket that reads and says nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { openControl } from '../../../runtime/populate/control';

let silent: Server;
let port = 0;
const sockets = new Set<Socket>();

before(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as { port: number }).port;
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

for (const backend of ['postgresql', 'mysql'] as const) {
  test(`${backend}: a server that never answers fails the control connection instead of hanging`, async () => {
    // A short timeout for the test's sake; the default is the pool's.
    await assert.rejects(openControl({ backend, host: '127.0.0.1', port, user: 'u', password: 'p', tls: false }, { connectTimeoutMs: 200 }), (e: unknown) => {
      assert.match(String((e as Error).message), /timeout|timed out|ETIMEDOUT/i);
      return true;
    });
  });
}
