// `wayback migrate verify` through the real CLI: the JSON shape scripts rely on, exit codes, the human
// report in 80 columns, progress on a terminal, the scratch database on a server, and bad input.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDb } from '../../src/db/index.js';
import { expectFits, expectNoColour, expectOneLineError, linesOf, oneJson, runCli, runCliOnTty } from '../support/cli.js';
import { repoRoot, serverDatabaseUrl, serverUrl } from '../support/env.js';
import { migrationFolder } from '../migrate/folder.js';

const brokenDowns = join(repoRoot, 'test', 'migrate', 'verify-fixtures', 'broken-downs');

interface VerifyDocument {
  ok: boolean;
  migrations: { id: string; status: string; details: Record<string, unknown>[] }[];
}

const good = {
  '0001_orders.up.sql': 'create table orders (id int primary key, total numeric not null);\n',
  '0001_orders.down.sql': 'drop table orders;\n',
  '0002_note.up.sql': 'alter table orders drop column total;\n',
  '0002_note.down.sql': 'alter table orders add column total numeric;\nupdate orders set total = 0 where total is null;\nalter table orders alter column total set not null;\n',
};

describe('wayback migrate verify', () => {
  it('--json prints { ok, migrations: [{ id, status, details }] } and exits 1 when a down is broken', async () => {
    const result = await runCli(['migrate', 'verify', '--dir', brokenDowns, '--json'], { timeoutMs: 120_000 });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr, '', 'no progress with --json');
    const document = oneJson<VerifyDocument>(result.stdout);
    assert.deepEqual(Object.keys(document), ['ok', 'migrations']);
    assert.equal(document.ok, false);
    for (const migration of document.migrations) assert.deepEqual(Object.keys(migration), ['id', 'status', 'details']);
    const statuses = Object.fromEntries(document.migrations.map((m) => [m.id, m.status]));
    assert.deepEqual(
      [...new Set(Object.values(statuses))].sort(),
      ['data-lost', 'down-failed', 'irreversible', 'lossy', 'missing-down', 'ok', 'schema-diff'],
    );
    assert.equal(statuses['0014_down_fails'], 'down-failed');
    assert.deepEqual(document.migrations.find((m) => m.id === '0013_rows_deleted')?.details, [
      { kind: 'data-lost', table: 'public.orders', rows: 3, of: 3 },
    ]);
  });

  it('human report: a status per migration, what is wrong under it, all in 80 columns', async () => {
    const result = await runCli(['migrate', 'verify', '--dir', brokenDowns], { timeoutMs: 120_000 });
    assert.equal(result.code, 1);
    expectFits(result.stdout);
    expectNoColour(result.stdout);
    const lines = linesOf(result.stdout);
    assert.ok(lines.includes('schema-diff   0005_enum_value_kept'), result.stdout);
    const enumDiff = lines.indexOf('    after the down: type public.mood, labels');
    assert.ok(enumDiff > 0, result.stdout);
    assert.deepEqual(lines.slice(enumDiff + 1, enumDiff + 3), ['      expected ["happy","sad"]', '      found    ["happy","sad","meh"]']);
    assert.ok(lines.includes('down-failed   0014_down_fails'));
    assert.ok(lines.some((line) => line.startsWith('    the down failed at 0014_down_fails.down.sql line 2: column "agee"')));
    assert.ok(lines.includes('15 of 22 migrations failed verification'), result.stdout);
    assert.match(lines.at(-1) ?? '', /^\(\d+\.\d s on PGlite in memory\)$/);
  });

  it('a good folder exits 0; on a terminal it shows progress on stderr', async () => {
    const folder = migrationFolder(good);
    try {
      const result = await runCliOnTty(['migrate', 'verify', '--dir', folder.dir], { timeoutMs: 120_000 });
      assert.equal(result.code, 0, result.stdout);
      assert.match(result.stdout, /verifying: 0001_orders 0\/2/);
      assert.match(result.stdout, /2 migrations verified: every down brings back the schema and the rows/);
    } finally {
      folder.drop();
    }
  });

  it('bad input: a missing folder, an unreachable server; one line each, exit 1', async () => {
    const missing = await runCli(['migrate', 'verify', '--dir', 'no/such/folder']);
    expectOneLineError(missing, 1, /no\/such\/folder: no such folder/);
    const unreachable = await runCli(['migrate', 'verify', '--dir', brokenDowns, '--db', 'postgres://postgres@127.0.0.1:1/postgres']);
    expectOneLineError(unreachable, 1, /127\.0\.0\.1:1/);
  });

  // On the server only when there is one (WAYBACK_TEST_SERVER); npm test says when the server suite is off.
  if (serverUrl !== undefined) {
  it('--db creates its scratch database on the server and drops it afterwards', async () => {
    const folder = migrationFolder(good);
    try {
      const result = await runCli(['migrate', 'verify', '--dir', folder.dir, '--db', serverDatabaseUrl('postgres')]);
      assert.equal(result.code, 0, result.stderr);
      const scratch = /on postgres:\/\/.*\/(wayback_verify_\d+_[0-9a-f]{8})\)$/.exec(linesOf(result.stdout).at(-1) ?? '')?.[1];
      assert.ok(scratch !== undefined, result.stdout);
      const admin = await openDb(serverDatabaseUrl('postgres'));
      try {
        const { rows } = await admin.query('select datname from pg_database where datname = $1', [scratch]);
        assert.deepEqual(rows, [], 'the scratch database is gone');
      } finally {
        await admin.close();
      }
    } finally {
      folder.drop();
    }
  });
  }
});
