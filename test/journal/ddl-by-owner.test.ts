// DDL on a tracked table by its owner, a role with no rights on the wayback schema: capture must follow
// it (the event trigger works as wayback's owner), and the owner's ALTER TABLE must not fail.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { journalOf } from '../support/journal.js';

for (const backend of backends) {
  describe(`DDL by a table owner without rights on wayback, on ${backend.name}`, () => {
    let t: TestDatabase;
    const role = `wb_owner_${process.pid}_${Date.now().toString(36)}`;
    before(async () => {
      t = await backend.fresh();
      await t.db.query(`create role ${role}; grant usage, create on schema public to ${role}`);
      await t.db.query(`set role ${role}; create table ledger (id int primary key, amount int); reset role`);
      await track(t.db, ['ledger']);
    });
    after(async () => {
      await t.db.query(`drop table if exists ledger; drop owned by ${role}; drop role ${role}`);
      await t.drop();
    });

    it('lets the owner add and drop columns, and captures the new column from the next write on', async () => {
      await t.db.transaction(async (tx) => {
        await tx.query(`set local role ${role}`);
        await tx.query('alter table ledger add column note text');
        await tx.query("insert into ledger values (1, 10, 'first')");
        await tx.query('alter table ledger drop column amount');
        await tx.query("update ledger set note = 'second' where id = 1");
      });
      const entries = await journalOf(t.db, 'public.ledger');
      assert.deepEqual(
        entries.map((e) => [e.op, e.pk, e.before, e.after, e.role]),
        [
          ['I', [1], null, { id: 1, amount: 10, note: 'first' }, role],
          ['U', [1], { note: 'first' }, { note: 'second' }, role],
        ],
      );
    });
  });
}
