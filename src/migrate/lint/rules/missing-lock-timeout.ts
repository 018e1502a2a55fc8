import type { Node } from 'libpg-query';
import { listName, names, nodeOf, relationName } from '../ast.js';
import type { KnownSchema } from '../known-schema.js';
import type { Rule } from './rule.js';

/**
 * A statement that waits for a strong lock on a table that existed before the file, with no non-zero
 * `SET lock_timeout` earlier in the file. lint reports the first such statement of a file only.
 */
export const missingLockTimeout: Rule = {
  id: 'missing-lock-timeout',
  check(statement, context) {
    if (context.schema.hasLockTimeout()) return [];
    const locked = lockedTable(statement.node, context.schema);
    if (locked === undefined) return [];
    return [
      {
        line: statement.line,
        message: `${locked.what} waits for a lock on ${locked.table} with no lock_timeout set: behind one long transaction it queues, and every query on ${locked.table} queues behind it, for as long as that transaction runs`,
        fix: `SET lock_timeout = '5s' (SET LOCAL in a transaction) at the top of the file, and run the migration again when it times out`,
      },
    ];
  },
};

/** The existing table a statement locks so that others queue (SHARE or stronger), and what the statement is. */
function lockedTable(node: Node, schema: KnownSchema): { what: string; table: string } | undefined {
  const existing = (what: string, table: string) => (schema.isNewTable(table) ? undefined : { what, table });
  const alter = nodeOf(node, 'AlterTableStmt');
  if (alter !== undefined) return existing('ALTER TABLE', relationName(alter.relation));
  const index = nodeOf(node, 'IndexStmt');
  if (index !== undefined && index.concurrent !== true) return existing('CREATE INDEX', relationName(index.relation));
  const rename = nodeOf(node, 'RenameStmt');
  if (rename?.relation !== undefined) return existing('RENAME', relationName(rename.relation));
  const trigger = nodeOf(node, 'CreateTrigStmt');
  if (trigger !== undefined) return existing('CREATE TRIGGER', relationName(trigger.relation));
  const drop = nodeOf(node, 'DropStmt');
  if (drop !== undefined && drop.concurrent !== true && (drop.removeType === 'OBJECT_TABLE' || drop.removeType === 'OBJECT_INDEX')) {
    const first = drop.objects?.[0];
    const name = listName(names(nodeOf(first, 'List')?.items));
    if (drop.removeType === 'OBJECT_INDEX') return schema.isNewIndex(name) ? undefined : { what: 'DROP INDEX', table: `the table of ${name}` };
    return existing('DROP TABLE', name);
  }
  const truncate = nodeOf(node, 'TruncateStmt');
  const truncated = nodeOf(truncate?.relations?.[0], 'RangeVar');
  if (truncated !== undefined) return existing('TRUNCATE', relationName(truncated));
  const lock = nodeOf(node, 'LockStmt');
  const lockedRelation = nodeOf(lock?.relations?.[0], 'RangeVar');
  if (lockedRelation !== undefined) return existing('LOCK TABLE', relationName(lockedRelation));
  // A new table's foreign key locks the table it references (SHARE ROW EXCLUSIVE).
  const create = nodeOf(node, 'CreateStmt');
  for (const element of create?.tableElts ?? []) {
    const constraints = [element, ...(nodeOf(element, 'ColumnDef')?.constraints ?? [])];
    for (const constraint of constraints.flatMap((c) => nodeOf(c, 'Constraint') ?? [])) {
      if (constraint.contype === 'CONSTR_FOREIGN') {
        const found = existing(`CREATE TABLE ${relationName(create?.relation)} with a foreign key`, relationName(constraint.pktable));
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}
