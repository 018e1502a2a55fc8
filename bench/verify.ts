// npm run bench:verify: how long `wayback migrate verify` takes on 50 and 250 migrations, on PGlite and
// on the server, beside a plain pg_dump --schema-only round trip over the same folder on the server
// (per migration: up, dump, down, dump, compare, up again), measured in the same run. Writes
// docs/verify-benchmarks.md and bench/results/verify-latest.json. Needs a PostgreSQL server:
// WAYBACK_BENCH_DB (an admin URL; default the local one).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createTemporaryDatabase, openDb, type Db } from '../src/db/index.js';
import { installSchema } from '../src/journal/index.js';
import { executeStep } from '../src/migrate/execute.js';
import { forgetMigration, recordMigration } from '../src/migrate/history.js';
import { passes, readMigrations, verifyMigrations, type Migration, type MigrationVerdict } from '../src/migrate/index.js';
import { serverVersion } from './measure.js';
import { writeMigrationFolder } from './migration-folder.js';

const adminUrl = process.env['WAYBACK_BENCH_DB'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sizes = [50, 250];
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Row {
  migrations: number;
  verify_pglite_seconds: number;
  verify_server_seconds: number;
  pg_dump_round_trip_seconds: number;
  /** Migrations whose dump after the down differed from the one before the up, as text (column order included). */
  pg_dump_differing_dumps: number;
}

const rows: Row[] = [];
const root = mkdtempSync(join(tmpdir(), 'wayback-bench-verify-'));
// The realistic folder creates a role, which outlives the scratch databases (roles are cluster-wide).
const roleExisted = await onAdmin(async (db) => (await db.query("select 1 from pg_roles where rolname = 'app_reader'")).rows.length > 0);
try {
  for (const count of sizes) {
    const dir = join(root, String(count));
    writeMigrationFolder(dir, count);
    log(`${count} migrations: verify on PGlite`);
    const lite = await verifyMigrations({ dir });
    assertPassed(lite.ok, lite.migrations);
    log(`${count} migrations: verify on the server`);
    const server = await verifyMigrations({ dir, server: adminUrl });
    assertPassed(server.ok, server.migrations);
    log(`${count} migrations: pg_dump --schema-only round trips on the server`);
    const dump = await pgDumpRoundTrips(dir);
    rows.push({
      migrations: count,
      verify_pglite_seconds: lite.seconds,
      verify_server_seconds: server.seconds,
      pg_dump_round_trip_seconds: dump.seconds,
      pg_dump_differing_dumps: dump.differing,
    });
    log(`  verify PGlite ${lite.seconds.toFixed(1)} s, verify server ${server.seconds.toFixed(1)} s, pg_dump round trips ${dump.seconds.toFixed(1)} s`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
  if (!roleExisted) await onAdmin((db) => db.query('drop role if exists app_reader'));
}

const version = await serverVersion(adminUrl);
const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  node: process.version,
  postgres: version,
  pg_dump: execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }).trim(),
  rows,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/verify-latest.json', `${JSON.stringify(results, null, 2)}\n`);
const s = (n: number) => `${n.toFixed(1)} s`;
writeFileSync(
  'docs/verify-benchmarks.md',
  `# How long verify takes

Measured by \`npm run bench:verify\` on ${results.date.slice(0, 10)}: ${results.machine}, Node ${results.node},
PostgreSQL ${results.postgres}, ${results.pg_dump}. One run each, in the same process, one after the other.

The folders are the 34-migration realistic folder (\`test/migrate/verify-fixtures/realistic\`: functions,
triggers, views, a materialized view, enums altered in place, contrib extensions, RLS, partitions,
modules), then copies of it in schemas \`app_2\`, \`app_3\`, … until the count is reached
(\`bench/migration-folder.ts\`).

- **verify**: \`wayback migrate verify\` end to end, scratch database included (PGlite: initdb of an
  in-memory instance; server: CREATE DATABASE and DROP DATABASE): per migration, sample rows, catalog
  and row hashes, up, then in a rolled-back transaction fresh rows, down, catalog and rows compared, up
  again, catalog compared.
- **pg_dump round trip**: the baseline a team would script by hand, on the server: per migration, up,
  \`pg_dump --schema-only\`, down, \`pg_dump --schema-only\`, compare with the dump before the up, up
  again. No sample rows, no data comparison.

| migrations | verify, PGlite | verify, server | pg_dump round trip, server | verify server ÷ pg_dump |
|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.migrations} | ${s(r.verify_pglite_seconds)} | ${s(r.verify_server_seconds)} | ${s(r.pg_dump_round_trip_seconds)} | ${(r.verify_server_seconds / r.pg_dump_round_trip_seconds).toFixed(2)} |`).join('\n')}

The textual dump comparison flagged ${rows.map((r) => `${r.pg_dump_differing_dumps} of ${r.migrations}`).join(' and ')} migrations as different after
their down: the copies of a migration whose down re-adds a dropped column, which lands last. verify
compares column positions only with \`--column-order\`, and checks the column's values came back.
`,
);
log('wrote docs/verify-benchmarks.md and bench/results/verify-latest.json');

async function onAdmin<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(adminUrl);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function assertPassed(ok: boolean, migrations: readonly MigrationVerdict[]): void {
  if (ok) return;
  const failed = migrations.filter((m) => !passes(m.status)).map((m) => `${m.id} ${m.status}`);
  throw new Error(`the generated folder should verify; it did not: ${failed.slice(0, 5).join(', ')}`);
}

/** The baseline, timed from CREATE DATABASE to DROP DATABASE. */
async function pgDumpRoundTrips(dir: string): Promise<{ seconds: number; differing: number }> {
  const migrations = await readMigrations(dir);
  const started = performance.now();
  const scratch = await createTemporaryDatabase(adminUrl, `wayback_bench_dump_${process.pid}`);
  const db = await openDb(scratch.url);
  try {
    await installSchema(db);
    let before = schemaDump(scratch.url);
    let differing = 0;
    for (const migration of migrations) {
      await run(db, migration, 'up');
      const after = schemaDump(scratch.url);
      await run(db, migration, 'down');
      // A textual comparison: a column a down re-adds lands last, and the dump says so.
      if (schemaDump(scratch.url) !== before) differing++;
      await run(db, migration, 'up');
      before = after;
    }
    return { seconds: (performance.now() - started) / 1000, differing };
  } finally {
    await db.close();
    await scratch.drop();
  }
}

async function run(db: Db, migration: Migration, direction: 'up' | 'down'): Promise<void> {
  const step = direction === 'up' ? migration.up : migration.down;
  if (step === null) throw new Error(`${migration.id} has no down`);
  await db.session((session) =>
    executeStep(session, {
      id: migration.id,
      direction,
      step,
      record: (tx, inTransaction, changeset) =>
        direction === 'up' ? recordMigration(tx, migration, inTransaction, changeset) : forgetMigration(tx, migration.id),
    }),
  );
}

function schemaDump(url: string): string {
  const dump = execFileSync('pg_dump', ['--schema-only', '--exclude-schema=wayback', url], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  // pg_dump 15.14+ brackets its output with \restrict / \unrestrict and a random key: not part of the schema.
  return dump.replace(/^\\(un)?restrict .*$/gm, '');
}
