import { firstLineOf, WaybackError } from '../errors.js';

/** The migrations folder cannot be read as migrations: a stray file, a missing down, a broken marker. */
export class MigrationFolderError extends WaybackError {
  constructor(readonly dir: string, readonly file: string | null, readonly reason: string, options?: { cause?: unknown }) {
    super('migration-folder-invalid', `${file === null ? dir : `${dir}/${file}`}: ${reason}`, options);
  }
}

export class MissingDownError extends WaybackError {
  constructor(readonly id: string, readonly format: 'sql' | 'module') {
    const what = format === 'sql' ? `add ${id}.down.sql` : 'export a down(db) function';
    const declare = format === 'sql' ? 'a line "-- wayback:irreversible <reason>" in the up' : 'export const irreversible = "<reason>"';
    super('migration-missing-down', `migration ${id} has no down; ${what}, or declare why it cannot have one with ${declare}`);
  }
}

export class MigrationModuleError extends WaybackError {
  constructor(readonly file: string, readonly reason: string, options?: { cause?: unknown }) {
    super('migration-module-invalid', `cannot load the migration module ${file}: ${reason}`, options);
  }
}

export class MigrationEditedError extends WaybackError {
  constructor(readonly id: string, readonly applied: string, readonly now: string) {
    super(
      'migration-edited',
      `migration ${id} was edited after it was applied (checksum ${applied.slice(0, 12)}, now ${now.slice(0, 12)}); restore it and put the change in a new migration`,
    );
  }
}

export class MigrationNotFoundError extends WaybackError {
  constructor(readonly id: string, readonly where: 'folder' | 'history') {
    super(
      'migration-not-found',
      where === 'folder'
        ? `no migration "${id}" in the folder; "wayback migrate status" lists them`
        : `migration "${id}" is not applied here; "wayback migrate status" lists what is`,
    );
  }
}

export class MigrationOutOfOrderError extends WaybackError {
  constructor(readonly pending: readonly string[], readonly newestApplied: string) {
    super(
      'migration-out-of-order',
      `pending migration${pending.length === 1 ? '' : 's'} ${pending.join(', ')} ${pending.length === 1 ? 'is' : 'are'} numbered below ${newestApplied}, which is applied; renumber after it, or apply anyway with --out-of-order`,
    );
  }
}

export class IrreversibleMigrationError extends WaybackError {
  constructor(readonly id: string, readonly reason: string) {
    super('migration-irreversible', `migration ${id} is irreversible (${reason}); nothing was rolled back: restore from a backup or write a new migration`);
  }
}

/** An applied module migration whose file is gone: its source is in the history, but replaying code that is no longer deployed is not something wayback does. */
export class DownUnavailableError extends WaybackError {
  constructor(readonly id: string) {
    super(
      'migration-down-unavailable',
      `migration ${id} is a module whose file is gone; only SQL downs can be replayed from the history: restore the file (its source is in wayback.migration.down) and run again`,
    );
  }
}

export interface FailedStatement {
  /** The file it came from, relative to the migrations folder, or "history" for a stored down. */
  readonly file: string;
  /** 1-based line of the statement's start in that file, when it is SQL. */
  readonly line: number | null;
  readonly statement: string | null;
}

export class MigrationFailedError extends WaybackError {
  /** PostgreSQL's (or the module's) message, its first line. */
  readonly reason: string;

  constructor(
    readonly id: string,
    readonly direction: 'up' | 'down',
    readonly at: FailedStatement,
    /** Outside a transaction, how many statements had run (and stay) before the failing one. */
    readonly kept: number | null,
    options: { cause: unknown },
  ) {
    const reason = firstLineOf(options.cause);
    const where = `${at.file}${at.line === null ? '' : ` line ${at.line}`}`;
    const statement = at.statement === null ? '' : ` [${excerpt(at.statement)}]`;
    const outcome =
      kept === null
        ? 'nothing of it was kept'
        : `it ran outside a transaction: ${kept} statement${kept === 1 ? '' : 's'} before it stay applied and it is not recorded; fix it and run again`;
    super('migration-failed', `migration ${id} (${direction}) failed at ${where}${statement}: ${reason}; ${outcome}`, options);
    this.reason = reason;
  }
}

export class MigrationLockedError extends WaybackError {
  constructor(readonly holder: string, readonly waitedMs: number) {
    super(
      'migration-locked',
      `another migration runner (${holder}) still holds the migration lock after ${Math.round(waitedMs / 1000)} s; let it finish and run again`,
    );
  }
}

export class MigrationExistsError extends WaybackError {
  constructor(readonly file: string) {
    super('migration-exists', `${file} already exists; pick another name`);
  }
}

function excerpt(statement: string): string {
  const flat = statement.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
