import type { Db } from '../db/index.js';
import { requireSchema } from '../journal/index.js';
import { readHistory } from './history.js';
import { compareMigrations } from './migration.js';
import { readMigrations } from './read-folder.js';

/**
 * applied: in the history and unchanged; pending: in the folder only; edited: applied, but its up
 * changed since; file-missing: applied, and no longer in the folder (its down, if SQL, is in the history).
 */
export type MigrationState = 'applied' | 'pending' | 'edited' | 'file-missing';

export interface MigrationStatusEntry {
  readonly kind: 'migration-status';
  readonly id: string;
  readonly name: string;
  readonly format: 'sql' | 'module';
  readonly state: MigrationState;
  /** ISO 8601, when applied. */
  readonly appliedAt: string | null;
  readonly changeset: string | null;
  readonly irreversible: string | null;
  readonly lossy: string | null;
}

export interface MigrationStatus {
  readonly kind: 'migration-status-list';
  readonly dir: string;
  /** The folder's migrations and the applied ones it lacks, in the order of their numbers. */
  readonly migrations: readonly MigrationStatusEntry[];
}

/** Compares the folder with the history; reads only, takes no lock. */
export async function migrationStatus(db: Db, options: { readonly dir?: string } = {}): Promise<MigrationStatus> {
  await requireSchema(db);
  const dir = options.dir ?? 'migrations';
  const migrations = await readMigrations(dir);
  const history = new Map((await readHistory(db)).map((row) => [row.id, row]));
  const entries: (MigrationStatusEntry & { number: string })[] = migrations.map((m) => {
    const row = history.get(m.id);
    return {
      kind: 'migration-status',
      id: m.id,
      number: m.number,
      name: m.name,
      format: m.format,
      state: row === undefined ? 'pending' : row.checksum === m.checksum ? 'applied' : 'edited',
      appliedAt: row?.appliedAt ?? null,
      changeset: row?.changeset ?? null,
      irreversible: m.irreversible,
      lossy: m.lossy,
    };
  });
  const inFolder = new Set(migrations.map((m) => m.id));
  for (const row of history.values()) {
    if (inFolder.has(row.id)) continue;
    entries.push({
      kind: 'migration-status',
      id: row.id,
      number: /^\d+/.exec(row.id)?.[0] ?? '0',
      name: row.name,
      format: row.format,
      state: 'file-missing',
      appliedAt: row.appliedAt,
      changeset: row.changeset,
      irreversible: row.irreversible,
      lossy: row.lossy,
    });
  }
  entries.sort(compareMigrations);
  return { kind: 'migration-status-list', dir, migrations: entries.map(({ number: _number, ...entry }) => entry) };
}
