export type { Backend, Db, Queryable, Rows, Session } from './db.js';
export { openDb, type OpenOptions } from './open.js';
export { dumpPglite } from './pglite.js';
export { openDatabaseCount } from './registry.js';
export { quoteIdent, quoteQualified } from './quote.js';
export { sqlFile } from './sql-file.js';
export { SqlState, sqlStateOf } from './sqlstate.js';
export { defaultDbUrl, parseDbUrl, redactUrl, resolveDbUrl, type DbTarget } from './url.js';
export { DbAuthError, DbLockedError, DbMissingError, DbOpenError, DbUnreachableError, DbUrlError } from './errors.js';
