import { sqlFile, type Queryable } from '../db/index.js';
import { ChangesetNotFoundError, resolveTable, TableNotFoundError } from '../journal/index.js';
import { BadSelectorError, EmptySelectionError } from './errors.js';
import type { Selector } from './types.js';

export interface Selection {
  /** Statement ids, as strings (bigint). */
  readonly statements: readonly string[];
  /** Tracked-table ids the statements wrote. */
  readonly tables: readonly number[];
}

/** The statements a selector names; throws if it names nothing, or names a change set the journal lacks. */
export async function selectStatements(db: Queryable, selector: Selector): Promise<Selection> {
  const named = selector.changesets ?? [];
  if (named.length === 0 && selector.feature === undefined && selector.app === undefined && selector.txid === undefined) {
    throw new BadSelectorError('say what to revert: --changeset id, --feature f, --tx n or --app name');
  }
  for (const id of named) {
    const { rows } = await db.query('select from wayback.statement where changeset = $1 limit 1', [id]);
    if (rows.length === 0) throw new ChangesetNotFoundError(id);
  }
  const tableIds = selector.table === undefined ? null : await trackedIds(db, selector.table);
  const { rows } = await db.query<{ id: string; table_id: number }>(sqlFile(import.meta.url, 'sql/select-statements.sql'), [
    named.length === 0 ? null : named,
    selector.feature ?? null,
    selector.app ?? null,
    selector.txid ?? null,
    selector.since ?? null,
    selector.until ?? null,
    tableIds,
  ]);
  if (rows.length === 0) throw new EmptySelectionError(describeSelector(selector));
  return { statements: rows.map((row) => row.id), tables: [...new Set(rows.map((row) => row.table_id))] };
}

// What to_regclass reads without raising: one or two dot-separated names (schema.table), each "quoted"
// (with "" for a quote) or bare, around PostgreSQL's own space characters (not JavaScript's \s), as its
// SplitIdentifierString reads them. Three parts name a database too, which to_regclass refuses unless it
// is this one; we refuse them all.
const space = String.raw`[ \t\n\r\f]`;
const name = String.raw`(?:"(?:[^"]|"")+"|[^" \t\n\r\f.][^ \t\n\r\f.]*)`;
const tableName = new RegExp(String.raw`^${space}*${name}(?:${space}*\.${space}*${name})?${space}*$`);

async function trackedIds(db: Queryable, table: string): Promise<number[]> {
  const notTracked = new BadSelectorError(`--table ${table}: not a tracked table; "wayback status" lists them`);
  // PostgreSQL 15's to_regclass raises on text that is not a name at all, and in a transaction (the
  // revert's) that error would poison every statement after it; PGlite returns NULL. Ask only about names.
  if (!tableName.test(table)) throw notTracked;
  const relid = await resolveTable(db, table).catch((error: unknown) => {
    if (error instanceof TableNotFoundError) return null;
    throw error;
  });
  const { rows } = await db.query<{ id: number }>('select id from wayback.tracked_table where relid = $1', [relid]);
  if (rows.length === 0) throw notTracked;
  return rows.map((row) => row.id);
}

export function describeSelector(selector: Selector): string {
  const parts = [
    ...(selector.changesets ?? []).map((id) => `change set ${id}`),
    selector.feature === undefined ? undefined : `feature ${selector.feature}`,
    selector.app === undefined ? undefined : `application ${selector.app}`,
    selector.txid === undefined ? undefined : `transaction ${selector.txid}`,
    selector.since === undefined ? undefined : `since ${selector.since.toISOString()}`,
    selector.until === undefined ? undefined : `until ${selector.until.toISOString()}`,
    selector.table === undefined ? undefined : `table ${selector.table}`,
  ].filter((part) => part !== undefined);
  return parts.join(', ');
}
