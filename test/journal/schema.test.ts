import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  installSchema,
  requireSchema,
  schemaSteps,
  SchemaStepError,
  SchemaTooNewError,
  track,
  uninstallSchema,
  type SchemaStep,
} from '../../src/journal/index.js';
import { openDb } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { dumpWaybackSchema, schemaDumpPath } from '../support/schema-dump.js';

const nextStep: SchemaStep = {
  id: schemaSteps.length + 1,
  name: 'test_next',
  up: 'create table wayback.test_next (id int primary key)',
  down: 'drop table wayback.test_next',
};

async function waybackObjects(t: TestDatabase): Promise<string[]> {
  const { rows } = await t.db.query<{ name: string }>(
    `select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'wayback'
     union all select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'wayback'
     union all select evtname::text from pg_event_trigger where evtname like 'wayback%'
     union all select tgname::text from pg_trigger where tgname like 'wayback%'
     order by 1`,
  );
  return rows.map((row) => row.name);
}

for (const backend of backends) {
  describe(`wayback schema on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh({ bare: true });
    });
    after(async () => {
      await t.drop();
    });

    it('installs every step once, and a second init is a no-op', async () => {
      const first = await installSchema(t.db);
      assert.deepEqual(first.applied, schemaSteps.map((s) => `${s.id}_${s.name}`));
      const objects = await waybackObjects(t);
      assert.ok(objects.includes('statement') && objects.includes('tracked_table') && objects.includes('track'));
      const second = await installSchema(t.db);
      assert.deepEqual(second.applied, []);
      assert.deepEqual(await waybackObjects(t), objects);
      assert.equal(await requireSchema(t.db), schemaSteps.length);
    });

    it('upgrades an older schema with only the newer steps, and refuses a schema newer than it knows', async () => {
      const upgraded = await installSchema(t.db, [...schemaSteps, nextStep]);
      assert.deepEqual(upgraded.applied, [`${nextStep.id}_${nextStep.name}`]);
      await assert.rejects(installSchema(t.db), SchemaTooNewError);
      await assert.rejects(requireSchema(t.db), /newer than this wayback knows/);
      await uninstallSchema(t.db, schemaSteps.length, [...schemaSteps, nextStep]);
      const { rows } = await t.db.query("select to_regclass('wayback.test_next') as t");
      assert.equal(rows[0]?.['t'], null);
      assert.equal(await requireSchema(t.db), schemaSteps.length);
    });

    it('keeps nothing of a step that fails', async () => {
      const broken: SchemaStep = { ...nextStep, up: 'create table wayback.half (id int); select 1/0' };
      await assert.rejects(installSchema(t.db, [...schemaSteps, broken]), (error: unknown) => {
        assert.ok(error instanceof SchemaStepError);
        assert.match(error.message, /step [0-9]+_test_next failed, nothing of it was kept: division by zero/);
        return true;
      });
      const { rows } = await t.db.query("select to_regclass('wayback.half') as t, (select max(id) from wayback.schema_step) as step");
      assert.deepEqual(rows[0], { t: null, step: schemaSteps.length });
    });

    it('uninstalls completely, leaving tracked tables without triggers, and installs again', async () => {
      await t.db.query('create table kept (id int primary key, v text)');
      await track(t.db, ['kept']);
      await uninstallSchema(t.db);
      assert.deepEqual(await waybackObjects(t), []);
      await t.db.query("insert into kept values (1, 'still writable')");
      await t.db.query('truncate kept');
      await installSchema(t.db);
      assert.equal(await requireSchema(t.db), schemaSteps.length);
    });

    if (backend.name === 'postgres') {
      it('lets two inits race: both succeed and each step is installed once', async () => {
        await uninstallSchema(t.db);
        const a = await openDb(t.url);
        const b = await openDb(t.url);
        try {
          const [ra, rb] = await Promise.all([installSchema(a), installSchema(b)]);
          assert.equal(ra.applied.length + rb.applied.length, schemaSteps.length);
          const { rows } = await t.db.query<{ n: string }>('select count(*) as n from wayback.schema_step');
          assert.equal(Number(rows[0]?.n), schemaSteps.length);
        } finally {
          await a.close();
          await b.close();
        }
      });

      it('installs exactly the committed schema dump (npm run schema:dump rewrites it)', async () => {
        await uninstallSchema(t.db);
        await installSchema(t.db);
        assert.equal(dumpWaybackSchema(t.url), readFileSync(schemaDumpPath, 'utf8'));
      });
    }
  });
}
