// npm run schema:dump: rewrites test/journal/schema.sql from a fresh "wayback init" on the server named
// by WAYBACK_TEST_SERVER (default: the local one). Commit the result with the schema change.
import { writeFileSync } from 'node:fs';
import { openDb, quoteIdent } from '../src/db/index.js';
import { installSchema } from '../src/journal/index.js';
import { dumpWaybackSchema, schemaDumpPath } from '../test/support/schema-dump.js';

const adminUrl = process.env['WAYBACK_TEST_SERVER'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `wb_schema_dump_${process.pid}`;
const admin = await openDb(adminUrl);
try {
  await admin.query(`create database ${quoteIdent(name)} template template0`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDb(url.toString());
  try {
    await installSchema(db);
  } finally {
    await db.close();
  }
  writeFileSync(schemaDumpPath, dumpWaybackSchema(url.toString()));
  console.log(`wrote ${schemaDumpPath}`);
} finally {
  await admin.query(`drop database if exists ${quoteIdent(name)} with (force)`);
  await admin.close();
}
