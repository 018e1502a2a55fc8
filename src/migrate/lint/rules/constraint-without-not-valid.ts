import { nodeOf, relationName } from '../ast.js';
import { alterExistingTable, type Rule } from './rule.js';

/** ADD CONSTRAINT … FOREIGN KEY or CHECK without NOT VALID, on a table that existed before the file. */
export const constraintWithoutNotValid: Rule = {
  id: 'constraint-without-not-valid',
  check(statement, context) {
    const alter = alterExistingTable(statement.node, context.schema);
    if (alter === undefined) return [];
    return alter.cmds.flatMap((cmd) => {
      const constraint = nodeOf(cmd.def, 'Constraint');
      if (cmd.subtype !== 'AT_AddConstraint' || constraint === undefined || constraint.skip_validation === true) return [];
      if (constraint.contype !== 'CONSTR_FOREIGN' && constraint.contype !== 'CONSTR_CHECK') return [];
      const name = constraint.conname ?? '<name>';
      const what =
        constraint.contype === 'CONSTR_FOREIGN'
          ? `FOREIGN KEY ${name} on ${alter.table} checks every row while it locks ${alter.table} and ${relationName(constraint.pktable)} against writes`
          : `CHECK ${name} on ${alter.table} checks every row under an ACCESS EXCLUSIVE lock: reads and writes of ${alter.table} wait`;
      return [
        {
          line: context.line(constraint.location),
          message: `${what}, for as long as the scan of a large table takes`,
          fix: `add it NOT VALID (new rows are checked at once), then ALTER TABLE ${alter.table} VALIDATE CONSTRAINT ${name} in a later migration: validating lets reads and writes go on`,
        },
      ];
    });
  },
};
