// Selective revert by example, on every backend: the Sunday-morning story, each mode, foreign keys,
// generated columns, partitions, and the revert of a revert. (The property test checks the same
// semantics against an independent model on generated histories.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/index.js';
import { inChangeset, track } from '../../src/journal/index.js';
import { BadSelectorError, EmptySelectionError, revert, type Conflict } from '../../src/revert/index.js';
import { ChangesetNotFoundError } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';

async function rows(db: Db, table: string): Promise<string[]> {
  const { rows: found } = await db.query<{ r: string }>(`select t::text as r from ${table} t order by 1`);
  return found.map((row) => row.r);
}

const brief = (conflicts: readonly Conflict[]) =>
  conflicts.map((c) => `${c.table} ${JSON.stringify(c.pk)} ${c.column ?? '(row)'} ${c.kind}`).sort();

for (const backend of backends) {
  describe(`revert on ${backend.name}`, () => {
    let t: TestDatabase;
    let n = 0;
    before(async () => {
      t = await backend.fresh();
    });
    after(async () => {
      await t.drop();
    });

    /** A fresh tracked customer table with rows 1..6, and the change set S of a buggy job on it. */
    async function sunday(): Promise<{ table: string; s: string }> {
      const table = `customer_${++n}`;
      await t.db.query(`create table ${table} (id int primary key, first_name text, last_name text, score int)`);
      await track(t.db, [table]);
      await t.db.query(`insert into ${table} select g, 'f' || g, 'l' || g, g from generate_series(1, 6) g`);
      const s = await inChangeset(t.db, { kind: 'job', feature: `mapping-${n}` }, async (tx, c) => {
        await tx.query(`update ${table} set first_name = 'X' || id where id <= 4`);
        await tx.query(`insert into ${table} values (10, 'new', 'n', 0)`);
        await tx.query(`delete from ${table} where id = 5`);
        return c.id;
      });
      // The weekend: an edit of a cell S wrote, an edit of another column of a row S wrote.
      await t.db.query(`update ${table} set first_name = 'Later' where id = 2`);
      await t.db.query(`update ${table} set score = 99 where id = 3`);
      return { table, s };
    }

    it('restores what S wrote, keeps later writes, and names the cell where both wrote', async () => {
      const { table, s } = await sunday();
      const result = await revert(t.db, { changesets: [s] });
      assert.equal(result.applied, true);
      assert.match(result.changeset ?? '', /^revert:/);
      assert.deepEqual(result.counts, { cellsRestored: 3, rowsDeleted: 1, rowsReinserted: 1, conflicts: 1 });
      assert.deepEqual(result.conflicts, [
        { table: `public.${table}`, pk: { id: '2' }, column: 'first_name', kind: 'cell-changed-later', base: 'f2', written: 'X2', current: 'Later' },
      ]);
      assert.deepEqual(await rows(t.db, table), [
        '(1,f1,l1,1)',
        '(2,Later,l2,2)',
        '(3,f3,l3,99)',
        '(4,f4,l4,4)',
        '(5,f5,l5,5)',
        '(6,f6,l6,6)',
      ]);
    });

    it('a dry run reports the same and changes nothing, not even the journal', async () => {
      const { table, s } = await sunday();
      const before = await rows(t.db, table);
      const statements = await t.db.query('select count(*) as n from wayback.statement');
      const dry = await revert(t.db, { changesets: [s] }, { dryRun: true });
      assert.equal(dry.applied, false);
      assert.equal(dry.changeset, null);
      assert.deepEqual(dry.counts, { cellsRestored: 3, rowsDeleted: 1, rowsReinserted: 1, conflicts: 1 });
      assert.deepEqual(await rows(t.db, table), before);
      assert.deepEqual((await t.db.query('select count(*) as n from wayback.statement')).rows, statements.rows);
    });

    it('strict mode applies nothing when anything conflicts; force overwrites the later write', async () => {
      const { table, s } = await sunday();
      const before = await rows(t.db, table);
      const strict = await revert(t.db, { changesets: [s] }, { mode: 'strict' });
      assert.equal(strict.applied, false);
      assert.equal(strict.counts.conflicts, 1);
      assert.deepEqual(await rows(t.db, table), before);
      const forced = await revert(t.db, { changesets: [s] }, { mode: 'force' });
      assert.equal(forced.applied, true);
      assert.deepEqual(forced.conflicts, []);
      assert.ok((await rows(t.db, table)).includes('(2,f2,l2,2)'));
    });

    it('reverting the revert puts back exactly what the revert undid, and again is a no-op', async () => {
      const { table, s } = await sunday();
      const scrambled = await rows(t.db, table);
      const first = await revert(t.db, { changesets: [s] });
      const reverted = await rows(t.db, table);
      const undo = await revert(t.db, { changesets: [first.changeset ?? ''] });
      assert.deepEqual(undo.conflicts, []);
      assert.deepEqual(await rows(t.db, table), scrambled);
      const redo = await revert(t.db, { changesets: [undo.changeset ?? ''] });
      assert.deepEqual(redo.conflicts, []);
      assert.deepEqual(await rows(t.db, table), reverted);
    });

    it('reverting the same change set a second time (say, after a crash) changes nothing and reports only what conflicted', async () => {
      const { table, s } = await sunday();
      const first = await revert(t.db, { changesets: [s] });
      const reverted = await rows(t.db, table);
      const second = await revert(t.db, { changesets: [s] });
      assert.equal(second.applied, false);
      assert.deepEqual(second.counts, { cellsRestored: 0, rowsDeleted: 0, rowsReinserted: 0, conflicts: first.conflicts.length });
      assert.deepEqual(second.conflicts, first.conflicts);
      assert.deepEqual(await rows(t.db, table), reverted);
    });

    it('finds an untagged job by its application_name and reverts it like a tagged one', async () => {
      const table = `orders_${++n}`;
      await t.db.query(`create table ${table} (id int primary key, status text)`);
      await track(t.db, [table]);
      await t.db.query(`insert into ${table} values (1, 'open'), (2, 'open')`);
      await t.db.transaction(async (tx) => {
        await tx.query(`set local application_name = 'nightly-${n}'`);
        await tx.query(`update ${table} set status = 'closed'`);
      });
      const result = await revert(t.db, { app: `nightly-${n}` });
      assert.equal(result.counts.cellsRestored, 2);
      assert.deepEqual(await rows(t.db, table), ['(1,open)', '(2,open)']);
    });

    it('deletes children before parents, re-inserts parents before children, and keeps rows later rows point at', async () => {
      const parent = `team_${++n}`;
      const child = `member_${n}`;
      await t.db.query(`create table ${parent} (id int primary key, name text)`);
      await t.db.query(`create table ${child} (id int primary key, team int references ${parent}, name text)`);
      await track(t.db, [child, parent]);
      await t.db.query(`insert into ${parent} values (1, 'old'); insert into ${child} values (1, 1, 'ann')`);
      const s = await inChangeset(t.db, { kind: 'job' }, async (tx, c) => {
        await tx.query(`insert into ${parent} values (2, 'new'), (3, 'kept')`);
        await tx.query(`insert into ${child} values (2, 2, 'bob')`);
        await tx.query(`delete from ${child} where id = 1`);
        await tx.query(`delete from ${parent} where id = 1`);
        return c.id;
      });
      await t.db.query(`insert into ${child} values (3, 3, 'later row pointing at a row S inserted')`);
      const result = await revert(t.db, { changesets: [s] });
      assert.deepEqual(brief(result.conflicts), [`public.${parent} {"id":"3"} (row) referenced-by-later-rows`]);
      assert.deepEqual(result.counts, { cellsRestored: 0, rowsDeleted: 2, rowsReinserted: 2, conflicts: 1 });
      assert.deepEqual(await rows(t.db, parent), ['(1,old)', '(3,kept)']);
      assert.deepEqual(await rows(t.db, child), ['(1,1,ann)', '(3,3,"later row pointing at a row S inserted")']);
    });

    it('turns a row a deferred foreign key refuses into a conflict, and applies the rest', async () => {
      const parent = `club_${++n}`;
      const child = `player_${n}`;
      await t.db.query(`create table ${parent} (id int primary key)`);
      await t.db.query(`create table ${child} (id int primary key, club int references ${parent} deferrable initially deferred, name text)`);
      await track(t.db, [child, parent]);
      await t.db.query(`insert into ${parent} values (1), (2); insert into ${child} values (1, 1, 'ann'), (2, 2, 'bob')`);
      const s = await inChangeset(t.db, { kind: 'job' }, async (tx, c) => {
        await tx.query(`delete from ${child}`);
        return c.id;
      });
      await t.db.query(`delete from ${parent} where id = 1`);
      const result = await revert(t.db, { changesets: [s] });
      assert.deepEqual(brief(result.conflicts), [`public.${child} {"id":"1"} (row) constraint`]);
      assert.deepEqual(result.counts, { cellsRestored: 0, rowsDeleted: 0, rowsReinserted: 1, conflicts: 1 });
      assert.deepEqual(await rows(t.db, child), ['(2,2,bob)']);
    });

    it('restores a clean row whose foreign key points at a row the revert re-inserts, parents first', async () => {
      // The clean row cannot be restored where it is planned (its parent is not back yet): it becomes a step.
      const parent = `crew_${++n}`;
      const child = `sailor_${n}`;
      await t.db.query(`create table ${parent} (id int primary key, name text)`);
      await t.db.query(`create table ${child} (id int primary key, crew int references ${parent}, name text)`);
      await track(t.db, [child, parent]);
      await t.db.query(`insert into ${parent} values (1, 'a'), (2, 'b'); insert into ${child} values (1, 1, 'ann'), (2, 2, 'bob')`);
      const s = await inChangeset(t.db, { kind: 'job' }, async (tx, c) => {
        await tx.query(`update ${child} set crew = 2 where id = 1`);
        await tx.query(`delete from ${parent} where id = 1`);
        return c.id;
      });
      const result = await revert(t.db, { changesets: [s] });
      assert.deepEqual(result.conflicts, []);
      assert.deepEqual(result.counts, { cellsRestored: 1, rowsDeleted: 0, rowsReinserted: 1, conflicts: 0 });
      assert.deepEqual(await rows(t.db, parent), ['(1,a)', '(2,b)']);
      assert.deepEqual(await rows(t.db, child), ['(1,1,ann)', '(2,2,bob)']);
    });

    it('a clean row restored in place that a deferred foreign key refuses at the end is a conflict, and the rest applies', async () => {
      // S's deleted parent cannot come back (another writer changed it before S deleted it), so the
      // child's clean restore would point at nothing: checked when the revert ends, undone, and redone
      // with immediate constraints, where it is a conflict of its own.
      const parent = `fleet_${++n}`;
      const child = `ship_${n}`;
      await t.db.query(`create table ${parent} (id int primary key, name text)`);
      await t.db.query(`create table ${child} (id int primary key, fleet int references ${parent} deferrable initially deferred, name text)`);
      await track(t.db, [child, parent]);
      await t.db.query(`insert into ${parent} values (1, 'a'), (2, 'b'); insert into ${child} values (1, 1, 'ann'), (2, 2, 'bob')`);
      const id = `fleet-job-${n}`;
      await inChangeset(t.db, { id, kind: 'job' }, (tx) => tx.query(`update ${parent} set name = 'x' where id = 1`));
      await t.db.query(`update ${parent} set name = 'y' where id = 1`);
      await inChangeset(t.db, { id, kind: 'job' }, async (tx) => {
        await tx.query(`update ${child} set fleet = 2, name = 'ann moved' where id = 1`);
        await tx.query(`delete from ${parent} where id = 1`);
      });
      const result = await revert(t.db, { changesets: [id] });
      assert.deepEqual(brief(result.conflicts), [`public.${parent} {"id":"1"} name cell-changed-later`, `public.${child} {"id":"1"} (row) constraint`]);
      assert.deepEqual(result.counts, { cellsRestored: 0, rowsDeleted: 0, rowsReinserted: 0, conflicts: 2 });
      assert.deepEqual(await rows(t.db, parent), ['(2,b)']);
      assert.deepEqual(await rows(t.db, child), ['(1,2,"ann moved")', '(2,2,bob)']);
    });

    it('never writes a generated column, and lets a trigger-maintained column take what its trigger computes', async () => {
      const table = `item_${++n}`;
      await t.db.query(`create table ${table} (id int primary key, price int, doubled int generated always as (price * 2) stored,
        touched int not null default 0)`);
      await t.db.query(`create function bump_${n}() returns trigger language plpgsql as $$ begin new.touched := old.touched + 1; return new; end $$`);
      await t.db.query(`create trigger bump before update on ${table} for each row execute function bump_${n}()`);
      await track(t.db, [table]);
      await t.db.query(`insert into ${table} (id, price) values (1, 10)`);
      const s = await inChangeset(t.db, { kind: 'job' }, async (tx, c) => {
        await tx.query(`update ${table} set price = 50`);
        return c.id;
      });
      const result = await revert(t.db, { changesets: [s] });
      assert.deepEqual(result.conflicts, []);
      // S wrote price, and through the trigger touched (0 → 1); the generated doubled is never written.
      // Restoring touched to 0 fires the trigger again, and the trigger has the last word: 1 + 1.
      assert.equal(result.counts.cellsRestored, 2);
      assert.deepEqual(await rows(t.db, table), ['(1,10,20,2)']);
    });

    it('reverts writes to a partitioned table, through the parent and straight into a partition', async () => {
      const table = `event_${++n}`;
      await t.db.query(`create table ${table} (id int, region text, v text, primary key (id, region)) partition by list (region)`);
      await t.db.query(`create table ${table}_eu partition of ${table} for values in ('eu')`);
      await t.db.query(`create table ${table}_us partition of ${table} for values in ('us')`);
      await track(t.db, [table]);
      await t.db.query(`insert into ${table} values (1, 'eu', 'a'), (2, 'us', 'b')`);
      const s = await inChangeset(t.db, { kind: 'job' }, async (tx, c) => {
        await tx.query(`update ${table} set v = v || '!'`);
        await tx.query(`update ${table}_us set v = 'direct'`);
        await tx.query(`insert into ${table}_eu values (3, 'eu', 'c')`);
        return c.id;
      });
      const result = await revert(t.db, { changesets: [s] });
      assert.deepEqual(result.conflicts, []);
      assert.deepEqual(await rows(t.db, table), ['(1,eu,a)', '(2,us,b)']);
    });

    it('refuses a selector that names nothing, or a change set the journal lacks, changing nothing', async () => {
      await assert.rejects(revert(t.db, {}), BadSelectorError);
      await assert.rejects(revert(t.db, { changesets: ['no-such-changeset'] }), ChangesetNotFoundError);
      await assert.rejects(revert(t.db, { feature: 'no-such-feature' }), EmptySelectionError);
    });
  });
}
