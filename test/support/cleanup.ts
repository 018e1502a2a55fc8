// Run after the test files (scripts/test.mjs), pass or fail: removes this run's templates, any test
// database a crashed test file left behind, and the PGlite template dumps.
import { rmSync } from 'node:fs';
import { openDb, quoteIdent } from '../../src/db/index.js';
import { cacheDir, serverTemplates, serverUrl, testDatabasePrefix } from './env.js';

rmSync(cacheDir, { recursive: true, force: true });
if (serverUrl !== undefined) {
  const admin = await openDb(serverUrl);
  try {
    const { rows } = await admin.query<{ datname: string }>(
      'select datname from pg_database where starts_with(datname, $1) or datname = any ($2)',
      [testDatabasePrefix, [serverTemplates.bare, serverTemplates.installed]],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists ${quoteIdent(datname)} with (force)`);
  } finally {
    await admin.close();
  }
}
