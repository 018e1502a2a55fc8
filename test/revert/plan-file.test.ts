// Plans saved now and applied later: re-checked under row locks, refused when foreign or malformed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/index.js';
import { inChangeset, track } from '../../src/journal/index.js';
import {
  applyPlan,
  DatabaseMismatchError,
  PlanFileError,
  PlanFileUnreadableError,
  planRevert,
  readPlanFile,
  writePlanFile,
} from '../../src/revert/index.js';
import { backends, type TestDatabase } from '../support/backends.js';

async function rows(db: Db, table: string): Promise<string[]> {
  const { rows: found } = await db.query<{ r: string }>(`select t::text as r from ${table} t order by 1`);
  return found.map((row) => row.r);
}

for (const backend of backends) {
  describe(`saved plans on ${backend.name}`, () => {
    let t: TestDatabase;
    let dir: string;
    let n = 0;
    before(async () => {
      t = await backend.fresh();
      dir = mkdtempSync(join(tmpdir(), 'wayback-plans-'));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await t.drop();
    });

    async function scrambled(): Promise<{ table: string; s: string }> {
      const table = `price_${++n}`;
      await t.db.query(`create table ${table} (id int primary key, amount numeric(10,2), note text)`);
      await track(t.db, [table]);
      await t.db.query(`insert into ${table} values (1, 10.50, 'a'), (2, 20.00, 'b'), (3, 30.25, 'c')`);
      const s = await inChangeset(t.db, { kind: 'job' }, async (tx, c) => {
        await tx.query(`update ${table} set amount = amount * 100`);
        await tx.query(`delete from ${table} where id = 3`);
        return c.id;
      });
      return { table, s };
    }

    it('saves a plan that changes nothing, with deterministic step ids, and applies it later', async () => {
      const { table, s } = await scrambled();
      const before = await rows(t.db, table);
      const plan = await planRevert(t.db, { changesets: [s] });
      assert.deepEqual(await rows(t.db, table), before, 'planning changed nothing');
      assert.deepEqual(plan.counts, { cellsRestored: 2, rowsDeleted: 0, rowsReinserted: 1, conflicts: 0 });
      const again = await planRevert(t.db, { changesets: [s] });
      assert.deepEqual(again.steps.map((step) => step.id), plan.steps.map((step) => step.id));
      const path = join(dir, `${table}.json`);
      writePlanFile(path, plan);
      const result = await applyPlan(t.db, readPlanFile(path));
      assert.equal(result.applied, true);
      assert.deepEqual(result.conflicts, []);
      assert.deepEqual(await rows(t.db, table), ['(1,10.50,a)', '(2,20.00,b)', '(3,30.25,c)']);
      const twice = await applyPlan(t.db, readPlanFile(path));
      assert.equal(twice.applied, false, 'applying it twice changes nothing');
      assert.deepEqual(await rows(t.db, table), ['(1,10.50,a)', '(2,20.00,b)', '(3,30.25,c)']);
    });

    it('turns a value that moved after planning into a conflict instead of overwriting it', async () => {
      const { table, s } = await scrambled();
      const plan = await planRevert(t.db, { changesets: [s] });
      await t.db.query(`update ${table} set amount = 7 where id = 2`);
      await t.db.query(`insert into ${table} values (3, 1, 'taken since')`);
      const result = await applyPlan(t.db, plan);
      assert.deepEqual(
        result.conflicts.map((c) => [c.pk, c.kind]).sort(),
        [[{ id: '2' }, 'cell-changed-later'], [{ id: '3' }, 'pk-taken']],
      );
      assert.deepEqual(await rows(t.db, table), ['(1,10.50,a)', '(2,7.00,b)', '(3,1.00,"taken since")']);
    });

    it('refuses a plan made on another database, changing nothing', async () => {
      const { table, s } = await scrambled();
      const plan = await planRevert(t.db, { changesets: [s] });
      const foreign = { ...plan, database: { ...plan.database, name: 'elsewhere' } };
      const before = await rows(t.db, table);
      await assert.rejects(applyPlan(t.db, foreign), DatabaseMismatchError);
      assert.deepEqual(await rows(t.db, table), before);
    });

    it('refuses files that are not plans, each with what is wrong', () => {
      const cases: [string, RegExp][] = [
        ['not json', /not JSON/],
        ['{"kind":"other"}', /no "kind": "wayback-plan"/],
        ['{"kind":"wayback-plan","version":2}', /version 2, this wayback reads version 1/],
        [
          '{"kind":"wayback-plan","version":1,"database":{"system":"1","name":"x"},"mode":"skip-conflicts","steps":[{"action":"drop"}],"conflicts":[]}',
          /a malformed step/,
        ],
      ];
      for (const [text, message] of cases) {
        const path = join(dir, 'bad.json');
        writeFileSync(path, text);
        assert.throws(() => readPlanFile(path), (error: unknown) => error instanceof PlanFileError && message.test(error.message));
      }
      assert.throws(() => readPlanFile(join(dir, 'missing.json')), PlanFileUnreadableError);
    });
  });
}
