import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount, SqlState, sqlStateOf, type Db } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';

for (const backend of backends) {
  describe(`Db queries and transactions on ${backend.name}`, () => {
    let t: TestDatabase;
    let db: Db;
    before(async () => {
      t = await backend.fresh();
      db = t.db;
      await db.query('create table item (id int primary key, name text not null)');
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    const names = async (): Promise<string[]> =>
      (await db.query<{ name: string }>('select name from item order by id')).rows.map((row) => row.name);

    it('reports its backend', () => {
      assert.equal(db.backend, backend.name);
      assert.equal(db.url, t.url);
    });

    it('a transaction that resolves is committed and gives back what it returned', async () => {
      const returned = await db.transaction(async (tx) => {
        await tx.query("insert into item values (1, 'one')");
        const { rowCount } = await tx.query("insert into item values (2, 'two'), (3, 'three')");
        return rowCount;
      });
      assert.equal(returned, 2);
      assert.deepEqual(await names(), ['one', 'two', 'three']);
    });

    it('a transaction that throws is rolled back, rows and DDL alike, and the error comes through unchanged', async () => {
      const failure = new Error('changed my mind');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query("insert into item values (4, 'four')");
          await tx.query("update item set name = 'ONE' where id = 1");
          await tx.query('create table scratch (x int)');
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.deepEqual(await names(), ['one', 'two', 'three']);
      const { rows } = await db.query("select to_regclass('scratch') is null as gone");
      assert.deepEqual(rows, [{ gone: true }]);
    });

    it('a failing statement rolls back the whole transaction and keeps its SQLSTATE', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query("insert into item values (5, 'five')");
          await tx.query("insert into item values (1, 'duplicate')");
        }),
        (error) => sqlStateOf(error) === SqlState.uniqueViolation,
      );
      assert.deepEqual(await names(), ['one', 'two', 'three']);
      // The connection is usable again, outside and inside a transaction.
      await db.transaction((tx) => tx.query("insert into item values (5, 'five')"));
      assert.deepEqual(await names(), ['one', 'two', 'three', 'five']);
    });

    it('a query outside a transaction is not swept into it, nor rolled back with it', async () => {
      let release: () => void = () => undefined;
      const paused = new Promise<void>((resolve) => (release = resolve));
      const inside = db.transaction(async (tx) => {
        await tx.query("insert into item values (6, 'inside')");
        await paused;
        throw new Error('roll back');
      });
      const outside = db.query("insert into item values (7, 'outside')");
      setTimeout(release, 50);
      await assert.rejects(inside, /roll back/);
      await outside;
      assert.deepEqual(await names(), ['one', 'two', 'three', 'five', 'outside']);
    });

    it('passes parameters as values, never as SQL', async () => {
      const hostile = "x'); drop table item; --";
      await db.query('insert into item values ($1, $2)', [8, hostile]);
      const { rows } = await db.query<{ name: string }>('select name from item where id = $1 and name = $2', [8, hostile]);
      assert.deepEqual(rows, [{ name: hostile }]);
      assert.equal((await names()).length, 6, 'the table is still there');
      const { rowCount } = await db.query('delete from item where id = any ($1::int[])', [[7, 8]]);
      assert.equal(rowCount, 2);
    });

    it('parses values the same way on every backend', async () => {
      const at = new Date('2026-11-20T17:00:00.123Z');
      const { rows } = await db.query(
        `select $1::int as i, $2::bigint as big, $3::text as t, $4::boolean as b, $5::jsonb as j, $6::text[] as arr,
                $7::timestamptz as at, $8::text as missing, 1.50::numeric as num, 'é☕'::text as unicode`,
        [42, '9007199254740993', 'hello', true, JSON.stringify({ k: [1, 'two', null] }), ['a', 'b "c"'], at, null],
      );
      assert.deepEqual(rows, [
        {
          i: 42,
          // int8 and numeric come back as strings: they may not fit a JS number.
          big: '9007199254740993',
          t: 'hello',
          b: true,
          j: { k: [1, 'two', null] },
          arr: ['a', 'b "c"'],
          at,
          missing: null,
          num: '1.50',
          unicode: 'é☕',
        },
      ]);
    });

    it('a query with a wrong parameter count fails without breaking the connection', async () => {
      await assert.rejects(db.query('select $1::int as a, $2::int as b', [1]));
      assert.deepEqual((await db.query('select 1 as ok')).rows, [{ ok: 1 }]);
    });

    it('a session holds one connection: its SET and advisory lock stay, its transactions commit and roll back', async () => {
      const seen = await db.session(async (session) => {
        const pid = async () => (await session.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
        const first = await pid();
        await session.query("set application_name = 'held'");
        await session.query('select pg_advisory_lock(4242)');
        await session.transaction(async (tx) => tx.query("insert into item values (40, 'kept')"));
        await assert.rejects(
          session.transaction(async (tx) => {
            await tx.query("insert into item values (41, 'gone')");
            throw new Error('no');
          }),
          /no/,
        );
        const { rows } = await session.query<{ name: string; locks: number }>(
          "select current_setting('application_name') as name, (select count(*)::int from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as locks",
        );
        await session.query('select pg_advisory_unlock(4242)');
        return { same: first === (await pid()), ...rows[0] };
      });
      assert.deepEqual(seen, { same: true, name: 'held', locks: 1 });
      assert.deepEqual(await names().then((all) => all.filter((n) => n === 'kept' || n === 'gone')), ['kept']);
      // Nothing of the session reaches later queries.
      assert.notEqual((await db.query<{ name: string }>("select current_setting('application_name') as name")).rows[0]?.name, 'held');
    });

    if (backend.name === 'pglite') {
      it('refuses db.query inside db.transaction on its single connection, instead of waiting forever', async () => {
        await assert.rejects(
          db.transaction(async () => {
            await db.query('select 1');
          }),
          /use the tx passed to the callback/,
        );
        assert.deepEqual((await db.query('select 2 as ok')).rows, [{ ok: 2 }]);
      });
    }
  });
}
