import type { Queryable, Session } from '../db/index.js';
import { tagTransaction } from '../journal/index.js';
import { MigrationFailedError } from './errors.js';
import { keepingLosses, restoreKept, type KeptData } from './keep/index.js';
import type { MigrationStep, SqlStep } from './migration.js';
import { refusedInTransactionAs } from './outside-transaction.js';

export type Direction = 'up' | 'down';

/** The change set a migration run is journaled under: `migration:<id>`, and `migration:<id>:down` for its down. */
export function migrationChangeset(id: string, direction: Direction): string {
  return direction === 'up' ? `migration:${id}` : `migration:${id}:down`;
}

export interface StepRun {
  readonly id: string;
  readonly direction: Direction;
  readonly step: MigrationStep;
  /** Writes (up) or removes (down) the history row, in the migration's transaction. */
  readonly record: (tx: Queryable, inTransaction: boolean, changeset: string) => Promise<void>;
}

export interface StepDone {
  readonly changeset: string;
  readonly inTransaction: boolean;
  /** Up: the data it dropped or retyped, kept for the down. Down: that data, put back (or why not). */
  readonly kept: readonly KeptData[];
}

/**
 * Runs one direction of one migration as its own change set. In a transaction when PostgreSQL allows:
 * the history row and every statement commit together or not at all, and an up keeps the data it drops
 * for its down to restore (keep/keep.ts). A SQL step holding a statement that cannot run in a
 * transaction runs statement by statement instead, each ordinary statement in a tagged transaction of its
 * own and the others bare, and the history row last. A failure names the
 * file, line and statement.
 */
export async function executeStep(db: Session, run: StepRun): Promise<StepDone> {
  const changeset = migrationChangeset(run.id, run.direction);
  const { step } = run;
  if (step.kind === 'sql' && step.outsideTransaction !== null) {
    await executeOutside(db, run, step, changeset);
    return { changeset, inTransaction: false, kept: [] };
  }
  const kept = await db.transaction(async (tx) => {
    await tagTransaction(tx, { id: changeset, kind: 'migration' });
    // The record goes first, as wayback's own schema steps do: a second runner that slipped past the
    // lock would fail on its key before doing any work.
    await run.record(tx, true, changeset);
    if (run.direction === 'up') return keepingLosses(tx, run.id, step, () => runStep(tx, run, step));
    await runStep(tx, run, step);
    return restoreKept(tx, run.id);
  });
  return { changeset, inTransaction: true, kept };
}

async function runStep(tx: Queryable, run: StepRun, step: MigrationStep): Promise<void> {
  if (step.kind === 'module') {
    try {
      await step.run(tx);
    } catch (error) {
      throw new MigrationFailedError(run.id, run.direction, { file: step.file, line: null, statement: null }, null, { cause: error });
    }
    return;
  }
  for (const statement of step.statements) {
    try {
      await tx.query(statement.text);
    } catch (error) {
      throw new MigrationFailedError(run.id, run.direction, { file: step.file, line: statement.line, statement: statement.text }, null, {
        cause: error,
      });
    }
  }
}

async function executeOutside(db: Session, run: StepRun, step: SqlStep, changeset: string): Promise<void> {
  let done = 0;
  for (const statement of step.statements) {
    try {
      // Only the statements that must run bare do; the rest keep their change set tag.
      if (refusedInTransactionAs(statement.text) !== null) await db.query(statement.text);
      else {
        await db.transaction(async (tx) => {
          await tagTransaction(tx, { id: changeset, kind: 'migration' });
          await tx.query(statement.text);
        });
      }
    } catch (error) {
      throw new MigrationFailedError(run.id, run.direction, { file: step.file, line: statement.line, statement: statement.text }, done, {
        cause: error,
      });
    }
    done++;
  }
  await db.transaction(async (tx) => {
    await tagTransaction(tx, { id: changeset, kind: 'migration' });
    await run.record(tx, false, changeset);
  });
}

