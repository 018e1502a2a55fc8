import { sqlFile, type Queryable } from '../db/index.js';
import { ChangesetNotFoundError, TableNotTrackedError } from './errors.js';
import { requireSchema } from './schema.js';
import { resolveTable } from './track.js';

export interface ChangesetFilter {
  readonly feature?: string;
  readonly app?: string;
  readonly table?: string;
  readonly column?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit?: number;
}

export interface RowCounts {
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
}

/** One change set as `wayback changesets --json` prints it (DESIGN.md: scripts rely on this shape). */
export interface Changeset {
  readonly kind: 'changeset';
  readonly id: string;
  readonly feature: string | null;
  readonly app: string | null;
  readonly role: string;
  readonly actor: string | null;
  readonly txids: readonly number[];
  readonly firstAt: string;
  readonly lastAt: string;
  readonly tables: Readonly<Record<string, RowCounts>>;
}

export interface ChangesetList {
  readonly changesets: readonly Changeset[];
  /** How many matched before the limit. */
  readonly total: number;
}

export interface EntrySample {
  readonly op: 'I' | 'U' | 'D';
  readonly pk: readonly unknown[];
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

export interface ChangesetDetail extends Changeset {
  readonly detail: Readonly<
    Record<string, RowCounts & { readonly columns: readonly string[]; readonly samples: readonly EntrySample[] }>
  >;
}

interface ChangesetRow {
  id: string;
  feature: string | null;
  actor: string | null;
  app: string | null;
  role: string;
  txids: string[];
  first_at: Date;
  last_at: Date;
  tables: Record<string, RowCounts>;
  total: string;
}

/** Change sets matching every filter given, newest write first. */
export async function listChangesets(db: Queryable, filter: ChangesetFilter = {}): Promise<ChangesetList> {
  await requireSchema(db);
  const tableIds = filter.table === undefined ? null : await trackedTableIds(db, filter.table);
  const { rows } = await db.query<ChangesetRow>(sqlFile(import.meta.url, 'sql/list-changesets.sql'), [
    filter.feature ?? null,
    filter.app ?? null,
    tableIds,
    filter.column ?? null,
    filter.since ?? null,
    filter.until ?? null,
    null,
    filter.limit ?? null,
  ]);
  return { changesets: rows.map(toChangeset), total: Number(rows[0]?.total ?? 0) };
}

/** One change set with, per table, the columns it touched and a few sample entries. */
export async function showChangeset(db: Queryable, id: string, samplesPerTable = 3): Promise<ChangesetDetail> {
  await requireSchema(db);
  const { rows } = await db.query<ChangesetRow>(sqlFile(import.meta.url, 'sql/list-changesets.sql'), [
    null, null, null, null, null, null, id, null,
  ]);
  const row = rows[0];
  if (row === undefined) throw new ChangesetNotFoundError(id);
  const { rows: tables } = await db.query<{
    table_name: string;
    inserted: string;
    updated: string;
    deleted: string;
    columns: string[];
    samples: EntrySample[];
  }>(sqlFile(import.meta.url, 'sql/show-changeset.sql'), [id, samplesPerTable]);
  const detail = Object.fromEntries(
    tables.map((table) => [
      table.table_name,
      {
        inserted: Number(table.inserted),
        updated: Number(table.updated),
        deleted: Number(table.deleted),
        columns: table.columns,
        samples: table.samples,
      },
    ]),
  );
  return { ...toChangeset(row), detail };
}

function toChangeset(row: ChangesetRow): Changeset {
  return {
    kind: 'changeset',
    id: row.id,
    feature: row.feature,
    app: row.app,
    role: row.role,
    actor: row.actor,
    txids: row.txids.map(Number),
    firstAt: row.first_at.toISOString(),
    lastAt: row.last_at.toISOString(),
    tables: row.tables,
  };
}

/** The tracked-table ids a `--table` names: the live table, or a table tracked before under that name. */
async function trackedTableIds(db: Queryable, table: string): Promise<number[]> {
  const relid = await resolveTable(db, table).catch(() => null);
  const [schema, name] = table.includes('.') ? table.split('.', 2) : [null, table];
  const { rows } = await db.query<{ id: number }>(
    `select id from wayback.tracked_table
      where relid = $1 or (table_name = $3 and ($2::text is null or schema_name = $2))`,
    [relid, schema, name],
  );
  if (rows.length === 0) throw new TableNotTrackedError(table);
  return rows.map((row) => row.id);
}
