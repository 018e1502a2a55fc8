import { sqlFile, type Queryable } from '../db/index.js';
import type { Migration } from './migration.js';

/** A row of wayback.migration: one applied migration, with its checksum and its down. */
export interface AppliedMigration {
  readonly kind: 'applied-migration';
  readonly id: string;
  readonly name: string;
  readonly format: 'sql' | 'module';
  readonly checksum: string;
  readonly down: string | null;
  readonly irreversible: string | null;
  readonly lossy: string | null;
  readonly inTransaction: boolean;
  /** ISO 8601. */
  readonly appliedAt: string;
  readonly changeset: string;
}

interface HistoryRow {
  id: string;
  name: string;
  format: 'sql' | 'module';
  checksum: string;
  down: string | null;
  irreversible: string | null;
  lossy: string | null;
  in_transaction: boolean;
  applied_at: Date;
  changeset: string;
}

/** The applied migrations, oldest first. */
export async function readHistory(db: Queryable): Promise<AppliedMigration[]> {
  const { rows } = await db.query<HistoryRow>(sqlFile(import.meta.url, 'sql/history.sql'));
  return rows.map((row) => ({
    kind: 'applied-migration',
    id: row.id,
    name: row.name,
    format: row.format,
    checksum: row.checksum,
    down: row.down,
    irreversible: row.irreversible,
    lossy: row.lossy,
    inTransaction: row.in_transaction,
    appliedAt: row.applied_at.toISOString(),
    changeset: row.changeset,
  }));
}

export async function recordMigration(db: Queryable, migration: Migration, inTransaction: boolean, changeset: string): Promise<void> {
  await db.query(sqlFile(import.meta.url, 'sql/record-migration.sql'), [
    migration.id,
    migration.name,
    migration.format,
    migration.checksum,
    migration.storedDown,
    migration.irreversible,
    migration.lossy,
    inTransaction,
    changeset,
  ]);
}

export async function forgetMigration(db: Queryable, id: string): Promise<void> {
  await db.query(sqlFile(import.meta.url, 'sql/forget-migration.sql'), [id]);
}
