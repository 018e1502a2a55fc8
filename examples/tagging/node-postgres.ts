// examples/tagging/node-postgres.ts
import type pg from 'pg';

/** The change set and feature a transaction's writes are journaled under. */
export interface Tag {
  readonly changeset: string;
  readonly feature?: string;
}

/** Runs `work` in one transaction on a client of `pool`, tagged for wayback. */
export async function withChangeset<T>(pool: pg.Pool, tag: Tag, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    // set_config(…, true) is SET LOCAL: the tag ends with the transaction, and never outlives it on a pooled connection.
    await client.query("select set_config('wayback.changeset', $1, true), set_config('wayback.feature', $2, true)", [
      tag.changeset,
      tag.feature ?? '',
    ]);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

// For example, one step of a job, journaled as change set `changeset` of the feature "candidate-mapping":
export function renameCandidate(pool: pg.Pool, changeset: string, id: number, firstName: string) {
  return withChangeset(pool, { changeset, feature: 'candidate-mapping' }, (client) =>
    client.query('update candidate set first_name = $1 where id = $2', [firstName, id]),
  );
}
