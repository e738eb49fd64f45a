// The database server goes away mid-run: `djx populate` says what was done (committed),
// that what is left is unknown, and one clear line naming the server and what to do;
// exit 2. A throwaway server of this file's own, of the test backend (scripts/mariadb.mjs,
// scripts/postgres.mjs), stopped mid-run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dj } from './cli';
import { DEFAULT_BACKEND } from '../runtime/helpers';
import { PIPELINE, range, reset, setup, type Env } from './helpers';

interface Server {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
  stop(): Promise<void>;
}

let server: Server;
let env: Env;
let stopped = false;
before(async () => {
  // helpers.setup uses the server named by DJ_TEST_* (DJ_TEST_PG_* on PostgreSQL): this one.
  if (DEFAULT_BACKEND === 'postgresql') {
    // @ts-expect-error: plain ESM script without type declarations
    const { startPostgres } = (await import('../../../scripts/postgres.mjs')) as { startPostgres(): Promise<Server> };
    server = await startPostgres();
    Object.assign(process.env, {
      DJ_TEST_PG_HOST: server.host,
      DJ_TEST_PG_PORT: String(server.port),
      DJ_TEST_PG_USER: server.user,
      DJ_TEST_PG_PASSWORD: server.password,
      DJ_TEST_PG_DATABASE: server.database ?? 'postgres',
    });
  } else {
    // @ts-expect-error: plain ESM script without type declarations
    const { startMariaDB } = (await import('../../../scripts/mariadb.mjs')) as { startMariaDB(): Promise<Server> };
    server = await startMariaDB();
    Object.assign(process.env, { DJ_TEST_HOST: server.host, DJ_TEST_PORT: String(server.port), DJ_TEST_USER: server.user, DJ_TEST_PASSWORD: server.password });
  }
  env = await setup('djpop_lost');
});
after(async () => {
  if (!stopped) await env?.close();
  else {
    env.sql.destroy();
    await env.pipeline.closeCounter().catch(() => undefined);
    await (await env.pipeline.schema.connection()).close().catch(() => undefined);
  }
  if (!stopped) await server?.stop();
});

test('the server stops mid-run (--reserve-jobs): what was done, what is left, the server and what to do; exit 2', async () => {
  await reset(env, range(6).map((subject_id) => ({ subject_id, delay_ms: subject_id === 1 ? 0 : 1500 })));
  const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
  await run.waitEvent((e) => e.event === 'keyDone');
  stopped = true;
  await server.stop();
  const code = await run.done;
  const err = run.stderr();
  assert.equal(code, 2, err);
  const end = run.end()!;
  assert.ok(end.successCount >= 1);
  assert.match(err, new RegExp(`Analysis: ${end.successCount} done, 0 failed; what is left is unknown \\(the server went away\\)\\n`));
  assert.match(
    err,
    new RegExp(
      `djx: lost the database server at ${server.host}:${server.port} mid-run \\(.+\\); the keys reported done are committed, the key in progress was rolled back\\. Check that the server is running and reachable, then run populate again\\.\\n$`,
    ),
  );
  assert.equal(end.left, null);
  assert.equal(end.connectionLost?.server, `${server.host}:${server.port}`);
  assert.equal(end.errorCount, 0, 'a key cut off by the lost server is not a failed key');
});
