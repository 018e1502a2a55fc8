// examples/tagging/kysely.ts
import { sql, type Kysely, type Transaction } from 'kysely';

/** The change set and feature a transaction's writes are journaled under. */
export interface Tag {
  readonly changeset: string;
  readonly feature?: string;
}

/** Runs `work` in one Kysely transaction, tagged for wayback. */
export function withChangeset<DB, T>(db: Kysely<DB>, tag: Tag, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    // set_config(…, true) is SET LOCAL: the tag ends with the transaction.
    await sql`select set_config('wayback.changeset', ${tag.changeset}, true),
                     set_config('wayback.feature', ${tag.feature ?? ''}, true)`.execute(trx);
    return work(trx);
  });
}

// For example, one step of a job, journaled as change set `changeset` of the feature "candidate-mapping":
export interface Database {
  candidate: { id: number; first_name: string };
}

export function renameCandidate(db: Kysely<Database>, changeset: string, id: number, firstName: string) {
  return withChangeset(db, { changeset, feature: 'candidate-mapping' }, (trx) =>
    trx.updateTable('candidate').set({ first_name: firstName }).where('id', '=', id).execute(),
  );
}
