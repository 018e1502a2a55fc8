import { listName, names, nodeOf } from '../ast.js';
import type { Rule } from './rule.js';

/** DROP TABLE of a table this file did not create. */
export const dropTable: Rule = {
  id: 'drop-table',
  check(statement, context) {
    const drop = nodeOf(statement.node, 'DropStmt');
    if (drop?.removeType !== 'OBJECT_TABLE') return [];
    return (drop.objects ?? []).flatMap((object) => {
      const table = listName(names(nodeOf(object, 'List')?.items));
      if (context.schema.isNewTable(table)) return [];
      return [
        {
          line: statement.line,
          message: `dropping table ${table} breaks the release still running, which uses it until the next one is out, and its rows are gone`,
          fix: `ship code that no longer uses ${table} first; drop it in a later migration, with a down that restores its rows (or rename it aside and drop it once the way back is no longer needed)`,
        },
      ];
    });
  },
};
