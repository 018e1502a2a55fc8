import { SqlState, sqlStateOf, type Db, type Queryable } from '../db/index.js';
import { CaptureRefusedError, SchemaNotFoundError, TableNotFoundError } from './errors.js';
import { requireSchema } from './schema.js';

export interface TrackOptions {
  /** Columns to use as the row key instead of the primary key: NOT NULL, covered by a unique index. */
  readonly key?: readonly string[];
}

export interface TrackedTable {
  readonly table: string;
  readonly key: readonly string[];
  readonly keySource: 'primary-key' | 'explicit';
  readonly trackedAt: Date;
}

export interface TrackAllResult {
  readonly tracked: readonly TrackedTable[];
  /** Tables left alone, each with the reason (no primary key, for instance). */
  readonly skipped: readonly { readonly table: string; readonly reason: string }[];
}

/** Starts capture of each table, all or none. Tracking a tracked table refreshes its capture. */
export async function track(db: Db, tables: readonly string[], options: TrackOptions = {}): Promise<TrackedTable[]> {
  await requireSchema(db);
  return db.transaction(async (tx) => {
    const tracked: TrackedTable[] = [];
    for (const table of tables) tracked.push(await trackOne(tx, table, options.key));
    return tracked;
  });
}

/**
 * Tracks every table of a schema (partitions come with their parent). Tables that cannot be tracked,
 * such as those without a primary key, are reported in `skipped`; the rest are tracked together.
 */
export async function trackAll(
  db: Db,
  schema = 'public',
  onProgress?: (done: number, total: number) => void,
): Promise<TrackAllResult> {
  await requireSchema(db);
  const { rows: found } = await db.query('select from pg_namespace where nspname = $1', [schema]);
  if (found.length === 0) throw new SchemaNotFoundError(schema);
  const { rows } = await db.query<{ name: string; has_key: boolean }>(
    `select format('%I.%I', n.nspname, c.relname) as name,
            exists (select from pg_index i where i.indrelid = c.oid and i.indisprimary) as has_key
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition
      order by c.relname`,
    [schema],
  );
  const skipped = rows
    .filter((row) => !row.has_key)
    .map((row) => ({ table: row.name, reason: 'no primary key (track it alone with --key col,…)' }));
  const candidates = rows.filter((row) => row.has_key);
  const tracked = await db.transaction(async (tx) => {
    const done: TrackedTable[] = [];
    for (const row of candidates) {
      done.push(await trackOne(tx, row.name, undefined));
      onProgress?.(done.length, candidates.length);
    }
    return done;
  });
  return { tracked, skipped };
}

/** Stops capture of each table, all or none; the journal keeps what it has. */
export async function untrack(db: Db, tables: readonly string[]): Promise<string[]> {
  await requireSchema(db);
  return db.transaction(async (tx) => {
    const names: string[] = [];
    for (const table of tables) {
      const relid = await resolveTable(tx, table);
      await refusalsAsErrors(() => tx.query('select wayback.untrack($1::oid::regclass)', [relid]));
      names.push(await qualifiedName(tx, relid));
    }
    return names;
  });
}

async function trackOne(tx: Queryable, table: string, key: readonly string[] | undefined): Promise<TrackedTable> {
  const relid = await resolveTable(tx, table);
  const { rows } = await refusalsAsErrors(() =>
    tx.query<{ id: number }>('select wayback.track($1::oid::regclass, $2::text[]) as id', [relid, key ?? null]),
  );
  const id = rows[0]?.id;
  const { rows: tracked } = await tx.query<{
    table: string;
    key_columns: string[];
    key_source: 'primary-key' | 'explicit';
    tracked_at: Date;
  }>(
    `select format('%I.%I', schema_name, table_name) as table, key_columns, key_source, tracked_at
       from wayback.tracked_table where id = $1`,
    [id],
  );
  const row = tracked[0];
  if (row === undefined) throw new Error(`wayback.track returned ${String(id)}, which is not in wayback.tracked_table`);
  return { table: row.table, key: row.key_columns, keySource: row.key_source, trackedAt: row.tracked_at };
}

/** The table's oid, from a name as a user types it (`customer`, `crm.customer`, `"Odd Name"`). */
export async function resolveTable(db: Queryable, table: string): Promise<number> {
  let rows: { relid: number | null }[];
  try {
    ({ rows } = await db.query<{ relid: number | null }>('select to_regclass($1)::oid as relid', [table]));
  } catch (error) {
    // to_regclass still rejects text that is not a name at all (an unterminated quote, say).
    throw new TableNotFoundError(table);
  }
  const relid = rows[0]?.relid;
  if (relid === null || relid === undefined) throw new TableNotFoundError(table);
  return Number(relid);
}

async function qualifiedName(db: Queryable, relid: number): Promise<string> {
  const { rows } = await db.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = $1`,
    [relid],
  );
  return rows[0]?.name ?? String(relid);
}

async function refusalsAsErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (sqlStateOf(error) === SqlState.waybackRefused && error instanceof Error) {
      throw new CaptureRefusedError(error.message, { cause: error });
    }
    throw error;
  }
}
