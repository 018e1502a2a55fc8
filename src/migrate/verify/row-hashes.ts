import { quoteIdent, type Queryable } from '../../db/index.js';
import { readTableColumns } from '../keep/losses.js';

/** The rows of every table that stores rows (partitions, not their parents), as a multiset of row hashes over the named columns. */
export interface RowHashes {
  readonly tables: ReadonlyMap<string, { readonly columns: readonly string[]; readonly hashes: ReadonlyMap<string, number> }>;
}

/** Rows present before that are gone (or changed) after: per table, how many. */
export interface DataLoss {
  readonly kind: 'data-lost';
  readonly table: string;
  readonly rows: number;
  /** How many rows the table had before. */
  readonly of: number;
}

export async function readRowHashes(db: Queryable): Promise<RowHashes> {
  // A partitioned table's rows are its partitions': hashed there, not twice.
  return { tables: await hashRows(db, await columnsByTable(db, { storing: true })) };
}

/**
 * Compares the rows hashed `before` with the same tables now, over the same columns: every row that
 * was there must still be there, unchanged. Extra rows are fine (a down may keep rows the new version
 * wrote). A table the down did not bring back loses all its rows; a table missing one of the columns is
 * left to the schema comparison, which names the column.
 */
export async function lostRows(db: Queryable, before: RowHashes): Promise<DataLoss[]> {
  const now = await columnsByTable(db, { storing: false });
  const comparable = new Map<string, string[]>();
  const losses: DataLoss[] = [];
  for (const [table, { columns, hashes }] of before.tables) {
    const total = [...hashes.values()].reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    const present = now.get(table);
    if (present === undefined) losses.push({ kind: 'data-lost', table, rows: total, of: total });
    else if (columns.every((c) => present.includes(c))) comparable.set(table, [...columns]);
  }
  const after = await hashRows(db, comparable);
  for (const [table, { hashes }] of before.tables) {
    const current = after.get(table)?.hashes;
    if (current === undefined) continue;
    let lost = 0;
    let total = 0;
    for (const [hash, count] of hashes) {
      lost += Math.max(0, count - (current.get(hash) ?? 0));
      total += count;
    }
    if (lost > 0) losses.push({ kind: 'data-lost', table, rows: lost, of: total });
  }
  return losses;
}

/** Each user table's columns, in order; with `storing`, only tables that hold rows themselves (not partitioned parents). */
async function columnsByTable(db: Queryable, options: { storing: boolean }): Promise<Map<string, string[]>> {
  const tables = new Map<string, string[]>();
  for (const column of await readTableColumns(db)) {
    if (options.storing && column.is_partitioned) continue;
    const columns = tables.get(column.qualified) ?? [];
    columns.push(column.column_name);
    tables.set(column.qualified, columns);
  }
  return tables;
}

async function hashRows(db: Queryable, tables: ReadonlyMap<string, readonly string[]>): Promise<Map<string, { columns: readonly string[]; hashes: Map<string, number> }>> {
  const result = new Map<string, { columns: readonly string[]; hashes: Map<string, number> }>();
  const names = [...tables.keys()];
  for (const [table, columns] of tables) result.set(table, { columns, hashes: new Map() });
  if (names.length === 0) return result;
  // One round trip for all tables: each part names its table by position.
  const parts = names.map((table, index) => {
    const row = (tables.get(table) ?? []).map(quoteIdent).join(', ');
    return `select ${index} as t, md5(row(${row})::text) as h, count(*)::int as n from only ${table} group by 2`;
  });
  const { rows } = await db.query<{ t: number; h: string; n: number }>(parts.join('\nunion all\n'));
  for (const row of rows) result.get(names[row.t] ?? '')?.hashes.set(row.h, row.n);
  return result;
}
