import { alterExistingTable, type Rule } from './rule.js';

/** ALTER TABLE … DROP COLUMN on a table that existed before the file. */
export const dropColumn: Rule = {
  id: 'drop-column',
  check(statement, context) {
    const alter = alterExistingTable(statement.node, context.schema);
    if (alter === undefined) return [];
    return alter.cmds.flatMap((cmd) => {
      if (cmd.subtype !== 'AT_DropColumn') return [];
      const name = `${alter.table}.${cmd.name ?? '?'}`;
      return [
        {
          line: statement.line,
          message: `dropping ${name} breaks the release still running, which reads and writes it until the next one is out: its queries fail the moment the migration commits, and the column's data is gone`,
          fix: `ship code that no longer uses ${name} first; drop it in a later migration, once no running release needs it, with a down that restores its data`,
        },
      ];
    });
  },
};
