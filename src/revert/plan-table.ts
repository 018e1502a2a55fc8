import { sqlFile, type Queryable } from '../db/index.js';
import type { Conflict, ConflictKind, RevertCounts } from './types.js';

/**
 * The plan under way lives in a temporary table of the revert's transaction (pg_temp.wayback_plan),
 * where the database plans and applies it set-based; these read and fill it.
 */
export interface PlanRow {
  step_no: string;
  table_id: number;
  table_name: string;
  key: Record<string, string>;
  action: 'update' | 'delete' | 'reinsert' | 'conflict' | 'failed';
  kind: ConflictKind | null;
  column_name: string | null;
  base: string | null;
  written: string | null;
  current: string | null;
  cells: Record<string, unknown> | null;
}

export async function createPlanTable(tx: Queryable): Promise<void> {
  await tx.query(sqlFile(import.meta.url, 'sql/create-plan-table.sql'));
}

export async function planRows(tx: Queryable, action: 'conflict' | 'steps'): Promise<PlanRow[]> {
  const { rows } = await tx.query<PlanRow>(
    `select p.*, t.schema_name || '.' || t.table_name as table_name
       from pg_temp.wayback_plan p join wayback.tracked_table t on t.id = p.table_id
      where case when $1 = 'conflict' then p.action = 'conflict' else p.action in ('update', 'delete', 'reinsert') end
      order by p.step_no`,
    [action],
  );
  return rows;
}

/** What the plan would do (or, after apply, did: apply marks the steps it could not carry out as failed). */
export async function planCounts(tx: Queryable): Promise<RevertCounts> {
  const { rows } = await tx.query<{ cells: string; deletes: string; reinserts: string }>(
    `select (select count(*) from (select jsonb_object_keys(cells) from pg_temp.wayback_plan where action = 'update') c) as cells,
            count(*) filter (where action = 'delete') as deletes,
            count(*) filter (where action = 'reinsert') as reinserts
       from pg_temp.wayback_plan`,
  );
  const row = rows[0];
  return {
    cellsRestored: Number(row?.cells ?? 0),
    rowsDeleted: Number(row?.deletes ?? 0),
    rowsReinserted: Number(row?.reinserts ?? 0),
    conflicts: 0,
  };
}

/**
 * Applies the plan: re-inserts parents first, then restores cells, then deletes children first. Each
 * step re-checks, under the row's lock, that the row still holds what the plan expects; a step that
 * no longer holds, or that a constraint refuses, comes back as a conflict and is left undone.
 */
export async function applyPlanTable(
  tx: Queryable,
  parentsFirst: readonly number[],
  onProgress?: (done: number, total: number) => void,
): Promise<Conflict[]> {
  const phases: ['reinsert' | 'update' | 'delete', readonly number[]][] = [
    ['reinsert', parentsFirst],
    ['update', parentsFirst],
    ['delete', [...parentsFirst].reverse()],
  ];
  const conflicts: Conflict[] = [];
  let done = 0;
  for (const [action, order] of phases) {
    for (const table of order) {
      onProgress?.(done, parentsFirst.length * phases.length);
      const { rows } = await tx.query<PlanRow>(
        `select a.*, t.schema_name || '.' || t.table_name as table_name
           from wayback.apply_table($1, $2) a join wayback.tracked_table t on t.id = a.table_id`,
        [table, action],
      );
      conflicts.push(...rows.map(toConflict));
      onProgress?.(++done, parentsFirst.length * phases.length);
    }
  }
  return conflicts;
}

export function toConflict(row: PlanRow): Conflict {
  return {
    table: row.table_name,
    pk: row.key,
    column: row.column_name,
    kind: row.kind ?? 'constraint',
    base: row.base,
    written: row.written,
    current: row.current,
  };
}
