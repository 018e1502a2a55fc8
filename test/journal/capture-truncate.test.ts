// TRUNCATE leaves no before-images, so it is refused on tracked tables (and every member of a tracked
// tree) until the table is untracked; untrack keeps the journal, and tracking again resumes capture.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqlState } from '../../src/db/index.js';
import { track, untrack } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { allCaptureTriggers, entryCount, expectSqlError, journalOf, trackedTables, waybackTriggersOn } from '../support/journal.js';

for (const backend of backends) {
  describe(`TRUNCATE and untrack on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
      await t.db.query(`
        create table note (id int primary key, body text);
        insert into note values (1, 'kept'), (2, 'also kept');
        create table ledger (day date, id int, amount int, primary key (day, id)) partition by range (day);
        create table ledger_2024 partition of ledger for values from ('2024-01-01') to ('2025-01-01');
        create table ledger_2025 partition of ledger for values from ('2025-01-01') to ('2026-01-01');
        insert into ledger values ('2024-05-01', 1, 10), ('2025-05-01', 2, 20)`);
      await track(t.db, ['note', 'ledger']);
    });
    after(async () => {
      await t.drop();
    });

    const rowsOf = async (table: string) => (await t.db.query(`select * from ${table} order by 2`)).rows;
    const blocked = [SqlState.waybackRefused, /is blocked: wayback tracks it/, /use DELETE \(journaled\)/, /wayback untrack/] as const;

    it('refuses TRUNCATE of a tracked table with WB001 and leaves the table as it was', async () => {
      const before = await rowsOf('note');
      const error = await expectSqlError(() => t.db.query('truncate note'), ...blocked);
      assert.match(error.message, /^TRUNCATE of public\.note is blocked/);
      assert.match(error.message, /run "wayback untrack public\.note" first/);
      assert.deepEqual(await rowsOf('note'), before);
      // Also inside a transaction and with CASCADE or RESTART IDENTITY: the refusal is not a syntax matter.
      await expectSqlError(() => t.db.transaction((tx) => tx.query('truncate note restart identity cascade')), ...blocked);
      assert.deepEqual(await rowsOf('note'), before);
    });

    it('refuses TRUNCATE of a tracked partitioned table and of each of its partitions', async () => {
      const before = await rowsOf('ledger');
      await expectSqlError(() => t.db.query('truncate ledger'), ...blocked);
      const error = await expectSqlError(() => t.db.query('truncate ledger_2024'), ...blocked);
      assert.match(error.message, /^TRUNCATE of public\.ledger_2024 is blocked/);
      await expectSqlError(() => t.db.query('truncate ledger_2025, note'), ...blocked);
      assert.deepEqual(await rowsOf('ledger'), before);
      assert.equal(await entryCount(t.db, 'public.ledger'), 0);
    });

    it('after untrack: TRUNCATE works, writes are not journaled, and the earlier journal is kept', async () => {
      const { db } = t;
      await db.query("update note set body = 'edited' where id = 1");
      const journaled = await journalOf(db, 'public.note');
      assert.deepEqual(journaled.map((e) => [e.op, e.pk, e.before, e.after]), [['U', [1], { body: 'kept' }, { body: 'edited' }]]);

      assert.deepEqual(await untrack(db, ['note']), ['public.note']);
      assert.deepEqual(await trackedTables(db), ['public.ledger']);
      assert.deepEqual(await waybackTriggersOn(db, 'note'), []);
      assert.deepEqual(await waybackTriggersOn(db, 'ledger_2024'), allCaptureTriggers, 'the other table is still tracked');
      await db.query("insert into note values (3, 'not journaled')");
      await db.query("update note set body = 'nor this'");
      await db.query('truncate note');
      assert.deepEqual(await rowsOf('note'), []);
      assert.deepEqual(await journalOf(db, 'public.note'), journaled);
      const { rows } = await db.query<{ untracked: boolean }>(
        "select untracked_at is not null as untracked from wayback.tracked_table where table_name = 'note'",
      );
      assert.deepEqual(rows, [{ untracked: true }]);
    });

    it('untracking a partitioned table lifts the block on every partition', async () => {
      await untrack(t.db, ['ledger']);
      for (const member of ['ledger', 'ledger_2024', 'ledger_2025']) assert.deepEqual(await waybackTriggersOn(t.db, member), [], member);
      await t.db.query('truncate ledger_2024');
      assert.deepEqual((await t.db.query('select day::text as day, id, amount from ledger')).rows, [{ day: '2025-05-01', id: 2, amount: 20 }]);
    });

    it('tracking again resumes capture under the same tracked table, after the entries already kept', async () => {
      const { db } = t;
      const [{ id: before } = { id: 0 }] = (await db.query<{ id: number }>("select id from wayback.tracked_table where table_name = 'note'")).rows;
      await track(db, ['note']);
      const [{ id: again } = { id: -1 }] = (await db.query<{ id: number }>("select id from wayback.tracked_table where table_name = 'note'")).rows;
      assert.equal(again, before);
      await db.query("insert into note values (4, 'journaled again')");
      await expectSqlError(() => db.query('truncate note'), ...blocked);
      assert.deepEqual(
        (await journalOf(db, 'public.note')).map((e) => [e.op, e.pk, e.before, e.after]),
        [
          ['U', [1], { body: 'kept' }, { body: 'edited' }],
          ['I', [4], null, { id: 4, body: 'journaled again' }],
        ],
      );
      assert.deepEqual(await trackedTables(db), ['public.note']);
    });
  });
}
