import type { Db, Queryable } from '../db/index.js';
import { requireSchema } from '../journal/index.js';
import { DownUnavailableError, IrreversibleMigrationError, MigrationNotFoundError } from './errors.js';
import { executeStep, type Direction, type StepRun } from './execute.js';
import type { KeptData } from './keep/index.js';
import { forgetMigration, readHistory, recordMigration, type AppliedMigration } from './history.js';
import { withMigrationLock, type LockOptions } from './lock.js';
import { compareMigrations, type Migration, type MigrationStep } from './migration.js';
import { refuseEdited, refuseOutOfOrder } from './plan-runs.js';
import { readMigrations, storedSqlStep } from './read-folder.js';

export interface MigrateOptions extends LockOptions {
  /** The migrations folder; default `migrations`. */
  readonly dir?: string;
  /** Work out and return what would run, with its SQL, and change nothing (no lock taken either). */
  readonly dryRun?: boolean;
}

export interface UpOptions extends MigrateOptions {
  /** Apply pending migrations up to and including this id; default all. */
  readonly to?: string;
  /** Apply pending migrations numbered below the newest applied one too; default refuse. */
  readonly outOfOrder?: boolean;
}

export interface DownOptions extends MigrateOptions {
  /** Roll back every migration applied after this id (which stays applied). */
  readonly to?: string;
  /** Roll back this many migrations, newest first; default 1. */
  readonly steps?: number;
}

/** One migration run in one direction, or, on a dry run, what would run. */
export interface MigrationRun {
  readonly kind: 'migration-run';
  readonly id: string;
  readonly direction: Direction;
  /** The change set its writes are journaled under; null on a dry run. */
  readonly changeset: string | null;
  readonly inTransaction: boolean;
  /** Why it ran (or would run) outside a transaction, or null. */
  readonly outsideTransaction: string | null;
  /** Where the step came from: the folder, or (a down whose file is gone) the history. */
  readonly source: 'file' | 'history';
  /** The declared loss of a lossy down, when this run is that down. */
  readonly lossy: string | null;
  /** On a dry run, the statements a SQL step would run; null for a module or a real run. */
  readonly sql: readonly string[] | null;
  /** Up: data it dropped or retyped, kept for its down. Down: that data put back, or why it could not be. */
  readonly kept: readonly KeptData[];
}

export interface MigrateResult {
  readonly kind: 'migrate-result';
  readonly direction: Direction;
  readonly dryRun: boolean;
  /** In the order they ran; empty when there was nothing to do. */
  readonly migrations: readonly MigrationRun[];
}

/**
 * Applies the pending migrations of the folder in order (up to `to`), each in its own transaction as
 * change set `migration:<id>`, under the migration lock. Stops at the first failure, which keeps
 * nothing of the failing migration and leaves the ones before it applied. Refuses before any change
 * when an applied migration was edited.
 */
export async function migrateUp(db: Db, options: UpOptions = {}): Promise<MigrateResult> {
  await requireSchema(db);
  const migrations = await readMigrations(options.dir ?? 'migrations');
  const target = options.to === undefined ? undefined : migrations.find((m) => m.id === options.to);
  if (options.to !== undefined && target === undefined) throw new MigrationNotFoundError(options.to, 'folder');
  const pendingOf = (history: readonly AppliedMigration[]) => {
    refuseEdited(migrations, history);
    const applied = new Set(history.map((row) => row.id));
    const pending = migrations.filter((m) => !applied.has(m.id) && (target === undefined || compareMigrations(m, target) <= 0));
    if (options.outOfOrder !== true) refuseOutOfOrder(pending, history);
    return pending;
  };
  return runPlanned(db, 'up', options, (history) =>
    pendingOf(history).map((migration) => ({
      id: migration.id,
      direction: 'up',
      step: migration.up,
      source: 'file',
      lossy: null,
      record: (tx, inTransaction, changeset) => recordMigration(tx, migration, inTransaction, changeset),
    })),
  );
}

/**
 * Rolls back applied migrations, newest first: one by default, `steps` of them, or all applied after
 * `to`. Each down runs in its own transaction as change set `migration:<id>:down`. A down whose file is
 * gone is replayed from the history (SQL only). Refuses before any change when one of them is
 * irreversible, a module without its file, or edited.
 */
export async function migrateDown(db: Db, options: DownOptions = {}): Promise<MigrateResult> {
  await requireSchema(db);
  const migrations = await readMigrations(options.dir ?? 'migrations');
  const plan = (history: readonly AppliedMigration[]) => {
    refuseEdited(migrations, history);
    const newestFirst = [...history].reverse();
    let chosen: AppliedMigration[];
    if (options.to !== undefined) {
      const at = newestFirst.findIndex((row) => row.id === options.to);
      if (at === -1) throw new MigrationNotFoundError(options.to, 'history');
      chosen = newestFirst.slice(0, at);
    } else chosen = newestFirst.slice(0, options.steps ?? 1);
    const byId = new Map(migrations.map((m) => [m.id, m]));
    return chosen.map((row) => downOf(row, byId.get(row.id)));
  };
  return runPlanned(db, 'down', options, plan);
}

/** A step the runner will take: what it runs, where it came from, and how the history records it. */
interface PlannedRun extends StepRun {
  readonly source: 'file' | 'history';
  readonly lossy: string | null;
}

/**
 * On a dry run, what `plan` would run; else, in one session under the migration lock, the history read
 * again, planned again and each step executed in turn (stopping at the first failure, which throws).
 */
async function runPlanned(
  db: Db,
  direction: Direction,
  options: MigrateOptions,
  plan: (history: readonly AppliedMigration[]) => PlannedRun[],
): Promise<MigrateResult> {
  const previewOf = (run: PlannedRun) => preview(run.id, direction, run.step, run.source, run.lossy);
  if (options.dryRun === true) {
    return { kind: 'migrate-result', direction, dryRun: true, migrations: plan(await readHistory(db)).map(previewOf) };
  }
  return db.session((session) =>
    withMigrationLock(
      session,
      async () => {
        const runs: MigrationRun[] = [];
        for (const planned of plan(await readHistory(session))) {
          runs.push({ ...previewOf(planned), ...(await executeStep(session, planned)), sql: null });
        }
        return { kind: 'migrate-result', direction, dryRun: false, migrations: runs };
      },
      options,
    ),
  );
}

function downOf(row: AppliedMigration, migration: Migration | undefined): PlannedRun {
  const irreversible = migration?.irreversible ?? row.irreversible;
  if (irreversible !== null) throw new IrreversibleMigrationError(row.id, irreversible);
  const record = (tx: Queryable) => forgetMigration(tx, row.id);
  if (migration !== undefined && migration.down !== null) {
    return { id: row.id, direction: 'down', step: migration.down, source: 'file', lossy: migration.lossy, record };
  }
  if (row.format === 'module' || row.down === null) throw new DownUnavailableError(row.id);
  return { id: row.id, direction: 'down', step: storedSqlStep(row.down), source: 'history', lossy: row.lossy, record };
}

function preview(id: string, direction: Direction, step: MigrationStep, source: 'file' | 'history', lossy: string | null): MigrationRun {
  const outside = step.kind === 'sql' ? step.outsideTransaction : null;
  return {
    kind: 'migration-run',
    id,
    direction,
    changeset: null,
    inTransaction: outside === null,
    outsideTransaction: outside,
    source,
    lossy,
    sql: step.kind === 'sql' ? step.statements.map((s) => s.text) : null,
    kept: [],
  };
}
