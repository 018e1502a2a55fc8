import { sqlFile, type Queryable } from '../db/index.js';

/** The moments of the story whose rows the demo keeps, to prove what changed between them. */
export type Moment = 'before-job' | 'after-job' | 'after-weekend' | 'after-revert' | 'after-undo' | 'after-redo';

/** Per table, what changed between two moments: rows inserted, deleted, updated, and cells per column. */
export interface TableChanges {
  readonly inserted: number;
  readonly deleted: number;
  readonly updated: number;
  readonly cells: Readonly<Record<string, number>>;
}

export type Changes = Readonly<Record<string, TableChanges>>;

/** Copies every row of the product's tables under `moment` (sql/snapshot.sql). */
export async function snapshot(db: Queryable, moment: Moment): Promise<void> {
  await db.query(sqlFile(import.meta.url, 'sql/snapshot.sql'), [moment]);
}

export async function rowCounts(db: Queryable, moment: Moment): Promise<Record<string, number>> {
  const { rows } = await db.query<{ table_name: string; n: number }>(sqlFile(import.meta.url, 'sql/row-counts.sql'), [moment]);
  return Object.fromEntries(rows.map((row) => [row.table_name, row.n]));
}

/** What changed from one moment to a later one, counted from the snapshots. */
export async function changesBetween(db: Queryable, from: Moment, to: Moment): Promise<Changes> {
  const { rows } = await db.query<{ table_name: string; column_name: string | null; change: 'inserted' | 'deleted' | 'updated' | 'cells'; n: number }>(
    sqlFile(import.meta.url, 'sql/diff.sql'),
    [from, to],
  );
  const changes: Record<string, { inserted: number; deleted: number; updated: number; cells: Record<string, number> }> = {};
  for (const row of rows) {
    const table = (changes[row.table_name] ??= { inserted: 0, deleted: 0, updated: 0, cells: {} });
    if (row.change === 'cells') table.cells[row.column_name ?? ''] = row.n;
    else table[row.change] = row.n;
  }
  return changes;
}

/** Whether two moments hold exactly the same rows. */
export async function compareMoments(db: Queryable, a: Moment, b: Moment): Promise<{ rowsCompared: number; rowsDiffering: number }> {
  const { rows } = await db.query<{ rows_compared: number; rows_differing: number }>(sqlFile(import.meta.url, 'sql/compare-moments.sql'), [a, b]);
  return { rowsCompared: rows[0]?.rows_compared ?? 0, rowsDiffering: rows[0]?.rows_differing ?? 0 };
}

/** The total of one kind of change over every table. */
export function total(changes: Changes, kind: 'inserted' | 'deleted' | 'updated' | 'cells'): number {
  return Object.values(changes).reduce(
    (sum, table) => sum + (kind === 'cells' ? Object.values(table.cells).reduce((a, b) => a + b, 0) : table[kind]),
    0,
  );
}
