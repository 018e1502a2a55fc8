// UPDATEs that change a row's key: the entry names the row by its old key (pk) and holds the new key
// columns in `after`, and each old row is paired with its own new row, however the keys were shuffled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { journalOf, lastStmt, replayForward, sortedState, tableState, textJournalOf } from '../support/journal.js';

type Shown = [string, unknown[], Record<string, unknown> | null, Record<string, unknown> | null];

for (const backend of backends) {
  describe(`key changes on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
    });
    after(async () => {
      await t.drop();
    });

    const entriesSince = async (table: string, stmt: number): Promise<Shown[]> =>
      (await journalOf(t.db, table)).filter((e) => e.stmt > stmt).map((e) => [e.op, e.pk, e.before, e.after]);

    it('pairs the rows of a key swap in one statement with their own old keys', async () => {
      const { db } = t;
      await db.query('create table pair (id int primary key deferrable initially deferred, label text, n int)');
      await track(db, ['pair']);
      await db.query("insert into pair values (1, 'one', 10), (2, 'two', 20), (3, 'three', 30)");
      let mark = await lastStmt(db);
      await db.query('update pair set id = case id when 1 then 2 when 2 then 1 end where id in (1, 2)');
      assert.deepEqual(await entriesSince('public.pair', mark), [
        ['U', [1], { id: 1 }, { id: 2 }],
        ['U', [2], { id: 2 }, { id: 1 }],
      ]);
      assert.deepEqual(
        (await db.query('select id, label from pair order by id')).rows,
        [{ id: 1, label: 'two' }, { id: 2, label: 'one' }, { id: 3, label: 'three' }],
      );

      // A rotation that also changes other columns: each entry must carry its own row's values.
      mark = await lastStmt(db);
      await db.query("update pair set id = case id when 1 then 2 when 2 then 3 else 1 end, label = label || '*', n = n + id");
      assert.deepEqual(await entriesSince('public.pair', mark), [
        ['U', [1], { id: 1, label: 'two', n: 20 }, { id: 2, label: 'two*', n: 21 }],
        ['U', [2], { id: 2, label: 'one', n: 10 }, { id: 3, label: 'one*', n: 12 }],
        ['U', [3], { id: 3, label: 'three', n: 30 }, { id: 1, label: 'three*', n: 33 }],
      ]);
      const entries = await textJournalOf(db, 'public.pair');
      assert.deepEqual(sortedState(replayForward(entries, ['id'])), sortedState(await tableState(db, 'pair', ['id'])));
    });

    it('pairs every row of a bulk key shift (set id = id + 1000) with its old key', async () => {
      const { db } = t;
      await db.query('create table shifted (id int primary key deferrable initially deferred, label text, payload text)');
      await track(db, ['shifted']);
      await db.query("insert into shifted select g, 'label ' || g, repeat(md5(g::text), 3) from generate_series(1, 600) g");
      // Scramble the physical order so the transition tables do not list rows in key order.
      await db.query("update shifted set payload = payload || '.' where id % 7 = 0");
      const mark = await lastStmt(db);
      await db.query("update shifted set id = id + 1000, label = label || '+' where id > 100");
      const { rows } = await db.query<{ total: string; paired: string }>(
        `select count(*) as total,
                count(*) filter (where before = jsonb_build_object('id', (pk->>0)::int, 'label', 'label ' || (pk->>0))
                                   and after = jsonb_build_object('id', (pk->>0)::int + 1000, 'label', 'label ' || (pk->>0) || '+')) as paired
           from wayback.journal_entry where table_name = 'public.shifted' and stmt > $1`,
        [mark],
      );
      assert.deepEqual(rows[0], { total: '500', paired: '500' });
      const entries = await textJournalOf(db, 'public.shifted');
      assert.deepEqual(sortedState(replayForward(entries, ['id'])), sortedState(await tableState(db, 'shifted', ['id'])));
    });

    it('names a composite-key row by its old key when only part of the key changes', async () => {
      const { db } = t;
      await db.query('create table slot (room text, seat int, guest text, primary key (room, seat))');
      await track(db, ['slot']);
      await db.query("insert into slot values ('a', 1, 'Ann'), ('a', 2, 'Bob'), ('b', 1, 'Cy')");
      const mark = await lastStmt(db);
      await db.query("update slot set seat = seat + 10 where room = 'a'");
      await db.query("update slot set room = 'c', guest = 'Cyd' where room = 'b'");
      assert.deepEqual(await entriesSince('public.slot', mark), [
        ['U', ['a', 1], { seat: 1 }, { seat: 11 }],
        ['U', ['a', 2], { seat: 2 }, { seat: 12 }],
        ['U', ['b', 1], { room: 'b', guest: 'Cy' }, { room: 'c', guest: 'Cyd' }],
      ]);
    });

    it('journals key changes of a table tracked by an explicit key', async () => {
      const { db } = t;
      await db.query('create table coded (code text not null unique, name text)');
      const [tracked] = await track(db, ['coded'], { key: ['code'] });
      assert.deepEqual([tracked?.key, tracked?.keySource], [['code'], 'explicit']);
      await db.query("insert into coded values ('x', 'X'), ('y', 'Y')");
      const mark = await lastStmt(db);
      await db.query("update coded set code = upper(code)");
      await db.query("delete from coded where code = 'Y'");
      assert.deepEqual(await entriesSince('public.coded', mark), [
        ['U', ['x'], { code: 'x' }, { code: 'X' }],
        ['U', ['y'], { code: 'y' }, { code: 'Y' }],
        ['D', ['Y'], { code: 'Y', name: 'Y' }, null],
      ]);
    });

    it('journals ON UPDATE CASCADE and ON DELETE CASCADE in a tracked child with both keys', async () => {
      const { db } = t;
      await db.query(`
        create table team (id int primary key, name text);
        create table member (
          team_id int references team (id) on update cascade on delete cascade,
          n int, name text, primary key (team_id, n))`);
      await track(db, ['team', 'member']);
      await db.query("insert into team values (1, 'red'), (2, 'blue')");
      await db.query("insert into member values (1, 1, 'ann'), (1, 2, 'bob'), (2, 1, 'cy')");
      const mark = await lastStmt(db);
      await db.query('update team set id = id + 100');
      assert.deepEqual(await entriesSince('public.team', mark), [
        ['U', [1], { id: 1 }, { id: 101 }],
        ['U', [2], { id: 2 }, { id: 102 }],
      ]);
      assert.deepEqual(await entriesSince('public.member', mark), [
        ['U', [1, 1], { team_id: 1 }, { team_id: 101 }],
        ['U', [1, 2], { team_id: 1 }, { team_id: 101 }],
        ['U', [2, 1], { team_id: 2 }, { team_id: 102 }],
      ]);
      const cascaded = await lastStmt(db);
      await db.query('delete from team where id = 101');
      assert.deepEqual(await entriesSince('public.member', cascaded), [
        ['D', [101, 1], { team_id: 101, n: 1, name: 'ann' }, null],
        ['D', [101, 2], { team_id: 101, n: 2, name: 'bob' }, null],
      ]);
      for (const [table, key] of [['team', ['id']], ['member', ['team_id', 'n']]] as const) {
        const entries = await textJournalOf(db, `public.${table}`);
        assert.deepEqual(sortedState(replayForward(entries, key)), sortedState(await tableState(db, table, key)), table);
      }
    });
  });
}
