import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTemporaryDatabase, openDb, type Db } from '../../src/db/index.js';
import { pgliteTemplates, serverDatabaseUrl, serverTemplates, serverUrl, testDatabasePrefix } from './env.js';

export interface FreshOptions {
  /** Without the wayback schema (to test init itself). */
  readonly bare?: boolean;
  /** PGlite only: on disk, so a CLI process can open it (close `db` first). */
  readonly onDisk?: boolean;
}

/** A database of its own for one test file, made from a template; `drop` removes every trace. */
export interface TestDatabase {
  readonly db: Db;
  /** The URL a CLI process can open (for PGlite on disk, only after `db` is closed). */
  readonly url: string;
  /** Opens the same database again (after the CLI has closed it). */
  reopen(): Promise<Db>;
  drop(): Promise<void>;
}

export interface TestBackend {
  readonly name: 'pglite' | 'postgres';
  fresh(options?: FreshOptions): Promise<TestDatabase>;
}

let counter = 0;

const pglite: TestBackend = {
  name: 'pglite',
  async fresh(options = {}) {
    const template = new Blob([readFileSync(options.bare === true ? pgliteTemplates.bare : pgliteTemplates.installed)]);
    const directory = options.onDisk === true ? mkdtempSync(join(tmpdir(), 'wayback-test-')) : undefined;
    const url = directory === undefined ? 'pglite:memory' : `pglite:${join(directory, 'db')}`;
    const opened: Db[] = [];
    const open = async (loadDataDir?: Blob) => {
      const db = await openDb(url, loadDataDir === undefined ? {} : { loadDataDir });
      opened.push(db);
      return db;
    };
    const db = await open(template);
    return {
      db,
      url,
      reopen: () => open(),
      async drop() {
        for (const handle of opened) await handle.close();
        if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};

const postgres: TestBackend = {
  name: 'postgres',
  async fresh(options = {}) {
    const template = options.bare === true ? serverTemplates.bare : serverTemplates.installed;
    const database = await createTemporaryDatabase(serverDatabaseUrl('postgres'), `${testDatabasePrefix}${process.pid}_${++counter}`, { template });
    const url = database.url;
    const opened: Db[] = [];
    const open = async () => {
      const db = await openDb(url);
      opened.push(db);
      return db;
    };
    const db = await open();
    return {
      db,
      url,
      reopen: open,
      async drop() {
        for (const handle of opened) await handle.close();
        await database.drop();
      },
    };
  },
};

/** PGlite always; the PostgreSQL server when WAYBACK_TEST_SERVER names one. */
export const backends: readonly TestBackend[] = serverUrl === undefined ? [pglite] : [pglite, postgres];
