// The journal matches the writes actually made: random sequences of inserts, upserts, updates (some that
// change nothing, some that move keys) and deletes, then the journal replayed forwards from nothing must
// give the table as it is, and its before-images replayed backwards must give the table as it was.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { SqlState, sqlStateOf, type Db, type Queryable } from '../../src/db/index.js';
import { track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import {
  entryCount,
  lastStmt,
  replayBackward,
  replayForward,
  sortedState,
  tableState,
  textJournalOf,
  type TextEntry,
} from '../support/journal.js';

interface Row {
  readonly id: number;
  readonly a: number | null;
  readonly b: string | null;
  readonly c: string | null;
  readonly d: string | null;
}

type Column = 'a' | 'b' | 'c' | 'd';

type Op =
  | { readonly kind: 'insert' | 'upsert' | 'merge'; readonly rows: readonly Row[] }
  | { readonly kind: 'set'; readonly column: Column; readonly value: number | string | null; readonly ids: readonly number[] }
  | { readonly kind: 'touch' | 'delete'; readonly ids: readonly number[] }
  | { readonly kind: 'bump'; readonly modulus: number }
  | { readonly kind: 'rekey'; readonly shift: number; readonly ids: readonly number[] }
  | { readonly kind: 'transaction'; readonly ops: readonly Op[] };

// Values chosen to trip exactness: equal numbers of different scale, NaN, text that looks like NULL,
// jsonb numbers that compare equal but print differently.
const aValues = fc.constantFrom(null, 0, 1, -7, 1000);
const bValues = fc.constantFrom(null, '', 'x', 'ü名前', "it's", 'NULL', 'line\nbreak', '"quoted"');
const cValues = fc.constantFrom(null, '1.5', '1.50', '12345678901234567890.123456789012', 'NaN');
const dValues = fc.constantFrom(null, '{"k": 1}', '{"k": 1.0}', '[1, {"a": null}]', '"s"');
const values: Record<Column, fc.Arbitrary<number | string | null>> = { a: aValues, b: bValues, c: cValues, d: dValues };
const columnTypes: Record<Column, string> = { a: 'int', b: 'text', c: 'numeric', d: 'jsonb' };

const id = fc.integer({ min: 1, max: 10 });
const ids = fc.uniqueArray(id, { minLength: 1, maxLength: 5 });
const row: fc.Arbitrary<Row> = fc.record({ id, a: aValues, b: bValues, c: cValues, d: dValues });
const simpleOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('insert' as const, 'upsert' as const, 'merge' as const), rows: fc.array(row, { minLength: 1, maxLength: 4 }) }),
  fc
    .constantFrom<Column>('a', 'b', 'c', 'd')
    .chain((column) => fc.record({ kind: fc.constant('set' as const), column: fc.constant(column), value: values[column], ids })),
  fc.record({ kind: fc.constantFrom('touch' as const, 'delete' as const), ids }),
  fc.record({ kind: fc.constant('bump' as const), modulus: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('rekey' as const), shift: fc.constantFrom(-3, -1, 1, 2, 20), ids }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: simpleOp, weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('transaction' as const), ops: fc.array(simpleOp, { minLength: 2, maxLength: 3 }) }), weight: 1 },
);

const seedRows: Row[] = [1, 2, 3, 4, 5, 6].map((n) => ({
  id: n,
  a: n,
  b: `row ${n}`,
  c: n % 2 === 0 ? '1.50' : '1.5',
  d: n % 3 === 0 ? '{"k": 1.0}' : '{"k": 1}',
}));

async function apply(db: Queryable, table: string, step: Op): Promise<void> {
  const fromJson = `select id, a, b, c::numeric, d::jsonb from jsonb_to_recordset($1::jsonb) as x(id int, a int, b text, c text, d text)`;
  switch (step.kind) {
    case 'insert':
      await db.query(`insert into ${table} (id, a, b, c, d) ${fromJson}`, [JSON.stringify(step.rows)]);
      return;
    case 'upsert':
      await db.query(
        `insert into ${table} (id, a, b, c, d) ${fromJson}
             on conflict (id) do update set a = excluded.a, b = excluded.b, c = excluded.c`,
        [JSON.stringify(step.rows)],
      );
      return;
    case 'merge':
      // One statement that inserts, updates and deletes: a source row with a null a deletes its match.
      await db.query(
        `merge into ${table} t using (${fromJson}) s on t.id = s.id
          when matched and s.a is null then delete
          when matched then update set b = s.b, c = s.c, d = s.d
          when not matched then insert (id, a, b, c, d) values (s.id, s.a, s.b, s.c, s.d)`,
        [JSON.stringify(step.rows)],
      );
      return;
    case 'set':
      await db.query(`update ${table} set ${step.column} = $1::${columnTypes[step.column]} where id = any ($2::int[])`, [
        step.value === null ? null : String(step.value),
        step.ids,
      ]);
      return;
    case 'touch': {
      const count = await entryCount(db, `public.${table}`);
      await db.query(`update ${table} set a = a, b = b, c = c, d = d where id = any ($1::int[])`, [step.ids]);
      assert.equal(await entryCount(db, `public.${table}`), count, 'an UPDATE that changes nothing is not journaled');
      return;
    }
    case 'bump':
      await db.query(`update ${table} set a = coalesce(a, 0) + 1 where id % $1 = 0`, [step.modulus]);
      return;
    case 'rekey':
      await db.query(`update ${table} set id = id + $1, b = coalesce(b, '') || '>' where id = any ($2::int[])`, [step.shift, step.ids]);
      return;
    case 'delete':
      await db.query(`delete from ${table} where id = any ($1::int[])`, [step.ids]);
      return;
    case 'transaction':
      throw new Error('transactions are applied by run()');
  }
}

/** Statements that fail (a key taken, an upsert naming a row twice) roll back with their journal entries. */
const expectedFailures: readonly string[] = [SqlState.uniqueViolation, '21000'];

async function run(db: Db, table: string, step: Op): Promise<void> {
  try {
    if (step.kind === 'transaction') {
      await db.transaction(async (tx) => {
        for (const inner of step.ops) await apply(tx, table, inner);
      });
    } else {
      await apply(db, table, step);
    }
  } catch (error) {
    if (!expectedFailures.includes(sqlStateOf(error) ?? '')) throw error;
  }
}

const key = ['id'];

for (const backend of backends) {
  describe(`journal replay on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
    });
    after(async () => {
      await t.drop();
    });

    it('replays forwards to the table as it is, and backwards to the table as it was', async () => {
      const { db } = t;
      let runs = 0;
      const seen: TextEntry[] = [];
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 30 }), async (ops) => {
          const table = `item_${++runs}`;
          await db.query(`create table ${table} (id int primary key, a int, b text, c numeric, d jsonb)`);
          await track(db, [table]);
          await apply(db, table, { kind: 'insert', rows: seedRows });
          const mark = await lastStmt(db);
          const initial = await tableState(db, table, key);
          for (const step of ops) await run(db, table, step);

          const entries = await textJournalOf(db, `public.${table}`);
          const current = await tableState(db, table, key);
          assert.deepEqual(sortedState(replayForward(entries, key)), sortedState(current));
          const later = entries.filter((entry) => entry.stmt > mark);
          assert.deepEqual(sortedState(replayBackward(later, key, current)), sortedState(initial));
          assert.deepEqual(sortedState(replayBackward(entries, key, current)), {});
          seen.push(...later);
        }),
        { numRuns: 20, seed: 20261124 },
      );
      // The property held on sequences that did every kind of write, not on a run of failed statements.
      const kinds = new Set(seen.map((entry) => entry.op));
      assert.deepEqual([...kinds].sort(), ['D', 'I', 'U']);
      assert.ok(seen.some((entry) => entry.op === 'U' && entry.after?.['id'] !== undefined), 'some UPDATE moved a key');
    });

    it('journals each row of a multi-row statement once, under one statement number', async () => {
      const { db } = t;
      await db.query('create table multi (id int primary key, a int, b text, c numeric, d jsonb)');
      await track(db, ['multi']);
      await apply(db, 'multi', { kind: 'insert', rows: seedRows });
      await apply(db, 'multi', { kind: 'upsert', rows: [{ ...seedRows[0]!, a: 100 }, { ...seedRows[1]! }, { id: 7, a: 7, b: null, c: null, d: null }] });
      await apply(db, 'multi', { kind: 'bump', modulus: 2 });
      await apply(db, 'multi', { kind: 'delete', ids: [1, 2, 3] });
      await apply(db, 'multi', {
        kind: 'merge',
        rows: [{ ...seedRows[3]!, a: null }, { ...seedRows[4]!, b: 'merged' }, { ...seedRows[5]! }, { id: 8, a: 8, b: null, c: '8', d: null }],
      });
      const entries = await textJournalOf(db, 'public.multi');
      const byStmt = new Map<number, string[]>();
      for (const entry of entries) {
        const shown = `${entry.op}${entry.pk.join(',')}:${JSON.stringify(entry.after ?? entry.before)}`;
        byStmt.set(entry.stmt, [...(byStmt.get(entry.stmt) ?? []), shown]);
      }
      const image = (r: Row, a = r.a) => JSON.stringify({ a: String(a), b: r.b, c: r.c, d: r.d, id: String(r.id) });
      const [r1, r2, r3, r4] = seedRows as [Row, Row, Row, Row];
      assert.deepEqual([...byStmt.values()], [
        seedRows.map((r) => `I${r.id}:${image(r)}`),
        // ON CONFLICT DO UPDATE fires the UPDATE capture before the INSERT capture; row 2 did not change.
        ['U1:{"a":"100"}'],
        ['I7:{"a":"7","b":null,"c":null,"d":null,"id":"7"}'],
        ['U2:{"a":"3"}', 'U4:{"a":"5"}', 'U6:{"a":"7"}'],
        [`D1:${image(r1, 100)}`, `D2:${image(r2, 3)}`, `D3:${image(r3)}`],
        // MERGE: each kind of write under its own statement number; row 6 matched but did not change.
        [`D4:${image(r4, 5)}`],
        ['U5:{"b":"merged"}'],
        ['I8:{"a":"8","b":null,"c":"8","d":null,"id":"8"}'],
      ]);
    });
  });
}
