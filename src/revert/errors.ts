import { WaybackError } from '../errors.js';

export class EmptySelectionError extends WaybackError {
  constructor(readonly description: string) {
    super('selection-empty', `${description} matches no journal entry; "wayback changesets" lists what can be reverted`);
  }
}

export class BadSelectorError extends WaybackError {
  constructor(message: string) {
    super('bad-selector', message);
  }
}

/** A database as a message names it: every PGlite database is called "postgres", so its URL or system identifier tells two apart. */
export interface DatabaseName {
  readonly name: string;
  readonly system?: string;
  readonly url?: string;
}

function describeDatabase(database: DatabaseName): string {
  const at = database.url === undefined ? '' : ` at ${database.url}`;
  return `"${database.name}"${at}${database.system === undefined ? '' : `, system identifier ${database.system}`}`;
}

export class DatabaseMismatchError extends WaybackError {
  constructor(readonly planned: DatabaseName, readonly here: DatabaseName, options?: { cause?: unknown }) {
    super(
      'plan-foreign',
      `this plan was made on another database (${describeDatabase(planned)}), not this one (${describeDatabase(here)}); plan again here`,
      options,
    );
  }
}

export class PlanFileError extends WaybackError {
  /** `message` replaces the usual one where "not a wayback plan" would mislead (a newer plan, a cut-off one). */
  constructor(readonly path: string, readonly reason: string, options?: { cause?: unknown }, message?: string) {
    super('plan-file-invalid', message ?? `${path} is not a wayback plan (${reason}); make one with "wayback revert … --out ${path}"`, options);
  }
}

export class PlanVersionError extends PlanFileError {
  constructor(path: string, readonly version: number, readonly known: number) {
    super(
      path,
      `version ${version}`,
      undefined,
      `${path} is a plan from a newer wayback (version ${version}, this wayback reads version ${known}); upgrade wayback, or plan again with this one`,
    );
  }
}

export class PlanFileTruncatedError extends PlanFileError {
  constructor(path: string, options: { cause: unknown }) {
    super(
      path,
      'it ends mid-document',
      options,
      `${path} is not a whole wayback plan: it ends mid-document, as if cut off; make it again with "wayback revert … --out ${path}"`,
    );
  }
}

export class PlanFileUnreadableError extends WaybackError {
  constructor(readonly path: string, options: { cause: unknown }) {
    const code = (options.cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `no such file; check the path, or save one with "wayback revert … --out ${path}"`
        : code === 'EISDIR'
          ? 'it is a directory; name the plan file in it'
          : code === 'EACCES'
            ? 'permission denied; check who may read it'
            : `${String((options.cause as Error).message)}; check the file`;
    super('plan-file-unreadable', `cannot read the plan ${path}: ${reason}`, options);
  }
}

export class PlanFileUnwritableError extends WaybackError {
  /** `problem` says what is wrong and what to do, e.g. "directory x does not exist; create it or choose another --out". */
  constructor(readonly path: string, readonly problem: string, options?: { cause?: unknown }) {
    super('plan-file-unwritable', `cannot write the plan to ${path}: ${problem}`, options);
  }
}

/** A saved plan names a table that is no longer tracked (or no longer exists): applying the rest would be a partial revert. */
export class PlanTableGoneError extends WaybackError {
  constructor(
    readonly tables: readonly { readonly table: string; readonly dropped: boolean }[],
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    const what = tables.map(({ table, dropped }) => `${table}, which ${dropped ? 'has been dropped' : 'is no longer tracked'}`).join('; and ');
    const untracked = tables.filter((table) => !table.dropped).length;
    const todo = untracked === 0 ? 'plan again' : `track ${untracked === 1 ? 'it' : 'them'} again, or plan again`;
    super('plan-table-gone', `${path ?? 'the plan'} names ${what}; nothing was applied: ${todo}`, options);
  }
}
