import { MigrationEditedError, MigrationOutOfOrderError } from './errors.js';
import type { AppliedMigration } from './history.js';
import type { Migration } from './migration.js';

/** Refuses to go on when an applied migration's up no longer matches what was applied. */
export function refuseEdited(migrations: readonly Migration[], history: readonly AppliedMigration[]): void {
  const byId = new Map(migrations.map((migration) => [migration.id, migration]));
  for (const applied of history) {
    const migration = byId.get(applied.id);
    if (migration !== undefined && migration.checksum !== applied.checksum) {
      throw new MigrationEditedError(applied.id, applied.checksum, migration.checksum);
    }
  }
}

/**
 * Refuses pending migrations numbered below the newest applied one (a branch merged late), unless asked
 * to apply them anyway: they would run after migrations that were written, and tested, without them.
 */
export function refuseOutOfOrder(pending: readonly Migration[], history: readonly AppliedMigration[]): void {
  const newest = history.reduce<{ id: string; number: bigint } | null>((top, row) => {
    const number = BigInt(/^(\d+)_/.exec(row.id)?.[1] ?? '0');
    return top === null || number > top.number ? { id: row.id, number } : top;
  }, null);
  if (newest === null) return;
  const late = pending.filter((migration) => BigInt(migration.number) < newest.number);
  if (late.length > 0) throw new MigrationOutOfOrderError(late.map((m) => m.id), newest.id);
}
