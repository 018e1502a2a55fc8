/** Which journal entries to undo. Fields combine with AND; at least one of the first five is needed. */
export interface Selector {
  /** Change set ids, as `wayback changesets` lists them (`tx:<txid>` for an untagged transaction). */
  readonly changesets?: readonly string[];
  readonly feature?: string;
  /** Every change set of this application_name. */
  readonly app?: string;
  readonly txid?: number;
  /** With feature or app: only statements written in this window. */
  readonly since?: Date;
  readonly until?: Date;
  /** Narrows any of the above to one table (schema.table or table). */
  readonly table?: string;
}

/** skip-conflicts applies every clean cell and reports the rest; strict applies nothing if anything conflicts; force overwrites later writes. */
export type RevertMode = 'skip-conflicts' | 'strict' | 'force';

export type ConflictKind =
  | 'cell-changed-later'
  | 'row-modified-later'
  | 'row-deleted-later'
  | 'referenced-by-later-rows'
  | 'pk-taken'
  | 'constraint'
  | 'schema-changed';

/**
 * A place where a later write by someone else touched what the change set wrote. Values are the
 * column's text form (exact for every type), or null for SQL NULL; for a row-level conflict
 * (`column` null) they are null.
 */
export interface Conflict {
  /** schema.table */
  readonly table: string;
  /** The row's key, column → text value. */
  readonly pk: Readonly<Record<string, string>>;
  readonly column: string | null;
  readonly kind: ConflictKind;
  readonly base: string | null;
  readonly written: string | null;
  readonly current: string | null;
}

export interface RevertCounts {
  readonly cellsRestored: number;
  readonly rowsDeleted: number;
  readonly rowsReinserted: number;
  readonly conflicts: number;
}

export interface RevertResult {
  readonly kind: 'revert-result';
  /** Whether anything was written (false for a dry run, or strict mode with conflicts). */
  readonly applied: boolean;
  /** The revert's own change set id (`revert:…`), when applied: reverting it undoes this revert. */
  readonly changeset: string | null;
  readonly mode: RevertMode;
  readonly counts: RevertCounts;
  readonly conflicts: readonly Conflict[];
}
