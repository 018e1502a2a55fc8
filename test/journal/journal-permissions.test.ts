// The journal is append-only for application roles: they write tracked tables (and so the journal,
// through the capture functions, which run as wayback's owner), but cannot change, remove or forge
// entries, stop capture, or get around it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDb, SqlState, type Db, type Queryable } from '../../src/db/index.js';
import { track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { serverDatabaseUrl } from '../support/env.js';
import { allCaptureTriggers, expectSqlError, journalOf, waybackTriggersOn } from '../support/journal.js';

/** What an application role might try against the journal; each must fail with 42501. */
const forbidden = [
  // account is the first table tracked in this database, so its journal is wayback.journal_1.
  "update wayback.journal_1 set b1 = 0",
  'delete from wayback.journal_1',
  "insert into wayback.journal_1 (stmt, pk) values (0, '[0]')",
  'select count(*) from wayback.journal_entry',
  "update wayback.statement set table_id = 0",
  'truncate wayback.journal_1',
  "update wayback.statement set changeset = 'forged'",
  "update wayback.bulk_statement set changeset = 'forged'",
  "update wayback.journal_1 set changeset = 'forged'",
  'select count(*) from wayback.statement',
  'select count(*) from wayback.journal_1',
  "select wayback.untrack('account'::regclass)",
  "select wayback.track('account'::regclass)",
  'alter table account disable trigger wayback_capture_update',
  'drop trigger wayback_capture_delete on account',
];

for (const backend of backends) {
  describe(`journal permissions on ${backend.name}`, () => {
    let t: TestDatabase;
    const role = `wb_app_${process.pid}_${Date.now().toString(36)}`;
    let appDb: Db | undefined;
    before(async () => {
      t = await backend.fresh();
      await t.db.query(`
        create table account (id int primary key, balance int);
        insert into account values (1, 100)`);
      await track(t.db, ['account']);
      await t.db.query(`create role ${role} login; grant usage on schema public to ${role}; grant all privileges on account to ${role}`);
    });
    after(async () => {
      await appDb?.close();
      if (backend.name === 'postgres') {
        await t.db.query(`reassign owned by ${role} to current_user; drop owned by ${role}`);
        await t.drop();
        const admin = await openDb(serverDatabaseUrl('postgres'));
        try {
          await admin.query(`drop role if exists ${role}`);
        } finally {
          await admin.close();
        }
      } else {
        await t.drop();
      }
    });

    /** The role's write is journaled under the role; then every forbidden statement fails and changes nothing. */
    async function expectAppendOnly(run: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>, balance: number): Promise<void> {
      const before = await journalOf(t.db, 'public.account');
      await run((tx) => tx.query('update account set balance = $1 where id = 1', [balance]));
      const written = await journalOf(t.db, 'public.account');
      assert.deepEqual(written.slice(0, -1), before);
      const last = written.at(-1);
      assert.deepEqual([last?.op, last?.pk, last?.after, last?.role], ['U', [1], { balance }, role]);

      for (const statement of forbidden) {
        await expectSqlError(() => run((tx) => tx.query(statement)), SqlState.insufficientPrivilege, /permission denied|must be owner/).catch(
          (error: Error) => assert.fail(`${statement}: ${error.message}`),
        );
      }
      assert.deepEqual(await journalOf(t.db, 'public.account'), written);
      assert.deepEqual(await waybackTriggersOn(t.db, 'account'), allCaptureTriggers);
      const { rows } = await t.db.query<{ n: string }>("select count(*) as n from wayback.statement where changeset = 'forged'");
      assert.equal(rows[0]?.n, '0');
    }

    it('keeps the journal append-only for a role taken with SET ROLE', async () => {
      await expectAppendOnly(
        (fn) =>
          t.db.transaction(async (tx) => {
            await tx.query(`set local role ${role}`);
            return fn(tx);
          }),
        150,
      );
    });

    // PGlite has one session and no logins: connecting as the role is a server matter.
    if (backend.name === 'postgres') {
      it('keeps the journal append-only for an application role connected as itself', async () => {
        const url = new URL(t.url);
        url.username = role;
        url.password = '';
        const db = await openDb(url.toString(), { applicationName: 'app-under-test' });
        appDb = db;
        const { rows } = await db.query<{ who: string }>('select session_user as who');
        assert.deepEqual(rows, [{ who: role }]);
        await expectAppendOnly((fn) => db.transaction(fn), 200);
        const [entry] = (await journalOf(t.db, 'public.account')).slice(-1);
        assert.equal(entry?.app, 'app-under-test');
      });
    }
  });
}
