import type { Queryable } from '../../db/index.js';
import { sqlFile } from '../../db/index.js';

export interface TableColumn {
  readonly table_oid: string;
  readonly schema_name: string;
  readonly table_name: string;
  /** `schema.table`, quoted where needed (format('%I.%I')). */
  readonly qualified: string;
  readonly is_partition: boolean;
  readonly is_partitioned: boolean;
  readonly column_number: number;
  readonly column_name: string;
  readonly type_oid: string;
  readonly type_modifier: number;
  readonly type_name: string;
  readonly is_generated: boolean;
  readonly key_columns: string[] | null;
}

/** Something an up removes that may hold data: a whole table, or one column (dropped, or its type changed). */
export type Loss =
  | { readonly what: 'table'; readonly schema: string; readonly table: string }
  | { readonly what: 'column'; readonly schema: string; readonly table: string; readonly column: string; readonly key: readonly string[] | null };

export async function readTableColumns(db: Queryable): Promise<TableColumn[]> {
  return (await db.query<TableColumn>(sqlFile(import.meta.url, 'sql/table-columns.sql'))).rows;
}

/**
 * What went from `before` to `after`: tables whose oid is gone, and columns (by table oid and column
 * number, so renames are not losses) that are gone or have a type that may not hold every old value.
 * Partitions' columns are left to their partitioned table, which reaches every partition's rows;
 * generated columns can be computed again.
 */
export function lossesBetween(before: readonly TableColumn[], after: readonly TableColumn[]): Loss[] {
  const afterTables = new Set(after.map((c) => c.table_oid));
  const afterColumns = new Map(after.map((c) => [`${c.table_oid}:${c.column_number}`, c]));
  const losses: Loss[] = [];
  const seenTables = new Set<string>();
  for (const column of before) {
    const { schema_name: schema, table_name: table } = column;
    if (!afterTables.has(column.table_oid)) {
      if (!seenTables.has(column.table_oid)) losses.push({ what: 'table', schema, table });
      seenTables.add(column.table_oid);
      continue;
    }
    if (column.is_partition || column.is_generated) continue;
    const now = afterColumns.get(`${column.table_oid}:${column.column_number}`);
    // Compared by oid: a type's printed name depends on the search_path, which the up may have set.
    const retyped = now !== undefined && (now.type_oid !== column.type_oid || now.type_modifier !== column.type_modifier);
    if (now === undefined || (retyped && !widens(column.type_name, now.type_name))) {
      losses.push({ what: 'column', schema, table, column: column.column_name, key: column.key_columns });
    }
  }
  return losses;
}

const wider: Record<string, readonly string[]> = {
  smallint: ['integer', 'bigint', 'numeric'],
  integer: ['bigint', 'numeric'],
  bigint: ['numeric'],
  real: ['double precision'],
  'character varying': ['text'],
  text: ['character varying'],
};

/**
 * Whether every value of type `from` survives the change to `to` unchanged, so there is nothing to keep:
 * a longer varchar, text, a bigger integer, an unbounded or larger numeric. Keeping the column of a
 * 100-million-row table for an int → bigint would cost much and restore nothing.
 */
export function widens(from: string, to: string): boolean {
  const [fromBase, fromArgs] = parseType(from);
  const [toBase, toArgs] = parseType(to);
  // Into another type only when the target is unbounded: text → varchar(10) may cut.
  if (fromBase !== toBase) return wider[fromBase]?.includes(toBase) === true && toArgs.length === 0;
  if (toArgs.length === 0) return true;
  if (fromArgs.length === 0) return false;
  if (fromBase === 'character varying') return (toArgs[0] ?? 0) >= (fromArgs[0] ?? 0);
  if (fromBase === 'numeric') {
    const [p1 = 0, s1 = 0] = fromArgs;
    const [p2 = 0, s2 = 0] = toArgs;
    return s2 >= s1 && p2 - s2 >= p1 - s1;
  }
  return false;
}

function parseType(type: string): [string, number[]] {
  const match = /^([a-z ]+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(type);
  if (match === null) return [type, []];
  return [match[1] ?? type, [match[2], match[3]].filter((x) => x !== undefined).map(Number)];
}
