// The tagging snippets of README.md (examples/tagging/*.ts) run for real: node-postgres, Kysely, Drizzle
// and Prisma each tag a transaction by the tagging protocol, and the journal records the change set and
// feature. Each runs on PGlite through a driver of its own, and on the server when WAYBACK_TEST_SERVER is
// set; the test names say which driver. The README shows each file whole, and a test here keeps them equal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { PrismaPg } from '@prisma/adapter-pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { eq } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import * as drizzleExample from '../../examples/tagging/drizzle.js';
import * as kyselyExample from '../../examples/tagging/kysely.js';
import * as nodePostgresExample from '../../examples/tagging/node-postgres.js';
import * as prismaExample from '../../examples/tagging/prisma.js';
import type { Db } from '../../src/db/index.js';
import { track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { cacheDir, repoRoot } from '../support/env.js';
import { journalOf } from '../support/journal.js';

const examplesDir = join(repoRoot, 'examples', 'tagging');

/** Where a case's ORM connects: the server's test database, or the PGlite instance of the test's data directory. */
type Target = { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'pglite'; readonly lite: PGlite };

/** One ORM, connected: the example's functions, an untagged write through the same connection, and close. */
interface Connected {
  rename(changeset: string, id: number, firstName: string): Promise<unknown>;
  /** The example's withChangeset around a write that then throws. */
  renameThenFail(changeset: string, id: number): Promise<unknown>;
  untaggedRename(id: number, firstName: string): Promise<unknown>;
  close(): Promise<void>;
}

interface OrmCase {
  readonly name: string;
  readonly driver: Record<Target['kind'], string>;
  connect(target: Target): Promise<Connected>;
}

const failure = new Error('the work failed after writing');
const fail = (): never => {
  throw failure;
};

// A pool of one connection: the untagged write then runs in the very session the tagged transaction
// used, so it shows that the tag ended with the transaction.
const onePool = (target: Target): pg.Pool =>
  target.kind === 'postgres' ? new pg.Pool({ connectionString: target.url, max: 1 }) : new pg.Pool({ ...createPgConfig(target.lite), max: 1 });

/** What the test itself calls on the client generated from examples/tagging/prisma/schema.prisma. */
interface GeneratedPrismaClient {
  readonly candidate: { update(args: { where: { id: number }; data: { firstName: string } }): Promise<unknown> };
  $disconnect(): Promise<void>;
}
let PrismaClient: new (options: { adapter: unknown }) => GeneratedPrismaClient;
let prismaDir: string;

const cases: readonly OrmCase[] = [
  {
    name: 'node-postgres',
    driver: { pglite: 'pg.Pool over @electric-sql/pglite/node-postgres', postgres: 'pg.Pool' },
    async connect(target) {
      const pool = onePool(target);
      return {
        rename: (changeset, id, firstName) => nodePostgresExample.renameCandidate(pool, changeset, id, firstName),
        renameThenFail: (changeset, id) =>
          nodePostgresExample.withChangeset(pool, { changeset }, async (client) => {
            await client.query("update candidate set first_name = 'never' where id = $1", [id]);
            fail();
          }),
        untaggedRename: (id, firstName) => pool.query('update candidate set first_name = $1 where id = $2', [firstName, id]),
        close: () => pool.end(),
      };
    },
  },
  {
    name: 'kysely',
    driver: { pglite: 'kysely-pglite-dialect', postgres: 'PostgresDialect, pg.Pool' },
    async connect(target) {
      const db = new Kysely<kyselyExample.Database>({
        dialect: target.kind === 'postgres' ? new PostgresDialect({ pool: onePool(target) }) : new PGliteDialect(target.lite),
      });
      return {
        rename: (changeset, id, firstName) => kyselyExample.renameCandidate(db, changeset, id, firstName),
        renameThenFail: (changeset, id) =>
          kyselyExample.withChangeset(db, { changeset }, async (trx) => {
            await trx.updateTable('candidate').set({ first_name: 'never' }).where('id', '=', id).execute();
            fail();
          }),
        untaggedRename: (id, firstName) => db.updateTable('candidate').set({ first_name: firstName }).where('id', '=', id).execute(),
        // On PGlite this closes the instance too (kysely-pglite-dialect's driver owns it).
        close: () => db.destroy(),
      };
    },
  },
  {
    name: 'drizzle',
    driver: { pglite: 'drizzle-orm/pglite', postgres: 'drizzle-orm/node-postgres, pg.Pool' },
    async connect(target) {
      const pool = target.kind === 'postgres' ? onePool(target) : undefined;
      const db: PgDatabase<PgQueryResultHKT> = target.kind === 'postgres' ? drizzleNodePostgres(pool as pg.Pool) : drizzlePglite(target.lite);
      const { candidate } = drizzleExample;
      return {
        rename: (changeset, id, firstName) => drizzleExample.renameCandidate(db, changeset, id, firstName),
        renameThenFail: (changeset, id) =>
          drizzleExample.withChangeset(db, { changeset }, async (tx) => {
            await tx.update(candidate).set({ firstName: 'never' }).where(eq(candidate.id, id));
            fail();
          }),
        untaggedRename: (id, firstName) => db.update(candidate).set({ firstName }).where(eq(candidate.id, id)),
        close: async () => {
          await pool?.end();
        },
      };
    },
  },
  {
    name: 'prisma',
    driver: { pglite: 'pglite-prisma-adapter', postgres: '@prisma/adapter-pg' },
    async connect(target) {
      const adapter = target.kind === 'postgres' ? new PrismaPg({ connectionString: target.url, max: 1 }) : new PrismaPGlite(target.lite);
      const prisma = new PrismaClient({ adapter });
      return {
        rename: (changeset, id, firstName) => prismaExample.renameCandidate(prisma as never, changeset, id, firstName),
        renameThenFail: (changeset, id) =>
          prismaExample.withChangeset(prisma as never, { changeset }, async (tx) => {
            await tx.candidate.update({ where: { id }, data: { firstName: 'never' } });
            fail();
          }),
        untaggedRename: (id, firstName) => prisma.candidate.update({ where: { id }, data: { firstName } }),
        close: () => prisma.$disconnect(),
      };
    },
  },
];

before(() => {
  // Prisma's client is generated from the example's schema, here into this run's own directory (so runs
  // side by side never share one). `prisma generate` needs no engine binary, but the CLI checks for the
  // schema engine before any command and would download it: naming an existing file skips that check
  // (this machine cannot download it), and generate never runs it.
  prismaDir = join(cacheDir, `prisma-${process.pid}`);
  mkdirSync(prismaDir, { recursive: true });
  copyFileSync(join(examplesDir, 'prisma', 'schema.prisma'), join(prismaDir, 'schema.prisma'));
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', 'schema.prisma'], {
    cwd: prismaDir,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio: 'pipe',
  });
});

before(async () => {
  ({ PrismaClient } = (await import(pathToFileURL(join(prismaDir, 'generated', 'client.ts')).href)) as { PrismaClient: typeof PrismaClient });
});

after(() => {
  rmSync(prismaDir, { recursive: true, force: true });
});

for (const backend of backends) {
  describe(`tagging from ORMs on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh({ onDisk: backend.name === 'pglite' });
      await t.db.query('create table candidate (id int primary key, first_name text not null)');
      await track(t.db, ['candidate']);
      await t.db.query(`insert into candidate select g, 'name ' || g from generate_series(1, ${cases.length}) g`);
      // PGlite: each ORM opens the data directory itself, so wayback lets go of it.
      if (backend.name === 'pglite') await t.db.close();
    });
    after(async () => {
      await t.drop();
    });

    /** Runs `fn` with an ORM connected to the test database, then closes whatever it opened. */
    async function withOrm(orm: OrmCase, fn: (connected: Connected) => Promise<void>): Promise<void> {
      const lite = backend.name === 'pglite' ? new PGlite({ dataDir: t.url.slice('pglite:'.length) }) : undefined;
      const connected = await orm.connect(lite === undefined ? { kind: 'postgres', url: t.url } : { kind: 'pglite', lite });
      try {
        await fn(connected);
      } finally {
        await connected.close();
        if (lite !== undefined && !lite.closed) await lite.close();
      }
    }

    /** Reads the journal of candidate (on PGlite, by opening the directory again once the ORM has let go). */
    async function journal() {
      const db: Db = backend.name === 'pglite' ? await t.reopen() : t.db;
      try {
        const entries = await journalOf(db, 'public.candidate');
        const { rows } = await db.query<{ id: number; first_name: string }>('select id, first_name from candidate order by id');
        return { entries: entries.filter((e) => e.op === 'U'), rows };
      } finally {
        if (db !== t.db) await db.close();
      }
    }

    cases.forEach((orm, index) => {
      const id = index + 1;
      it(`${orm.name} on ${backend.name} (${orm.driver[backend.name]}): the journal records its change set and feature, and the tag ends with the transaction`, async () => {
        const changeset = `job:${orm.name}:rename`;
        const failed = `job:${orm.name}:failed`;
        await withOrm(orm, async (connected) => {
          await connected.rename(changeset, id, `renamed by ${orm.name}`);
          await connected.untaggedRename(id, `untagged by ${orm.name}`);
          await assert.rejects(connected.renameThenFail(failed, id), failure);
        });
        const { entries, rows } = await journal();
        const mine = entries.filter((e) => e.pk[0] === id);
        assert.equal(mine.length, 2, JSON.stringify(mine));
        const [tagged, untagged] = mine;
        assert.deepEqual(
          { changeset: tagged?.changeset, feature: tagged?.feature, before: tagged?.before, after: tagged?.after },
          { changeset, feature: 'candidate-mapping', before: { first_name: `name ${id}` }, after: { first_name: `renamed by ${orm.name}` } },
        );
        assert.match(untagged?.changeset ?? '', /^tx:\d+$/, 'the next, untagged transaction on the same connection is not tagged');
        assert.equal(untagged?.feature, null);
        assert.ok(!entries.some((e) => e.changeset === failed), 'a rolled-back transaction leaves nothing in the journal');
        assert.equal(rows.find((row) => row.id === id)?.first_name, `untagged by ${orm.name}`);
      });
    });
  });
}

describe('README shows the tagging examples as they are', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  // Every fenced block whose first line names an example file: `// examples/tagging/kysely.ts`.
  const blocks = new Map([...readme.matchAll(/^```ts\n(\/\/ (examples\/\S+)\n[\s\S]*?)^```$/gm)].map((m) => [m[2] ?? '', m[1] ?? '']));
  const files = readdirSync(examplesDir).filter((name) => name.endsWith('.ts'));

  it('has all four', () => {
    assert.deepEqual(files.sort(), ['drizzle.ts', 'kysely.ts', 'node-postgres.ts', 'prisma.ts']);
  });

  for (const name of files) {
    it(`README.md shows examples/tagging/${name} whole`, () => {
      const block = blocks.get(`examples/tagging/${name}`);
      assert.ok(block !== undefined, `README.md has no \`\`\`ts block starting "// examples/tagging/${name}"`);
      assert.equal(block, readFileSync(join(examplesDir, name), 'utf8'), `README.md and examples/tagging/${name} differ: copy the file into the README`);
    });
  }
});
