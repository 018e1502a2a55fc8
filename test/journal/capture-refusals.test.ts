// What wayback refuses to track, and that a refusal leaves nothing behind: no tracked_table row and no
// trigger, for the refused table or for any other table named in the same call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqlState } from '../../src/db/index.js';
import { CaptureRefusedError, track, untrack } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { expectSqlError, journalOf, trackedTables, waybackTriggersOn } from '../support/journal.js';

for (const backend of backends) {
  describe(`tracking refusals on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
      await t.db.query(`
        create table loose (a int not null, b int not null, c int, note text);
        create unique index loose_ab on loose (a, b);
        create unique index loose_c on loose (c);
        create unique index loose_a_partial on loose (a) where a > 0;
        create table keyed (id int primary key);
        create view loose_view as select * from loose`);
    });
    after(async () => {
      await t.drop();
    });

    /** `track` must be refused with a message matching every pattern, and leave nothing tracked. */
    async function expectRefused(tables: string[], key: string[] | undefined, ...patterns: RegExp[]): Promise<void> {
      const before = await trackedTables(t.db);
      await assert.rejects(track(t.db, tables, key === undefined ? {} : { key }), (error: unknown) => {
        assert.ok(error instanceof CaptureRefusedError, `expected CaptureRefusedError, got ${String(error)}`);
        for (const pattern of patterns) assert.match(error.message, pattern);
        return true;
      });
      assert.deepEqual(await trackedTables(t.db), before);
      for (const table of tables) assert.deepEqual(await waybackTriggersOn(t.db, table), [], `triggers left on ${table}`);
      const { rows } = await t.db.query<{ n: string }>(
        `select count(*) as n from wayback.tracked_table where relid = any (array(select to_regclass(x)::oid from unnest($1::text[]) x))`,
        [tables],
      );
      assert.equal(rows[0]?.n, '0', 'no tracked_table row, not even an untracked one');
    }

    it('refuses a table without a primary key, saying to add one or pass --key', async () => {
      await expectRefused(
        ['loose'],
        undefined,
        /^public\.loose has no primary key/,
        /ALTER TABLE public\.loose ADD PRIMARY KEY/,
        /--key col/,
      );
    });

    it('refuses the whole call when one table of several is refused', async () => {
      await expectRefused(['keyed', 'loose'], undefined, /public\.loose has no primary key/);
      assert.deepEqual(await waybackTriggersOn(t.db, 'keyed'), []);
    });

    it('refuses a --key that names a missing column, a nullable column, or columns without a unique index', async () => {
      await expectRefused(['loose'], ['a', 'nope'], /^public\.loose has no column nope; check the --key columns$/);
      await expectRefused(['loose'], ['c'], /^--key column c of public\.loose allows NULL; a key must be NOT NULL/);
      await expectRefused(['loose'], ['a'], /^no unique index on \(a\) of public\.loose; create one \(CREATE UNIQUE INDEX ON public\.loose \(a\)\)/);
      await expectRefused(['loose'], ['b'], /^no unique index on \(b\) of public\.loose/);
      await expectRefused(['loose'], ['a', 'b', 'b'], /^no unique index on \(a, b, b\)/);
    });

    it('tracks a table without a primary key by a unique NOT NULL --key, in any column order', async () => {
      const { db } = t;
      const [tracked] = await track(db, ['loose'], { key: ['b', 'a'] });
      assert.deepEqual([tracked?.table, tracked?.key, tracked?.keySource], ['public.loose', ['b', 'a'], 'explicit']);
      await db.query("insert into loose values (1, 2, null, 'x')");
      await db.query("update loose set note = 'y'");
      await db.query('delete from loose');
      assert.deepEqual(
        (await journalOf(db, 'public.loose')).map((e) => [e.op, e.pk, e.before, e.after]),
        [
          ['I', [2, 1], null, { a: 1, b: 2, c: null, note: 'x' }],
          ['U', [2, 1], { note: 'x' }, { note: 'y' }],
          ['D', [2, 1], { a: 1, b: 2, c: null, note: 'y' }, null],
        ],
      );
      await untrack(db, ['loose']);
    });

    it('refuses a view, a temporary table and wayback\'s own tables', async () => {
      await expectRefused(['loose_view'], undefined, /^public\.loose_view is not a table; wayback tracks ordinary and partitioned tables$/);
      await expectRefused(['wayback.bulk_statement'], undefined, /belongs to wayback itself/);
      // A temporary table lives in one session; on a server, track() may run on another pooled connection,
      // so the refusal is checked in the SQL function, in the transaction that made the table.
      await t.db.transaction(async (tx) => {
        await tx.query('create temporary table scratch (id int primary key)');
        await expectSqlError(
          () => tx.query("select wayback.track('scratch'::regclass)"),
          SqlState.waybackRefused,
          /scratch is a temporary table; its writes vanish with the session/,
        );
      });
      assert.deepEqual(await trackedTables(t.db), []);
      const { rows } = await t.db.query<{ n: string }>(
        "select count(*) as n from pg_trigger where tgname like 'wayback%'",
      );
      assert.equal(rows[0]?.n, '0');
    });

    it('refuses to untrack a table that is not tracked', async () => {
      await assert.rejects(untrack(t.db, ['keyed']), (error: unknown) => {
        assert.ok(error instanceof CaptureRefusedError);
        assert.match(error.message, /^public\.keyed is not tracked; "wayback status" lists the tracked tables$/);
        return true;
      });
    });
  });
}
