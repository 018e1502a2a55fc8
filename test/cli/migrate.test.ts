import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount, type Db } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { expectJsonError, expectOneLineError, expectSuccess, inspect, oneJson, runCli } from '../support/cli.js';
import { migrationFolder, threeMigrations, type MigrationFolder } from '../migrate/folder.js';

interface RunsJson {
  direction: 'up' | 'down';
  dryRun: boolean;
  migrations: {
    id: string;
    direction: string;
    changeset: string | null;
    inTransaction: boolean;
    outsideTransaction: string | null;
    source: string;
    lossy: string | null;
    sql: string[] | null;
  }[];
}

interface StatusJson {
  dir: string;
  migrations: { id: string; name: string; format: string; state: string; appliedAt: string | null; changeset: string | null; irreversible: string | null; lossy: string | null }[];
}

/** What the runner may change: the history and the public tables. */
async function state(db: Db): Promise<{ history: string[]; tables: string[] }> {
  const history = (await db.query<{ id: string }>('select id from wayback.migration order by seq')).rows.map((row) => row.id);
  const tables = (
    await db.query<{ name: string }>("select table_name::text as name from information_schema.tables where table_schema = 'public' order by 1")
  ).rows.map((row) => row.name);
  return { history, tables };
}

for (const backend of backends) {
  describe(`wayback migrate on ${backend.name}`, () => {
    let t: TestDatabase;
    let folder: MigrationFolder;
    const migrate = (...args: string[]) => runCli(['migrate', ...args, '--db', t.url], { cwd: folder.root });
    before(async () => {
      t = await backend.fresh({ onDisk: true });
      await t.db.close();
      folder = migrationFolder(threeMigrations);
    });
    after(async () => {
      await t.drop();
      folder.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    it('up --json applies up to --to, in the default folder migrations/, one change set each', async () => {
      const result = await migrate('up', '--to', '0002_note', '--json');
      expectSuccess(result);
      const document = oneJson<RunsJson>(result.stdout);
      assert.deepEqual(Object.keys(document), ['direction', 'dryRun', 'migrations']);
      assert.deepEqual(document.migrations.map((run) => Object.keys(run)), [
        ['id', 'direction', 'changeset', 'inTransaction', 'outsideTransaction', 'source', 'lossy', 'sql', 'kept'],
        ['id', 'direction', 'changeset', 'inTransaction', 'outsideTransaction', 'source', 'lossy', 'sql', 'kept'],
      ]);
      assert.deepEqual(document.migrations.map((run) => [run.id, run.changeset, run.inTransaction]), [
        ['0001_orders', 'migration:0001_orders', true],
        ['0002_note', 'migration:0002_note', true],
      ]);
      assert.deepEqual(await inspect(t, state), { history: ['0001_orders', '0002_note'], tables: ['orders'] });
    });

    it('status --json lists applied and pending migrations', async () => {
      const result = await migrate('status', '--json');
      expectSuccess(result);
      const document = oneJson<StatusJson>(result.stdout);
      assert.equal(document.dir, 'migrations');
      assert.deepEqual(document.migrations.map((m) => [m.id, m.state, m.format, m.changeset]), [
        ['0001_orders', 'applied', 'sql', 'migration:0001_orders'],
        ['0002_note', 'applied', 'sql', 'migration:0002_note'],
        ['0003_seed', 'pending', 'sql', null],
      ]);
      assert.match(document.migrations[0]?.appliedAt ?? '', /^\d{4}-\d{2}-\d{2}T/);
      const human = await migrate('status');
      expectSuccess(human);
      assert.match(human.stdout, /^migration\s+state\s+applied at\s+down\n0001_orders\s+applied\s+\d{4}-/);
    });

    it('up --dry-run prints the SQL and changes nothing', async () => {
      const result = await migrate('up', '--dry-run');
      expectSuccess(result);
      assert.equal(result.stdout, [
        'would apply 0003_seed',
        '    insert into orders (id, total) values (1, 10), (2, 20)',
        "    update orders set note = 'seeded'",
        '',
      ].join('\n'));
      assert.deepEqual((await inspect(t, state)).history, ['0001_orders', '0002_note']);
    });

    it('down: one step by default, --steps n, --to id', async () => {
      expectSuccess(await migrate('up'));
      const one = await migrate('down');
      expectSuccess(one);
      assert.equal(one.stdout, 'rolled back 0003_seed as change set migration:0003_seed:down\n');
      expectSuccess(await migrate('up'));
      const steps = oneJson<RunsJson>((await migrate('down', '--steps', '2', '--json')).stdout);
      assert.deepEqual(steps.migrations.map((run) => [run.id, run.direction]), [['0003_seed', 'down'], ['0002_note', 'down']]);
      expectSuccess(await migrate('up'));
      const to = oneJson<RunsJson>((await migrate('down', '--to', '0001_orders', '--json')).stdout);
      assert.deepEqual(to.migrations.map((run) => run.id), ['0003_seed', '0002_note']);
      assert.deepEqual(await inspect(t, state), { history: ['0001_orders'], tables: ['orders'] });
      expectSuccess(await migrate('up'));
    });

    it('refuses a migration without a down: exit 1, one line, database unchanged', async () => {
      const before = await inspect(t, state);
      folder.write({ '0004_nodown.up.sql': 'create table nodown (id int);\n' });
      expectJsonError(await migrate('up', '--json'), 1, 'migration-missing-down', /migration 0004_nodown has no down; add 0004_nodown\.down\.sql/);
      expectOneLineError(await migrate('up'), 1, /0004_nodown has no down/);
      assert.deepEqual(await inspect(t, state), before);
      folder.remove('0004_nodown.up.sql');
    });

    it('a failing migration: one line naming file, line and statement; nothing of it kept', async () => {
      const before = await inspect(t, state);
      folder.write({
        '0004_broken.up.sql': 'create table half (id int);\ninsert into nowhere values (1);\n',
        '0004_broken.down.sql': 'drop table half;\n',
      });
      const message = expectOneLineError(await migrate('up'), 1, /^error: migration 0004_broken \(up\) failed at 0004_broken\.up\.sql line 2 \[insert into nowhere values \(1\)\]: relation "nowhere" does not exist; nothing of it was kept$/);
      assert.ok(message.length > 0);
      assert.deepEqual(await inspect(t, state), before);
      folder.remove('0004_broken.up.sql', '0004_broken.down.sql');
    });

    it('refuses when an applied migration was edited: exit 1, database unchanged', async () => {
      const before = await inspect(t, state);
      folder.write({ '0001_orders.up.sql': 'create table orders (id bigint primary key, total numeric not null);\n' });
      expectJsonError(await migrate('down', '--json'), 1, 'migration-edited', /migration 0001_orders was edited after it was applied/);
      assert.deepEqual(await inspect(t, state), before);
      folder.write({ '0001_orders.up.sql': threeMigrations['0001_orders.up.sql'] ?? '' });
    });

    it('runs a module migration (.mjs)', async () => {
      folder.write({
        '0004_audit.mjs': [
          'export const lossy = "the audit rows";',
          'export async function up(db) { await db.query("create table audit (id int)"); }',
          'export async function down(db) { await db.query("drop table audit"); }',
        ].join('\n'),
      });
      const up = oneJson<RunsJson>((await migrate('up', '--json')).stdout);
      assert.deepEqual(up.migrations.map((run) => [run.id, run.changeset]), [['0004_audit', 'migration:0004_audit']]);
      const down = await migrate('down');
      expectSuccess(down);
      assert.equal(down.stdout, 'rolled back 0004_audit as change set migration:0004_audit:down\n  lossy: the audit rows\n');
      folder.remove('0004_audit.mjs');
    });

    it('new writes the next-numbered pair', async () => {
      const result = await runCli(['migrate', 'new', 'Add email', '--json'], { cwd: folder.root });
      expectSuccess(result);
      assert.deepEqual(oneJson(result.stdout), {
        id: '0004_add_email',
        files: [join('migrations', '0004_add_email.up.sql'), join('migrations', '0004_add_email.down.sql')],
      });
      assert.ok(existsSync(join(folder.dir, '0004_add_email.down.sql')));
      folder.remove('0004_add_email.up.sql', '0004_add_email.down.sql');
    });

    it('usage errors exit 2 with one line', async () => {
      expectOneLineError(await migrate('down', '--to', '0001_orders', '--steps', '2'), 2, /give --to or --steps, not both/);
      expectOneLineError(await migrate('down', '--steps', '0'), 2, /--steps takes a whole number of at least 1, not "0"/);
      expectOneLineError(await migrate('up', '--bogus'), 2, /unknown option '--bogus'; wayback migrate up --help lists the options/);
      expectOneLineError(await runCli(['migrate']), 2, /name a subcommand/);
    });
  });
}
