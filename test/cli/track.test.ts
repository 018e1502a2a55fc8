import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import {
  captureState,
  expectFits,
  expectNoColour,
  expectOneLineError,
  expectSuccess,
  inspect,
  linesOf,
  oneJson,
  runCli,
  schemaVersion,
  type CliResult,
} from '../support/cli.js';

interface TrackedJson {
  table: string;
  key: string[];
  keySource: string;
  trackedAt: string;
}

interface StatusJson {
  url: string;
  schemaVersion: number;
  tables: {
    table: string;
    key: string[];
    keySource: string;
    trackedAt: string;
    members: number;
    membersWithoutCapture: number;
    capturing: boolean;
  }[];
}

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

for (const backend of backends) {
  describe(`wayback track, untrack and status on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh({ onDisk: true });
      await t.db.query('create table customer (id int primary key, name text)');
      await t.db.query('create table contact (email text not null, phone text)');
      await t.db.query('create unique index on contact (email)');
      await t.db.query('create schema crm');
      await t.db.query('create table crm.account (id int primary key, name text)');
      await t.db.query('create table crm.deal (account_id int, n int, amount numeric, primary key (account_id, n))');
      await t.db.query('create table crm.scratch (x int)');
      await t.db.close();
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--db', t.url]);

    it('status --json on a database with nothing tracked', async () => {
      const result = await cli('status', '--json');
      expectSuccess(result);
      assert.deepEqual(oneJson(result.stdout), { url: t.url, schemaVersion, tables: [] });
      const human = await cli('status');
      expectSuccess(human);
      assert.deepEqual(linesOf(human.stdout), [t.url, `wayback schema step ${schemaVersion}, 0 tracked table(s)`, 'nothing tracked yet: wayback track <table…>']);
    });

    it('track --json tracks a table by its primary key and installs its capture', async () => {
      const result = await cli('track', 'customer', '--json');
      expectSuccess(result);
      const document = oneJson<{ tracked: TrackedJson[]; skipped: unknown[] }>(result.stdout);
      assert.deepEqual(Object.keys(document).sort(), ['skipped', 'tracked']);
      assert.deepEqual(document.skipped, []);
      assert.equal(document.tracked.length, 1);
      const [tracked] = document.tracked;
      assert.deepEqual({ ...tracked, trackedAt: undefined }, { table: 'public.customer', key: ['id'], keySource: 'primary-key', trackedAt: undefined });
      assert.match(tracked?.trackedAt ?? '', iso);
      const state = await inspect(t, captureState);
      assert.deepEqual(state.tracked, [{ table: 'public.customer', key: ['id'], active: true }]);
      for (const op of ['insert', 'update', 'delete']) {
        assert.ok(state.triggers.includes(`customer wayback_capture_${op}`), `capture of ${op}: ${state.triggers.join(', ')}`);
      }
    });

    it('track in human words, with --key for a table without a primary key', async () => {
      const again = await cli('track', 'customer');
      expectSuccess(again);
      assert.deepEqual(linesOf(again.stdout), [
        'tracking public.customer (key: id)',
        'every INSERT, UPDATE and DELETE on them is now journaled',
        'see them with: wayback changesets',
      ]);
      const keyed = await cli('track', 'contact', '--key', 'email');
      expectSuccess(keyed);
      assert.equal(linesOf(keyed.stdout)[0], 'tracking public.contact (key: email, explicit)');
    });

    it('status lists the tracked tables, as JSON and in 80 columns without colour', async () => {
      const result = await cli('status', '--json');
      expectSuccess(result);
      const document = oneJson<StatusJson>(result.stdout);
      assert.equal(document.url, t.url);
      assert.equal(document.schemaVersion, schemaVersion);
      assert.deepEqual(
        document.tables.map((table) => ({ ...table, trackedAt: undefined })),
        [
          { table: 'public.contact', key: ['email'], keySource: 'explicit', trackedAt: undefined, members: 1, membersWithoutCapture: 0, capturing: true },
          { table: 'public.customer', key: ['id'], keySource: 'primary-key', trackedAt: undefined, members: 1, membersWithoutCapture: 0, capturing: true },
        ],
      );
      for (const table of document.tables) assert.match(table.trackedAt, iso);

      const human = await cli('status');
      expectSuccess(human);
      expectFits(human.stdout);
      expectNoColour(human.stdout);
      const lines = linesOf(human.stdout);
      assert.deepEqual(lines.slice(0, 2), [t.url, `wayback schema step ${schemaVersion}, 2 tracked table(s)`]);
      assert.match(lines[2] ?? '', /^TABLE\s+KEY\s+PARTS\s+CAPTURE\s+SINCE$/);
      assert.match(lines[3] ?? '', /^public\.contact\s+email\s+1\s+ok\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      assert.match(lines[4] ?? '', /^public\.customer\s+id\s+1\s+ok\s/);
      const noColour = await runCli(['status', '--db', t.url], { env: { NO_COLOR: '1' } });
      expectSuccess(noColour);
      assert.equal(noColour.stdout, human.stdout);
    });

    it('status shows a tracked table whose capture triggers were dropped, and how to repair it', async () => {
      await inspect(t, (db) => db.query('drop trigger wayback_capture_update on customer'));
      const human = await cli('status');
      expectSuccess(human);
      expectFits(human.stdout);
      assert.match(human.stdout, /^public\.customer\s+id\s+1\s+missing on 1\s/m);
      assert.match(human.stdout, /^repair capture with: wayback track public\.customer$/m);
      const json = oneJson<StatusJson>((await cli('status', '--json')).stdout);
      assert.deepEqual(
        json.tables.map((table) => [table.table, table.capturing, table.membersWithoutCapture]),
        [['public.contact', true, 0], ['public.customer', false, 1]],
      );
      expectSuccess(await cli('track', 'customer'));
      const repaired = oneJson<StatusJson>((await cli('status', '--json')).stdout);
      assert.ok(repaired.tables.every((table) => table.capturing));
    });

    it('untrack --json stops capture and keeps the table in the journal', async () => {
      const result = await cli('untrack', 'contact', '--json');
      expectSuccess(result);
      assert.deepEqual(oneJson(result.stdout), { untracked: ['public.contact'] });
      const human = await cli('untrack', 'public.customer');
      expectSuccess(human);
      assert.deepEqual(linesOf(human.stdout), ['stopped tracking public.customer; its journal is kept']);
      const state = await inspect(t, captureState);
      assert.deepEqual(state.triggers, []);
      assert.deepEqual(state.functions, []);
      assert.deepEqual(state.tracked, [
        { table: 'public.customer', key: ['id'], active: false },
        { table: 'public.contact', key: ['email'], active: false },
      ]);
      assert.deepEqual(oneJson<StatusJson>((await cli('status', '--json')).stdout).tables, []);
    });

    it('untrack of a table that is not tracked is one line, exit 1', async () => {
      const result = await cli('untrack', 'customer');
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^error: public\.customer is not tracked; "wayback status" lists the tracked tables\n$/);
    });

    it('track --all --schema tracks the keyed tables of that schema and reports the others on stderr', async () => {
      const result = await cli('track', '--all', '--schema', 'crm', '--json');
      assert.equal(result.code, 0, result.stderr);
      const document = oneJson<{ tracked: TrackedJson[]; skipped: { table: string; reason: string }[] }>(result.stdout);
      assert.deepEqual(
        document.tracked.map((table) => [table.table, table.key, table.keySource]),
        [
          ['crm.account', ['id'], 'primary-key'],
          ['crm.deal', ['account_id', 'n'], 'primary-key'],
        ],
      );
      assert.deepEqual(document.skipped, [{ table: 'crm.scratch', reason: 'no primary key (track it alone with --key col,…)' }]);
      assert.deepEqual(linesOf(result.stderr), ['warning: skipped crm.scratch: no primary key (track it alone with --key col,…)']);

      const human = await cli('track', '--all', '--schema', 'crm');
      assert.equal(human.code, 0, human.stderr);
      assert.deepEqual(linesOf(human.stdout).slice(0, 2), ['tracking crm.account (key: id)', 'tracking crm.deal (key: account_id, n)']);
      assert.deepEqual(linesOf(human.stderr), ['warning: skipped crm.scratch: no primary key (track it alone with --key col,…)']);
      const state = await inspect(t, captureState);
      assert.ok(!state.triggers.some((name) => name.startsWith('customer ') || name.startsWith('contact ')), 'public was left alone');
      assert.ok(!state.triggers.some((name) => name.startsWith('crm.scratch ')), 'the skipped table got no trigger');
    });

    it('refuses --all in a schema that does not exist, instead of tracking nothing quietly', async () => {
      const result = await cli('track', '--all', '--schema', 'crmm');
      expectOneLineError(result, 1, /no schema "crmm" here; check the --schema name/);
    });
  });
}
