import { sqlFile, sqlStateOf, type Db, type Queryable } from '../db/index.js';
import { newChangesetId, requireSchema, tagTransaction } from '../journal/index.js';
import { DatabaseMismatchError, PlanTableGoneError } from './errors.js';
import { parentsFirst } from './order.js';
import { serializeSelector, stepId, type Plan } from './plan.js';
import { applyPlanTable, createPlanTable, planCounts, planRows, toConflict } from './plan-table.js';
import { selectStatements } from './select.js';
import type { Conflict, RevertCounts, RevertMode, RevertResult, Selector } from './types.js';

export interface RevertOptions {
  readonly mode?: RevertMode;
  /** Carry the revert out and roll it back: report exactly what apply would do, change nothing. */
  readonly dryRun?: boolean;
  /** Called as the plan and the apply advance, for a progress display. */
  readonly onProgress?: (phase: 'plan' | 'apply', done: number, total: number) => void;
}

/** Ends a revert's transaction with a rollback once its outcome is known (dry run, saved plan, refused strict). */
class Discard<T> extends Error {
  constructor(readonly outcome: T) {
    super('discarded');
  }
}

async function inRevertTransaction<T>(db: Db, work: (tx: Queryable, changeset: string) => Promise<T>): Promise<T> {
  await requireSchema(db);
  try {
    return await db.transaction(async (tx) => {
      const changeset = await tagTransaction(tx, { id: newChangesetId({ kind: 'revert' }), kind: 'revert' });
      await createPlanTable(tx);
      return await work(tx, changeset);
    });
  } catch (error) {
    if (error instanceof Discard) return error.outcome as T;
    throw error;
  }
}

interface Planned {
  /** The tables, parents first. */
  readonly tables: number[];
  /** Cells of clean rows restored while planning (with `inPlace`); the plan table holds the rest. */
  readonly restored: number;
}

/**
 * Plans the selection's revert into this transaction's plan table. With `inPlace`, the clean rows
 * (only the selection wrote them, nothing since) are restored as they are planned, by one typed
 * UPDATE per table, and never become steps; a saved plan needs every step, so it plans without.
 */
async function planInto(tx: Queryable, selector: Selector, mode: RevertMode, options: RevertOptions, inPlace: boolean): Promise<Planned> {
  const selection = await selectStatements(tx, selector);
  const tables = await parentsFirst(tx, selection.tables);
  let restored = 0;
  for (const [index, table] of tables.entries()) {
    options.onProgress?.('plan', index, tables.length);
    const { rows } = await tx.query<{ restored: string }>(sqlFile(import.meta.url, 'sql/plan-table.sql'), [
      table,
      selection.statements,
      mode === 'force',
      inPlace,
    ]);
    restored += Number(rows[0]?.restored ?? 0);
    options.onProgress?.('plan', index + 1, tables.length);
  }
  let marked: number;
  do {
    marked = 0;
    for (const table of [...tables].reverse()) {
      const { rows } = await tx.query<{ marked: number }>('select wayback.mark_referenced($1) as marked', [table]);
      marked += rows[0]?.marked ?? 0;
    }
  } while (marked > 0);
  return { tables, restored };
}

/**
 * The outcome of an apply: a dry run, or strict mode meeting any conflict, ends in a Discard (the work
 * is rolled back, and the outcome it reports is exactly what apply found, constraint failures included).
 */
async function outcomeOf(tx: Queryable, changeset: string, mode: RevertMode, restored: number, conflicts: Conflict[], options: RevertOptions): Promise<RevertResult> {
  const planned = await planCounts(tx);
  const counts = { ...planned, cellsRestored: planned.cellsRestored + restored };
  if (options.dryRun === true || (mode === 'strict' && conflicts.length > 0)) throw new Discard(result(false, null, mode, counts, conflicts));
  const wrote = counts.cellsRestored + counts.rowsDeleted + counts.rowsReinserted > 0;
  return result(wrote, wrote ? changeset : null, mode, counts, conflicts);
}

/**
 * Reverts exactly what the selector names (DESIGN.md "Revert semantics"): in one transaction that is
 * itself a change set (`revert:…`), cells restored where nobody wrote after, rows the selection
 * inserted deleted, rows it deleted re-inserted, and every other place reported as a conflict and left
 * as it is. Planning and applying run inside the database, set-based. Apply re-checks every value a
 * step expects under the row's lock, so a concurrent writer's value is never overwritten: a write that
 * lands between plan and apply becomes a conflict, one that comes after apply simply wins.
 */
export function revert(db: Db, selector: Selector, options: RevertOptions = {}): Promise<RevertResult> {
  const mode = options.mode ?? 'skip-conflicts';
  return inRevertTransaction(db, async (tx, changeset) => {
    const { restored, conflicts } = await constraintsChecked(tx, async (inPlace) => {
      const planned = await planInto(tx, selector, mode, options, inPlace);
      const foreseen = (await planRows(tx, 'conflict')).map(toConflict);
      const failed = await applyPlanTable(tx, planned.tables, applyProgress(options));
      return { restored: planned.restored, conflicts: [...foreseen, ...failed] };
    });
    return outcomeOf(tx, changeset, mode, restored, conflicts, options);
  });
}

/** Plans the revert and returns it as a plan to apply later; changes nothing. */
export function planRevert(db: Db, selector: Selector, options: RevertOptions = {}): Promise<Plan> {
  const mode = options.mode ?? 'skip-conflicts';
  return inRevertTransaction(db, async (tx) => {
    await planInto(tx, selector, mode, options, false);
    const steps = await planRows(tx, 'steps');
    const conflicts = (await planRows(tx, 'conflict')).map(toConflict);
    const counts = await planCounts(tx);
    const plan: Plan = {
      kind: 'wayback-plan',
      version: 1,
      database: await databaseIdentity(tx),
      createdAt: new Date().toISOString(),
      selector: serializeSelector(selector),
      mode,
      counts: { ...counts, conflicts: conflicts.length },
      steps: steps.map((row) => ({
        id: stepId(row.table_name, row.key, row.action),
        action: row.action as 'update' | 'delete' | 'reinsert',
        table: row.table_name,
        key: row.key,
        cells: row.cells ?? {},
      })),
      conflicts,
    };
    throw new Discard(plan);
  });
}

/**
 * Applies a saved plan: every step re-checked under the row's lock against the values the plan
 * expects, anything that moved since turned into a conflict. Refuses a plan made on another database.
 */
export function applyPlan(db: Db, plan: Plan, options: RevertOptions = {}): Promise<RevertResult> {
  return inRevertTransaction(db, async (tx, changeset) => {
    const here = await databaseIdentity(tx);
    if (here.system !== plan.database.system || here.name !== plan.database.name) {
      throw new DatabaseMismatchError({ name: plan.database.name, system: plan.database.system }, { name: here.name, url: db.url });
    }
    const tables = await parentsFirst(tx, await loadSteps(tx, plan));
    const failed = await constraintsChecked(tx, () => applyPlanTable(tx, tables, applyProgress(options)));
    return outcomeOf(tx, changeset, plan.mode, 0, [...plan.conflicts, ...failed], options);
  });
}

const applyProgress = (options: RevertOptions) => (done: number, total: number) => options.onProgress?.('apply', done, total);

/**
 * Runs `work` with every constraint checked before its outcome is reported. Deferred constraints are
 * left deferred first, so rows that reference each other come back together; if one then refuses,
 * the work is undone and run again with them immediate (and `inPlace` false: nothing restored while
 * planning), so the rows they refuse become conflicts like any other constraint's, instead of a
 * failed COMMIT after a reported success.
 */
async function constraintsChecked<T>(tx: Queryable, work: (inPlace: boolean) => Promise<T>): Promise<T> {
  await tx.query('savepoint wayback_apply');
  const outcome = await work(true);
  try {
    await tx.query('set constraints all immediate');
    return outcome;
  } catch (error) {
    if (!sqlStateOf(error)?.startsWith('23')) throw error;
    await tx.query('rollback to savepoint wayback_apply');
    await tx.query('set constraints all immediate');
    return work(false);
  }
}

/** Loads the plan's steps, all or none: a plan naming a table no longer tracked is refused whole, never applied in part. */
async function loadSteps(tx: Queryable, plan: Plan): Promise<number[]> {
  const { rows } = await tx.query<{ table_id: number | null; gone: string | null; dropped: boolean | null }>(
    sqlFile(import.meta.url, 'sql/load-plan.sql'),
    [JSON.stringify(plan.steps)],
  );
  const gone = rows.flatMap((row) => (row.gone === null ? [] : [{ table: row.gone, dropped: row.dropped === true }]));
  if (gone.length > 0) throw new PlanTableGoneError(gone);
  return rows.flatMap((row) => (row.table_id === null ? [] : [row.table_id]));
}

async function databaseIdentity(tx: Queryable): Promise<{ system: string; name: string }> {
  const { rows } = await tx.query<{ system: string; name: string }>(
    'select (select system_identifier::text from pg_control_system()) as system, current_database() as name',
  );
  return { system: rows[0]?.system ?? '', name: rows[0]?.name ?? '' };
}

function result(applied: boolean, changeset: string | null, mode: RevertMode, counts: RevertCounts, conflicts: Conflict[]): RevertResult {
  return { kind: 'revert-result', applied, changeset, mode, counts: { ...counts, conflicts: conflicts.length }, conflicts };
}
