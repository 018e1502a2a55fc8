import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrl } from '../../src/db/index.js';

/** The one variable that turns the server suite on: an admin URL of a PostgreSQL server. */
export const serverUrl = process.env['WAYBACK_TEST_SERVER']?.trim() || undefined;

export const repoRoot = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** Each `npm test` run has its own templates, so runs side by side (or a crashed one) never collide. */
export const runId = process.env['WAYBACK_TEST_RUN'] ?? 'manual';
export const cacheDir = join(repoRoot, '.test-cache', runId);
export const pgliteTemplates = { bare: join(cacheDir, 'pglite-bare.tgz'), installed: join(cacheDir, 'pglite-installed.tgz') };
export const serverTemplates = { bare: `wb_tpl_${runId}_bare`, installed: `wb_tpl_${runId}_installed` };
/** Test databases of this run are named `${testDatabasePrefix}<pid>_<n>`. */
export const testDatabasePrefix = `wb_t_${runId}_`;

/** A URL on the same server naming another database. */
export function serverDatabaseUrl(database: string): string {
  if (serverUrl === undefined) throw new Error('WAYBACK_TEST_SERVER is not set');
  return databaseUrl(serverUrl, database);
}
