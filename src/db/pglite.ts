import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PGlite, type Extensions } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import type { Db, Queryable, Rows, Session } from './db.js';
import { DbOpenError } from './errors.js';
import { LockFile } from './lock-file.js';
import { inTransaction, queryableOf } from './node-postgres.js';
import { markClosed, markOpen } from './registry.js';

export interface PgliteOptions {
  readonly applicationName?: string;
  /** A data directory dump (from `dumpPglite`) to start from instead of running initdb. */
  readonly loadDataDir?: Blob | File;
  /** Extensions to make available for CREATE EXTENSION, e.g. PostgreSQL's contrib ones from `@electric-sql/pglite/contrib/*`. */
  readonly extensions?: Extensions;
}

/**
 * Opens embedded PostgreSQL: in memory, or in a directory guarded by a lock file beside it.
 * Queries go through one node-postgres Client (STACK.md: a pooled raw query that errors breaks the next
 * one), so values are parsed exactly as on a server; callers are serialised by a queue.
 */
const pgliteOf = new WeakMap<Db, PGlite>();

export async function openPglite(directory: string | undefined, options: PgliteOptions = {}): Promise<Db> {
  let lock: LockFile | undefined;
  if (directory !== undefined) {
    lock = LockFile.acquire(join(dirname(directory), `${basename(directory)}.lock`), directory);
    mkdirSync(dirname(directory), { recursive: true });
  }
  const url = directory === undefined ? 'pglite:memory' : `pglite:${directory}`;
  let lite: PGlite;
  let client: pg.Client;
  try {
    lite = new PGlite({
      ...(directory === undefined ? {} : { dataDir: directory }),
      ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
      ...(options.extensions === undefined ? {} : { extensions: options.extensions }),
    });
    await lite.waitReady;
    client = new pg.Client(createPgConfig(lite));
    await client.connect();
    if (options.applicationName !== undefined) {
      await client.query("select set_config('application_name', $1, false)", [options.applicationName]);
    }
  } catch (error) {
    lock?.releaseSync();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DbOpenError(url, reason, { cause: error });
  }
  const queryable = queryableOf(client);
  let queue: Promise<unknown> = Promise.resolve();
  // PGlite has one connection: a query sent on the database while a transaction holds it would wait
  // for that transaction forever. Inside a transaction, use the `tx` it hands you; this says so.
  const insideTransaction = new AsyncLocalStorage<true>();
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    if (insideTransaction.getStore() === true) {
      return Promise.reject(new Error('db.query inside db.transaction on PGlite would wait forever: use the tx passed to the callback'));
    }
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  let closed = false;
  const db: Db = {
    backend: 'pglite',
    url,
    query: <R extends object>(text: string, params?: readonly unknown[]): Promise<Rows<R>> =>
      serialised(() => queryable.query<R>(text, params)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
      serialised(() => insideTransaction.run(true, () => inTransaction(client, fn))),
    session: <T>(fn: (session: Session) => Promise<T>): Promise<T> =>
      serialised(() =>
        insideTransaction.run(true, async () => {
          try {
            return await fn({ query: (text, params) => queryable.query(text, params), transaction: (work) => inTransaction(client, work) });
          } finally {
            // The one connection is everyone's: what the session SET or locked goes with it.
            await client.query('discard all');
            if (options.applicationName !== undefined) await client.query("select set_config('application_name', $1, false)", [options.applicationName]);
          }
        }),
      ),
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      try {
        await client.end();
        await lite.close();
      } finally {
        lock?.releaseSync();
        markClosed(db);
      }
    },
  };
  pgliteOf.set(db, lite);
  markOpen(db);
  return db;
}

/** A compressed dump of a PGlite database's data directory, to start other instances from. */
export async function dumpPglite(db: Db): Promise<Blob> {
  const lite = pgliteOf.get(db);
  if (lite === undefined) throw new TypeError('dumpPglite needs a database opened by openPglite');
  return db.query('checkpoint').then(() => lite.dumpDataDir('gzip'));
}
