import { nodeOf } from '../ast.js';
import { alterExistingTable, type Rule } from './rule.js';

/**
 * ADD COLUMN … NOT NULL (or PRIMARY KEY) with no default, on a table that existed before the file. With
 * a default, identity or generated column PostgreSQL fills the existing rows; `DEFAULT NULL` fills nothing.
 */
export const notNullWithoutDefault: Rule = {
  id: 'not-null-without-default',
  check(statement, context) {
    const alter = alterExistingTable(statement.node, context.schema);
    if (alter === undefined) return [];
    return alter.cmds.flatMap((cmd) => {
      const column = nodeOf(cmd.def, 'ColumnDef');
      if (cmd.subtype !== 'AT_AddColumn' || column === undefined) return [];
      const constraints = (column.constraints ?? []).flatMap((c) => nodeOf(c, 'Constraint') ?? []);
      const notNull = column.is_not_null === true || constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
      const filled = constraints.some(
        (c) =>
          (c.contype === 'CONSTR_DEFAULT' && nodeOf(c.raw_expr, 'A_Const')?.isnull !== true) ||
          c.contype === 'CONSTR_IDENTITY' ||
          c.contype === 'CONSTR_GENERATED',
      );
      if (!notNull || filled) return [];
      const name = `${alter.table}.${column.colname ?? '?'}`;
      return [
        {
          line: context.line(column.location),
          message: `${name} is added NOT NULL with no default: on a table with rows PostgreSQL refuses it (the existing rows would be NULL), so a migration that passed on an empty database fails in production`,
          fix: `give it a constant default (ADD COLUMN … NOT NULL DEFAULT <value>: no rewrite since PostgreSQL 11); or add it nullable, backfill in batches, then add the NOT NULL (see set-not-null)`,
        },
      ];
    });
  },
};
