import type { Db, Queryable } from '../db/index.js';

/** One connection held for a whole run: the migration lock and every migration live on it. */
export type Session = Pick<Db, 'query' | 'transaction'>;

/**
 * Runs `fn` on one connection of `db`, held from start to end, with transactions of its own. The
 * runner needs that: a session-level advisory lock must be released by the session that took it, and
 * holding the lock in an open transaction instead would make CREATE INDEX CONCURRENTLY wait for that
 * transaction forever. `Db` offers no pinned connection, so this borrows the one `db.transaction`
 * pins and ends the wrapper's transaction at once (reopening an empty one for it to commit).
 * (If src/db grows a `session()`, this is where to use it.)
 */
export async function withSession<T>(db: Db, fn: (session: Session) => Promise<T>): Promise<T> {
  return db.transaction(async (pinned) => {
    await pinned.query('commit');
    try {
      return await fn({
        query: (text, params) => pinned.query(text, params),
        transaction: (work) => inOwnTransaction(pinned, work),
      });
    } finally {
      await pinned.query('begin');
    }
  });
}

async function inOwnTransaction<T>(pinned: Queryable, work: (tx: Queryable) => Promise<T>): Promise<T> {
  await pinned.query('begin');
  try {
    const result = await work(pinned);
    await pinned.query('commit');
    return result;
  } catch (error) {
    await pinned.query('rollback').catch(() => undefined);
    throw error;
  }
}
