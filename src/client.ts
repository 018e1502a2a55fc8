import { openDb, resolveDbUrl, type Db, type Queryable } from './db/index.js';
import { inChangeset, type ChangesetInfo } from './journal/index.js';

/** A handle on one database with wayback installed: what an application holds as `wb`. */
export interface Wayback {
  readonly db: Db;
  /**
   * Runs `fn` in one transaction tagged as a change set, so everything it writes can be found and
   * reverted as one: `await wb.changeset({ feature: 'mapping', kind: 'job' }, async (tx) => …)`.
   */
  changeset<T>(info: ChangesetInfo, fn: (tx: Queryable, changeset: { readonly id: string }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function wayback(db: Db): Wayback {
  return {
    db,
    changeset: (info, fn) => inChangeset(db, info, fn),
    close: () => db.close(),
  };
}

/** Opens the database (`url`, else WAYBACK_DB, DATABASE_URL, else the embedded default) as a Wayback. */
export async function connect(url?: string): Promise<Wayback> {
  return wayback(await openDb(resolveDbUrl(url)));
}
