// A small journal history for the `changesets` and `show` tests: three change sets on two tracked
// tables, moved back in time so the --since/--until filters have something to tell apart.
import type { Db, Queryable } from '../../src/db/index.js';
import { openDb, quoteQualified } from '../../src/db/index.js';
import { track } from '../../src/journal/index.js';
import type { TestDatabase } from '../support/backends.js';

export interface WrittenChangeset {
  readonly id: string;
  readonly feature: string | null;
  readonly app: string | null;
  readonly role: string;
  readonly txids: readonly number[];
  readonly tables: Readonly<Record<string, { inserted: number; updated: number; deleted: number }>>;
  /** When its writes happened, as seen from the test process (after the shift back in time). */
  readonly from: Date;
  readonly to: Date;
}

export interface History {
  /** Tagged (feature "mapping"), 4 days ago: first_name of customers 1 and 2, an order in, an order out. */
  readonly mapping: WrittenChangeset;
  /** Untagged, application_name "nightly-mapper", 3 hours ago: only last_name of customer 3. */
  readonly nightly: WrittenChangeset;
  /** Untagged, just now: inserts customer 4. */
  readonly recent: WrittenChangeset;
}

export const mappingId = 'job:mapping:2026-11-20T17:00:00.000Z-a1b2c3';
const hour = 3_600_000;

/** Builds the history in `t` and closes `t.db`, so CLI children can open the database. */
export async function buildHistory(t: TestDatabase): Promise<History> {
  const { db } = t;
  await db.query(`create table customer (id int primary key, first_name text, last_name text);
                  create table orders (id int primary key, customer_id int not null, status text not null);
                  create table note (id int primary key, body text)`);
  await db.query(`insert into customer values (1, 'Ada', 'Lovelace'), (2, 'Alan', 'Turing'), (3, 'Grace', 'Hopper');
                  insert into orders values (1, 1, 'new'), (2, 2, 'new')`);
  await track(db, ['customer', 'orders']);

  const mappingTx = await written(db, async (tx) => {
    // The tagging protocol, exactly as psql or an ORM would speak it.
    await tx.query(`set local wayback.changeset = '${mappingId}'`);
    await tx.query(`set local wayback.feature = 'mapping'`);
    await tx.query('update customer set first_name = upper(first_name) where id in (1, 2)');
    await tx.query("insert into orders values (10, 1, 'new')");
    await tx.query('delete from orders where id = 2');
  });
  let nightlyTx: Written;
  if (db.backend === 'postgres') {
    const nightlyDb = await openDb(t.url, { applicationName: 'nightly-mapper' });
    try {
      nightlyTx = await written(nightlyDb, (tx) => tx.query("update customer set last_name = last_name || '!' where id = 3"));
    } finally {
      await nightlyDb.close();
    }
  } else {
    nightlyTx = await written(db, async (tx) => {
      await tx.query("set local application_name = 'nightly-mapper'");
      await tx.query("update customer set last_name = last_name || '!' where id = 3");
    });
  }
  const recentTx = await written(db, (tx) => tx.query("insert into customer values (4, 'Edsger', 'Dijkstra')"));

  const nightlyId = `tx:${nightlyTx.txid}`;
  await shiftBack(db, mappingId, 96 * hour);
  await shiftBack(db, nightlyId, 3 * hour);
  await db.close();

  const changeset = (w: Written, id: string, feature: string | null, shift: number, tables: WrittenChangeset['tables']) => ({
    id,
    feature,
    app: w.app,
    role: w.role,
    txids: [w.txid],
    tables,
    from: new Date(w.from.getTime() - shift),
    to: new Date(w.to.getTime() - shift),
  });
  return {
    mapping: changeset(mappingTx, mappingId, 'mapping', 96 * hour, {
      'public.customer': { inserted: 0, updated: 2, deleted: 0 },
      'public.orders': { inserted: 1, updated: 0, deleted: 1 },
    }),
    nightly: changeset(nightlyTx, nightlyId, null, 3 * hour, { 'public.customer': { inserted: 0, updated: 1, deleted: 0 } }),
    recent: changeset(recentTx, `tx:${recentTx.txid}`, null, 0, { 'public.customer': { inserted: 1, updated: 0, deleted: 0 } }),
  };
}

interface Written {
  readonly txid: number;
  readonly app: string | null;
  readonly role: string;
  readonly from: Date;
  readonly to: Date;
}

/** Runs `work` in one transaction and notes what the journal should record about it. */
async function written(db: Db, work: (tx: Queryable) => Promise<unknown>): Promise<Written> {
  const from = new Date();
  const facts = await db.transaction(async (tx) => {
    await work(tx);
    const { rows } = await tx.query<{ txid: string; app: string | null; role: string }>(
      "select txid_current()::text as txid, nullif(current_setting('application_name'), '') as app, session_user::text as role",
    );
    return rows[0];
  });
  if (facts === undefined) throw new Error('no transaction facts');
  return { txid: Number(facts.txid), app: facts.app, role: facts.role, from, to: new Date() };
}

/**
 * Moves a change set back in time, as if it had run `ms` earlier: every row in the wayback schema that
 * carries its change set id and a time (`at`). Found by column, not by table name, so the fixture does
 * not depend on how the journal spreads an entry over its tables.
 */
async function shiftBack(db: Db, changeset: string, ms: number): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ table_name: string }>(
      `select c.table_name
         from information_schema.columns c
         join pg_class k on k.relname = c.table_name and k.relnamespace = 'wayback'::regnamespace
        where c.table_schema = 'wayback' and c.column_name in ('at', 'changeset')
          and k.relkind in ('r', 'p') and not k.relispartition
        group by c.table_name
       having count(*) = 2`,
    );
    if (rows.length === 0) throw new Error('no table in the wayback schema carries changeset and at');
    for (const { table_name } of rows) {
      await tx.query(`update ${quoteQualified('wayback', table_name)} set at = at - $2 * interval '1 millisecond' where changeset = $1`, [
        changeset,
        ms,
      ]);
    }
  });
}
