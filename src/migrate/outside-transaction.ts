import { stripComments } from './split-statements.js';

/**
 * Statements PostgreSQL refuses inside a transaction block. ALTER TYPE … ADD VALUE is not here: it runs
 * in a transaction since PostgreSQL 12, and both backends wayback supports are newer.
 */
const refusedInTransaction: readonly [RegExp, string][] = [
  [/^create\s+(unique\s+)?index\s+concurrently\b/i, 'CREATE INDEX CONCURRENTLY'],
  [/^drop\s+index\s+concurrently\b/i, 'DROP INDEX CONCURRENTLY'],
  [/^reindex\b[^;]*\bconcurrently\b/i, 'REINDEX CONCURRENTLY'],
  [/^alter\s+table\b[^;]*\bdetach\s+partition\b[^;]*\bconcurrently\b/i, 'DETACH PARTITION CONCURRENTLY'],
  [/^vacuum\b/i, 'VACUUM'],
  [/^(create|drop)\s+database\b/i, 'CREATE/DROP DATABASE'],
  [/^(create|drop)\s+tablespace\b/i, 'CREATE/DROP TABLESPACE'],
  [/^alter\s+system\b/i, 'ALTER SYSTEM'],
];

/** What the statement is, if PostgreSQL cannot run it in a transaction ("CREATE INDEX CONCURRENTLY"); else null. */
export function refusedInTransactionAs(statement: string): string | null {
  const code = stripComments(statement).trim();
  return refusedInTransaction.find(([pattern]) => pattern.test(code))?.[1] ?? null;
}
