import { listName, names, nodeOf, relationName } from '../ast.js';
import { alterExistingTable, type Hit, type Rule } from './rule.js';

const concurrently = 'CONCURRENTLY, alone in a migration that runs outside a transaction';

/**
 * CREATE INDEX on a table that existed before the file, DROP INDEX of an index this file did not create,
 * and ADD PRIMARY KEY / UNIQUE / EXCLUDE on an existing table (which build their index the same way),
 * all without CONCURRENTLY.
 */
export const indexWithoutConcurrently: Rule = {
  id: 'index-without-concurrently',
  check(statement, context) {
    const { node } = statement;
    const index = nodeOf(node, 'IndexStmt');
    if (index !== undefined) {
      const table = relationName(index.relation);
      if (index.concurrent === true || context.schema.isNewTable(table)) return [];
      return [
        {
          line: statement.line,
          message: `CREATE INDEX${index.idxname === undefined ? '' : ` ${index.idxname}`} without CONCURRENTLY blocks every INSERT, UPDATE and DELETE on ${table} while the index builds, which takes minutes on a large table`,
          fix: `CREATE INDEX ${concurrently}; if it fails, drop the INVALID index it leaves and run it again`,
        },
      ];
    }
    const drop = nodeOf(node, 'DropStmt');
    if (drop?.removeType === 'OBJECT_INDEX' && drop.concurrent !== true) {
      return (drop.objects ?? []).flatMap((object): Hit[] => {
        const name = listName(names(nodeOf(object, 'List')?.items));
        if (context.schema.isNewIndex(name)) return [];
        return [
          {
            line: statement.line,
            message: `DROP INDEX ${name} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table: reads and writes queue behind it while it waits for running queries`,
            fix: `DROP INDEX ${concurrently}`,
          },
        ];
      });
    }
    const alter = alterExistingTable(node, context.schema);
    if (alter === undefined) return [];
    return alter.cmds.flatMap((cmd): Hit[] => {
      const constraint = nodeOf(cmd.def, 'Constraint');
      const kinds = { CONSTR_PRIMARY: 'PRIMARY KEY', CONSTR_UNIQUE: 'UNIQUE', CONSTR_EXCLUSION: 'EXCLUDE' } as const;
      const kind = constraint?.contype === undefined ? undefined : (kinds as Record<string, string>)[constraint.contype];
      if (cmd.subtype !== 'AT_AddConstraint' || kind === undefined || constraint?.indexname !== undefined) return [];
      return [
        {
          line: context.line(constraint?.location),
          message: `ADD ${kind} on ${alter.table} builds its index under an ACCESS EXCLUSIVE lock: every read and write of ${alter.table} waits until it is built`,
          fix: `CREATE UNIQUE INDEX ${concurrently}, then ALTER TABLE ${alter.table} ADD CONSTRAINT … ${kind === 'EXCLUDE' ? 'UNIQUE' : kind} USING INDEX <it>`,
        },
      ];
    });
  },
};
