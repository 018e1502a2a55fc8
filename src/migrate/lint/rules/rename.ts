import { nodeOf, qualified, relationName } from '../ast.js';
import type { Rule } from './rule.js';

const relations = { OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'materialized view' } as const;

/** RENAME of a table, view or materialized view, or of a column of one, that existed before the file. */
export const rename: Rule = {
  id: 'rename',
  check(statement, context) {
    const stmt = nodeOf(statement.node, 'RenameStmt');
    if (stmt?.relation === undefined || stmt.newname === undefined) return [];
    const table = relationName(stmt.relation);
    if (context.schema.isNewTable(table)) return [];
    if (stmt.renameType === 'OBJECT_COLUMN') {
      const [from, to] = [stmt.subname ?? '?', stmt.newname];
      return [
        {
          line: statement.line,
          message: `renaming ${table}.${from} to ${to} breaks the release still running, which uses ${from} until the next one is out: its queries fail the moment the migration commits`,
          fix: `expand and contract: add ${to}, keep both in step (a trigger) and backfill, move the code to ${to}, then drop ${from} in a later migration`,
        },
      ];
    }
    const kind = stmt.renameType === undefined ? undefined : (relations as Record<string, string>)[stmt.renameType];
    if (kind === undefined) return [];
    const to = qualified(stmt.relation.schemaname, stmt.newname);
    return [
      {
        line: statement.line,
        message: `renaming ${kind} ${table} to ${to} breaks the release still running, which uses ${table} until the next one is out: its queries fail the moment the migration commits`,
        fix: `rename it and create a view in its old name (CREATE VIEW ${table} AS SELECT * FROM ${to}; simple views take writes too) in the same migration; drop the view once no running code uses ${table}`,
      },
    ];
  },
};
