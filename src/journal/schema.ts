import { sqlFile, SqlState, sqlStateOf, type Db, type Queryable } from '../db/index.js';
import { SchemaMissingError, SchemaOutdatedError, SchemaStepError, SchemaTooNewError } from './errors.js';

/** One numbered step of the wayback schema, with the SQL that installs it and the SQL that removes it. */
export interface SchemaStep {
  readonly id: number;
  readonly name: string;
  readonly up: string;
  readonly down: string;
}

/** The steps, in order. Never edit a released step: add the next one. */
const stepNames = ['journal', 'capture', 'entry_views', 'track', 'revert_rules', 'revert_plan', 'revert_apply', 'migrate'] as const;

export const schemaSteps: readonly SchemaStep[] = stepNames.map((name, index) => {
  const file = `sql/steps/${String(index + 1).padStart(4, '0')}_${name}`;
  return {
    id: index + 1,
    name,
    get up() {
      return sqlFile(import.meta.url, `${file}.up.sql`);
    },
    get down() {
      return sqlFile(import.meta.url, `${file}.down.sql`);
    },
  };
});

export const schemaVersion = schemaSteps.length;

export interface InstallResult {
  /** The steps this call installed, as `<id>_<name>`; empty when the schema was already current. */
  readonly applied: readonly string[];
  readonly version: number;
}

/**
 * Installs or upgrades the wayback schema: each pending step in its own transaction, recorded first,
 * so when two inits race the second hits the record's unique key, rolls back and moves on.
 * Running it again is a no-op. `steps` is for tests; wayback installs its own.
 */
export async function installSchema(db: Db, steps: readonly SchemaStep[] = schemaSteps): Promise<InstallResult> {
  await bootstrap(db);
  const installed = await installedSteps(db);
  const known = steps.length;
  const newest = Math.max(0, ...installed);
  if (newest > known) throw new SchemaTooNewError(newest, known);
  const applied: string[] = [];
  for (const step of steps) {
    if (installed.includes(step.id)) continue;
    try {
      await db.transaction(async (tx) => {
        await tx.query('insert into wayback.schema_step (id, name) values ($1, $2)', [step.id, step.name]);
        await tx.query(step.up);
      });
      applied.push(`${step.id}_${step.name}`);
    } catch (error) {
      if (sqlStateOf(error) === SqlState.uniqueViolation && (await installedSteps(db)).includes(step.id)) continue;
      throw new SchemaStepError(`${step.id}_${step.name}`, { cause: error });
    }
  }
  return { applied, version: known };
}

async function bootstrap(db: Db): Promise<void> {
  const sql = sqlFile(import.meta.url, 'sql/bootstrap.sql');
  try {
    await db.query(sql);
  } catch (error) {
    // Two concurrent "create … if not exists" can both pass the check; the loser sees the winner's row.
    if (sqlStateOf(error) !== SqlState.uniqueViolation) throw error;
    await db.query(sql);
  }
}

async function installedSteps(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>('select id from wayback.schema_step order by id');
  return rows.map((row) => row.id);
}

/** Removes installed steps above `target`, newest first; target 0 removes the wayback schema entirely. */
export async function uninstallSchema(db: Db, target = 0, steps: readonly SchemaStep[] = schemaSteps): Promise<void> {
  const installed = await installedSteps(db);
  for (const step of [...steps].reverse()) {
    if (step.id <= target || !installed.includes(step.id)) continue;
    await db.transaction(async (tx) => {
      await tx.query(step.down);
      await tx.query('delete from wayback.schema_step where id = $1', [step.id]);
    });
  }
  if (target === 0) await db.query('drop schema wayback cascade');
}

/** The installed step; throws unless the schema is exactly the one this wayback writes. */
export async function requireSchema(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ present: boolean }>("select to_regclass('wayback.schema_step') is not null as present");
  if (rows[0]?.present !== true) throw new SchemaMissingError();
  const newest = Math.max(0, ...(await installedSteps(db)));
  if (newest === 0) throw new SchemaMissingError();
  if (newest > schemaVersion) throw new SchemaTooNewError(newest, schemaVersion);
  if (newest < schemaVersion) throw new SchemaOutdatedError(newest, schemaVersion);
  return newest;
}
