import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabaseCount, openDb, quoteIdent, type Db } from '../../src/db/index.js';
import { verifyMigrations, type MigrationVerdict, type VerifyDetail, type VerifyResult } from '../../src/migrate/index.js';
import { repoRoot, serverDatabaseUrl, serverUrl } from '../support/env.js';
import { migrationFolder } from './folder.js';

const fixtures = join(repoRoot, 'test', 'migrate', 'verify-fixtures');

/** verify makes its own scratch database: embedded PGlite in memory, or a temporary one on the server. */
const scratches: readonly { name: string; server: string | undefined }[] = [
  { name: 'pglite', server: undefined },
  ...(serverUrl === undefined ? [] : [{ name: 'postgres', server: serverDatabaseUrl('postgres') }]),
];

function verdict(result: VerifyResult, id: string): MigrationVerdict {
  const found = result.migrations.find((m) => m.id === id);
  assert.ok(found !== undefined, `verify reports ${id}`);
  return found;
}

function detailsOf<K extends VerifyDetail['kind']>(v: MigrationVerdict, kind: K): (VerifyDetail & { kind: K })[] {
  return v.details.filter((d): d is VerifyDetail & { kind: K } => d.kind === kind);
}

/** Each broken down of verify-fixtures/broken-downs, the status it must get, and the detail that names what is wrong. */
const brokenDowns: Record<string, { status: string; check: (v: MigrationVerdict) => void }> = {
  '0002_index_left_behind': { status: 'schema-diff', check: (v) => assertObject(v, 'index public.customer_name_idx', 'extra') },
  '0003_default_not_restored': {
    status: 'schema-diff',
    check: (v) => {
      const [diff] = detailsOf(v, 'schema-diff');
      assert.deepEqual(
        { object: diff?.object, attribute: diff?.attribute, expected: diff?.expected, actual: diff?.actual },
        { object: 'column public.customer.name', attribute: 'default', expected: null, actual: "'unknown'::text" },
      );
    },
  },
  '0004_function_body_differs': { status: 'schema-diff', check: (v) => assertAttribute(v, 'function public.greet(who text)', 'definition') },
  '0005_enum_value_kept': {
    status: 'schema-diff',
    check: (v) => {
      const [diff] = detailsOf(v, 'schema-diff');
      assert.deepEqual(diff?.expected, ['happy', 'sad']);
      assert.deepEqual(diff?.actual, ['happy', 'sad', 'meh']);
    },
  },
  '0006_grant_not_revoked': { status: 'schema-diff', check: (v) => assertAttribute(v, 'table public.customer', 'acl') },
  '0007_policy_left': { status: 'schema-diff', check: (v) => assertObject(v, 'policy public.customer everyone', 'extra') },
  '0008_comment_lost': { status: 'schema-diff', check: (v) => assertAttribute(v, 'table public.customer', 'comment') },
  '0009_trigger_function_left': { status: 'schema-diff', check: (v) => assertObject(v, 'function public.touch()', 'extra') },
  '0010_view_changed': { status: 'schema-diff', check: (v) => assertAttribute(v, 'view public.big_orders', 'definition') },
  '0011_column_not_dropped': {
    status: 'schema-diff',
    check: (v) => {
      assertObject(v, 'column public.customer.note', 'extra');
      // Left behind, the column also breaks the up run again; that is reported too.
      assert.match(detailsOf(v, 'up-again-failed')[0]?.error ?? '', /already exists/);
    },
  },
  '0012_data_transformed': {
    status: 'data-lost',
    check: (v) => {
      const [lost] = detailsOf(v, 'data-lost');
      assert.equal(lost?.table, 'public.customer');
      assert.ok((lost?.rows ?? 0) > 0 && lost?.rows === lost?.of, 'every seeded customer row came back changed');
    },
  },
  '0013_rows_deleted': {
    status: 'data-lost',
    check: (v) => assert.deepEqual(detailsOf(v, 'data-lost').map((d) => d.table), ['public.orders']),
  },
  '0014_down_fails': {
    status: 'down-failed',
    check: (v) => {
      const [failed] = detailsOf(v, 'down-failed');
      assert.deepEqual(
        { file: failed?.file, line: failed?.line, statement: failed?.statement },
        { file: '0014_down_fails.down.sql', line: 2, statement: 'alter table customer drop column agee' },
      );
      assert.match(failed?.error ?? '', /column "agee" of relation "customer" does not exist/);
    },
  },
  '0015_missing_down': { status: 'missing-down', check: (v) => assert.match(detailsOf(v, 'missing-down')[0]?.hint ?? '', /0015_missing_down\.down\.sql/) },
  '0016_irreversible': { status: 'irreversible', check: (v) => assert.equal(detailsOf(v, 'irreversible')[0]?.reason, 'the old order totals are rounded away for good') },
  '0017_lossy': { status: 'lossy', check: (v) => assert.equal(detailsOf(v, 'schema-diff').length, 0) },
  '0018_module_down_incomplete': { status: 'schema-diff', check: (v) => assertObject(v, 'sequence public.invoice_number', 'extra') },
  '0019_index_concurrently': { status: 'ok', check: (v) => assert.equal(detailsOf(v, 'outside-transaction').length, 1) },
  // The up drops a column / a table that holds seeded rows; the down recreates only the structure, and
  // the rows the runner kept come back: the row hashes match.
  '0020_drop_column_kept': { status: 'ok', check: (v) => assert.equal(detailsOf(v, 'data-lost').length, 0) },
  '0021_drop_table_kept': { status: 'ok', check: (v) => assert.equal(detailsOf(v, 'data-lost').length, 0) },
  // SET LOCAL search_path in a migration changes how definitions print; the snapshots do not depend on it.
  '0022_search_path': { status: 'ok', check: (v) => assert.equal(detailsOf(v, 'schema-diff').length, 0) },
};

function assertObject(v: MigrationVerdict, object: string, change: 'missing' | 'extra'): void {
  assert.deepEqual(
    detailsOf(v, 'schema-diff').map((d) => [d.phase, d.object, d.change]),
    [['down', object, change]],
  );
}

function assertAttribute(v: MigrationVerdict, object: string, attribute: string): void {
  assert.deepEqual(
    detailsOf(v, 'schema-diff').map((d) => [d.phase, d.object, d.change, d.attribute]),
    [['down', object, 'changed', attribute]],
  );
}

for (const scratch of scratches) {
  describe(`migrate verify on ${scratch.name}`, () => {
    after(async () => {
      assert.equal(openDatabaseCount(), 0, 'the scratch database is closed');
      if (scratch.server !== undefined) await assertScratchDropped(scratch.server);
    });

    it('catches each kind of broken down, and passes the good ones beside them', async () => {
      const result = await verifyMigrations({ dir: join(fixtures, 'broken-downs'), server: scratch.server });
      assert.equal(result.ok, false);
      assert.deepEqual(
        result.migrations.map((m) => m.id),
        ['0001_base', ...Object.keys(brokenDowns)],
      );
      const base = verdict(result, '0001_base');
      assert.equal(base.status, 'ok');
      // A table whose trigger refuses the sample rows is reported, and verify goes on.
      assert.deepEqual(
        detailsOf(base, 'seed-refused').map((d) => [d.table, d.error]),
        [['public.frozen_ledger', 'frozen_ledger takes rows only through the API']],
      );
      for (const [id, expected] of Object.entries(brokenDowns)) {
        const found = verdict(result, id);
        assert.equal(found.status, expected.status, `${id}: ${JSON.stringify(found.details)}`);
        expected.check(found);
      }
    });

    it('passes a realistic folder of 34 migrations: functions, triggers, views, enums altered in place, contrib extensions, RLS, partitions', async () => {
      const roleExisted = await roleExists(scratch.server, 'app_reader');
      try {
        const result = await verifyMigrations({ dir: join(fixtures, 'realistic'), server: scratch.server });
        assert.equal(result.migrations.length, 34);
        const failed = result.migrations.filter((m) => !['ok', 'lossy'].includes(m.status));
        assert.deepEqual(failed, [], 'no migration of the good folder fails');
        assert.equal(result.ok, true);
        // Two downs cannot take back rows only the new version allows, and say so.
        assert.deepEqual(
          result.migrations.filter((m) => m.status === 'lossy').map((m) => m.id),
          ['0016_task_status_blocked', '0027_widen_invoice_line_description'],
        );
        // Sample rows reach every table: CHECK lists, formats, partition bounds and foreign keys are all met.
        assert.deepEqual(result.migrations.flatMap((m) => detailsOf(m, 'seed-refused')), []);
      } finally {
        if (!roleExisted) await dropRole(scratch.server, 'app_reader');
      }
    });

    it('names the migration whose up fails, and leaves the ones after it not verified', async () => {
      const folder = migrationFolder({
        '0001_a.up.sql': 'create table a (id int primary key);\n',
        '0001_a.down.sql': 'drop table a;\n',
        '0002_b.up.sql': 'alter table nowhere add column x int;\n',
        '0002_b.down.sql': 'alter table nowhere drop column x;\n',
        '0003_c.up.sql': 'create table c (id int primary key);\n',
        '0003_c.down.sql': 'drop table c;\n',
      });
      try {
        const result = await verifyMigrations({ dir: folder.dir, server: scratch.server });
        assert.deepEqual(
          result.migrations.map((m) => [m.id, m.status]),
          [['0001_a', 'ok'], ['0002_b', 'up-failed'], ['0003_c', 'not-verified']],
        );
        assert.match(detailsOf(verdict(result, '0002_b'), 'up-failed')[0]?.error ?? '', /relation "nowhere" does not exist/);
        assert.equal(result.ok, false);
      } finally {
        folder.drop();
      }
    });

    it('with columnOrder, a column the down re-adds in another position is a difference', async () => {
      const folder = migrationFolder({
        '0001_t.up.sql': 'create table t (id int primary key, a text, b text);\n',
        '0001_t.down.sql': 'drop table t;\n',
        '0002_drop_a.up.sql': 'alter table t drop column a;\n',
        '0002_drop_a.down.sql': 'alter table t add column a text;\n',
      });
      try {
        const lenient = await verifyMigrations({ dir: folder.dir, server: scratch.server });
        assert.deepEqual(lenient.migrations.map((m) => m.status), ['ok', 'ok']);
        const strict = await verifyMigrations({ dir: folder.dir, server: scratch.server, columnOrder: true });
        assert.deepEqual(
          detailsOf(verdict(strict, '0002_drop_a'), 'schema-diff').map((d) => [d.object, d.attribute, d.expected, d.actual]),
          [
            ['column public.t.a', 'position', 2, 3],
            ['column public.t.b', 'position', 3, 2],
          ],
        );
      } finally {
        folder.drop();
      }
    });
  });
}

/** Runs `fn` on the server verify made its scratch databases on. */
async function onServer<T>(server: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(server);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function roleExists(server: string | undefined, role: string): Promise<boolean> {
  if (server === undefined) return false;
  return onServer(server, async (db) => (await db.query('select 1 from pg_roles where rolname = $1', [role])).rows.length > 0);
}

/** The realistic folder creates a role (cluster-wide, so it outlives the scratch database on a server). */
async function dropRole(server: string | undefined, role: string): Promise<void> {
  if (server !== undefined) await onServer(server, (db) => db.query(`drop role if exists ${quoteIdent(role)}`));
}

async function assertScratchDropped(server: string): Promise<void> {
  const { rows } = await onServer(server, (db) =>
    db.query("select datname from pg_database where datname like 'wayback\\_verify\\_' || $1 || '\\_%'", [String(process.pid)]),
  );
  assert.deepEqual(rows, [], 'every scratch database is dropped');
}
