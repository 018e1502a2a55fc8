import { quoteIdent, quoteQualified, type Queryable } from '../../db/index.js';
import type { MigrationStep } from '../migration.js';
import { lossesBetween, readTableColumns, type Loss } from './losses.js';

/** Data an up dropped or retyped, kept in wayback.kept_<n> for its down; or, on a down, what came back. */
export interface KeptData {
  readonly what: 'table' | 'column';
  /** `schema.table` or `schema.table.column`, quoted where needed. */
  readonly target: string;
  readonly rows: number;
  /** Up: where the rows wait. Down: null once they are back. */
  readonly keptIn: string | null;
  /** Why it could not be kept (up) or restored (down); null when it was. */
  readonly problem: string | null;
}

interface KeptRow {
  kept_table: string;
  what: 'table' | 'column';
  schema_name: string;
  table_name: string;
  column_name: string | null;
  key_columns: string[] | null;
  row_count: string;
}

/**
 * Runs an up so that its down can restore the data, not only the structure. The up runs once under a
 * savepoint; if it dropped a table or dropped or retyped a column that holds rows, it is rolled back, the
 * rows are copied into wayback.kept_<n>, and it runs again. Running it twice is the price of knowing what
 * it removes without parsing it: it works alike for SQL, DO blocks and modules.
 */
export async function keepingLosses(tx: Queryable, migrationId: string, step: MigrationStep, runUp: () => Promise<void>): Promise<KeptData[]> {
  if (!mayRemoveData(step)) {
    await runUp();
    return [];
  }
  const before = await readTableColumns(tx);
  await tx.query('savepoint wayback_loss_probe');
  await runUp();
  const losses = lossesBetween(before, await readTableColumns(tx));
  if (losses.length === 0) {
    await tx.query('release savepoint wayback_loss_probe');
    return [];
  }
  await tx.query('rollback to savepoint wayback_loss_probe');
  // Rows left by an earlier down that could not restore them are no longer this migration's to restore.
  await tx.query('update wayback.migration_kept set migration_id = null where migration_id = $1', [migrationId]);
  const kept: KeptData[] = [];
  for (const [position, loss] of losses.entries()) kept.push(await keepLoss(tx, migrationId, position, loss));
  await runUp();
  return kept.filter((k) => k.rows > 0 || k.problem !== null);
}

/**
 * Whether the probe is worth its two catalog reads: a SQL step that never says DROP or TYPE (in any
 * case) cannot drop a table or column or change a type, not even in a DO block, short of building
 * those words at run time. A module can do anything.
 */
function mayRemoveData(step: MigrationStep): boolean {
  return step.kind === 'module' || /\b(drop|type)\b/i.test(step.text);
}

async function keepLoss(tx: Queryable, migrationId: string, position: number, loss: Loss): Promise<KeptData> {
  const source = quoteQualified(loss.schema, loss.table);
  const target = loss.what === 'table' ? source : `${source}.${quoteIdent(loss.column)}`;
  if (loss.what === 'column' && (loss.key === null || loss.key.includes(loss.column))) {
    const { rows } = await tx.query<{ n: string }>(`select count(*) as n from ${source}`);
    const count = Number(rows[0]?.n ?? 0);
    const problem = count === 0 ? null : `${source} has no primary key to match rows on (or the column is part of it), so the down cannot restore its values`;
    return { what: 'column', target, rows: count, keptIn: null, problem };
  }
  const { rows: named } = await tx.query<{ name: string }>("select 'kept_' || nextval('wayback.kept_table_seq') as name");
  const keptIn = named[0]?.name ?? '';
  const columns = loss.what === 'table' ? '*' : [...(loss.key ?? []), loss.column].map(quoteIdent).join(', ');
  // ONLY: a partitioned table's rows are kept with each partition, not twice.
  const copied = await tx.query(`create table wayback.${quoteIdent(keptIn)} as select ${columns} from only ${source}`);
  const rows = copied.rowCount;
  if (rows === 0) {
    await tx.query(`drop table wayback.${quoteIdent(keptIn)}`);
    return { what: loss.what, target, rows: 0, keptIn: null, problem: null };
  }
  await tx.query(
    `insert into wayback.migration_kept (kept_table, migration_id, position, what, schema_name, table_name, column_name, key_columns, row_count)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [keptIn, migrationId, position, loss.what, loss.schema, loss.table, loss.what === 'column' ? loss.column : null, loss.what === 'column' ? loss.key : null, rows],
  );
  return { what: loss.what, target, rows, keptIn: `wayback.${keptIn}`, problem: null };
}

/**
 * After a down, puts back the rows its up kept, newest loss first: a dropped table's rows are inserted
 * into the table the down recreated (sequences moved past them), a column's values are set again by the
 * table's key. What the down did not recreate stays kept and is reported, with where it waits.
 */
export async function restoreKept(tx: Queryable, migrationId: string): Promise<KeptData[]> {
  const { rows } = await tx.query<KeptRow>(
    'select kept_table, what, schema_name, table_name, column_name, key_columns::text[], row_count from wayback.migration_kept where migration_id = $1 order by position desc',
    [migrationId],
  );
  const restored: KeptData[] = [];
  for (const row of rows) {
    const source = quoteQualified(row.schema_name, row.table_name);
    const kept = `wayback.${quoteIdent(row.kept_table)}`;
    const target = row.what === 'table' ? source : `${source}.${quoteIdent(row.column_name ?? '')}`;
    const problem = row.what === 'table' ? await restoreTable(tx, row, kept) : await restoreColumn(tx, row, kept);
    if (problem === null) {
      await tx.query('delete from wayback.migration_kept where kept_table = $1', [row.kept_table]);
      await tx.query(`drop table ${kept}`);
    } else {
      await tx.query('update wayback.migration_kept set migration_id = null where kept_table = $1', [row.kept_table]);
    }
    restored.push({ what: row.what, target, rows: Number(row.row_count), keptIn: problem === null ? null : kept, problem });
  }
  return restored;
}

async function restoreTable(tx: Queryable, row: KeptRow, kept: string): Promise<string | null> {
  const columns = await commonColumns(tx, row, kept);
  if (columns === null) return 'the down did not recreate the table';
  const list = columns.map(quoteIdent).join(', ');
  const source = quoteQualified(row.schema_name, row.table_name);
  await tx.query(`insert into ${source} (${list}) overriding system value select ${list} from ${kept} on conflict do nothing`);
  // A recreated serial or identity column starts its sequence again at 1: move it past the rows that came back.
  for (const column of columns) {
    const { rows: owned } = await tx.query<{ sequence: string | null }>('select pg_get_serial_sequence($1, $2) as sequence', [source, column]);
    const sequence = owned[0]?.sequence ?? null;
    if (sequence === null) continue;
    await tx.query(`select setval($1, max(${quoteIdent(column)})::bigint) from ${source} having max(${quoteIdent(column)}) is not null`, [sequence]);
  }
  return null;
}

async function restoreColumn(tx: Queryable, row: KeptRow, kept: string): Promise<string | null> {
  const column = row.column_name ?? '';
  const key = row.key_columns ?? [];
  const columns = await commonColumns(tx, row, kept);
  if (columns === null) return 'the down did not recreate the table';
  const missing = [column, ...key].filter((name) => !columns.includes(name));
  if (missing.length > 0) return `the down did not recreate ${missing.map(quoteIdent).join(', ')}`;
  const { rows: typed } = await tx.query<{ type: string }>(
    'select format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = $1::regclass and attname = $2',
    [quoteQualified(row.schema_name, row.table_name), column],
  );
  const type = typed[0]?.type ?? 'text';
  const c = quoteIdent(column);
  const matches = key.map((k) => `t.${quoteIdent(k)} = k.${quoteIdent(k)}`).join(' and ');
  await tx.query(
    `update ${quoteQualified(row.schema_name, row.table_name)} t set ${c} = k.${c}::${type}
     from ${kept} k where ${matches} and t.${c} is distinct from k.${c}::${type}`,
  );
  return null;
}

/** The kept table's columns that the live table has too, or null when the live table is gone. */
async function commonColumns(tx: Queryable, row: KeptRow, kept: string): Promise<string[] | null> {
  const { rows } = await tx.query<{ exists: boolean; columns: string[] | null }>(
    `select to_regclass($1) is not null as exists,
            (select array_agg(k.attname::text order by k.attnum)
             from pg_attribute k join pg_attribute l on l.attname = k.attname and l.attrelid = to_regclass($1)
             where k.attrelid = $2::regclass and k.attnum > 0 and not k.attisdropped and not l.attisdropped and l.attgenerated = '') as columns`,
    [quoteQualified(row.schema_name, row.table_name), kept],
  );
  return rows[0]?.exists === true ? (rows[0].columns ?? []) : null;
}
