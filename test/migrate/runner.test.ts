import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { openDatabaseCount, type Db } from '../../src/db/index.js';
import { listChangesets, track } from '../../src/journal/index.js';
import {
  DownUnavailableError,
  IrreversibleMigrationError,
  migrateDown,
  migrateUp,
  MigrationEditedError,
  MigrationFailedError,
  MigrationFolderError,
  MigrationLockedError,
  MigrationOutOfOrderError,
  migrationStatus,
  MissingDownError,
  newMigration,
  readHistory,
} from '../../src/migrate/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { migrationFolder, threeMigrations, type MigrationFolder } from './folder.js';

async function tables(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "select table_name::text as name from information_schema.tables where table_schema = 'public' order by 1",
  );
  return rows.map((row) => row.name);
}

async function applied(db: Db): Promise<string[]> {
  return (await readHistory(db)).map((row) => row.id);
}

async function columns(db: Db, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "select column_name::text as name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position",
    [table],
  );
  return rows.map((row) => row.name);
}

for (const backend of backends) {
  describe(`migration runner on ${backend.name}`, () => {
    let t: TestDatabase;
    let folder: MigrationFolder;
    before(async () => {
      t = await backend.fresh();
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });
    beforeEach(async () => {
      // Each case starts from an empty public schema and an empty history.
      await t.db.query('delete from wayback.migration');
      for (const table of await tables(t.db)) await t.db.query(`drop table if exists ${table} cascade`);
      folder?.drop();
      folder = migrationFolder(threeMigrations);
    });
    after(() => folder.drop());

    it('applies up, reports status, and rolls back one step, --steps n and --to id', async () => {
      const dir = folder.dir;
      const up = await migrateUp(t.db, { dir, to: '0002_note' });
      assert.deepEqual(up.migrations.map((run) => [run.id, run.changeset, run.inTransaction]), [
        ['0001_orders', 'migration:0001_orders', true],
        ['0002_note', 'migration:0002_note', true],
      ]);
      assert.deepEqual((await migrationStatus(t.db, { dir })).migrations.map((m) => [m.id, m.state]), [
        ['0001_orders', 'applied'],
        ['0002_note', 'applied'],
        ['0003_seed', 'pending'],
      ]);
      assert.deepEqual((await migrateUp(t.db, { dir })).migrations.map((run) => run.id), ['0003_seed']);
      assert.deepEqual((await migrateUp(t.db, { dir })).migrations, [], 'nothing left to apply');

      const one = await migrateDown(t.db, { dir });
      assert.deepEqual(one.migrations.map((run) => [run.id, run.changeset]), [['0003_seed', 'migration:0003_seed:down']]);
      assert.deepEqual(await applied(t.db), ['0001_orders', '0002_note']);
      await migrateUp(t.db, { dir });
      const two = await migrateDown(t.db, { dir, steps: 2 });
      assert.deepEqual(two.migrations.map((run) => run.id), ['0003_seed', '0002_note']);
      assert.deepEqual(await columns(t.db, 'orders'), ['id', 'total']);
      await migrateUp(t.db, { dir });
      const to = await migrateDown(t.db, { dir, to: '0001_orders' });
      assert.deepEqual(to.migrations.map((run) => run.id), ['0003_seed', '0002_note']);
      assert.deepEqual(await applied(t.db), ['0001_orders']);
      await migrateDown(t.db, { dir });
      assert.deepEqual(await tables(t.db), []);
      assert.deepEqual((await migrateDown(t.db, { dir })).migrations, [], 'nothing left to roll back');
    });

    it('a dry run returns the SQL it would run and changes nothing', async () => {
      const dry = await migrateUp(t.db, { dir: folder.dir, dryRun: true, to: '0001_orders' });
      assert.equal(dry.dryRun, true);
      assert.deepEqual(dry.migrations.map((run) => [run.id, run.changeset, run.sql]), [
        ['0001_orders', null, ['create table orders (id int primary key, total numeric not null)']],
      ]);
      assert.deepEqual(await tables(t.db), []);
      assert.deepEqual(await applied(t.db), []);
    });

    it('refuses a migration without a down, and a file that is not a migration, naming it', async () => {
      folder.write({ '0004_nodown.up.sql': 'create table nodown (id int);\n' });
      await assert.rejects(migrateUp(t.db, { dir: folder.dir }), (error: unknown) => {
        assert.ok(error instanceof MissingDownError);
        assert.match(error.message, /^migration 0004_nodown has no down; add 0004_nodown\.down\.sql, or declare/);
        return true;
      });
      folder.remove('0004_nodown.up.sql');
      folder.write({ 'notes.txt': 'hello' });
      await assert.rejects(migrateUp(t.db, { dir: folder.dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationFolderError);
        assert.match(error.message, /notes\.txt: not a migration/);
        return true;
      });
      assert.deepEqual(await tables(t.db), [], 'nothing ran');
    });

    it('an irreversible migration applies, and its down is refused with the reason; a lossy down says what it loses', async () => {
      folder.write({
        '0004_drop_note.up.sql': '-- wayback:irreversible the notes are gone for good\nalter table orders drop column note;\n',
        '0005_total_int.up.sql': 'alter table orders alter column total type int using round(total);\n',
        '0005_total_int.down.sql': '-- wayback:lossy the cents of each total\nalter table orders alter column total type numeric;\n',
      });
      await migrateUp(t.db, { dir: folder.dir });
      const lossy = await migrateDown(t.db, { dir: folder.dir });
      assert.deepEqual(lossy.migrations.map((run) => [run.id, run.lossy]), [['0005_total_int', 'the cents of each total']]);
      await assert.rejects(migrateDown(t.db, { dir: folder.dir }), (error: unknown) => {
        assert.ok(error instanceof IrreversibleMigrationError);
        assert.match(error.message, /0004_drop_note is irreversible \(the notes are gone for good\)/);
        return true;
      });
      assert.deepEqual(await applied(t.db), ['0001_orders', '0002_note', '0003_seed', '0004_drop_note'], 'nothing rolled back');
      const status = await migrationStatus(t.db, { dir: folder.dir });
      assert.equal(status.migrations.find((m) => m.id === '0004_drop_note')?.irreversible, 'the notes are gone for good');
    });

    it('runs module migrations (.mjs, and .ts under tsx) with the migration transaction as db', async () => {
      folder.write({
        '0004_audit.mjs': [
          'export async function up(db) { await db.query("create table audit (id int primary key, what text)"); }',
          'export async function down(db) { await db.query("drop table audit"); }',
        ].join('\n'),
        '0005_audit_row.ts': [
          "export const up = async (db: { query(text: string): Promise<unknown> }) => { await db.query(\"insert into audit values (1, 'first')\"); };",
          'export const irreversible = "a demo of a module that declares why it has no down";',
        ].join('\n'),
      });
      const up = await migrateUp(t.db, { dir: folder.dir });
      assert.deepEqual(up.migrations.map((run) => run.id), ['0001_orders', '0002_note', '0003_seed', '0004_audit', '0005_audit_row']);
      assert.deepEqual((await t.db.query('select id, what from audit')).rows, [{ id: 1, what: 'first' }]);
      await assert.rejects(migrateDown(t.db, { dir: folder.dir }), IrreversibleMigrationError);
      folder.remove('0005_audit_row.ts');
      await t.db.query("delete from wayback.migration where id = '0005_audit_row'");
      await migrateDown(t.db, { dir: folder.dir });
      assert.deepEqual(await tables(t.db), ['orders']);
      // A module's down is never replayed from the history.
      await migrateUp(t.db, { dir: folder.dir });
      folder.remove('0004_audit.mjs');
      await assert.rejects(migrateDown(t.db, { dir: folder.dir }), DownUnavailableError);
    });

    it('refuses a pending migration numbered below the newest applied one, unless asked to apply it anyway', async () => {
      folder.remove('0002_note.up.sql', '0002_note.down.sql');
      folder.write({ '0003_seed.up.sql': 'insert into orders (id, total) values (1, 10);\n' });
      await migrateUp(t.db, { dir: folder.dir });
      // A branch merged late brings 0002 after 0003 was applied.
      folder.write({ '0002_note.up.sql': "alter table orders add column note text default '';\n", '0002_note.down.sql': 'alter table orders drop column note;\n' });
      await assert.rejects(migrateUp(t.db, { dir: folder.dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationOutOfOrderError);
        assert.equal(
          error.message,
          'pending migration 0002_note is numbered below 0003_seed, which is applied; renumber after it, or apply anyway with --out-of-order',
        );
        return true;
      });
      assert.deepEqual(await applied(t.db), ['0001_orders', '0003_seed'], 'nothing more was applied');
      const up = await migrateUp(t.db, { dir: folder.dir, outOfOrder: true });
      assert.deepEqual(up.migrations.map((run) => run.id), ['0002_note']);
      assert.deepEqual(await applied(t.db), ['0001_orders', '0003_seed', '0002_note']);
    });

    it('refuses to go on when an applied migration was edited, and status shows it', async () => {
      await migrateUp(t.db, { dir: folder.dir, to: '0002_note' });
      folder.write({ '0002_note.up.sql': "alter table orders add column note text default 'edited';\n" });
      await assert.rejects(migrateUp(t.db, { dir: folder.dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationEditedError);
        assert.match(error.message, /^migration 0002_note was edited after it was applied \(checksum [0-9a-f]{12}, now [0-9a-f]{12}\)/);
        return true;
      });
      await assert.rejects(migrateDown(t.db, { dir: folder.dir }), MigrationEditedError);
      assert.deepEqual(await applied(t.db), ['0001_orders', '0002_note']);
      assert.equal((await migrationStatus(t.db, { dir: folder.dir })).migrations[1]?.state, 'edited');
    });

    it('rolls back from the down stored in the history when the files are gone (an older build)', async () => {
      await migrateUp(t.db, { dir: folder.dir });
      folder.remove('0002_note.up.sql', '0002_note.down.sql', '0003_seed.up.sql', '0003_seed.down.sql');
      assert.deepEqual((await migrationStatus(t.db, { dir: folder.dir })).migrations.map((m) => m.state), ['applied', 'file-missing', 'file-missing']);
      const down = await migrateDown(t.db, { dir: folder.dir, to: '0001_orders' });
      assert.deepEqual(down.migrations.map((run) => [run.id, run.source]), [
        ['0003_seed', 'history'],
        ['0002_note', 'history'],
      ]);
      assert.deepEqual(await columns(t.db, 'orders'), ['id', 'total']);
      assert.deepEqual((await t.db.query('select count(*)::int as n from orders')).rows, [{ n: 0 }]);
    });

    it('a failing migration keeps nothing of itself and names file, line and statement', async () => {
      folder.write({
        '0004_broken.up.sql': "create table half (id int);\n\n-- the typo\ninsert into nowhere values (1);\n",
        '0004_broken.down.sql': 'drop table half;\n',
      });
      await assert.rejects(migrateUp(t.db, { dir: folder.dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationFailedError);
        assert.deepEqual(error.at, { file: '0004_broken.up.sql', line: 4, statement: 'insert into nowhere values (1)' });
        assert.match(error.message, /^migration 0004_broken \(up\) failed at 0004_broken\.up\.sql line 4 \[insert into nowhere values \(1\)\]: relation "nowhere" does not exist; nothing of it was kept$/);
        return true;
      });
      assert.deepEqual(await tables(t.db), ['orders'], 'half was not kept');
      assert.deepEqual(await applied(t.db), ['0001_orders', '0002_note', '0003_seed'], 'the ones before it stay applied');
    });

    it('runs CREATE INDEX CONCURRENTLY outside a transaction, and says so', async () => {
      folder.write({
        '0004_index.up.sql': 'create index concurrently orders_total on orders (total);\n',
        '0004_index.down.sql': 'drop index concurrently orders_total;\n',
      });
      const up = await migrateUp(t.db, { dir: folder.dir });
      const run = up.migrations.at(-1);
      assert.equal(run?.inTransaction, false);
      assert.equal(run?.outsideTransaction, 'CREATE INDEX CONCURRENTLY at line 1 cannot run in a transaction');
      assert.deepEqual((await t.db.query("select indexname from pg_indexes where indexname = 'orders_total'")).rows.length, 1);
      const history = await readHistory(t.db);
      assert.equal(history.at(-1)?.inTransaction, false);
      const down = await migrateDown(t.db, { dir: folder.dir });
      assert.equal(down.migrations[0]?.inTransaction, false);
      assert.deepEqual((await t.db.query("select indexname from pg_indexes where indexname = 'orders_total'")).rows.length, 0);
    });

    it('journals the data a migration changes under migration:<id> when the table is tracked', async () => {
      await migrateUp(t.db, { dir: folder.dir, to: '0002_note' });
      await track(t.db, ['orders']);
      await migrateUp(t.db, { dir: folder.dir });
      const { changesets } = await listChangesets(t.db, { table: 'orders' });
      const seeded = changesets.find((c) => c.id === 'migration:0003_seed');
      assert.ok(seeded !== undefined, `expected migration:0003_seed among ${changesets.map((c) => c.id).join(', ')}`);
      assert.deepEqual(seeded.tables['public.orders'], { inserted: 2, updated: 2, deleted: 0 });
      await migrateDown(t.db, { dir: folder.dir });
      const after = await listChangesets(t.db, { table: 'orders' });
      assert.deepEqual(after.changesets.find((c) => c.id === 'migration:0003_seed:down')?.tables['public.orders'], { inserted: 0, updated: 0, deleted: 2 });
      await t.db.query("select wayback.untrack('orders')");
    });

    it('new writes the next-numbered pair, whose down raises until written', async () => {
      const created = newMigration(folder.dir, 'Add customer email');
      assert.equal(created.id, '0004_add_customer_email');
      await migrateUp(t.db, { dir: folder.dir });
      await assert.rejects(migrateDown(t.db, { dir: folder.dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationFailedError);
        assert.match(error.message, /write the down of 0004_add_customer_email/);
        return true;
      });
      assert.deepEqual(await applied(t.db), ['0001_orders', '0002_note', '0003_seed', '0004_add_customer_email']);
    });

    if (backend.name === 'postgres') {
      it('serialises concurrent runners with the advisory lock', async () => {
        folder.write({
          '0004_slow.up.sql': 'select pg_sleep(1);\ncreate table slow (id int);\n',
          '0004_slow.down.sql': 'drop table slow;\n',
        });
        const other = await t.reopen();
        const waits: string[] = [];
        const [first, second] = await Promise.all([
          migrateUp(t.db, { dir: folder.dir }),
          new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
            migrateUp(other, { dir: folder.dir, onWait: (holder) => waits.push(holder) }),
          ),
        ]);
        assert.equal(first.migrations.length, 4);
        assert.deepEqual(second.migrations, [], 'the second runner found everything applied once it had the lock');
        assert.equal(waits.length, 1);
        assert.match(waits[0] ?? '', /^pid \d+, /);
        // One that will not wait long enough is refused with a clear error.
        folder.write({ '0005_slower.up.sql': 'select pg_sleep(1.5);\n', '0005_slower.down.sql': 'select 1;\n' });
        const [, refused] = await Promise.allSettled([
          migrateUp(t.db, { dir: folder.dir }),
          new Promise((resolve) => setTimeout(resolve, 300)).then(() => migrateUp(other, { dir: folder.dir, waitMs: 300 })),
        ]);
        assert.equal(refused.status, 'rejected');
        assert.ok(refused.status === 'rejected' && refused.reason instanceof MigrationLockedError);
        assert.match(String(refused.reason.message), /^another migration runner \(pid \d+, .*\) still holds the migration lock/);
        await other.close();
      });
    }
  });
}
