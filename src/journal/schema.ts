import { sqlFile, SqlState, sqlStateOf, type Db, type Queryable } from '../db/index.js';
import { SchemaMissingError, SchemaOutdatedError, SchemaStepError, SchemaTooNewError } from './errors.js';

interface Step {
  readonly id: number;
  readonly name: string;
}

/** The numbered schema steps, in order. Never edit a released step: add the next one. */
const steps: readonly Step[] = [{ id: 1, name: 'journal' }];

const latestStep = steps[steps.length - 1]?.id ?? 0;

export interface InstallResult {
  readonly applied: readonly string[];
  readonly version: number;
}

function stepFile(step: Step, direction: 'up' | 'down'): string {
  return sqlFile(import.meta.url, `sql/steps/${String(step.id).padStart(4, '0')}_${step.name}.${direction}.sql`);
}

/**
 * Installs or upgrades the wayback schema: each pending step in its own transaction, recorded first,
 * so when two inits race the second hits the record's unique key, rolls back and moves on.
 * Running it again is a no-op.
 */
export async function installSchema(db: Db): Promise<InstallResult> {
  await bootstrap(db);
  const installed = await installedSteps(db);
  const newest = Math.max(0, ...installed);
  if (newest > latestStep) throw new SchemaTooNewError(newest, latestStep);
  const applied: string[] = [];
  for (const step of steps) {
    if (installed.includes(step.id)) continue;
    try {
      await db.transaction(async (tx) => {
        await tx.query('insert into wayback.schema_step (id, name) values ($1, $2)', [step.id, step.name]);
        await tx.query(stepFile(step, 'up'));
      });
      applied.push(`${step.id}_${step.name}`);
    } catch (error) {
      if (sqlStateOf(error) === SqlState.uniqueViolation) continue;
      throw new SchemaStepError(`${step.id}_${step.name}`, { cause: error });
    }
  }
  return { applied, version: latestStep };
}

async function bootstrap(db: Db): Promise<void> {
  try {
    await db.query(sqlFile(import.meta.url, 'sql/bootstrap.sql'));
  } catch (error) {
    // Two concurrent "create schema if not exists" can both pass the check; the loser sees the winner's row.
    if (sqlStateOf(error) !== SqlState.uniqueViolation) throw error;
    await db.query(sqlFile(import.meta.url, 'sql/bootstrap.sql'));
  }
}

async function installedSteps(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>('select id from wayback.schema_step order by id');
  return rows.map((row) => row.id);
}

/** Undoes installed steps down to `target` (0 removes the schema entirely), newest first. */
export async function uninstallSchema(db: Db, target = 0): Promise<void> {
  const installed: number[] = await installedSteps(db).catch(() => []);
  for (const step of [...steps].reverse()) {
    if (step.id <= target || !installed.includes(step.id)) continue;
    await db.transaction(async (tx) => {
      await tx.query(stepFile(step, 'down'));
      await tx.query('delete from wayback.schema_step where id = $1', [step.id]);
    });
  }
  if (target === 0) await db.query('drop schema if exists wayback cascade');
}

/** The installed step; throws unless the schema is exactly the one this wayback writes. */
export async function requireSchema(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ present: boolean }>(
    "select to_regclass('wayback.schema_step') is not null as present",
  );
  if (rows[0]?.present !== true) throw new SchemaMissingError();
  const installed = await installedSteps(db);
  const newest = Math.max(0, ...installed);
  if (newest === 0) throw new SchemaMissingError();
  if (newest > latestStep) throw new SchemaTooNewError(newest, latestStep);
  if (newest < latestStep) throw new SchemaOutdatedError(newest, latestStep);
  return newest;
}

export const schemaVersion = latestStep;
