// Every DataJoint type round-trips through insert and fetch (and restriction), with the
// JS values of runtime/values: int64 as bigint without precision loss, decimal as an
// exact string, uuid as text stored in 16 bytes (MySQL) or the server's uuid (PostgreSQL),
// json, dates, `<blob>` via the codec: the same JS values on both backends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';
import { DEFAULT_BACKEND, connect, dropSchemas, schemaName, testServer } from './helpers';

const db = schemaName('djt_types');
const pg = DEFAULT_BACKEND === 'postgresql';
// Native types pass to the server verbatim, so each backend gets its own. PostgreSQL has
// no unsigned integers: the unsigned 32-bit range needs its bigint, the unsigned 64-bit
// range its numeric(20) (a native numeric reads as exact text, as decimal does).
const native = pg
  ? { uint: 'bigint', big: 'numeric(20)', uintValue: 4294967295n, bigValue: '18446744073709551615' }
  : { uint: 'int unsigned', big: 'bigint unsigned', uintValue: 4294967295, bigValue: 18446744073709551615n };
let conn: dj.Connection;
const schema = new dj.Schema(db);

class AllTypes extends dj.Manual {
  static override definition = `
  # one column of every type
  id : int32
  ---
  i8 = null : int8
  i16 = null : int16
  i32 = null : int32
  i64 = null : int64
  f32 = null : float32
  f64 = null : float64
  dec = null : decimal(30,10)
  flag = null : bool
  u = null : uuid
  j = null : json
  raw = null : bytes
  d = null : date
  dt = null : datetime
  dt3 = null : datetime(3)
  c = null : char(4)
  vc = null : varchar(100)
  e = null : enum('red','green')
  bl = null : <blob>
  native_uint = null : ${native.uint}
  native_big = null : ${native.big}
  native_text = null : text
  `;
}

class UuidKey extends dj.Manual {
  static override definition = `
  key_uuid : uuid
  ---
  label : varchar(20)
  `;
}

before(async () => {
  conn = await connect();
  // The schema was made at module load, before connecting: attach the connection now.
  schema.useConnection(conn);
  await schema.declare(AllTypes, UuidKey);
});
after(async () => {
  await dropSchemas(conn, [db]);
  await conn.close();
  await (await testServer()).stop();
});

const full = {
  id: 1,
  i8: -128,
  i16: 32767,
  i32: -2147483648,
  i64: 9223372036854775807n,
  f32: 1.5,
  f64: Math.PI,
  dec: '12345678901234567890.0123456789',
  flag: true,
  u: '123e4567-e89b-12d3-a456-426614174000',
  j: { a: [1, 2, 3], b: { c: 'd' }, e: null, f: true },
  raw: Buffer.from([0, 1, 2, 255]),
  d: '2024-02-29',
  dt: '2024-02-29 13:14:15',
  dt3: '2024-02-29 13:14:15.123',
  c: 'abcd',
  vc: "it's \\ a \"test\"",
  e: 'green',
  bl: { samples: [1.5, 2.5], name: 'x' },
  native_uint: native.uintValue,
  native_big: native.bigValue,
  native_text: 'text'.repeat(1000),
};

describe('value round trips for every type', () => {
  it('inserts and fetches every type', async () => {
    await AllTypes.insert1(full);
    const row = await AllTypes.restrict({ id: 1 }).fetch1();
    assert.equal(row.i8, -128);
    assert.equal(row.i16, 32767);
    assert.equal(row.i32, -2147483648);
    assert.equal(row.i64, 9223372036854775807n);
    assert.equal(row.f32, 1.5);
    assert.equal(row.f64, Math.PI);
    assert.equal(row.dec, '12345678901234567890.0123456789');
    assert.equal(row.flag, true);
    assert.equal(row.u, '123e4567-e89b-12d3-a456-426614174000');
    assert.deepEqual(row.j, full.j);
    assert.deepEqual(row.raw, full.raw);
    assert.ok(row.d instanceof Date);
    assert.equal((row.d as Date).toISOString(), '2024-02-29T00:00:00.000Z');
    assert.equal((row.dt as Date).toISOString(), '2024-02-29T13:14:15.000Z');
    assert.equal((row.dt3 as Date).toISOString(), '2024-02-29T13:14:15.123Z');
    assert.equal(row.c, 'abcd');
    assert.equal(row.vc, full.vc);
    assert.equal(row.e, 'green');
    assert.deepEqual(row.bl, full.bl);
    assert.equal(row.native_uint, native.uintValue);
    assert.equal(row.native_big, native.bigValue);
    assert.equal(row.native_text, full.native_text);
  });

  it('stores uuid as 16 bytes (MySQL) or a native uuid (PostgreSQL) and blobs in the reference format', async () => {
    const table = conn.dialect.qualified(db, 'all_types');
    const [raw] = await conn.query(`SELECT u, bl, i64 FROM ${table} WHERE id = 1`);
    if (conn.backend === 'mysql') {
      assert.equal((raw.u as Buffer).toString('hex'), '123e4567e89b12d3a456426614174000');
    } else {
      // adapters/postgres.py: uuid is the server's own type, which the driver reads as text.
      const [t] = await conn.query(`SELECT pg_typeof(u)::text AS u_type, pg_typeof(bl)::text AS bl_type, pg_typeof(i64)::text AS i64_type FROM ${table} WHERE id = 1`);
      assert.deepEqual(t, { u_type: 'uuid', bl_type: 'bytea', i64_type: 'bigint' });
      assert.equal(raw.u, '123e4567-e89b-12d3-a456-426614174000');
    }
    const blob = raw.bl as Buffer;
    assert.ok(['mYm\0', 'dj0\0', 'ZL123\0'].some((p) => blob.subarray(0, p.length).toString('latin1') === p));
    assert.equal(raw.i64, '9223372036854775807');
  });

  it('uses column defaults for null and undefined', async () => {
    await AllTypes.insert1({ id: 2, i8: null, vc: undefined });
    const row = await AllTypes.restrict({ id: 2 }).fetch1();
    for (const [k, v] of Object.entries(row)) if (k !== 'id') assert.equal(v, null, k);
  });

  it('restricts on every comparable type with the same values', async () => {
    for (const k of ['i8', 'i16', 'i32', 'i64', 'f64', 'dec', 'flag', 'u', 'd', 'dt', 'dt3', 'c', 'vc', 'e', 'native_uint', 'native_big'] as const) {
      assert.equal(await AllTypes.restrict({ [k]: full[k] }).count(), 1, k);
    }
    assert.equal(await AllTypes.restrict({ i64: 9223372036854775806n }).count(), 0);
  });

  it('accepts Date objects for dates and datetimes', async () => {
    await AllTypes.insert1({ id: 3, d: new Date(Date.UTC(2020, 0, 31)), dt3: new Date(Date.UTC(2020, 0, 31, 23, 59, 58, 250)) });
    const row = await AllTypes.restrict({ id: 3 }).fetch1({ attributes: ['d', 'dt3'] });
    assert.equal((row.d as Date).toISOString(), '2020-01-31T00:00:00.000Z');
    assert.equal((row.dt3 as Date).toISOString(), '2020-01-31T23:59:58.250Z');
  });

  it('keys by uuid', async () => {
    await UuidKey.insert([
      { key_uuid: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', label: 'a' },
      { key_uuid: '{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}', label: 'b' },
    ]);
    assert.deepEqual(await UuidKey.restrict({ key_uuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8' }).fetch1(), { key_uuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', label: 'b' });
    assert.deepEqual((await UuidKey.keys({ orderBy: 'label' })).map((k) => k.key_uuid), ['f81d4fae-7dec-11d0-a765-00a0c91e6bf6', '6ba7b810-9dad-11d1-80b4-00c04fd430c8']);
  });

  it('refuses values that do not fit the type with a one-line error naming the attribute', async () => {
    await assert.rejects(AllTypes.insert1({ id: 9, u: 'not-a-uuid' }), (e: unknown) => {
      assert.ok(e instanceof dj.ValueError);
      assert.match(e.message, /`u`/);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    await assert.rejects(AllTypes.insert1({ id: 9, i32: 'abc' }), { code: 'value' });
  });
});
