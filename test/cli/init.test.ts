import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import {
  allSteps,
  expectJsonError,
  expectOneLineError,
  expectSuccess,
  inspect,
  linesOf,
  oneJson,
  runCli,
  schemaVersion,
  stepRows,
} from '../support/cli.js';

for (const backend of backends) {
  describe(`wayback init on ${backend.name}`, () => {
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

    const hasSchema = () =>
      inspect(t, async (db) => (await db.query<{ n: number }>("select count(*)::int as n from pg_namespace where nspname = 'wayback'")).rows[0]?.n === 1);

    it('every other command, before init, says to run "wayback init" and changes nothing', async () => {
      const commands = [['status'], ['track', 'customer'], ['track', '--all'], ['untrack', 'customer'], ['changesets'], ['show', 'tx:1']];
      for (const args of commands) {
        expectOneLineError(await runCli([...args, '--db', t.url]), 1, /no wayback schema yet; run "wayback init" first/);
      }
      expectJsonError(await runCli(['status', '--db', t.url, '--json']), 1, 'schema-missing', /wayback init/);
      assert.equal(await hasSchema(), false, 'no command created the schema on its own');
      const triggers = await inspect(t, async (db) => (await db.query("select tgname from pg_trigger where tgname like 'wayback%'")).rows);
      assert.deepEqual(triggers, []);
    });

    it('init --json installs the schema and says which steps it applied', async () => {
      const result = await runCli(['init', '--db', t.url, '--json']);
      expectSuccess(result);
      assert.deepEqual(oneJson(result.stdout), { url: t.url, applied: allSteps, version: schemaVersion });
      assert.equal(await hasSchema(), true);
      const steps = await inspect(t, async (db) => (await db.query('select id, name from wayback.schema_step order by id')).rows);
      assert.deepEqual(steps, stepRows);
    });

    it('a second init says the schema is already up to date, in words and in JSON', async () => {
      const again = await runCli(['init', '--db', t.url]);
      expectSuccess(again);
      assert.deepEqual(linesOf(again.stdout), [`wayback schema already up to date (step ${schemaVersion}) in ${t.url}`]);
      const json = await runCli(['init', '--db', t.url, '--json']);
      expectSuccess(json);
      assert.deepEqual(oneJson(json.stdout), { url: t.url, applied: [], version: schemaVersion });
    });

    it('after init, the other commands work', async () => {
      expectSuccess(await runCli(['track', 'customer', '--db', t.url]));
      const result = await runCli(['status', '--db', t.url, '--json']);
      expectSuccess(result);
      assert.deepEqual(
        oneJson<{ tables: { table: string }[] }>(result.stdout).tables.map((table) => table.table),
        ['public.customer'],
      );
    });
  });

  describe(`wayback init in words on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh({ bare: true, onDisk: true });
      await t.db.close();
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    it('says what it installed and what to do next', async () => {
      const result = await runCli(['init', '--db', t.url]);
      expectSuccess(result);
      assert.deepEqual(linesOf(result.stdout), [
        `wayback schema installed (now at step ${schemaVersion}) in`,
        `  ${t.url}`,
        `  steps applied: ${allSteps[0]} to ${allSteps.at(-1)} (${allSteps.length} steps)`,
        'next: wayback track <table…>   (or: wayback track --all)',
      ]);
    });
  });
}
