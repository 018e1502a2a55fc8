import assert from 'node:assert/strict';
import type { Queryable } from '../../src/db/index.js';

export interface JournalRow {
  stmt: number;
  changeset: string;
  feature: string | null;
  txid: number;
  table: string;
  op: 'I' | 'U' | 'D';
  pk: unknown[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  app: string | null;
  role: string;
  at: Date;
}

/** The journal entries of one table (schema.table) in the order they were written. */
export async function journalOf(db: Queryable, table: string): Promise<JournalRow[]> {
  const { rows } = await db.query<JournalRow & { stmt: string; txid: string; table_name: string }>(
    `select stmt, changeset, feature, txid, table_name, op, pk, before, after, app, role, at
       from wayback.journal_entry where table_name = $1 order by stmt, pk::text`,
    [table],
  );
  return rows.map((row) => ({ ...row, stmt: Number(row.stmt), txid: Number(row.txid), table: row.table_name }));
}

/** A row as exact text: column → its value as `jsonb_each_text` prints it (null for SQL NULL). */
export type TextRow = Readonly<Record<string, string | null>>;

/** A table's rows keyed by `JSON.stringify` of their key columns' text. */
export type TableState = Map<string, TextRow>;

/** A journal entry with every value as exact text, so numerics and the like never pass through JS numbers. */
export interface TextEntry {
  readonly stmt: number;
  readonly op: 'I' | 'U' | 'D';
  readonly pk: readonly (string | null)[];
  readonly before: TextRow | null;
  readonly after: TextRow | null;
}

const asTextRow = (column: string) =>
  `(select jsonb_object_agg(key, value) from jsonb_each_text(${column}))`;

/** The journal entries of one table (schema.table) as exact text, in the order they were written. */
export async function textJournalOf(db: Queryable, table: string, sinceStmt = 0): Promise<TextEntry[]> {
  const { rows } = await db.query<{ stmt: string; op: 'I' | 'U' | 'D'; pk: (string | null)[]; before: TextRow | null; after: TextRow | null }>(
    `select stmt, op,
            (select jsonb_agg(value order by n) from jsonb_array_elements_text(pk) with ordinality as e(value, n)) as pk,
            ${asTextRow('before')} as before, ${asTextRow('after')} as after
       from wayback.journal_entry where table_name = $1 and stmt > $2 order by stmt, pk::text`,
    [table, sinceStmt],
  );
  return rows.map((row) => ({ ...row, stmt: Number(row.stmt) }));
}

/** The last statement number drawn so far (0 before any). */
export async function lastStmt(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ stmt: string | null }>('select max(id) as stmt from wayback.statement');
  return Number(rows[0]?.stmt ?? 0);
}

export function keyOf(row: TextRow, keyColumns: readonly string[]): string {
  return JSON.stringify(keyColumns.map((column) => row[column] ?? null));
}

/** The current rows of a table (a quoted, possibly qualified name) as exact text. */
export async function tableState(db: Queryable, table: string, keyColumns: readonly string[]): Promise<TableState> {
  const { rows } = await db.query<{ row: TextRow }>(`select ${asTextRow('to_jsonb(t)')} as row from ${table} t`);
  return new Map(rows.map(({ row }) => [keyOf(row, keyColumns), row]));
}

/** The state as a plain object sorted by key, so `assert.deepEqual` prints a readable difference. */
export function sortedState(state: TableState): Record<string, TextRow> {
  return Object.fromEntries([...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function byStatement(entries: readonly TextEntry[]): TextEntry[][] {
  const groups = new Map<number, TextEntry[]>();
  for (const entry of entries) groups.set(entry.stmt, [...(groups.get(entry.stmt) ?? []), entry]);
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

function take(state: TableState, key: string, entry: TextEntry): TextRow {
  const row = state.get(key);
  if (row === undefined) throw new Error(`replay: stmt ${entry.stmt} ${entry.op} names row ${key}, which the model does not have`);
  state.delete(key);
  return row;
}

function expectSubset(row: TextRow, image: TextRow, entry: TextEntry, what: string): void {
  for (const [column, value] of Object.entries(image)) {
    if (row[column] !== value) {
      throw new Error(`replay: stmt ${entry.stmt} ${entry.op} ${JSON.stringify(entry.pk)}: ${what}.${column} is ${JSON.stringify(value)}, the model has ${JSON.stringify(row[column])}`);
    }
  }
}

function put(state: TableState, rows: readonly TextRow[], keyColumns: readonly string[]): void {
  for (const row of rows) {
    const key = keyOf(row, keyColumns);
    if (state.has(key)) throw new Error(`replay: two rows with key ${key}`);
    state.set(key, row);
  }
}

/**
 * Applies journal entries in statement order: I adds `after`, U lays `after` over the row named by `pk`
 * (moving it when the key changed), D removes it. Each statement's rows leave before any arrive, as in
 * PostgreSQL, where keys are unique only once the statement ends. Throws when an entry's `before` does not
 * match the model: the journal then disagrees with itself.
 */
export function replayForward(entries: readonly TextEntry[], keyColumns: readonly string[], start: TableState = new Map()): TableState {
  const state = new Map(start);
  for (const group of byStatement(entries)) {
    const arriving: TextRow[] = [];
    for (const entry of group) {
      const key = JSON.stringify(entry.pk);
      if (entry.op === 'I') arriving.push(entry.after ?? {});
      else {
        const row = take(state, key, entry);
        expectSubset(row, entry.before ?? {}, entry, 'before');
        if (entry.op === 'U') arriving.push({ ...row, ...entry.after });
        else assert.deepEqual(row, entry.before, `replay: stmt ${entry.stmt} D ${key}: before is not the whole row`);
      }
    }
    put(state, arriving, keyColumns);
  }
  return state;
}

/** Undoes journal entries newest first from `current`: the reverse of replayForward, from the before-images. */
export function replayBackward(entries: readonly TextEntry[], keyColumns: readonly string[], current: TableState): TableState {
  const state = new Map(current);
  for (const group of byStatement(entries).reverse()) {
    const arriving: TextRow[] = [];
    for (const entry of group) {
      if (entry.op === 'D') {
        arriving.push(entry.before ?? {});
        continue;
      }
      const oldKey = Object.fromEntries(keyColumns.map((column, i) => [column, entry.pk[i] ?? null]));
      const row = take(state, keyOf({ ...oldKey, ...entry.after }, keyColumns), entry);
      expectSubset(row, entry.after ?? {}, entry, 'after');
      if (entry.op === 'U') arriving.push({ ...row, ...entry.before });
      else assert.deepEqual(row, entry.after, `replay: stmt ${entry.stmt} I: after is not the whole row`);
    }
    put(state, arriving, keyColumns);
  }
  return state;
}

/** Runs `work`, expecting it to fail with SQLSTATE `code` and a message matching every pattern. */
export async function expectSqlError(work: () => Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<Error> {
  let caught: unknown;
  try {
    await work();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Error, `expected an error with SQLSTATE ${code}, but it succeeded`);
  const actual = (caught as { code?: unknown }).code ?? (caught.cause as { code?: unknown } | undefined)?.code;
  assert.equal(actual, code, `expected SQLSTATE ${code}: ${caught.message}`);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

/** The wayback triggers on a table, by name. */
export async function waybackTriggersOn(db: Queryable, table: string): Promise<string[]> {
  const { rows } = await db.query<{ tgname: string }>(
    `select tgname from pg_trigger where tgrelid = to_regclass($1) and tgname like 'wayback%' order by tgname`,
    [table],
  );
  return rows.map((row) => row.tgname);
}

export const allCaptureTriggers = ['wayback_block_truncate', 'wayback_capture_delete', 'wayback_capture_insert', 'wayback_capture_update'];

/** The tracked tables that are still capturing, as schema.table. */
export async function trackedTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select schema_name || '.' || table_name as name from wayback.tracked_table where untracked_at is null order by 1`,
  );
  return rows.map((row) => row.name);
}

/** How many journal entries a table has. */
export async function entryCount(db: Queryable, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from wayback.journal_entry where table_name = $1', [table]);
  return Number(rows[0]?.n ?? 0);
}
