// Run once before the test files (scripts/test.mjs): builds the template databases every test file
// copies, so no test pays for initdb or for installing the schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dumpPglite, openDb, quoteIdent } from '../../src/db/index.js';
import { installSchema } from '../../src/journal/index.js';
import { cacheDir, pgliteTemplates, serverDatabaseUrl, serverTemplates, serverUrl } from './env.js';

mkdirSync(cacheDir, { recursive: true });

const lite = await openDb('pglite:memory');
try {
  writeFileSync(pgliteTemplates.bare, Buffer.from(await (await dumpPglite(lite)).arrayBuffer()));
  await installSchema(lite);
  writeFileSync(pgliteTemplates.installed, Buffer.from(await (await dumpPglite(lite)).arrayBuffer()));
} finally {
  await lite.close();
}

if (serverUrl === undefined) {
  console.log('# server tests skipped: set WAYBACK_TEST_SERVER=postgres://postgres@127.0.0.1:5432/postgres to run them');
} else {
  const admin = await openDb(serverUrl);
  try {
    await admin.query(`create database ${quoteIdent(serverTemplates.bare)} template template0`);
    const bare = await openDb(serverDatabaseUrl(serverTemplates.bare));
    await bare.close();
    await admin.query(`create database ${quoteIdent(serverTemplates.installed)} template ${quoteIdent(serverTemplates.bare)}`);
    const installed = await openDb(serverDatabaseUrl(serverTemplates.installed));
    try {
      await installSchema(installed);
    } finally {
      await installed.close();
    }
  } finally {
    await admin.close();
  }
  console.log(`# server tests on ${serverUrl}`);
}
