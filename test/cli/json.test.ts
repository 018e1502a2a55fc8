import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { expectJsonError, expectSuccess, oneJson, runCli } from '../support/cli.js';

// The contract: with --json, every command prints exactly one JSON document on stdout, whatever happens.
for (const backend of backends) {
  describe(`--json prints exactly one document on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh({ bare: true, onDisk: true });
      await t.db.query('create table customer (id int primary key, name text)');
      await t.db.close();
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    const json = async (...args: string[]) => {
      const result = await runCli([...args, '--db', t.url, '--json']);
      expectSuccess(result);
      return oneJson(result.stdout);
    };

    it('for every command that succeeds, in the order a user runs them', async () => {
      assert.deepEqual(Object.keys(await json('init')).sort(), ['applied', 'url', 'version']);
      assert.deepEqual(Object.keys(await json('track', 'customer')).sort(), ['skipped', 'tracked']);
      assert.deepEqual(Object.keys(await json('track', '--all')).sort(), ['skipped', 'tracked']);
      assert.deepEqual(Object.keys(await json('status')).sort(), ['schemaVersion', 'tables', 'url']);
      const { rows } = await t.reopen().then(async (db) => {
        try {
          return await db.transaction(async (tx) => {
            await tx.query("insert into customer values (1, 'Ada')");
            return tx.query<{ txid: string }>('select txid_current()::text as txid');
          });
        } finally {
          await db.close();
        }
      });
      const list = await json('changesets');
      assert.deepEqual(
        (list['changesets'] as { id: string }[]).map((c) => c.id),
        [`tx:${rows[0]?.txid}`],
      );
      const shown = await json('show', `tx:${rows[0]?.txid}`);
      assert.equal(shown['id'], `tx:${rows[0]?.txid}`);
      assert.deepEqual(await json('untrack', 'customer'), { untracked: ['public.customer'] });
      assert.deepEqual(await json('changesets', '--feature', 'none'), { changesets: [], total: 0 });
    });

    it('for every command that fails, one {"error": {code, message}}', async () => {
      const cases: [string[], 1 | 2, string][] = [
        [['track', 'no_such_table'], 1, 'table-not-found'],
        [['untrack', 'customer'], 1, 'capture-refused'],
        [['show', 'tx:0'], 1, 'changeset-not-found'],
        [['changesets', '--since', 'soon'], 2, 'bad-time'],
        [['changesets', '--limit', '-1'], 2, 'usage'],
        [['track'], 2, 'usage'],
        [['status', '--bogus'], 2, 'usage'],
      ];
      for (const [args, exit, code] of cases) {
        expectJsonError(await runCli([...args, '--db', t.url, '--json']), exit, code, /\S/);
      }
      for (const command of ['init', 'status', 'changesets']) {
        expectJsonError(await runCli([command, '--db', 'mysql://x', '--json']), 1, 'bad-db-url', /not a database URL/);
      }
    });
  });
}
