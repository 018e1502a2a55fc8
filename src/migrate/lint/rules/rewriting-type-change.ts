import type { Node, TypeName } from 'libpg-query';
import { nodeOf, typeBase, typeModifiers, typeText } from '../ast.js';
import { alterExistingTable, type Rule } from './rule.js';

/**
 * ALTER COLUMN … TYPE on a table that existed before the file, unless the column's type is known from
 * the folder's earlier migrations and the change only widens it, which PostgreSQL does without a
 * rewrite: varchar(n) → varchar(m ≥ n), varchar or text → text or varchar, numeric(p,s) → numeric(q ≥ p,s)
 * or numeric, a time type's precision raised or lifted, cidr → inet, and the same type again. A USING
 * other than the bare column always counts as a rewrite.
 */
export const rewritingTypeChange: Rule = {
  id: 'rewriting-type-change',
  check(statement, context) {
    const alter = alterExistingTable(statement.node, context.schema);
    if (alter === undefined) return [];
    return alter.cmds.flatMap((cmd) => {
      const column = nodeOf(cmd.def, 'ColumnDef');
      if (cmd.subtype !== 'AT_AlterColumnType' || column?.typeName === undefined) return [];
      const name = cmd.name ?? '?';
      const before = context.schema.columnType(alter.table, name);
      if (before !== undefined && isBareColumn(column.raw_default, name) && widens(before, column.typeName)) return [];
      const to = typeText(column.typeName);
      const change = before === undefined ? `changing ${alter.table}.${name} to ${to}` : `changing ${alter.table}.${name} from ${typeText(before)} to ${to}`;
      const unknown = before === undefined ? ' (lint cannot see its current type in these migrations; a change that only widens varchar or numeric rewrites nothing)' : '';
      return [
        {
          line: context.line(column.location),
          message: `${change} rewrites the table and its indexes under an ACCESS EXCLUSIVE lock: every read and write of ${alter.table} waits until it is done${unknown}`,
          fix: `add a column of the new type, keep it in step (a trigger) and backfill in batches, move the code over, then drop the old column; to lift a length limit, change varchar(n) to text (no rewrite) and add a CHECK … NOT VALID`,
        },
      ];
    });
  },
};

/** No USING, or USING the column itself. */
function isBareColumn(using: Node | undefined, column: string): boolean {
  if (using === undefined) return true;
  const fields = nodeOf(using, 'ColumnRef')?.fields ?? [];
  return fields.length === 1 && nodeOf(fields[0], 'String')?.sval === column;
}

const textual = new Set(['text', 'varchar']);
const timeTypes = new Set(['timestamp', 'timestamptz', 'time', 'timetz']);

/** Whether PostgreSQL changes `from` to `to` without rewriting (binary-coercible, limit not lowered). */
export function widens(from: TypeName, to: TypeName): boolean {
  if ((from.arrayBounds?.length ?? 0) !== (to.arrayBounds?.length ?? 0)) return false;
  const [a, b] = [typeBase(from), typeBase(to)];
  const [am, bm] = [typeModifiers(from), typeModifiers(to)];
  if (typeText(from) === typeText(to)) return true;
  if (textual.has(a) && b === 'text') return true;
  if (textual.has(a) && b === 'varchar') return bm.length === 0 || (a === 'varchar' && am.length === 1 && (bm[0] ?? 0) >= (am[0] ?? 0));
  if (a === 'numeric' && b === 'numeric') return bm.length === 0 || (am.length > 0 && (bm[0] ?? 0) >= (am[0] ?? 0) && (bm[1] ?? 0) === (am[1] ?? 0));
  if (timeTypes.has(a) && a === b) return bm.length === 0 || (am.length === 1 && (bm[0] ?? 0) >= (am[0] ?? 0));
  return a === 'cidr' && b === 'inet';
}
