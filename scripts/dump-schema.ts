// npm run schema:dump: rewrites test/journal/schema.sql from a fresh "wayback init" on the server named
// by WAYBACK_TEST_SERVER (default: the local one). Commit the result with the schema change.
import { writeFileSync } from 'node:fs';
import { createTemporaryDatabase, openDb } from '../src/db/index.js';
import { installSchema } from '../src/journal/index.js';
import { dumpWaybackSchema, schemaDumpPath } from '../test/support/schema-dump.js';

const adminUrl = process.env['WAYBACK_TEST_SERVER'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scratch = await createTemporaryDatabase(adminUrl, `wb_schema_dump_${process.pid}`, { template: 'template0' });
try {
  const db = await openDb(scratch.url);
  try {
    await installSchema(db);
  } finally {
    await db.close();
  }
  writeFileSync(schemaDumpPath, dumpWaybackSchema(scratch.url));
  console.log(`wrote ${schemaDumpPath}`);
} finally {
  await scratch.drop();
}
