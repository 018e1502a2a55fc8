// Histories for the revert property test: fast-check arbitraries that build them from small domains (so
// S and others keep hitting the same cells, rows and keys), and the code that plays one against a real
// database. Operations are drawn as intents ("update the n-th row that exists") and resolved against
// the keys that exist at that point, so every history is valid and stays valid while fast-check shrinks it.
import fc from 'fast-check';
import type { Db, Queryable } from '../../src/db/index.js';
import { quoteIdent } from '../../src/db/index.js';
import { track, untrack } from '../../src/journal/index.js';
import { keyOf, replay, type History, type Op, type Row, type Rows, type State, type TableDef, type Transaction, type Value, type Who } from './model.js';

export interface TableShape {
  readonly def: TableDef;
  /** Column → SQL type, for the casts of the parameters. */
  readonly types: Readonly<Record<string, string>>;
  readonly create: string;
  /** The keys a row can have: few, so keys are re-used after a delete. */
  readonly keys: readonly Row[];
  /** What each column outside the key and the foreign key may hold, as PostgreSQL prints it. */
  readonly values: Readonly<Record<string, fc.Arbitrary<Value>>>;
}

/** Tables in creation order: a table comes after the table it references. */
export interface Shape {
  readonly name: string;
  readonly tables: readonly TableShape[];
}

// Text forms that collide in interesting ways: 1 and 1.0 (equal numerics, different text), jsonb null
// and SQL NULL, the text 'NULL' and SQL NULL, {} and {NULL}.
const ints = fc.constantFrom<Value>(null, '0', '1', '2');
const texts = fc.constantFrom<Value>(null, '', 'x', 'NULL');
const arrays = fc.constantFrom<Value>(null, '{}', '{1,2}', '{NULL}');
const jsons = fc.constantFrom<Value>(null, '{}', '{"k": 1}', 'null', '[1, 2]');
const numerics = fc.constantFrom<Value>(null, '1', '1.0', '2.50');

/** t (id int primary key, a int, b text, c int[], d jsonb, e numeric). */
export const oneTable: Shape = {
  name: 'one table',
  tables: [{
    def: { name: 'public.t', key: ['id'], columns: ['id', 'a', 'b', 'c', 'd', 'e'] },
    types: { id: 'int', a: 'int', b: 'text', c: 'int[]', d: 'jsonb', e: 'numeric' },
    create: 'create table t (id int primary key, a int, b text, c int[], d jsonb, e numeric)',
    keys: ['1', '2', '3', '4'].map((id) => ({ id })),
    values: { a: ints, b: texts, c: arrays, d: jsons, e: numerics },
  }],
};

/** p (k1 int, k2 text, a int, b text, primary key (k1, k2)) and ch (id int primary key, (k1, k2) → p, x int). */
export const parentAndChild: Shape = {
  name: 'composite key and foreign key',
  tables: [
    {
      def: { name: 'public.p', key: ['k1', 'k2'], columns: ['k1', 'k2', 'a', 'b'] },
      types: { k1: 'int', k2: 'text', a: 'int', b: 'text' },
      create: 'create table p (k1 int, k2 text, a int, b text, primary key (k1, k2))',
      keys: [['1', 'a'], ['1', 'b'], ['2', 'a'], ['2', 'b']].map(([k1, k2]) => ({ k1: k1!, k2: k2! })),
      values: { a: ints, b: texts },
    },
    {
      def: {
        name: 'public.ch', key: ['id'], columns: ['id', 'k1', 'k2', 'x'],
        references: { table: 'public.p', columns: [['k1', 'k1'], ['k2', 'k2']] },
      },
      types: { id: 'int', k1: 'int', k2: 'text', x: 'int' },
      create: 'create table ch (id int primary key, k1 int not null, k2 text not null, x int, foreign key (k1, k2) references p)',
      keys: ['1', '2', '3'].map((id) => ({ id })),
      values: { x: ints },
    },
  ],
};

/** An operation as drawn: which table, what kind, and indexes into whatever exists when it runs. */
interface Intent {
  readonly table: number;
  readonly kind: 'insert' | 'update' | 'delete';
  readonly pick: number;
  readonly parent: number;
  /** An insert's values. */
  readonly row: Readonly<Record<string, Value>>;
  /** An update's values: the columns it sets. */
  readonly set: Readonly<Partial<Record<string, Value>>>;
}

function intent(shape: Shape, kinds: readonly Intent['kind'][]): fc.Arbitrary<Intent> {
  return fc.oneof(...shape.tables.map((table, index) =>
    fc.record({
      table: fc.constant(index),
      kind: fc.constantFrom(...kinds),
      pick: fc.nat({ max: 7 }),
      parent: fc.nat({ max: 7 }),
      row: fc.record(table.values),
      set: fc.record(table.values, { requiredKeys: [] }),
    })));
}

/** Turns intents into operations on the keys that exist; an intent that cannot run is left out. */
function resolve(shape: Shape, seed: readonly Intent[], transactions: readonly { by: Who; ops: readonly Intent[] }[]): History {
  const present = new Map(shape.tables.map((table) => [table.def.name, new Map<string, Row>()]));
  const parentKeyOf = (child: TableDef, row: Row) =>
    child.references === undefined ? undefined : JSON.stringify(child.references.columns.map(([c]) => row[c] ?? null));
  const referenced = (table: TableDef, key: string) =>
    shape.tables.some(({ def }) => def.references?.table === table.name && [...present.get(def.name)!.values()].some((row) => parentKeyOf(def, row) === key));
  // Keys S wrote and keys S must leave alone from now on: once others delete or insert a key S wrote, S
  // writing it again would tangle two lives of the row (model.ts leaves those out of scope).
  const writtenByS = new Set<string>();
  const closed = new Set<string>();
  const toOp = (by: Who, { table: index, kind, pick, parent, row: values, set: setValues }: Intent): Op | undefined => {
    const table = shape.tables[index]!;
    const { def } = table;
    const rows = present.get(def.name)!;
    const id = (key: Row) => `${def.name} ${keyOf(key, def.key)}`;
    const open = (key: Row) => by === 'others' || !closed.has(id(key));
    const existing = table.keys.filter((key) => rows.has(keyOf(key, def.key)) && open(key));
    if (kind === 'insert') {
      const free = table.keys.filter((key) => !rows.has(keyOf(key, def.key)) && open(key));
      const key = free[pick % Math.max(free.length, 1)];
      if (key === undefined) return undefined;
      let refs: Row = {};
      if (def.references !== undefined) {
        const parents = [...present.get(def.references.table)!.values()];
        const chosen = parents[parent % Math.max(parents.length, 1)];
        if (chosen === undefined) return undefined;
        refs = Object.fromEntries(def.references.columns.map(([c, p]) => [c, chosen[p] ?? null]));
      }
      const drawn: Row = { ...values, ...refs, ...key };
      const row = Object.fromEntries(def.columns.map((c) => [c, drawn[c] ?? null]));
      rows.set(keyOf(key, def.key), row);
      return { kind, table: def.name, row };
    }
    const key = existing[pick % Math.max(existing.length, 1)];
    if (key === undefined) return undefined;
    if (kind === 'update') {
      const set: Row = Object.fromEntries(Object.entries(setValues).filter((entry): entry is [string, Value] => entry[1] !== undefined));
      if (Object.keys(set).length === 0) return undefined;
      rows.set(keyOf(key, def.key), { ...rows.get(keyOf(key, def.key))!, ...set });
      return { kind, table: def.name, key, set };
    }
    if (referenced(def, keyOf(key, def.key))) return undefined;
    rows.delete(keyOf(key, def.key));
    return { kind, table: def.name, key };
  };
  const resolveOne = (by: Who, intent: Intent): Op | undefined => {
    const op = toOp(by, intent);
    if (op === undefined) return undefined;
    const { def } = shape.tables[intent.table]!;
    const id = `${def.name} ${keyOf(op.kind === 'insert' ? op.row : op.key, def.key)}`;
    if (by === 'S') writtenByS.add(id);
    else if (op.kind !== 'update' && writtenByS.has(id)) closed.add(id);
    return op;
  };
  const resolved = [{ by: 'others' as const, ops: seed }, ...transactions]
    .map(({ by, ops }) => ({ by, ops: ops.map((intent) => resolveOne(by, intent)).filter((op) => op !== undefined) }))
    .filter((tx) => tx.ops.length > 0);
  return { tables: shape.tables.map((table) => table.def), transactions: resolved };
}

/** Whether S wrote anything the journal would see (otherwise there is no change set to revert). */
export function writesOfS(history: History): number {
  const { events } = replay(history);
  return [...events.values()].flatMap((perKey) => [...perKey.values()].flat()).filter((e) => e.by === 'S').length;
}

/**
 * Histories on a shape: a seed of up to four inserts by others, then 2–8 transactions by S or others,
 * each of 1–3 operations. S writes something in every history.
 */
export function historyArbitrary(shape: Shape): fc.Arbitrary<History> {
  const transaction = fc.record({
    by: fc.constantFrom<Who>('S', 'others'),
    ops: fc.array(intent(shape, ['insert', 'update', 'delete']), { minLength: 1, maxLength: 3 }),
  });
  return fc
    .record({
      seed: fc.array(intent(shape, ['insert']), { maxLength: 4 }),
      transactions: fc.array(transaction, { minLength: 2, maxLength: 8 }),
    })
    .map(({ seed, transactions }) => resolve(shape, seed, transactions))
    .filter((history) => writesOfS(history) > 0);
}

const [schemaOf, nameOf] = [(name: string) => name.split('.')[0]!, (name: string) => name.split('.')[1]!];
const qualified = (name: string) => `${quoteIdent(schemaOf(name))}.${quoteIdent(nameOf(name))}`;

function tableShape(shape: Shape, name: string): TableShape {
  const table = shape.tables.find((t) => t.def.name === name);
  if (table === undefined) throw new Error(`no table ${name} in shape ${shape.name}`);
  return table;
}

/** Creates and tracks the shape's tables. */
export async function createShape(db: Db, shape: Shape): Promise<void> {
  for (const table of shape.tables) await db.query(table.create);
  await track(db, shape.tables.map((table) => table.def.name));
}

/** Untracks and drops the shape's tables. */
export async function dropShape(db: Db, shape: Shape): Promise<void> {
  const names = shape.tables.map((table) => table.def.name);
  await untrack(db, names);
  await db.query(`drop table ${[...names].reverse().map(qualified).join(', ')}`);
}

/** Empties the shape's tables (a journaled, untagged delete), so the next history starts from nothing. */
export async function clearShape(db: Db, shape: Shape): Promise<void> {
  await db.transaction(async (tx) => {
    for (const table of [...shape.tables].reverse()) await tx.query(`delete from ${qualified(table.def.name)}`);
  });
}

function statementOf(shape: Shape, op: Op): { text: string; params: Value[] } {
  const table = tableShape(shape, op.table);
  const cast = (column: string, n: number) => `$${n}::${table.types[column]}`;
  const where = (key: Row, from: number) =>
    table.def.key.map((column, i) => `${quoteIdent(column)} = ${cast(column, from + i)}`).join(' and ');
  const keyValues = (key: Row) => table.def.key.map((column) => key[column] ?? null);
  if (op.kind === 'insert') {
    const columns = table.def.columns;
    return {
      text: `insert into ${qualified(op.table)} (${columns.map(quoteIdent).join(', ')}) values (${columns.map((c, i) => cast(c, i + 1)).join(', ')})`,
      params: columns.map((column) => op.row[column] ?? null),
    };
  }
  if (op.kind === 'delete') return { text: `delete from ${qualified(op.table)} where ${where(op.key, 1)}`, params: keyValues(op.key) };
  const set = Object.keys(op.set);
  return {
    text: `update ${qualified(op.table)} set ${set.map((c, i) => `${quoteIdent(c)} = ${cast(c, i + 1)}`).join(', ')} where ${where(op.key, set.length + 1)}`,
    params: [...set.map((column) => op.set[column] ?? null), ...keyValues(op.key)],
  };
}

/** Plays the history, one transaction each; S's are tagged `SET LOCAL wayback.changeset = '<changeset>'`. */
export async function playHistory(db: Db, shape: Shape, history: History, changeset: string): Promise<void> {
  if (!/^[\w:-]+$/.test(changeset)) throw new Error(`a change set id for SET LOCAL, not ${changeset}`);
  for (const { by, ops } of history.transactions) {
    await db.transaction(async (tx: Queryable) => {
      if (by === 'S') await tx.query(`set local wayback.changeset = '${changeset}'`);
      for (const op of ops) {
        const { text, params } = statementOf(shape, op);
        await tx.query(text, params);
      }
    });
  }
}

/** Every table of the shape, each column as its text form, keyed as the model keys rows. */
export async function readState(db: Queryable, shape: Shape): Promise<State> {
  const state: Record<string, Rows> = {};
  for (const { def } of shape.tables) {
    const columns = def.columns.map((c) => `${quoteIdent(c)}::text as ${quoteIdent(c)}`).join(', ');
    const { rows } = await db.query<Record<string, Value>>(`select ${columns} from ${qualified(def.name)}`);
    const keyed = rows.map((row) => [keyOf(row, def.key), row] as const);
    state[def.name] = Object.fromEntries(keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return state;
}

/** A history as lines a person can read in a failure message. */
export function describeHistory(history: History): string {
  const show = (row: Row) => Object.entries(row).map(([c, v]) => `${c}=${v === null ? 'NULL' : `'${v}'`}`).join(' ');
  const line = (op: Op) =>
    op.kind === 'insert' ? `insert ${op.table} ${show(op.row)}`
    : op.kind === 'update' ? `update ${op.table} [${show(op.key)}] set ${show(op.set)}`
    : `delete ${op.table} [${show(op.key)}]`;
  return history.transactions.map((tx: Transaction) => `  ${tx.by}: ${tx.ops.map(line).join('; ')}`).join('\n');
}
