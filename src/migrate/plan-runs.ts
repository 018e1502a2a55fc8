import { MigrationEditedError } from './errors.js';
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
