import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one variable that turns the server suite on: an admin URL of a PostgreSQL server. */
export const serverUrl = process.env['WAYBACK_TEST_SERVER']?.trim() || undefined;

export const repoRoot = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const cacheDir = join(repoRoot, '.test-cache');
export const pgliteTemplates = { bare: join(cacheDir, 'pglite-bare.tgz'), installed: join(cacheDir, 'pglite-installed.tgz') };
export const serverTemplates = { bare: 'wayback_test_bare', installed: 'wayback_test_installed' };

/** A URL on the same server naming another database. */
export function serverDatabaseUrl(database: string): string {
  if (serverUrl === undefined) throw new Error('WAYBACK_TEST_SERVER is not set');
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
