import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { populate } from '../../../runtime/populate/index';
import { calls, range, reset, rows, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_smoke');
});
after(async () => env?.close());

test('direct populate computes every key once', async () => {
  await reset(env, range(10).map((subject_id) => ({ subject_id })));
  const r = await populate(env.pipeline.Analysis);
  assert.equal(r.successCount, 10);
  assert.deepEqual(r.errorList, []);
  const c = await calls(env, 'Analysis');
  assert.deepEqual([...c.values()], Array(10).fill(1));
  const [{ n }] = await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.__analysis__detail`);
  assert.equal(Number(n), 20);
});
