import pg from 'pg';
import type { Db, Queryable, Rows, Session } from './db.js';
import { DbAuthError, DbMissingError, DbUnreachableError } from './errors.js';
import { inTransaction, queryableOf } from './node-postgres.js';
import { markClosed, markOpen } from './registry.js';
import { SqlState, sqlStateOf } from './sqlstate.js';
import { redactUrl } from './url.js';

/** A host that drops packets would otherwise hold the command until the OS gives up (minutes). */
const connectTimeoutMs = 10_000;

/** Opens a pool on a PostgreSQL server and checks it answers, so a bad URL fails here with one clear line. */
export async function openPostgres(url: string, options: { applicationName?: string } = {}): Promise<Db> {
  const shownUrl = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    application_name: options.applicationName ?? 'wayback',
    connectionTimeoutMillis: connectTimeoutMs,
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectError(shownUrl, url, error);
  }
  const queryable = queryableOf(pool);
  let closed = false;
  const db: Db = {
    backend: 'postgres',
    url: shownUrl,
    query: <R extends object>(text: string, params?: readonly unknown[]): Promise<Rows<R>> =>
      queryable.query<R>(text, params),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        return await inTransaction(client, fn);
      } finally {
        client.release();
      }
    },
    async session<T>(fn: (session: Session) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = true;
      try {
        const held = queryableOf(client);
        const result = await fn({ query: (text, params) => held.query(text, params), transaction: (work) => inTransaction(client, work) });
        broken = false;
        return result;
      } finally {
        // Session state (a SET, an advisory lock) must not reach the next borrower: a connection that
        // ended in an error is closed; a clean one goes back after DISCARD ALL.
        if (!broken) broken = await client.query('discard all').then(() => false, () => true);
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      markClosed(db);
      await pool.end();
    },
  };
  markOpen(db);
  return db;
}

function connectError(shownUrl: string, url: string, error: unknown): Error {
  const state = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (state === SqlState.invalidCatalogName) {
    const database = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
    return new DbMissingError(shownUrl, database, { cause: error });
  }
  if (state === SqlState.invalidPassword || state === SqlState.invalidAuthorization) {
    return new DbAuthError(shownUrl, message, { cause: error });
  }
  const errno = (error as NodeJS.ErrnoException).code;
  const reason =
    errno === 'ECONNREFUSED'
      ? 'connection refused'
      : errno === 'ENOTFOUND' || errno === 'EAI_AGAIN'
        ? 'host not found'
        : errno === 'ETIMEDOUT' || /timeout/i.test(message)
          ? 'timed out'
          : message.split('\n')[0] ?? 'unknown error';
  return new DbUnreachableError(shownUrl, reason, { cause: error });
}
