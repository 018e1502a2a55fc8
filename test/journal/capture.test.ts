import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inChangeset, track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { journalOf } from '../support/journal.js';

for (const backend of backends) {
  describe(`capture on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
    });
    after(async () => {
      await t.drop();
    });

    it('journals inserts, updates of only the changed columns, and deletes, under the change set that wrote them', async () => {
      const { db } = t;
      await db.query('create table customer (id int primary key, first_name text, last_name text, score int)');
      await track(db, ['customer']);
      await db.query("insert into customer values (1, 'Ada', 'Lovelace', 10), (2, 'Alan', 'Turing', 20)");
      const id = await inChangeset(db, { feature: 'mapping', kind: 'job' }, async (tx, changeset) => {
        await tx.query("update customer set first_name = 'X' || first_name where id in (1, 2)");
        await tx.query('update customer set score = score where id = 1');
        await tx.query('delete from customer where id = 2');
        return changeset.id;
      });

      const entries = await journalOf(db, 'public.customer');
      assert.deepEqual(
        entries.map((e) => [e.op, e.pk, e.before, e.after]),
        [
          ['I', [1], null, { id: 1, first_name: 'Ada', last_name: 'Lovelace', score: 10 }],
          ['I', [2], null, { id: 2, first_name: 'Alan', last_name: 'Turing', score: 20 }],
          ['U', [1], { first_name: 'Ada' }, { first_name: 'XAda' }],
          ['U', [2], { first_name: 'Alan' }, { first_name: 'XAlan' }],
          ['D', [2], { id: 2, first_name: 'XAlan', last_name: 'Turing', score: 20 }, null],
        ],
      );
      const tagged = entries.filter((e) => e.changeset === id);
      assert.equal(tagged.length, 3);
      assert.ok(tagged.every((e) => e.feature === 'mapping'));
      assert.match(id, /^job:mapping:/);
      const untagged = entries.filter((e) => e.op === 'I');
      assert.equal(untagged[0]?.changeset, `tx:${untagged[0]?.txid}`);
    });
  });
}
