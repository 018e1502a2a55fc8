// Partitioned tables are tracked at the root: every write to any member of the tree is journaled once,
// under the root, whether it names the root, a partition, or a partition of a partition.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CaptureRefusedError, track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import {
  allCaptureTriggers,
  entryCount,
  journalOf,
  lastStmt,
  replayForward,
  sortedState,
  tableState,
  textJournalOf,
  trackedTables,
  waybackTriggersOn,
} from '../support/journal.js';

type Shown = [string, unknown[], Record<string, unknown> | null, Record<string, unknown> | null];

for (const backend of backends) {
  describe(`partitioned tables on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
      // List partitions by region; asia is itself range-partitioned by id.
      await t.db.query(`
        create table orders (region text, id int, amount numeric, primary key (region, id)) partition by list (region);
        create table orders_eu partition of orders for values in ('eu');
        create table orders_us partition of orders for values in ('us');
        create table orders_asia partition of orders for values in ('asia') partition by range (id);
        create table orders_asia_lo partition of orders_asia for values from (minvalue) to (100);
        create table orders_asia_hi partition of orders_asia for values from (100) to (maxvalue)`);
      await track(t.db, ['orders']);
    });
    after(async () => {
      await t.drop();
    });

    const entriesSince = async (stmt: number): Promise<Shown[]> =>
      (await journalOf(t.db, 'public.orders')).filter((e) => e.stmt > stmt).map((e) => [e.op, e.pk, e.before, e.after]);

    /** Journal entries of every table id but the root's: there must be none. */
    const entriesOutsideRoot = async () =>
      Number(
        (
          await t.db.query<{ n: string }>(
            `select count(*) as n from wayback.journal_entry where table_name <> 'public.orders'`,
          )
        ).rows[0]?.n,
      );

    it('puts capture triggers on every member of the tree and journals nothing but the root', async () => {
      for (const member of ['orders', 'orders_eu', 'orders_us', 'orders_asia', 'orders_asia_lo', 'orders_asia_hi']) {
        assert.deepEqual(await waybackTriggersOn(t.db, member), allCaptureTriggers, member);
      }
      assert.deepEqual(await trackedTables(t.db), ['public.orders']);
    });

    it('refuses to track a partition, naming the table to track instead', async () => {
      for (const partition of ['orders_eu', 'orders_asia', 'orders_asia_lo']) {
        await assert.rejects(track(t.db, [partition]), (error: unknown) => {
          assert.ok(error instanceof CaptureRefusedError);
          assert.match(error.message, new RegExp(`^public\\.${partition} is a partition of public\\.orders; track public\\.orders instead`));
          return true;
        });
      }
      assert.deepEqual(await trackedTables(t.db), ['public.orders']);
    });
    it('journals writes through the root and straight into partitions at every level exactly once', async () => {
      const { db } = t;
      const mark = await lastStmt(db);
      await db.query("insert into orders values ('eu', 1, 10), ('us', 2, 20), ('asia', 3, 30), ('asia', 700, 700)");
      await db.query("insert into orders_eu values ('eu', 4, 40)");
      await db.query("insert into orders_asia values ('asia', 5, 50)");
      await db.query("insert into orders_asia_hi values ('asia', 600, 600)");
      await db.query("update orders_asia_lo set amount = amount + 1 where id = 3");
      await db.query("update orders set amount = amount * 2 where id in (1, 2)");
      await db.query("delete from orders_asia_hi where id = 600");
      assert.deepEqual(await entriesSince(mark), [
        ['I', ['asia', 3], null, { region: 'asia', id: 3, amount: 30 }],
        ['I', ['asia', 700], null, { region: 'asia', id: 700, amount: 700 }],
        ['I', ['eu', 1], null, { region: 'eu', id: 1, amount: 10 }],
        ['I', ['us', 2], null, { region: 'us', id: 2, amount: 20 }],
        ['I', ['eu', 4], null, { region: 'eu', id: 4, amount: 40 }],
        ['I', ['asia', 5], null, { region: 'asia', id: 5, amount: 50 }],
        ['I', ['asia', 600], null, { region: 'asia', id: 600, amount: 600 }],
        ['U', ['asia', 3], { amount: 30 }, { amount: 31 }],
        ['U', ['eu', 1], { amount: 10 }, { amount: 20 }],
        ['U', ['us', 2], { amount: 20 }, { amount: 40 }],
        ['D', ['asia', 600], { region: 'asia', id: 600, amount: 600 }, null],
      ]);
      assert.equal(await entriesOutsideRoot(), 0);
    });

    it('journals an UPDATE that moves rows across partitions as one U entry each', async () => {
      const { db } = t;
      const mark = await lastStmt(db);
      await db.query("update orders set region = 'us', amount = amount + 1 where region = 'eu'");
      await db.query('update orders set id = id + 1000 where id = 5');
      assert.deepEqual(await entriesSince(mark), [
        ['U', ['eu', 1], { region: 'eu', amount: 20 }, { region: 'us', amount: 21 }],
        ['U', ['eu', 4], { region: 'eu', amount: 40 }, { region: 'us', amount: 41 }],
        ['U', ['asia', 5], { id: 5 }, { id: 1005 }],
      ]);
      assert.deepEqual(
        (await db.query("select tableoid::regclass::text as part, id from orders where id in (1, 4, 1005) order by id")).rows,
        [{ part: 'orders_us', id: 1 }, { part: 'orders_us', id: 4 }, { part: 'orders_asia_hi', id: 1005 }],
      );
      const entries = await textJournalOf(db, 'public.orders');
      const key = ['region', 'id'];
      assert.deepEqual(sortedState(replayForward(entries, key)), sortedState(await tableState(db, 'orders', key)));
    });

    it('captures a partition created or attached after track', async () => {
      const { db } = t;
      await db.query("create table orders_sa partition of orders for values in ('sa')");
      await db.query("create table orders_af (region text not null, id int not null, amount numeric, primary key (region, id))");
      await db.query("alter table orders attach partition orders_af for values in ('af')");
      assert.deepEqual(await waybackTriggersOn(db, 'orders_sa'), allCaptureTriggers);
      assert.deepEqual(await waybackTriggersOn(db, 'orders_af'), allCaptureTriggers);
      const mark = await lastStmt(db);
      await db.query("insert into orders_sa values ('sa', 7, 70)");
      await db.query("insert into orders values ('af', 8, 80)");
      await db.query("insert into orders_af values ('af', 9, 90)");
      assert.deepEqual(await entriesSince(mark), [
        ['I', ['sa', 7], null, { region: 'sa', id: 7, amount: 70 }],
        ['I', ['af', 8], null, { region: 'af', id: 8, amount: 80 }],
        ['I', ['af', 9], null, { region: 'af', id: 9, amount: 90 }],
      ]);
      assert.equal(await entriesOutsideRoot(), 0);
    });

    it('captures a column added to the root in every partition, only where it changed', async () => {
      const { db } = t;
      await db.query("alter table orders add column note text default 'none'");
      const mark = await lastStmt(db);
      await db.query("update orders_asia_lo set note = 'lo' where id = 3");
      await db.query('update orders_us set amount = amount + 1 where id = 2');
      assert.deepEqual(await entriesSince(mark), [
        ['U', ['asia', 3], { note: 'none' }, { note: 'lo' }],
        ['U', ['us', 2], { amount: 40 }, { amount: 41 }],
      ]);
    });

    it('stops journaling a partition once it is detached', async () => {
      const { db } = t;
      await db.query('alter table orders detach partition orders_sa');
      assert.deepEqual(await waybackTriggersOn(db, 'orders_sa'), []);
      const before = await entryCount(db, 'public.orders');
      await db.query("insert into orders_sa values ('sa', 10, 100)");
      await db.query("update orders_sa set amount = 0");
      await db.query('truncate orders_sa');
      assert.equal(await entryCount(db, 'public.orders'), before);
      assert.equal(await entriesOutsideRoot(), 0);
      // The rest of the tree is still captured.
      await db.query("insert into orders_us values ('us', 11, 110)");
      assert.equal(await entryCount(db, 'public.orders'), before + 1);
    });

    it('stops journaling a whole sub-tree once it is detached', async () => {
      const { db } = t;
      await db.query('alter table orders detach partition orders_asia');
      for (const member of ['orders_asia', 'orders_asia_lo', 'orders_asia_hi']) {
        assert.deepEqual(await waybackTriggersOn(db, member), [], member);
      }
      const before = await entryCount(db, 'public.orders');
      await db.query("insert into orders_asia values ('asia', 12, 120), ('asia', 1200, 1200)");
      await db.query("delete from orders_asia_lo where id = 3");
      assert.equal(await entryCount(db, 'public.orders'), before);
      assert.deepEqual(await waybackTriggersOn(db, 'orders_eu'), allCaptureTriggers);
    });
  });
}
