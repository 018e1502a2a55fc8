// The tagging protocol: any client tags a transaction with SET LOCAL wayback.changeset / wayback.feature;
// untagged transactions still land in a change set of their own (tx:<txid>) with application_name and role.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDb, type Db, type Queryable } from '../../src/db/index.js';
import { inChangeset, listChangesets, track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { journalOf } from '../support/journal.js';

interface Tagged {
  op: string;
  pk: unknown[];
  changeset: string;
  feature: string | null;
  txid: number;
  app: string | null;
  role: string;
}

for (const backend of backends) {
  describe(`tagging on ${backend.name}`, () => {
    let t: TestDatabase;
    let table = 0;
    before(async () => {
      t = await backend.fresh();
    });
    after(async () => {
      await t.drop();
    });

    /** A fresh tracked table `name (id int primary key, v text)`. */
    async function tracked(): Promise<string> {
      const name = `tagged_${++table}`;
      await t.db.query(`create table ${name} (id int primary key, v text)`);
      await track(t.db, [name]);
      return name;
    }

    const tagsOf = async (name: string): Promise<Tagged[]> =>
      (await journalOf(t.db, `public.${name}`)).map(({ op, pk, changeset, feature, txid, app, role }) => ({
        op, pk, changeset, feature, txid, app, role,
      }));

    const txidOf = async (tx: Queryable) => Number((await tx.query<{ txid: string }>('select txid_current() as txid')).rows[0]?.txid);

    /** Every journal entry belongs to a statement that exists. */
    async function noDanglingStatements(): Promise<void> {
      const { rows: tables } = await t.db.query<{ id: number }>('select id from wayback.tracked_table');
      for (const { id } of tables) {
        const { rows: orphans } = await t.db.query<{ n: string }>(
          `select count(*) as n from wayback.journal_${id} j where not exists (select from wayback.statement s where s.id = j.stmt)`,
        );
        assert.equal(orphans[0]?.n, '0', `journal_${id}`);
      }
    }

    it('tags a transaction with plain SET LOCAL, on another connection than the one that tracked', async () => {
      const name = await tracked();
      // PGlite has a single session; on a server this is a second pool.
      const other = backend.name === 'postgres' ? await t.reopen() : t.db;
      let txid = 0;
      try {
        await other.transaction(async (tx) => {
          await tx.query("set local wayback.changeset = 'import-42'");
          await tx.query("set local wayback.feature = 'bulk-import'");
          txid = await txidOf(tx);
          await tx.query(`insert into ${name} values (1, 'a'), (2, 'b')`);
          await tx.query(`update ${name} set v = 'c' where id = 1`);
        });
      } finally {
        if (other !== t.db) await other.close();
      }
      const role = (await t.db.query<{ role: string }>('select session_user as role')).rows[0]?.role ?? '';
      const app = backend.name === 'postgres' ? 'wayback' : null;
      const tag = { changeset: 'import-42', feature: 'bulk-import', txid, app, role };
      assert.deepEqual(await tagsOf(name), [
        { op: 'I', pk: [1], ...tag },
        { op: 'I', pk: [2], ...tag },
        { op: 'U', pk: [1], ...tag },
      ]);
      // One transaction, one tag: both statements (the insert, the update) carry it and the same txid.
      const { rows } = await t.db.query<{ n: string; txids: string }>(
        "select count(*) as n, count(distinct txid) as txids from wayback.statement where changeset = 'import-42'",
      );
      assert.deepEqual(rows[0], { n: '2', txids: '1' });
    });

    it('puts an untagged transaction in tx:<txid> with its application_name and role', async () => {
      const name = await tracked();
      // On a server the application_name comes from the connection; PGlite has one session, so the
      // transaction sets it itself.
      const db: Db = backend.name === 'postgres' ? await openDb(t.url, { applicationName: 'nightly-job' }) : t.db;
      let txid = 0;
      try {
        await db.transaction(async (tx) => {
          if (backend.name === 'pglite') await tx.query("set local application_name = 'nightly-job'");
          txid = await txidOf(tx);
          await tx.query(`insert into ${name} values (1, 'untagged')`);
          await tx.query(`delete from ${name}`);
        });
      } finally {
        if (db !== t.db) await db.close();
      }
      const role = (await t.db.query<{ role: string }>('select session_user as role')).rows[0]?.role ?? '';
      const tag = { changeset: `tx:${txid}`, feature: null, txid, app: 'nightly-job', role };
      assert.deepEqual(await tagsOf(name), [{ op: 'I', pk: [1], ...tag }, { op: 'D', pk: [1], ...tag }]);
      const listed = await listChangesets(t.db, { app: 'nightly-job' });
      assert.deepEqual(
        listed.changesets.map((c) => [c.id, c.app, c.role, c.txids, c.tables]),
        [[`tx:${txid}`, 'nightly-job', role, [txid], { [`public.${name}`]: { inserted: 1, updated: 0, deleted: 1 } }]],
      );
    });

    it('records the role set with SET ROLE, not only the session user', async () => {
      const name = await tracked();
      const role = `wb_tag_${process.pid}_${Date.now()}`;
      await t.db.query(`create role ${role}; grant all on ${name} to ${role}`);
      try {
        await t.db.transaction(async (tx) => {
          await tx.query(`set local role ${role}`);
          await tx.query(`insert into ${name} values (1, 'as role')`);
        });
        assert.deepEqual((await tagsOf(name)).map((e) => e.role), [role]);
      } finally {
        await t.db.query(`drop owned by ${role}; drop role ${role}`);
      }
    });

    it('keeps one change set across two transactions, each under its own txid', async () => {
      const name = await tracked();
      const txids: number[] = [];
      for (const id of [1, 2]) {
        await t.db.transaction(async (tx) => {
          await tx.query("set local wayback.changeset = 'two-step'");
          txids.push(await txidOf(tx));
          await tx.query(`insert into ${name} values ($1, 'step')`, [id]);
        });
      }
      const entries = await tagsOf(name);
      assert.deepEqual(entries.map((e) => [e.pk, e.changeset, e.txid]), [[[1], 'two-step', txids[0]], [[2], 'two-step', txids[1]]]);
      assert.notEqual(txids[0], txids[1]);
      const [listed] = (await listChangesets(t.db, { table: name })).changesets;
      assert.deepEqual([listed?.id, listed?.txids], ['two-step', txids]);
    });

    it('splits a transaction\'s entries when wayback.changeset changes mid-transaction', async () => {
      const name = await tracked();
      let txid = 0;
      await t.db.transaction(async (tx) => {
        txid = await txidOf(tx);
        await tx.query(`insert into ${name} values (1, 'untagged')`);
        await tx.query("set local wayback.changeset = 'first'");
        await tx.query(`insert into ${name} values (2, 'first')`);
        await tx.query("set local wayback.changeset = 'second'");
        await tx.query("set local wayback.feature = 'f2'");
        await tx.query(`update ${name} set v = 'second' where id in (1, 2)`);
        await tx.query("select set_config('wayback.changeset', '', true)");
        await tx.query(`delete from ${name} where id = 1`);
      });
      assert.deepEqual(
        (await tagsOf(name)).map((e) => [e.op, e.pk, e.changeset, e.feature, e.txid]),
        [
          ['I', [1], `tx:${txid}`, null, txid],
          ['I', [2], 'first', null, txid],
          ['U', [1], 'second', 'f2', txid],
          ['U', [2], 'second', 'f2', txid],
          ['D', [1], `tx:${txid}`, 'f2', txid],
        ],
      );
    });

    it('tags the writes after a savepoint that is rolled back with the tag in force then', async () => {
      const name = await tracked();
      let txid = 0;
      await t.db.transaction(async (tx) => {
        txid = await txidOf(tx);
        // The first tracked write of the transaction, inside a savepoint that is rolled back.
        await tx.query('savepoint s1');
        await tx.query("set local wayback.changeset = 'rolled-back'");
        await tx.query(`insert into ${name} values (1, 'gone')`);
        await tx.query('rollback to savepoint s1');
        await tx.query(`insert into ${name} values (2, 'kept')`);
        // A savepoint after the first write, with its own tag, rolled back: the outer tag holds again.
        await tx.query('savepoint s2');
        await tx.query("set local wayback.changeset = 'inner'");
        await tx.query(`insert into ${name} values (3, 'gone too')`);
        await tx.query('rollback to savepoint s2');
        await tx.query(`insert into ${name} values (4, 'kept too')`);
        // A savepoint released: its tag stays in force.
        await tx.query('savepoint s3');
        await tx.query("set local wayback.changeset = 'released'");
        await tx.query(`insert into ${name} values (5, 'released')`);
        await tx.query('release savepoint s3');
        await tx.query(`insert into ${name} values (6, 'after release')`);
      });
      await noDanglingStatements();
      assert.deepEqual(
        (await tagsOf(name)).map((e) => [e.pk, e.changeset, e.txid]),
        [
          [[2], `tx:${txid}`, txid],
          [[4], `tx:${txid}`, txid],
          [[5], 'released', txid],
          [[6], 'released', txid],
        ],
      );
      const { rows } = await t.db.query<{ changeset: string }>('select changeset from wayback.statement where txid = $1 order by id', [txid]);
      assert.deepEqual(rows.map((r) => r.changeset), [`tx:${txid}`, `tx:${txid}`, 'released', 'released']);
    });

    it('inChangeset tags every write of its transaction, with kind and actor', async () => {
      const name = await tracked();
      const id = await inChangeset(t.db, { feature: 'pricing', kind: 'job', actor: 'cron:reprice' }, async (tx, changeset) => {
        await tx.query(`insert into ${name} values (1, 'a')`);
        await tx.query(`update ${name} set v = 'b'`);
        return changeset.id;
      });
      assert.match(id, /^job:pricing:\d{8}T\d{6}Z-[0-9a-f]{6}$/);
      assert.deepEqual((await tagsOf(name)).map((e) => [e.op, e.changeset, e.feature]), [['I', id, 'pricing'], ['U', id, 'pricing']]);
      const { rows } = await t.db.query('select distinct kind, actor, feature from wayback.statement where changeset = $1', [id]);
      assert.deepEqual(rows, [{ kind: 'job', actor: 'cron:reprice', feature: 'pricing' }]);
      await assert.rejects(
        inChangeset(t.db, { id: 'fails', feature: 'pricing' }, async (tx) => {
          await tx.query(`insert into ${name} values (2, 'x')`);
          throw new Error('the job failed');
        }),
        /the job failed/,
      );
      const { rows: none } = await t.db.query<{ n: string }>(
        "select (select count(*) from wayback.statement where changeset = 'fails') + (select count(*) from wayback.journal_entry where changeset = 'fails') as n",
      );
      assert.equal(none[0]?.n, '0', 'a rolled-back change set leaves neither statements nor entries');
    });
  });
}
