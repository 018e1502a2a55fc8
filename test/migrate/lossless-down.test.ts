import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { openDatabaseCount, type Db } from '../../src/db/index.js';
import { migrateDown, migrateUp, type KeptData } from '../../src/migrate/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { migrationFolder, type MigrationFolder } from './folder.js';

const base = {
  '0001_base.up.sql': `
    create table customer (id serial primary key, name text not null, email varchar(80), score numeric(8,3));
    create table legacy_note (id int generated always as identity primary key, customer_id int references customer (id), body text);
    insert into customer (name, email, score) select 'name ' || i, 'c' || i || '@example.com', i + 0.125 from generate_series(1, 50) i;
    insert into legacy_note (customer_id, body) select i, 'note ' || i from generate_series(1, 20) i;
  `,
  '0001_base.down.sql': 'drop table legacy_note; drop table customer;\n',
};

async function snapshot(db: Db): Promise<unknown> {
  const { rows } = await db.query(`select
    (select json_agg(c order by id) from (select id, name, email, score from customer) c) as customers,
    (select json_agg(n order by id) from legacy_note n) as notes`);
  return rows[0];
}

async function keptTables(db: Db): Promise<{ records: number; tables: number }> {
  const { rows } = await db.query<{ records: number; tables: number }>(`select
    (select count(*)::int from wayback.migration_kept) as records,
    (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'wayback' and c.relkind = 'r' and c.relname like 'kept\\_%') as tables`);
  return rows[0] ?? { records: -1, tables: -1 };
}

const targets = (kept: readonly KeptData[]) => kept.map((k) => [k.target, k.rows, k.problem]);

for (const backend of backends) {
  describe(`lossless down on ${backend.name}`, () => {
    let t: TestDatabase;
    let folder: MigrationFolder;
    before(async () => {
      t = await backend.fresh();
    });
    after(async () => {
      folder?.drop();
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });
    beforeEach(async () => {
      await t.db.query('delete from wayback.migration');
      await t.db.query('drop table if exists legacy_note, customer, plain_log cascade');
      for (const { kept_table } of (await t.db.query<{ kept_table: string }>('delete from wayback.migration_kept returning kept_table')).rows) {
        await t.db.query(`drop table wayback."${kept_table}"`);
      }
      folder?.drop();
      folder = migrationFolder(base);
      await migrateUp(t.db, { dir: folder.dir });
    });

    it('brings back a dropped column, a dropped table and values a narrowing cut, then drops its copies', async () => {
      const original = await snapshot(t.db);
      folder.write({
        '0002_slim.up.sql': `
          drop table legacy_note;
          alter table customer drop column email;
          alter table customer alter column name type varchar(4) using left(name, 4);
          alter table customer alter column score type numeric(8,0);
        `,
        '0002_slim.down.sql': `
          alter table customer alter column score type numeric(8,3);
          alter table customer alter column name type text;
          alter table customer add column email varchar(80);
          create table legacy_note (id int generated always as identity primary key, customer_id int references customer (id), body text);
        `,
      });
      const up = await migrateUp(t.db, { dir: folder.dir });
      assert.deepEqual(targets(up.migrations[0]?.kept ?? []), [
        ['"public"."customer"."name"', 50, null],
        ['"public"."customer"."email"', 50, null],
        ['"public"."customer"."score"', 50, null],
        ['"public"."legacy_note"', 20, null],
      ]);
      assert.deepEqual(await keptTables(t.db), { records: 4, tables: 4 });
      const down = await migrateDown(t.db, { dir: folder.dir });
      assert.equal(down.migrations[0]?.kept.every((k) => k.problem === null), true);
      assert.deepEqual(await snapshot(t.db), original, 'every value is back, exactly');
      assert.deepEqual(await keptTables(t.db), { records: 0, tables: 0 }, 'the copies are gone');
      // The recreated identity sequence was moved past the rows that came back.
      const { rows } = await t.db.query<{ id: number }>("insert into legacy_note (customer_id, body) values (1, 'new') returning id");
      assert.equal(rows[0]?.id, 21);
    });

    it('keeps nothing for a migration that only sets its search_path (type names print differently under it)', async () => {
      folder.write({
        '0002_other.up.sql': "create schema other; create type other.mood as enum ('ok'); create table other.t (id int primary key, m other.mood); insert into other.t values (1, 'ok');\n",
        '0002_other.down.sql': 'drop schema other cascade;\n',
        '0003_note.up.sql': 'set local search_path = other, public;\nalter table t add column note text;\n',
        '0003_note.down.sql': 'set local search_path = other, public;\nalter table t drop column note;\n',
      });
      const up = await migrateUp(t.db, { dir: folder.dir });
      assert.deepEqual(up.migrations.map((m) => m.kept), [[], []]);
      await migrateDown(t.db, { dir: folder.dir, steps: 2 });
    });

    it('keeps nothing when a type only widens', async () => {
      folder.write({
        '0002_widen.up.sql': 'alter table customer alter column email type varchar(200); alter table customer alter column id type bigint; alter table customer alter column name type varchar;\n',
        '0002_widen.down.sql': 'alter table customer alter column email type varchar(80); alter table customer alter column id type int; alter table customer alter column name type text;\n',
      });
      const up = await migrateUp(t.db, { dir: folder.dir });
      assert.deepEqual(up.migrations[0]?.kept, []);
      assert.deepEqual(await keptTables(t.db), { records: 0, tables: 0 });
    });

    it('a down that does not recreate the column leaves the copy in place and says where', async () => {
      folder.write({
        '0002_drop_email.up.sql': 'alter table customer drop column email;\n',
        '0002_drop_email.down.sql': 'select 1;\n',
      });
      await migrateUp(t.db, { dir: folder.dir });
      const down = await migrateDown(t.db, { dir: folder.dir });
      const [kept] = down.migrations[0]?.kept ?? [];
      assert.match(kept?.problem ?? '', /the down did not recreate "email"/);
      assert.match(kept?.keptIn ?? '', /^wayback\."kept_\d+"$/);
      const { rows } = await t.db.query<{ n: number; migration_id: string | null }>(
        `select count(*)::int as n, min(migration_id) as migration_id from ${kept?.keptIn ?? ''} cross join wayback.migration_kept`,
      );
      assert.deepEqual(rows[0], { n: 50, migration_id: null }, 'the 50 values wait, no longer tied to the migration');
      // Fixed and run again: the new copy is restored, the stray one is left for whoever wants it.
      await t.db.query('alter table customer add column email varchar(80)');
      await t.db.query("update customer set email = 'c' || id || '@example.com'");
      const original = await snapshot(t.db);
      folder.write({ '0002_drop_email.down.sql': 'alter table customer add column email varchar(80);\n' });
      await migrateUp(t.db, { dir: folder.dir });
      await migrateDown(t.db, { dir: folder.dir });
      assert.deepEqual(await snapshot(t.db), original);
      assert.deepEqual(await keptTables(t.db), { records: 1, tables: 1 });
    });

    it('says it cannot keep a column of a table without a primary key, and still runs the up', async () => {
      folder.write({
        '0002_log.up.sql': "create table plain_log (at timestamptz, line text); insert into plain_log values (now(), 'a'), (now(), 'b');\n",
        '0002_log.down.sql': 'drop table plain_log;\n',
        '0003_drop_line.up.sql': 'alter table plain_log drop column line;\n',
        '0003_drop_line.down.sql': 'alter table plain_log add column line text;\n',
      });
      const up = await migrateUp(t.db, { dir: folder.dir });
      const kept = up.migrations.find((m) => m.id === '0003_drop_line')?.kept ?? [];
      assert.deepEqual(
        kept.map((k) => [k.target, k.rows, k.keptIn]),
        [['"public"."plain_log"."line"', 2, null]],
      );
      assert.match(kept[0]?.problem ?? '', /has no primary key/);
    });

    it('keeps what a module migration drops, too', async () => {
      folder.write({
        '0002_module.mjs': [
          "export async function up(db) { await db.query('alter table customer drop column email'); }",
          "export async function down(db) { await db.query('alter table customer add column email varchar(80)'); }",
          '',
        ].join('\n'),
      });
      const original = await snapshot(t.db);
      await migrateUp(t.db, { dir: folder.dir });
      await migrateDown(t.db, { dir: folder.dir });
      assert.deepEqual(await snapshot(t.db), original);
    });
  });
}
