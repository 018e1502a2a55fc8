import { alterExistingTable, type Rule } from './rule.js';

/** ALTER COLUMN … SET NOT NULL on a table that existed before the file. */
export const setNotNull: Rule = {
  id: 'set-not-null',
  check(statement, context) {
    const alter = alterExistingTable(statement.node, context.schema);
    if (alter === undefined) return [];
    return alter.cmds.flatMap((cmd) => {
      if (cmd.subtype !== 'AT_SetNotNull') return [];
      const column = cmd.name ?? '?';
      return [
        {
          line: statement.line,
          message: `SET NOT NULL on ${alter.table}.${column} reads the whole table under an ACCESS EXCLUSIVE lock: every read and write of ${alter.table} waits for the scan`,
          fix: `ADD CONSTRAINT … CHECK (${column} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later migration, then SET NOT NULL (PostgreSQL 12+ trusts the valid check and skips the scan) and drop the check`,
        },
      ];
    });
  },
};
