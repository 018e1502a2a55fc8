// examples/tagging/drizzle.ts
import { eq, sql, type TablesRelationalConfig } from 'drizzle-orm';
import { integer, pgTable, text, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';

/** The change set and feature a transaction's writes are journaled under. */
export interface Tag {
  readonly changeset: string;
  readonly feature?: string;
}

/** Runs `work` in one Drizzle transaction, tagged for wayback (any Drizzle PostgreSQL driver). */
export function withChangeset<Q extends PgQueryResultHKT, S extends Record<string, unknown>, R extends TablesRelationalConfig, T>(
  db: PgDatabase<Q, S, R>,
  tag: Tag,
  work: (tx: PgTransaction<Q, S, R>) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    // set_config(…, true) is SET LOCAL: the tag ends with the transaction.
    await tx.execute(sql`select set_config('wayback.changeset', ${tag.changeset}, true),
                                set_config('wayback.feature', ${tag.feature ?? ''}, true)`);
    return work(tx);
  });
}

// For example, one step of a job, journaled as change set `changeset` of the feature "candidate-mapping":
export const candidate = pgTable('candidate', { id: integer('id').primaryKey(), firstName: text('first_name').notNull() });

export function renameCandidate(db: PgDatabase<PgQueryResultHKT>, changeset: string, id: number, firstName: string) {
  return withChangeset(db, { changeset, feature: 'candidate-mapping' }, (tx) =>
    tx.update(candidate).set({ firstName }).where(eq(candidate.id, id)),
  );
}
