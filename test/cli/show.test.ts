import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { expectJsonError, expectNoColour, expectOneLineError, expectSuccess, oneJson, runCli, type CliResult } from '../support/cli.js';
import { buildHistory, type History } from './history.js';

interface Sample {
  op: 'I' | 'U' | 'D';
  pk: unknown[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

interface Detail {
  id: string;
  feature: string | null;
  app: string | null;
  role: string;
  txids: number[];
  firstAt: string;
  lastAt: string;
  tables: Record<string, { inserted: number; updated: number; deleted: number }>;
  detail: Record<string, { inserted: number; updated: number; deleted: number; columns: string[]; samples: Sample[] }>;
}

for (const backend of backends) {
  describe(`wayback show on ${backend.name}`, () => {
    let t: TestDatabase;
    let h: History;
    before(async () => {
      t = await backend.fresh({ onDisk: true });
      h = await buildHistory(t);
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    const show = (...args: string[]): Promise<CliResult> => runCli(['show', '--db', t.url, ...args]);

    it('--json gives, per table, the rows per op, the columns touched and samples in write order', async () => {
      const result = await show(h.mapping.id, '--json');
      expectSuccess(result);
      const c = oneJson<Detail>(result.stdout);
      assert.equal(c.id, h.mapping.id);
      assert.equal(c.feature, 'mapping');
      assert.equal(c.app, h.mapping.app);
      assert.equal(c.role, h.mapping.role);
      assert.deepEqual(c.txids, h.mapping.txids);
      assert.deepEqual(c.tables, h.mapping.tables);
      assert.ok(Date.parse(c.firstAt) <= Date.parse(c.lastAt));
      assert.deepEqual(c.detail, {
        'public.customer': {
          inserted: 0,
          updated: 2,
          deleted: 0,
          // An UPDATE journals only what it changed: last_name was never touched.
          columns: ['first_name'],
          samples: [
            { op: 'U', pk: [1], before: { first_name: 'Ada' }, after: { first_name: 'ADA' } },
            { op: 'U', pk: [2], before: { first_name: 'Alan' }, after: { first_name: 'ALAN' } },
          ],
        },
        'public.orders': {
          inserted: 1,
          updated: 0,
          deleted: 1,
          columns: ['customer_id', 'id', 'status'],
          samples: [
            { op: 'I', pk: [10], before: null, after: { id: 10, customer_id: 1, status: 'new' } },
            { op: 'D', pk: [2], before: { id: 2, customer_id: 2, status: 'new' }, after: null },
          ],
        },
      });
    });

    it('shows an untagged change set by its tx: id, with the application that wrote it', async () => {
      const result = await show(h.nightly.id, '--json');
      expectSuccess(result);
      const c = oneJson<Detail>(result.stdout);
      assert.equal(c.app, 'nightly-mapper');
      assert.equal(c.feature, null);
      assert.deepEqual(c.detail['public.customer']?.columns, ['last_name']);
      assert.deepEqual(c.detail['public.customer']?.samples, [
        { op: 'U', pk: [3], before: { last_name: 'Hopper' }, after: { last_name: 'Hopper!' } },
      ]);
    });

    it('--samples limits the samples per table, and 0 shows none', async () => {
      const one = oneJson<Detail>((await show(h.mapping.id, '--json', '--samples', '1')).stdout);
      assert.deepEqual(
        Object.values(one.detail).map((table) => table.samples.map((s) => s.pk)),
        [[[1]], [[10]]],
      );
      const none = oneJson<Detail>((await show(h.mapping.id, '--json', '--samples', '0')).stdout);
      assert.deepEqual(
        Object.values(none.detail).map((table) => table.samples),
        [[], []],
      );
      assert.equal(none.detail['public.orders']?.deleted, 1, 'counts do not depend on --samples');
      const human = await show(h.mapping.id, '--samples', '0');
      expectSuccess(human);
      assert.ok(human.stdout.includes('public.orders: 1 inserted, 0 updated, 1 deleted'), human.stdout);
      assert.doesNotMatch(human.stdout, /^ {2}[IUD] \[/m);
      expectOneLineError(await show(h.mapping.id, '--samples', 'many'), 2, /--samples must be a whole number, not "many"/);
    });

    it('human output names the change set, its tables and the command that undoes it, without colour', async () => {
      const result = await show(h.mapping.id);
      expectSuccess(result);
      expectNoColour(result.stdout);
      const lines = result.stdout.split('\n');
      assert.equal(lines[0], `change set ${h.mapping.id}`);
      assert.ok(lines.includes('public.customer: 0 inserted, 2 updated, 0 deleted'), result.stdout);
      assert.ok(lines.includes('public.orders: 1 inserted, 0 updated, 1 deleted'), result.stdout);
      assert.ok(lines.includes('  U [1] first_name: "Ada" → "ADA"'), result.stdout);
      assert.ok(lines.includes(`undo it: wayback revert --changeset ${h.mapping.id} --dry-run`), result.stdout);
    });

    it('an unknown change set is one line, exit 1, pointing at "wayback changesets"', async () => {
      expectOneLineError(await show('tx:999999999'), 1, /no change set "tx:999999999".*"wayback changesets" lists them/);
      expectJsonError(await show('nope', '--json'), 1, 'changeset-not-found', /wayback changesets/);
    });

    it('without a change set id it is a usage error, exit 2', async () => {
      const result = await show();
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /missing required argument 'changeset'/);
    });
  });
}
