// Every value a journal entry holds must turn back into exactly the value PostgreSQL stored. The checks
// run in SQL (jsonb_populate_record, then ::text of the whole row), because JS numbers would hide a
// numeric that lost digits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Queryable } from '../../src/db/index.js';
import { track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { journalOf, lastStmt } from '../support/journal.js';

interface Check {
  pk: string;
  what: string;
  journaled: string | null;
  actual: string | null;
  exact: boolean;
}

/**
 * Checks each journal entry of `op` on `table` against the row it describes: an I entry's `after` must
 * be the row now, a D entry's `before` the snapshot, and a U entry's images must turn the snapshot into
 * the row now and back. `snapshot` holds (key jsonb, r <table>) taken before the statement. Returns how
 * many images were checked and the ones that were not exact.
 */
async function checkImages(db: Queryable, table: string, rowType: string, op: 'I' | 'U' | 'D', snapshot = 'snap') {
  const shown = (expr: string) => `left(${expr}::text, 300)`;
  const rebuilt = {
    I: { image: `jsonb_populate_record(null::${rowType}, j.after)`, actual: 't' },
    D: { image: `jsonb_populate_record(null::${rowType}, j.before)`, actual: 's.r' },
    U: { image: 'jsonb_populate_record(s.r, j.after)', actual: 't' },
    'U-back': { image: 'jsonb_populate_record(t, j.before)', actual: 's.r' },
  };
  const kinds = op === 'U' ? (['U', 'U-back'] as const) : ([op] as const);
  const { rows } = await db.query<Check>(
    kinds
      .map(
        (kind) => `select j.pk::text as pk, '${kind}' as what, ${shown(rebuilt[kind].image)} as journaled,
                          ${shown(rebuilt[kind].actual)} as actual,
                          ${rebuilt[kind].image}::text is not distinct from ${rebuilt[kind].actual}::text as exact
                     from wayback.journal_entry j
                     left join ${snapshot} s on s.key = j.pk
                     left join ${rowType} t on s_key(t) = j.pk
                    where j.table_name = $1 and j.op = '${op}'`,
      )
      .join(' union all '),
    [table],
  );
  return { checked: rows.length, inexact: rows.filter((row) => !row.exact) };
}

/** The columns each entry of `op` holds, by key, sorted in JS (code-unit order, whatever the collation). */
async function columnsByKey(db: Queryable, table: string, op: 'I' | 'U' | 'D', image: 'before' | 'after', sinceStmt: number) {
  const { rows } = await db.query<{ pk: string; columns: string[] }>(
    `select pk::text as pk, array(select jsonb_object_keys(${image})) as columns
       from wayback.journal_entry where table_name = $1 and op = $2 and stmt > $3 order by pk::text`,
    [table, op, sinceStmt],
  );
  return Object.fromEntries(rows.map((row) => [row.pk, [...row.columns].sort()]));
}

for (const backend of backends) {
  describe(`captured values on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
      await t.db.query(`
        create type mood as enum ('sad', 'ok', 'happy', 'très heureux');
        create domain positive_int as int check (value > 0);
        create table vals (
          id int primary key,
          n numeric, ts timestamptz, ints int[], texts text[], m mood, p positive_int, doc jsonb,
          bin bytea, u uuid, tsv tsvector, ir int4range, tr tstzrange, big text,
          n_doubled numeric generated always as (n * 2) stored
        );
        create function s_key(vals) returns jsonb language sql immutable as 'select jsonb_build_array($1.id)';
        create table snap (key jsonb primary key, r vals)`);
    });
    after(async () => {
      await t.drop();
    });

    it('journals every type so that the stored value comes back exactly, on insert, update and delete', async () => {
      const { db } = t;
      await track(db, ['vals']);
      const megabyte = "(select string_agg(md5(g::text), '') from generate_series(1, 32768) g)";
      await db.query(`insert into vals (id, n, ts, ints, texts, m, p, doc, bin, u, tsv, ir, tr, big) values
        (1, 12345678901234567890.123456789012, '2024-02-29 23:59:59.123456+05:30', '{1,NULL,3}',
         '{"a",NULL,"NULL","with \\"quote\\"","comma,brace}",""}', 'très heureux', 7,
         '{"a": {"b": [1, 2.50, {"c": null}], "é": "ü\\n\\"x\\""}, "n": 1e-20}', '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
         'a fat:2A cat:3B', '[1,10)', '[2024-01-01 00:00:00.000001+00,2024-02-01 12:00:00+00)', ${megabyte}),
        (2, 'NaN', null, null, null, null, null, null, null, null, null, null, null, null),
        (3, '-Infinity', 'infinity', '{{1,2},{3,NULL}}', '{}', 'sad', 1, '"just a string"', '\\x', '00000000-0000-0000-0000-000000000000',
         '', 'empty', '[2024-06-01 10:00:00.5+02,)', ''),
        (4, 1.5, '-infinity', '{}', '{""}', 'ok', 2147483647, '[[], {}, 0.000, -1.5e300]', '\\xdeadbeef', null,
         'ünïcode:1', '(,5]', 'empty', 'x'),
        (5, 0.1, now(), null, null, 'happy', 5, '{}', null, null, null, null, null, ${megabyte})`);

      const inserts = await checkImages(db, 'public.vals', 'vals', 'I');
      assert.deepEqual(inserts.inexact, []);
      assert.equal(inserts.checked, 5);
      const inserted = await journalOf(db, 'public.vals');
      assert.deepEqual(inserted.map((e) => [e.op, e.pk]), [['I', [1]], ['I', [2]], ['I', [3]], ['I', [4]], ['I', [5]]]);
      assert.ok(inserted.every((e) => e.after !== null && 'n_doubled' in e.after), 'the generated column is in every image');
      const { rows: big } = await db.query<{ len: number }>(
        "select length(after->>'big') as len from wayback.journal_entry where pk = '[1]' and op = 'I'",
      );
      assert.equal(big[0]?.len, 32 * 32768);

      await db.query('insert into snap select s_key(v), v from vals v');
      const beforeUpdates = await lastStmt(db);
      await db.query(`update vals set n = n + 0.000000000001, ts = ts + interval '1 microsecond', ints[2] = 5,
                        doc = jsonb_set(doc, '{a,b,0}', '"one"') where id = 1`);
      await db.query("update vals set n = 1.50, texts = '{NULL}', p = 3 where id = 2");
      await db.query('update vals set doc = doc, ints = ints, tsv = tsv where id = 3');
      // 1.5 and 1.50 are equal numbers but different values: the scale is part of what was written.
      await db.query('update vals set n = 1.50 where id = 4');
      await db.query("update vals set big = big || 'tail' where id = 5");
      const changed = {
        '[1]': ['doc', 'ints', 'n', 'n_doubled', 'ts'],
        '[2]': ['n', 'n_doubled', 'p', 'texts'],
        '[4]': ['n', 'n_doubled'],
        '[5]': ['big'],
      };
      assert.deepEqual(await columnsByKey(db, 'public.vals', 'U', 'after', beforeUpdates), changed);
      assert.deepEqual(await columnsByKey(db, 'public.vals', 'U', 'before', beforeUpdates), changed);
      const updates = await checkImages(db, 'public.vals', 'vals', 'U');
      assert.deepEqual(updates.inexact, []);
      assert.equal(updates.checked, 2 * 4);

      await db.query('truncate snap');
      await db.query('insert into snap select s_key(v), v from vals v');
      await db.query('delete from vals');
      const everyColumn = ['big', 'bin', 'doc', 'id', 'ints', 'ir', 'm', 'n', 'n_doubled', 'p', 'texts', 'tr', 'ts', 'tsv', 'u'];
      assert.deepEqual(await columnsByKey(db, 'public.vals', 'D', 'before', beforeUpdates), {
        '[1]': everyColumn, '[2]': everyColumn, '[3]': everyColumn, '[4]': everyColumn, '[5]': everyColumn,
      });
      const deletes = await checkImages(db, 'public.vals', 'vals', 'D');
      assert.deepEqual(deletes.inexact, []);
      assert.equal(deletes.checked, 5);
    });

    it('journals tables and columns with non-ASCII, reserved, mixed-case and quoted names', async () => {
      const { db } = t;
      await db.query(`
        create schema "Straße";
        create table "Straße"."Café" (
          "名前" text, "order" int, "user" text, "select" boolean, "MixedCase" text, "it's" text, "a""b" int,
          primary key ("order", "名前"));
        create function s_key("Straße"."Café") returns jsonb language sql immutable as 'select jsonb_build_array($1."order", $1."名前")';
        create table snap_cafe (key jsonb primary key, r "Straße"."Café")`);
      const [tracked] = await track(db, ['"Straße"."Café"']);
      assert.deepEqual(tracked?.key, ['order', '名前']);
      await db.query(`insert into "Straße"."Café" values ('José', 1, 'ü', true, 'Mixed', 'it''s', 1), ('名前', 2, null, false, null, null, null)`);
      assert.deepEqual(await checkImages(db, 'Straße.Café', '"Straße"."Café"', 'I', 'snap_cafe'), { checked: 2, inexact: [] });
      await db.query(`insert into snap_cafe select s_key(c), c from "Straße"."Café" c`);
      const mark = await lastStmt(db);
      await db.query(`update "Straße"."Café" set "user" = "user" || '!', "MixedCase" = 'm', "a""b" = 2 where "order" = 1`);
      await db.query(`update "Straße"."Café" set "select" = not "select", "it's" = 'x' where "名前" = '名前'`);
      assert.deepEqual(await columnsByKey(db, 'Straße.Café', 'U', 'after', mark), {
        '[1, "José"]': ['MixedCase', 'a"b', 'user'],
        '[2, "名前"]': ["it's", 'select'],
      });
      assert.deepEqual(await checkImages(db, 'Straße.Café', '"Straße"."Café"', 'U', 'snap_cafe'), { checked: 4, inexact: [] });
      await db.query('truncate snap_cafe');
      await db.query(`insert into snap_cafe select s_key(c), c from "Straße"."Café" c`);
      await db.query(`delete from "Straße"."Café"`);
      assert.deepEqual(await checkImages(db, 'Straße.Café', '"Straße"."Café"', 'D', 'snap_cafe'), { checked: 2, inexact: [] });
      assert.equal((await journalOf(db, 'Straße.Café')).length, 6);
    });

    it('journals columns named like the aliases inside the capture function', async () => {
      const { db } = t;
      await db.query('create table alias_clash (id int primary key, r text, j text, o text, n text, d text, s text, rn int, same text)');
      await track(db, ['alias_clash']);
      await db.query("insert into alias_clash values (1, 'r', 'j', 'o', 'n', 'd', 's', 7, 'same')");
      await db.query("update alias_clash set r = 'r2', rn = 8 where id = 1");
      await db.query('delete from alias_clash');
      const entries = await journalOf(db, 'public.alias_clash');
      const row = { id: 1, r: 'r', j: 'j', o: 'o', n: 'n', d: 'd', s: 's', rn: 7, same: 'same' };
      assert.deepEqual(
        entries.map((e) => [e.op, e.pk, e.before, e.after]),
        [
          ['I', [1], null, row],
          ['U', [1], { r: 'r', rn: 7 }, { r: 'r2', rn: 8 }],
          ['D', [1], { ...row, r: 'r2', rn: 8 }, null],
        ],
      );
    });
  });
}
