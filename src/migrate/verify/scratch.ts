import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Extensions } from '@electric-sql/pglite';
import { createTemporaryDatabase, openDb, parseDbUrl, redactUrl, type Db, type TemporaryDatabase } from '../../db/index.js';
import { isWaybackError, WaybackError } from '../../errors.js';
import { installSchema } from '../../journal/index.js';

/** A database that exists only for one verify run, and is gone after it. */
export interface Scratch {
  readonly db: Db;
  /** What it is, for the report: `PGlite in memory` or `postgres://…/wayback_verify_…`. */
  readonly description: string;
  dispose(): Promise<void>;
}

export class ScratchDatabaseError extends WaybackError {
  constructor(readonly server: string, reason: string, options?: { cause?: unknown }) {
    super('verify-scratch-failed', `cannot create a scratch database on ${server}: ${reason}; verify needs a role with CREATEDB there, or run it without --db on embedded PGlite`, options);
  }
}

/**
 * Opens the scratch database verify runs on, with wayback's schema installed (migrations run through
 * the same runner as `migrate up`, lossless down included). Without a server URL it is PGlite in
 * memory, given PostgreSQL's contrib extensions that the folder's files create; with one, a database
 * created on that server for the run and dropped after it, whatever happens.
 */
export async function openScratch(serverUrl: string | undefined, migrationsDir: string): Promise<Scratch> {
  const target = serverUrl === undefined ? { kind: 'pglite-memory' as const } : parseDbUrl(serverUrl);
  if (target.kind !== 'postgres') {
    const db = await openDb('pglite:memory', { applicationName: 'wayback verify', extensions: await contribExtensions(migrationsDir) });
    return ready({ db, description: 'PGlite in memory', dispose: () => db.close() });
  }
  let scratch: TemporaryDatabase;
  try {
    scratch = await createTemporaryDatabase(target.url, `wayback_verify_${process.pid}_${randomBytes(4).toString('hex')}`);
  } catch (error) {
    // Cannot reach the server: that error says it best. Reached it, but no database: say what verify needs.
    if (isWaybackError(error)) throw error;
    throw new ScratchDatabaseError(redactUrl(target.url), (error as Error).message, { cause: error });
  }
  let db: Db;
  try {
    db = await openDb(scratch.url, { applicationName: 'wayback verify' });
  } catch (error) {
    await scratch.drop();
    throw error;
  }
  return ready({
    db,
    description: redactUrl(scratch.url),
    dispose: async () => {
      await db.close().finally(() => scratch.drop());
    },
  });
}

async function ready(scratch: Scratch): Promise<Scratch> {
  try {
    await installSchema(scratch.db);
    return scratch;
  } catch (error) {
    await scratch.dispose();
    throw error;
  }
}

const createExtension = /create\s+extension\s+(?:if\s+not\s+exists\s+)?"?([\w-]+)"?/gi;

/**
 * The contrib extensions PGlite must load for this folder: those its files (SQL or module source)
 * create. Each costs startup time, so only those; a name PGlite has no bundle for is left to fail at
 * its CREATE EXTENSION, with PostgreSQL's own message.
 */
async function contribExtensions(dir: string): Promise<Extensions> {
  const names = new Set<string>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((file) => !file.startsWith('.') && statSync(join(dir, file)).isFile());
  } catch {
    // readMigrations reports an unreadable folder with its own message.
  }
  for (const file of files) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(createExtension)) names.add((match[1] ?? '').toLowerCase());
  }
  const extensions: Extensions = {};
  for (const name of names) {
    const bundle = name.replaceAll('-', '_');
    try {
      const module = (await import(`@electric-sql/pglite/contrib/${bundle}`)) as Record<string, Extensions[string]>;
      const extension = module[bundle];
      if (extension !== undefined) extensions[bundle] = extension;
    } catch {
      // Not a contrib extension PGlite ships (plpgsql, or a typo): CREATE EXTENSION will say so.
    }
  }
  return extensions;
}
