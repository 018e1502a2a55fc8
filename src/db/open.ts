import type { Db } from './db.js';
import { openPglite, type PgliteOptions } from './pglite.js';
import { openPostgres } from './postgres.js';
import { parseDbUrl } from './url.js';

export interface OpenOptions extends PgliteOptions {
  readonly applicationName?: string;
}

/** Opens the database a URL names: `postgres://…`, `pglite:<dir>` or `pglite:memory`. */
export function openDb(url: string, options: OpenOptions = {}): Promise<Db> {
  const target = parseDbUrl(url);
  switch (target.kind) {
    case 'postgres':
      return openPostgres(target.url, options);
    case 'pglite-memory':
      return openPglite(undefined, options);
    case 'pglite-dir':
      return openPglite(target.directory, options);
  }
}
