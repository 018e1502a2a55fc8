import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import {
  expectFits,
  expectJsonError,
  expectNoColour,
  expectOneLineError,
  expectSuccess,
  oneJson,
  runCli,
  type CliResult,
} from '../support/cli.js';
import { buildHistory, mappingId, type History, type WrittenChangeset } from './history.js';

interface ListedChangeset {
  id: string;
  feature: string | null;
  app: string | null;
  role: string;
  txids: number[];
  firstAt: string;
  lastAt: string;
  tables: Record<string, { inserted: number; updated: number; deleted: number }>;
}

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const slack = 1_000;

for (const backend of backends) {
  describe(`wayback changesets on ${backend.name}`, () => {
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

    const changesets = (...args: string[]): Promise<CliResult> => runCli(['changesets', '--db', t.url, ...args]);

    /** The ids `changesets --json <args>` lists, in order. */
    async function listed(...args: string[]): Promise<string[]> {
      const result = await changesets('--json', ...args);
      expectSuccess(result);
      return oneJson<{ changesets: ListedChangeset[] }>(result.stdout).changesets.map((c) => c.id);
    }

    it('--json lists every change set, newest first, in the shape DESIGN.md promises', async () => {
      const result = await changesets('--json');
      expectSuccess(result);
      const document = oneJson<{ changesets: ListedChangeset[] }>(result.stdout);
      assert.ok(Array.isArray(document.changesets));
      const expected = [h.recent, h.nightly, h.mapping];
      assert.deepEqual(
        document.changesets.map(({ id, feature, app, role, txids, tables }) => ({ id, feature, app, role, txids, tables })),
        expected.map(({ id, feature, app, role, txids, tables }) => ({ id, feature, app, role, txids, tables })),
      );
      document.changesets.forEach((listedOne, i) => expectTimes(listedOne, expected[i]));
      assert.deepEqual(document.changesets.map((c) => [c.feature, c.app === 'nightly-mapper']), [[null, false], [null, true], ['mapping', false]]);
    });

    it('--feature and --app keep only the change sets of that feature or application', async () => {
      assert.deepEqual(await listed('--feature', 'mapping'), [h.mapping.id]);
      assert.deepEqual(await listed('--app', 'nightly-mapper'), [h.nightly.id]);
      assert.deepEqual(await listed('--feature', 'no-such-feature'), []);
      assert.deepEqual(await listed('--app', 'nightly-mapper', '--table', 'orders'), []);
    });

    it('--table keeps the change sets that wrote that table', async () => {
      assert.deepEqual(await listed('--table', 'orders'), [h.mapping.id]);
      assert.deepEqual(await listed('--table', 'public.customer'), [h.recent.id, h.nightly.id, h.mapping.id]);
    });

    it('--column lists updates of that column and every insert or delete, never updates of other columns', async () => {
      // nightly updated only last_name; recent inserted whole rows; mapping updated first_name.
      assert.deepEqual(await listed('--table', 'customer', '--column', 'first_name'), [h.recent.id, h.mapping.id]);
      assert.deepEqual(await listed('--table', 'customer', '--column', 'last_name'), [h.recent.id, h.nightly.id]);
      // mapping inserted and deleted orders: that wrote their status too.
      assert.deepEqual(await listed('--table', 'orders', '--column', 'status'), [h.mapping.id]);
    });

    it('--since and --until take relative ages', async () => {
      assert.deepEqual(await listed('--since', '2h'), [h.recent.id]);
      assert.deepEqual(await listed('--since', '3d'), [h.recent.id, h.nightly.id]);
      assert.deepEqual(await listed('--since', '5d'), [h.recent.id, h.nightly.id, h.mapping.id]);
      assert.deepEqual(await listed('--until', '2h'), [h.nightly.id, h.mapping.id]);
      assert.deepEqual(await listed('--until', '3d'), [h.mapping.id]);
    });

    it('--since and --until take ISO 8601 timestamps', async () => {
      const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
      assert.deepEqual(await listed('--since', ago(5), '--until', ago(1)), [h.nightly.id]);
      assert.deepEqual(await listed('--until', ago(24)), [h.mapping.id]);
      assert.deepEqual(await listed('--since', ago(24)), [h.recent.id, h.nightly.id]);
    });

    it('--limit keeps the newest n and says how many more there are', async () => {
      assert.deepEqual(await listed('--limit', '2'), [h.recent.id, h.nightly.id]);
      const result = await changesets('--limit', '1');
      expectSuccess(result);
      assert.match(result.stdout, /… 2 more; narrow the filters or raise --limit/);
    });

    it('a --since that is not a time is one line, exit 2 (usage)', async () => {
      const message = expectOneLineError(await changesets('--since', 'yesterday'), 2, /--since: "yesterday" is not a time/);
      assert.match(message, /ISO 8601/);
      expectJsonError(await changesets('--since', 'yesterday', '--json'), 2, 'bad-time', /yesterday/);
      expectOneLineError(await changesets('--until', '2 weeks ago'), 2, /--until: "2 weeks ago" is not a time/);
    });

    it('a --table that is not tracked is one line, exit 1', async () => {
      expectOneLineError(await changesets('--table', 'note'), 1, /"note" is not tracked.*wayback status/);
      expectOneLineError(await changesets('--table', 'no_such_table'), 1, /"no_such_table" is not tracked/);
      expectJsonError(await changesets('--table', 'note', '--json'), 1, 'table-not-tracked', /note/);
    });

    it('a --limit that is not a positive number is a usage error, exit 2', async () => {
      expectOneLineError(await changesets('--limit', '0'), 2, /--limit must be a positive whole number/);
      expectOneLineError(await changesets('--limit', 'ten'), 2, /--limit must be a positive whole number, not "ten"/);
    });

    it('human output: one row per change set, in 80 columns, without colour, ending with the next command', async () => {
      const result = await changesets();
      expectSuccess(result);
      expectFits(result.stdout);
      expectNoColour(result.stdout);
      const lines = result.stdout.split('\n');
      const ids = lines.filter((line) => /^(tx:|job:)/.test(line));
      assert.equal(ids.length, 3);
      assert.ok(ids.includes(mappingId), 'each id stands whole on its own line');
      const mapping = lines[lines.indexOf(mappingId) + 1] ?? '';
      assert.match(mapping, /^ {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC · (app \S+ · )?feature mapping · .*orders \+1 -1/);
      assert.ok(lines.includes(`details: wayback show ${h.recent.id}`));
      const colourless = await runCli(['changesets', '--db', t.url], { env: { NO_COLOR: '1' } });
      expectSuccess(colourless);
      expectNoColour(colourless.stdout);
      assert.equal(colourless.stdout, result.stdout);
    });

    it('says so when nothing matches', async () => {
      const result = await changesets('--feature', 'nothing-here');
      expectSuccess(result);
      assert.equal(result.stdout, 'no change set matches\n');
    });
  });
}

function expectTimes(listed: ListedChangeset, written: WrittenChangeset | undefined): void {
  assert.ok(written !== undefined);
  assert.match(listed.firstAt, iso);
  assert.match(listed.lastAt, iso);
  const first = Date.parse(listed.firstAt);
  const last = Date.parse(listed.lastAt);
  assert.ok(first <= last, `${listed.id}: firstAt ${listed.firstAt} is after lastAt ${listed.lastAt}`);
  assert.ok(first >= written.from.getTime() - slack, `${listed.id}: firstAt ${listed.firstAt} before it ran (${written.from.toISOString()})`);
  assert.ok(last <= written.to.getTime() + slack, `${listed.id}: lastAt ${listed.lastAt} after it ran (${written.to.toISOString()})`);
}
