import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { captureState, expectJsonError, expectOneLineError, inspect, runCli, type CaptureState, type CliResult } from '../support/cli.js';

for (const backend of backends) {
  describe(`wayback track refusals on ${backend.name}`, () => {
    let t: TestDatabase;
    let untouched: CaptureState;
    before(async () => {
      t = await backend.fresh({ onDisk: true });
      await t.db.query('create table customer (id int primary key, name text)');
      // No primary key. Unique on b (NOT NULL) and on c (allows NULL); a is NOT NULL but not unique.
      await t.db.query('create table loose (a int not null, b int not null, c int)');
      await t.db.query('create unique index on loose (b)');
      await t.db.query('create unique index on loose (c)');
      await t.db.close();
      untouched = await inspect(t, captureState);
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    const track = (...args: string[]): Promise<CliResult> => runCli(['track', ...args, '--db', t.url]);

    /** The refusal left the database exactly as it was: nothing tracked, no trigger, no capture function. */
    async function expectUnchanged(): Promise<void> {
      assert.deepEqual(untouched, { tracked: [], triggers: [], functions: [] });
      assert.deepEqual(await inspect(t, captureState), untouched);
    }

    it('a table that does not exist', async () => {
      expectOneLineError(await track('no_such_table'), 1, /no table "no_such_table" here; check the name/);
      expectJsonError(await track('no_such_table', '--json'), 1, 'table-not-found', /no_such_table/);
      await expectUnchanged();
    });

    it('all or none: one missing table among good ones tracks none of them', async () => {
      expectOneLineError(await track('customer', 'no_such_table'), 1, /"no_such_table"/);
      await expectUnchanged();
    });

    it('a table without a primary key, and the message says to use --key', async () => {
      const message = expectOneLineError(await track('loose'), 1, /public\.loose has no primary key/);
      assert.match(message, /--key/);
      await expectUnchanged();
    });

    it('--key naming a column that allows NULL', async () => {
      expectOneLineError(await track('loose', '--key', 'c'), 1, /--key column c of public\.loose allows NULL/);
      expectJsonError(await track('loose', '--key', 'c', '--json'), 1, 'capture-refused', /allows NULL/);
      await expectUnchanged();
    });

    it('--key naming a column that does not exist, or one without a unique index', async () => {
      expectOneLineError(await track('loose', '--key', 'zz'), 1, /public\.loose has no column zz/);
      expectOneLineError(await track('loose', '--key', 'a,b'), 1, /no unique index on \(a, b\) of public\.loose/);
      await expectUnchanged();
    });

    it('--key with more than one table is a usage error, exit 2', async () => {
      expectOneLineError(await track('loose', 'customer', '--key', 'b'), 2, /--key applies to one table at a time/);
      await expectUnchanged();
    });

    it('--all together with table names is a usage error, exit 2', async () => {
      expectOneLineError(await track('--all', 'customer'), 2, /give table names or --all, not both/);
      expectJsonError(await track('--all', 'customer', '--json'), 2, 'usage', /not both/);
      await expectUnchanged();
    });

    it('no arguments is a usage error, exit 2', async () => {
      expectOneLineError(await track(), 2, /name the tables to track, or pass --all/);
      await expectUnchanged();
    });

    it('an unknown option is a usage error, exit 2', async () => {
      expectOneLineError(await track('customer', '--primary', 'id'), 2, /unknown option '--primary'/);
      expectJsonError(await track('customer', '--primary', 'id', '--json'), 2, 'usage', /unknown option '--primary'/);
      await expectUnchanged();
    });

    it('a name that is not a name at all', async () => {
      expectOneLineError(await track('"unterminated'), 1, /no table ""unterminated" here/);
      await expectUnchanged();
    });

    it('after all the refusals, the same table tracks fine with a good key', async () => {
      const result = await track('loose', '--key', 'b', '--json');
      assert.equal(result.code, 0, result.stderr);
      const state = await inspect(t, captureState);
      assert.deepEqual(state.tracked, [{ table: 'public.loose', key: ['b'], active: true }]);
    });
  });
}
