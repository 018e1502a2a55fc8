import { sqlFile, type Db, type Queryable } from '../db/index.js';
import { newChangesetId, requireSchema, tagTransaction } from '../journal/index.js';
import { parentsFirst } from './order.js';
import { selectStatements } from './select.js';
import type { Conflict, ConflictKind, RevertCounts, RevertMode, RevertResult, Selector } from './types.js';

export interface RevertOptions {
  readonly mode?: RevertMode;
  /** Plan only: report what apply would do, change nothing. */
  readonly dryRun?: boolean;
  /** Called as the plan and the apply advance, for a progress display. */
  readonly onProgress?: (phase: 'plan' | 'apply', done: number, total: number) => void;
}

interface StepRow {
  table_id: number;
  table_name: string;
  key: Record<string, string>;
  action: 'update' | 'delete' | 'reinsert' | 'conflict';
  kind: ConflictKind | null;
  column_name: string | null;
  base: string | null;
  written: string | null;
  current: string | null;
  cells: Record<string, unknown> | null;
}

/** Rolls back a dry run's (or a refused strict run's) transaction after its result is known. */
class Discard extends Error {
  constructor(readonly result: RevertResult) {
    super('discarded');
  }
}

/**
 * Reverts exactly what the selector names (DESIGN.md "Revert semantics"): in one transaction that is
 * itself a change set (`revert:…`), cells restored where nobody wrote after, rows the selection
 * inserted deleted, rows it deleted re-inserted, and every other place reported as a conflict and left
 * as it is. Planning and applying run inside the database, set-based; the rows planned on are locked,
 * so concurrent writers wait or conflict, and never lose a write.
 */
export async function revert(db: Db, selector: Selector, options: RevertOptions = {}): Promise<RevertResult> {
  const mode = options.mode ?? 'skip-conflicts';
  await requireSchema(db);
  try {
    return await db.transaction(async (tx) => {
      const changeset = await tagTransaction(tx, { id: newChangesetId({ kind: 'revert' }), kind: 'revert' });
      const selection = await selectStatements(tx, selector);
      const tables = await parentsFirst(tx, selection.tables);
      await tx.query(sqlFile(import.meta.url, 'sql/create-plan-table.sql'));
      for (const [index, table] of tables.entries()) {
        await tx.query(sqlFile(import.meta.url, 'sql/plan-table.sql'), [
          table,
          selection.statements,
          mode === 'force',
        ]);
        options.onProgress?.('plan', index + 1, tables.length);
      }
      const planned = await readConflicts(tx);
      const counts = await plannedCounts(tx);
      if (options.dryRun === true) throw new Discard(result(false, null, mode, counts, planned));
      if (mode === 'strict' && planned.length > 0) throw new Discard(result(false, null, mode, counts, planned));

      const failed: StepRow[] = [];
      const phases: [('reinsert' | 'update' | 'delete'), number[]][] = [
        ['reinsert', tables],
        ['update', tables],
        ['delete', [...tables].reverse()],
      ];
      let done = 0;
      for (const [action, order] of phases) {
        for (const table of order) {
          const { rows } = await tx.query<StepRow>(
            `select a.*, t.schema_name || '.' || t.table_name as table_name
               from wayback.apply_table($1, $2) a join wayback.tracked_table t on t.id = a.table_id`,
            [table, action],
          );
          failed.push(...rows);
          options.onProgress?.('apply', ++done, tables.length * phases.length);
        }
      }
      const conflicts = [...planned, ...failed.map(toConflict)];
      const applied = await plannedCounts(tx);
      if (mode === 'strict' && failed.length > 0) throw new Discard(result(false, null, mode, applied, conflicts));
      const wrote = applied.cellsRestored + applied.rowsDeleted + applied.rowsReinserted > 0;
      return result(wrote, wrote ? changeset : null, mode, applied, conflicts);
    });
  } catch (error) {
    if (error instanceof Discard) return error.result;
    throw error;
  }
}

function result(applied: boolean, changeset: string | null, mode: RevertMode, counts: RevertCounts, conflicts: Conflict[]): RevertResult {
  return { kind: 'revert-result', applied, changeset, mode, counts: { ...counts, conflicts: conflicts.length }, conflicts };
}

async function readConflicts(tx: Queryable): Promise<Conflict[]> {
  const { rows } = await tx.query<StepRow>(
    `select p.*, t.schema_name || '.' || t.table_name as table_name
       from pg_temp.wayback_plan p join wayback.tracked_table t on t.id = p.table_id
      where p.action = 'conflict' order by p.step_no`,
  );
  return rows.map(toConflict);
}

async function plannedCounts(tx: Queryable): Promise<RevertCounts> {
  const { rows } = await tx.query<{ cells: string; deletes: string; reinserts: string }>(
    `select coalesce(sum((select count(*) from jsonb_object_keys(cells))) filter (where action = 'update'), 0) as cells,
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

function toConflict(row: StepRow): Conflict {
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
