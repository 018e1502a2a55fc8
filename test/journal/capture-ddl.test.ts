// DDL on a tracked table never breaks the user's writes, and capture follows the table's new shape:
// the event trigger regenerates the capture function after ALTER TABLE and marks dropped tables untracked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqlState } from '../../src/db/index.js';
import { status, track, untrack } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { allCaptureTriggers, expectSqlError, journalOf, lastStmt, trackedTables, waybackTriggersOn } from '../support/journal.js';

type Shown = [string, unknown[], Record<string, unknown> | null, Record<string, unknown> | null];

for (const backend of backends) {
  describe(`DDL on tracked tables on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
      await t.db.query("create table person (id int primary key, name text, email text); insert into person values (1, 'Ada', 'ada@x')");
      await track(t.db, ['person']);
    });
    after(async () => {
      await t.drop();
    });

    async function entriesSince(table: string, stmt: number): Promise<Shown[]> {
      return (await journalOf(t.db, table)).filter((e) => e.stmt > stmt).map((e) => [e.op, e.pk, e.before, e.after]);
    }

    it('captures a column added after track, and leaves it out of updates that do not change it', async () => {
      const { db } = t;
      await db.query("alter table person add column score int default 0");
      const mark = await lastStmt(db);
      await db.query("insert into person values (2, 'Bob', 'bob@x', 5)");
      await db.query('update person set score = score + 1');
      await db.query("update person set name = upper(name) where id = 1");
      assert.deepEqual(await entriesSince('public.person', mark), [
        ['I', [2], null, { id: 2, name: 'Bob', email: 'bob@x', score: 5 }],
        ['U', [1], { score: 0 }, { score: 1 }],
        ['U', [2], { score: 5 }, { score: 6 }],
        ['U', [1], { name: 'Ada' }, { name: 'ADA' }],
      ]);
    });

    it('keeps capturing after a column is dropped, without it', async () => {
      const { db } = t;
      await db.query('alter table person drop column email');
      const mark = await lastStmt(db);
      await db.query("insert into person values (3, 'Cy', 9)");
      await db.query('update person set score = 0 where id = 3');
      await db.query('delete from person where id = 3');
      assert.deepEqual(await entriesSince('public.person', mark), [
        ['I', [3], null, { id: 3, name: 'Cy', score: 9 }],
        ['U', [3], { score: 9 }, { score: 0 }],
        ['D', [3], { id: 3, name: 'Cy', score: 0 }, null],
      ]);
    });

    it('captures a renamed column under its new name', async () => {
      const { db } = t;
      await db.query('alter table person rename column name to full_name');
      const mark = await lastStmt(db);
      await db.query("update person set full_name = 'Ada L.' where id = 1");
      await db.query('update person set score = score + 10 where id = 1');
      assert.deepEqual(await entriesSince('public.person', mark), [
        ['U', [1], { full_name: 'ADA' }, { full_name: 'Ada L.' }],
        ['U', [1], { score: 1 }, { score: 11 }],
      ]);
    });

    it('follows a renamed table and a table moved to another schema', async () => {
      const { db } = t;
      await db.query('alter table person rename to member');
      assert.deepEqual(await trackedTables(db), ['public.member']);
      let mark = await lastStmt(db);
      await db.query("insert into member values (4, 'Di', 1)");
      assert.deepEqual(await entriesSince('public.member', mark), [['I', [4], null, { id: 4, full_name: 'Di', score: 1 }]]);
      // The journal belongs to the table, not to its name: earlier entries are listed under the new name.
      assert.equal((await journalOf(db, 'public.person')).length, 0);
      assert.equal((await journalOf(db, 'public.member')).length, 4 + 3 + 2 + 1);

      await db.query('create schema club; alter table member set schema club');
      assert.deepEqual(await trackedTables(db), ['club.member']);
      mark = await lastStmt(db);
      await db.query('delete from club.member where id = 4');
      assert.deepEqual(await entriesSince('club.member', mark), [['D', [4], { id: 4, full_name: 'Di', score: 1 }, null]]);
    });

    it('follows a primary key replaced by another', async () => {
      const { db } = t;
      await db.query(`create table badge (id int primary key, code text not null unique, label text);
                      insert into badge values (1, 'A', 'alpha')`);
      await track(db, ['badge']);
      await db.query('alter table badge drop constraint badge_pkey, add primary key (code)');
      const { rows } = await db.query("select key_columns from wayback.tracked_table where table_name = 'badge'");
      assert.deepEqual(rows, [{ key_columns: ['code'] }]);
      const mark = await lastStmt(db);
      await db.query("update badge set label = 'ALPHA'");
      assert.deepEqual(await entriesSince('public.badge', mark), [['U', ['A'], { label: 'alpha' }, { label: 'ALPHA' }]]);
    });

    it('follows a renamed primary-key column', async () => {
      const { db } = t;
      await db.query("alter table badge rename column code to badge_code");
      const mark = await lastStmt(db);
      await db.query("update badge set label = 'a'");
      assert.deepEqual(await entriesSince('public.badge', mark), [['U', ['A'], { label: 'ALPHA' }, { label: 'a' }]]);
      assert.deepEqual((await db.query("select key_columns from wayback.tracked_table where table_name = 'badge'")).rows, [{ key_columns: ['badge_code'] }]);
    });

    it('refuses DDL that would take away a key column, leaving table and capture as they were', async () => {
      const { db } = t;
      await db.query("create table sku (code text not null unique, name text); insert into sku values ('x', 'X')");
      await track(db, ['sku'], { key: ['code'] });
      for (const ddl of ['alter table sku rename column code to sku_code', 'alter table sku drop column code', 'alter table badge drop column badge_code']) {
        const table = ddl.includes('badge') ? 'badge' : 'sku';
        const column = table === 'badge' ? 'badge_code' : 'code';
        await expectSqlError(
          () => db.query(ddl),
          SqlState.waybackRefused,
          new RegExp(`^public\\.${table} would lose column ${column} of the key wayback journals its rows by`),
          new RegExp(`run "wayback untrack public\\.${table}" first`),
        );
      }
      assert.deepEqual(
        (await db.query("select attname from pg_attribute where attrelid = 'sku'::regclass and attnum > 0 and not attisdropped order by attnum")).rows,
        [{ attname: 'code' }, { attname: 'name' }],
      );
      const mark = await lastStmt(db);
      await db.query("update sku set name = 'Y'");
      assert.deepEqual(await entriesSince('public.sku', mark), [['U', ['x'], { name: 'X' }, { name: 'Y' }]]);
      // Untracked, the table is the user's again; tracking it anew takes the new name.
      await untrack(db, ['sku']);
      await db.query('alter table sku rename column code to sku_code');
      await track(db, ['sku'], { key: ['sku_code'] });
      await db.query("update sku set name = 'Z'");
      assert.deepEqual((await entriesSince('public.sku', mark)).at(-1), ['U', ['x'], { name: 'Y' }, { name: 'Z' }]);
    });

    it('marks a table dropped while tracked as untracked and keeps its journal', async () => {
      const { db } = t;
      await db.query('create table doomed (id int primary key); insert into doomed values (1)');
      await track(db, ['doomed']);
      await db.query('insert into doomed values (2)');
      await db.query('drop table doomed');
      const { rows } = await db.query<{ untracked: boolean }>(
        "select untracked_at is not null as untracked from wayback.tracked_table where table_name = 'doomed'",
      );
      assert.deepEqual(rows, [{ untracked: true }]);
      assert.deepEqual((await journalOf(db, 'public.doomed')).map((e) => [e.op, e.pk]), [['I', [2]]]);
      assert.ok(!(await status(db)).tables.some((table) => table.table === 'public.doomed'));
      // A new table of the same name is not tracked by accident, and tracking it again journals under the old name.
      await db.query('create table doomed (id int primary key)');
      assert.deepEqual(await waybackTriggersOn(db, 'doomed'), []);
      await db.query('insert into doomed values (3)');
      await track(db, ['doomed']);
      assert.deepEqual(await waybackTriggersOn(db, 'doomed'), allCaptureTriggers);
      await db.query('insert into doomed values (4)');
      assert.deepEqual((await journalOf(db, 'public.doomed')).map((e) => [e.op, e.pk]), [['I', [2]], ['I', [4]]]);
    });

    it('reports every tracked table as fully captured after all this DDL', async () => {
      const { tables } = await status(t.db);
      assert.deepEqual(
        tables.map((table) => [table.table, table.members, table.membersWithoutCapture]),
        [['club.member', 1, 0], ['public.badge', 1, 0], ['public.doomed', 1, 0], ['public.sku', 1, 0]],
      );
    });
  });
}
