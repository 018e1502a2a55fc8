// PL/pgSQL plans a capture function's queries once per session, sized by the transition tables of the
// first call. The pairing of an UPDATE's old and new rows must stay linear whatever that first call
// was: a nested loop planned for one row, then reused for thousands, is quadratic. auto_explain shows
// the plan the capture actually ran (its nested statements), on both backends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { auto_explain } from '@electric-sql/pglite/contrib/auto_explain';
import pg from 'pg';
import { backends, type TestDatabase } from '../support/backends.js';

/** A session whose executed plans, nested ones included, arrive as messages in `plans`. */
interface ExplainedSession {
  readonly plans: string[];
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const explainEverything = `load 'auto_explain';
  set auto_explain.log_min_duration = 0;
  set auto_explain.log_nested_statements = on;
  set client_min_messages = log`;

async function explainedSession(t: TestDatabase, backend: string): Promise<ExplainedSession> {
  const plans: string[] = [];
  if (backend === 'pglite') {
    await t.db.close();
    const lite = new PGlite(t.url.slice('pglite:'.length), { extensions: { auto_explain } });
    const onNotice = (notice: { message?: string }) => void plans.push(notice.message ?? '');
    await lite.exec(explainEverything);
    return {
      plans,
      query: async (sql) => (await lite.query<Record<string, unknown>>(sql, [], { onNotice })).rows,
      close: () => lite.close(),
    };
  }
  const client = new pg.Client(t.url);
  await client.connect();
  client.on('notice', (notice) => plans.push(notice.message ?? ''));
  await client.query(explainEverything);
  return { plans, query: async (sql) => (await client.query(sql)).rows, close: () => client.end() };
}

for (const backend of backends) {
  describe(`capture's plan on ${backend.name}`, () => {
    let t: TestDatabase;
    let session: ExplainedSession;
    before(async () => {
      t = await backend.fresh({ onDisk: true });
      await t.db.query(`create table item (id int primary key, qty int not null);
        insert into item select g, 0 from generate_series(1, 2000) g;
        analyze item;
        select wayback.track('item')`);
      session = await explainedSession(t, backend.name);
    });
    after(async () => {
      await session.close();
      await t.drop();
    });

    it('pairs a 2,000-row UPDATE by hash join, after UPDATEs of 1 and 2 rows planned the capture in the session', async () => {
      // JIT for any plan at all, as a big statement would get it: the capture must still plan without
      // it, or every call after would compile.
      await session.query('set jit_above_cost = 0');
      await session.query('update item set qty = qty + 1 where id = 1');
      await session.query('update item set qty = qty + 1 where id in (2, 3)');
      session.plans.length = 0;
      await session.query('update item set qty = qty + 1');
      const capture = session.plans.filter((plan) => /insert into wayback\.journal_\d+/.test(plan));
      assert.equal(capture.length, 1, `one plan of the capture's journal insert, got:\n${session.plans.join('\n---\n')}`);
      assert.match(capture[0] ?? '', /Hash Join/);
      assert.doesNotMatch(capture[0] ?? '', /Nested Loop/);
      assert.doesNotMatch(capture[0] ?? '', /JIT/);
      // (so that the line above can fail: JIT is there to be used, where the build has it)
      const [jit] = await session.query('select pg_jit_available() as available');
      if (jit?.['available'] === true) {
        session.plans.length = 0;
        await session.query('select count(*) from item');
        assert.match(session.plans.join('\n'), /JIT/);
      }
    });

    it('leaves jit, enable_nestloop and enable_mergejoin, which it plans a large statement under, as they were', async () => {
      await session.query('begin');
      await session.query('set local jit = on');
      await session.query('set local enable_nestloop = on');
      await session.query('set local enable_mergejoin = on');
      await session.query('update item set qty = qty + 1');
      const settings = await session.query(
        `select current_setting('jit') as jit, current_setting('enable_nestloop') as nestloop, current_setting('enable_mergejoin') as mergejoin`,
      );
      await session.query('commit');
      assert.deepEqual(settings, [{ jit: 'on', nestloop: 'on', mergejoin: 'on' }]);
    });
  });
}
