import type pg from 'pg';
import type { Queryable, Rows } from './db.js';

type PgQueryable = Pick<pg.ClientBase, 'query'>;

/** Wraps a node-postgres client or pool as a Queryable. */
export function queryableOf(client: PgQueryable): Queryable {
  return {
    async query<R extends object>(text: string, params?: readonly unknown[]): Promise<Rows<R>> {
      const result = await client.query<R>(text, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
  };
}

/** BEGIN, run, COMMIT — or ROLLBACK and rethrow. */
export async function inTransaction<T>(client: PgQueryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn(queryableOf(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
