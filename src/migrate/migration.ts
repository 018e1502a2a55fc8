import type { Queryable } from '../db/index.js';
import type { Statement } from './split-statements.js';

export type MigrationFormat = 'sql' | 'module';

/** One direction of a migration as SQL: the file's text, its statements, and whether it must run outside a transaction. */
export interface SqlStep {
  readonly kind: 'sql';
  /** The file, relative to the migrations folder; "history" for a down read back from wayback.migration. */
  readonly file: string;
  readonly text: string;
  readonly statements: readonly Statement[];
  /** Why PostgreSQL cannot run it in a transaction (a marker or a statement such as CREATE INDEX CONCURRENTLY), or null. */
  readonly outsideTransaction: string | null;
}

/** One direction of a module migration: its exported function, called with the migration's transaction. */
export interface ModuleStep {
  readonly kind: 'module';
  readonly file: string;
  readonly run: (db: Queryable) => Promise<unknown>;
}

export type MigrationStep = SqlStep | ModuleStep;

/** A migration read from the folder: a SQL pair `NNNN_name.up.sql`/`.down.sql`, or a module exporting up/down. */
export interface Migration {
  readonly kind: 'migration';
  /** The file stem without .up/.down: `0003_add_email`. */
  readonly id: string;
  /** The leading number, as digits; migrations run in its numeric order. */
  readonly number: string;
  readonly name: string;
  readonly format: MigrationFormat;
  /** sha256 of the up file (a module: of its source), hex. */
  readonly checksum: string;
  readonly up: MigrationStep;
  /** Null when the migration declares itself irreversible (or, read for verify, has no down at all). */
  readonly down: MigrationStep | null;
  /** What history stores as the down: a SQL down's text, a module's source, or null if irreversible. */
  readonly storedDown: string | null;
  readonly irreversible: string | null;
  readonly lossy: string | null;
}

/** Orders migrations by their number, numerically, then by id. */
export function compareMigrations(a: { number: string; id: string }, b: { number: string; id: string }): number {
  const byNumber = BigInt(a.number) < BigInt(b.number) ? -1 : BigInt(a.number) > BigInt(b.number) ? 1 : 0;
  return byNumber !== 0 ? byNumber : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
