import type { AlterTableCmd, Node } from 'libpg-query';
import { nodeOf, relationName } from '../ast.js';
import type { RuleId } from '../finding.js';
import type { KnownSchema } from '../known-schema.js';
import type { Statement } from '../parse-file.js';

/** One thing a rule found in a statement: the line (the clause's own, when the parser gives it), why, and the fix. */
export interface Hit {
  readonly line: number;
  readonly message: string;
  readonly fix: string;
}

export interface RuleContext {
  /** The schema as the statements before this one left it. */
  readonly schema: KnownSchema;
  /** The line of a parser location inside the statement, or the statement's own line. */
  line(location: number | undefined): number;
}

export interface Rule {
  readonly id: RuleId;
  check(statement: Statement, context: RuleContext): readonly Hit[];
}

/**
 * The commands of an ALTER TABLE on a table that existed before this file. A table this file created
 * has no rows and no readers yet, so nothing done to it can hurt.
 */
export function alterExistingTable(node: Node, schema: KnownSchema): { table: string; cmds: AlterTableCmd[] } | undefined {
  const alter = nodeOf(node, 'AlterTableStmt');
  if (alter === undefined || (alter.objtype !== undefined && alter.objtype !== 'OBJECT_TABLE')) return undefined;
  const table = relationName(alter.relation);
  if (schema.isNewTable(table)) return undefined;
  const cmds = (alter.cmds ?? []).flatMap((cmd) => nodeOf(cmd, 'AlterTableCmd') ?? []);
  return { table, cmds };
}
