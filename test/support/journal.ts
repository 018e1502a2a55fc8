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
