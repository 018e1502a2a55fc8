import type { Db, Queryable, Session } from '../../db/index.js';
import { firstLineOf } from '../../errors.js';
import { MigrationFailedError } from '../errors.js';
import { executeStep, type StepRun } from '../execute.js';
import { forgetMigration, recordMigration } from '../history.js';
import type { Migration, MigrationStep } from '../migration.js';
import { readMigrations } from '../read-folder.js';
import { diffCatalogs, freshValues, snapshotCatalog, type Catalog, type SchemaDifference } from './catalog.js';
import { lostRows, readRowHashes, type DataLoss, type RowHashes } from './row-hashes.js';
import { openScratch } from './scratch.js';
import { Seeder, type SeedRefusal } from './seed.js';

export type VerifyStatus =
  | 'ok'
  | 'schema-diff'
  | 'data-lost'
  | 'down-failed'
  | 'missing-down'
  | 'irreversible'
  | 'lossy'
  | 'up-failed'
  | 'not-verified';

/** A failed statement: where, and PostgreSQL's message. */
export interface StepFailure {
  readonly kind: 'down-failed' | 'up-failed' | 'up-again-failed';
  readonly error: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly statement: string | null;
}

export type VerifyDetail =
  | SchemaDifference
  | DataLoss
  | SeedRefusal
  | StepFailure
  | { readonly kind: 'irreversible'; readonly reason: string }
  | { readonly kind: 'lossy'; readonly declared: string }
  | { readonly kind: 'missing-down'; readonly hint: string }
  | { readonly kind: 'not-verified'; readonly reason: string }
  | { readonly kind: 'outside-transaction'; readonly note: string };

export interface MigrationVerdict {
  readonly id: string;
  readonly status: VerifyStatus;
  readonly details: readonly VerifyDetail[];
}

export interface VerifyResult {
  readonly kind: 'verify-result';
  /** False when any migration's status is a failure (anything but ok, irreversible and lossy). */
  readonly ok: boolean;
  readonly migrations: readonly MigrationVerdict[];
  /** The scratch database it ran on. */
  readonly scratch: string;
  readonly seconds: number;
}

export interface VerifyOptions {
  /** The migrations folder; default `migrations`. */
  readonly dir?: string;
  /** A PostgreSQL server URL to create the scratch database on; default embedded PGlite in memory. */
  readonly server?: string;
  /** Whether a column's position must come back too (a re-added column lands last); default false. */
  readonly columnOrder?: boolean;
  readonly onProgress?: (progress: { readonly done: number; readonly total: number; readonly id: string }) => void;
}

const passing = new Set<VerifyStatus>(['ok', 'irreversible', 'lossy']);

/** Whether a migration with this status passes verify: ok, or declared irreversible or lossy. */
export function passes(status: VerifyStatus): boolean {
  return passing.has(status);
}

/**
 * Proves each migration's down on a scratch database. Migrations are applied one by one, in order, on
 * one database; before migration N, sample rows are seeded into every new or changed table and the
 * catalog and every table's rows are taken. Then N's up runs, and — inside a transaction rolled back
 * afterwards, so a broken down cannot spoil the migrations after it — rows only the new version
 * allows are seeded, the down runs (the catalog must equal the one before, and every earlier row must
 * still be there), and the up runs again (the catalog must equal the first up's).
 */
export async function verifyMigrations(options: VerifyOptions = {}): Promise<VerifyResult> {
  const started = performance.now();
  const dir = options.dir ?? 'migrations';
  const migrations = await readMigrations(dir, { missingDowns: 'allow' });
  const scratch = await openScratch(options.server, dir);
  try {
    const verdicts = await verifyAll(scratch.db, migrations, options);
    return {
      kind: 'verify-result',
      ok: verdicts.every((v) => passes(v.status)),
      migrations: verdicts,
      scratch: scratch.description,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await scratch.dispose();
  }
}

async function verifyAll(db: Db, migrations: readonly Migration[], options: VerifyOptions): Promise<MigrationVerdict[]> {
  const columnOrder = options.columnOrder === true;
  const seeder = new Seeder();
  const verdicts: MigrationVerdict[] = [];
  const snapshot = () => db.transaction((tx) => snapshotCatalog(tx, { columnOrder }));
  let before = await snapshot();
  for (const [index, migration] of migrations.entries()) {
    options.onProgress?.({ done: index, total: migrations.length, id: migration.id });
    const details: VerifyDetail[] = await db.transaction((tx) => seeder.seedChanged(tx));
    const rows = await readRowHashes(db);
    try {
      await db.session((session) => executeStep(session, upRun(migration)));
    } catch (error) {
      verdicts.push({ id: migration.id, status: 'up-failed', details: [...details, failure('up-failed', error)] });
      for (const rest of migrations.slice(index + 1)) {
        verdicts.push({ id: rest.id, status: 'not-verified', details: [{ kind: 'not-verified', reason: `the up of ${migration.id} failed before it` }] });
      }
      break;
    }
    const after = await snapshot();
    verdicts.push({ id: migration.id, ...(await roundTrip(db, migration, { before, after, rows, seeder, columnOrder }, details)) });
    before = migration.down !== null && runsOutside(migration) ? await snapshot() : after;
  }
  options.onProgress?.({ done: migrations.length, total: migrations.length, id: '' });
  return verdicts;
}

interface States {
  readonly before: Catalog;
  readonly after: Catalog;
  readonly rows: RowHashes;
  readonly seeder: Seeder;
  readonly columnOrder: boolean;
}

async function roundTrip(db: Db, migration: Migration, states: States, details: VerifyDetail[]): Promise<Omit<MigrationVerdict, 'id'>> {
  if (migration.irreversible !== null) return { status: 'irreversible', details: [...details, { kind: 'irreversible', reason: migration.irreversible }] };
  const down = migration.down;
  if (down === null) {
    const hint = migration.format === 'sql' ? `add ${migration.id}.down.sql` : 'export a down(db) function';
    return { status: 'missing-down', details: [...details, { kind: 'missing-down', hint: `${hint}, or declare it irreversible` }] };
  }
  if (migration.lossy !== null) details.push({ kind: 'lossy', declared: migration.lossy });
  if (runsOutside(migration)) {
    // PostgreSQL cannot roll these back, so the round trip is for real and leaves the up applied again.
    details.push({ kind: 'outside-transaction', note: 'runs outside a transaction: verified without rolling the round trip back' });
    await db.session((session) => checkRoundTrip(session, migration, down, states, details));
  } else {
    const rolledBack = new Error('verify round trip rolled back');
    await db
      .transaction(async (tx) => {
        details.push(...(await states.seeder.seedFresh(tx, freshValues(states.before, states.after))));
        await checkRoundTrip(savepointSession(tx), migration, down, states, details);
        throw rolledBack;
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      });
  }
  return { status: statusOf(migration, details), details };
}

async function checkRoundTrip(session: Session, migration: Migration, down: MigrationStep, states: States, details: VerifyDetail[]): Promise<void> {
  try {
    await executeStep(session, { id: migration.id, direction: 'down', step: down, record: (tx) => forgetMigration(tx, migration.id) });
  } catch (error) {
    details.push(failure('down-failed', error));
    return;
  }
  details.push(...diffCatalogs(states.before, await session.transaction((tx) => snapshotCatalog(tx, states)), 'down'));
  details.push(...(await lostRows(session, states.rows)));
  try {
    await executeStep(session, upRun(migration));
  } catch (error) {
    details.push(failure('up-again-failed', error));
    return;
  }
  details.push(...diffCatalogs(states.after, await session.transaction((tx) => snapshotCatalog(tx, states)), 'up-again'));
}

function statusOf(migration: Migration, details: readonly VerifyDetail[]): VerifyStatus {
  const has = (kind: VerifyDetail['kind']) => details.some((d) => d.kind === kind);
  // A down that left an object behind usually breaks the up run again too: the difference says more.
  if (has('down-failed')) return 'down-failed';
  if (has('schema-diff')) return 'schema-diff';
  if (has('up-again-failed')) return 'down-failed';
  if (migration.lossy !== null) return 'lossy';
  return has('data-lost') ? 'data-lost' : 'ok';
}

function upRun(migration: Migration): StepRun {
  // History insists on a down or a reason for none; a migration missing its down is reported, and recorded as such.
  const recorded = migration.down === null && migration.irreversible === null ? { ...migration, irreversible: 'no down (verify)' } : migration;
  return {
    id: migration.id,
    direction: 'up',
    step: migration.up,
    record: (tx, inTransaction, changeset) => recordMigration(tx, recorded, inTransaction, changeset),
  };
}

function runsOutside(migration: Migration): boolean {
  const outside = (step: MigrationStep | null) => step?.kind === 'sql' && step.outsideTransaction !== null;
  return outside(migration.up) || outside(migration.down);
}

/** A session inside one open transaction: each of its "transactions" is a savepoint. */
function savepointSession(tx: Queryable): Session {
  return {
    query: (text, params) => tx.query(text, params),
    transaction: async (work) => {
      await tx.query('savepoint wayback_verify_step');
      try {
        const result = await work(tx);
        await tx.query('release savepoint wayback_verify_step');
        return result;
      } catch (error) {
        await tx.query('rollback to savepoint wayback_verify_step');
        throw error;
      }
    },
  };
}

function failure(kind: StepFailure['kind'], error: unknown): StepFailure {
  if (error instanceof MigrationFailedError) {
    return { kind, error: error.reason, file: error.at.file, line: error.at.line, statement: error.at.statement };
  }
  return { kind, error: firstLineOf(error), file: null, line: null, statement: null };
}
