import { listName, names, nodeOf, relationName, typeText } from '../ast.js';
import { alterExistingTable, type Hit, type Rule } from './rule.js';

const fix = `keep every value: ALTER TYPE … ADD VALUE for new ones, move rows and code off an old value, and leave it in the type (or guard it with a CHECK) rather than remove it`;

/**
 * An enum value of a type that existed before the file goes away: ALTER TYPE … RENAME VALUE; a CREATE TYPE
 * … AS ENUM recreating a type this file renamed away or dropped, without all its old values (or with
 * old values lint cannot see); a column moved from one known enum to another that lacks some of its
 * values; DELETE FROM pg_enum.
 */
export const enumValueRemoval: Rule = {
  id: 'enum-value-removal',
  check(statement, context) {
    const { node } = statement;
    const { schema } = context;
    const hit = (message: string): Hit[] => [{ line: statement.line, message, fix }];
    const alterEnum = nodeOf(node, 'AlterEnumStmt');
    if (alterEnum?.oldVal !== undefined) {
      const type = listName(names(alterEnum.typeName));
      if (schema.isNewEnum(type)) return [];
      return hit(`renaming value '${alterEnum.oldVal}' of ${type} to '${alterEnum.newVal ?? '?'}' removes '${alterEnum.oldVal}': the release still running writes it and fails`);
    }
    const createEnum = nodeOf(node, 'CreateEnumStmt');
    if (createEnum !== undefined) {
      const type = listName(names(createEnum.typeName));
      const replaced = schema.replacedEnum(type);
      if (replaced === undefined) return [];
      const values = new Set((createEnum.vals ?? []).flatMap((value) => nodeOf(value, 'String')?.sval ?? []));
      if (replaced.values === undefined) {
        return hit(`recreating enum ${type} drops any old value it leaves out (lint cannot see its old values in these migrations): the release still running writes them and fails, and rows holding them cannot be converted`);
      }
      const lost = replaced.values.filter((value) => !values.has(value));
      if (lost.length === 0) return [];
      return hit(`recreating enum ${type} without ${quoted(lost)} removes ${lost.length === 1 ? 'it' : 'them'}: the release still running writes ${lost.length === 1 ? 'it' : 'them'} and fails, and rows holding ${lost.length === 1 ? 'it' : 'them'} cannot be converted`);
    }
    const deleted = nodeOf(node, 'DeleteStmt');
    if (deleted !== undefined && ['pg_enum', 'pg_catalog.pg_enum'].includes(relationName(deleted.relation))) {
      return hit(`deleting from pg_enum removes enum values behind PostgreSQL's back: rows still holding them become unreadable, and the release still running writes them and fails`);
    }
    const alter = alterExistingTable(node, schema);
    return (alter?.cmds ?? []).flatMap((cmd) => {
      const to = nodeOf(cmd.def, 'ColumnDef')?.typeName;
      const from = alter === undefined || cmd.name === undefined ? undefined : schema.columnType(alter.table, cmd.name);
      if (cmd.subtype !== 'AT_AlterColumnType' || from === undefined || to === undefined) return [];
      const before = schema.enumValues(typeText(from));
      const after = new Set(schema.enumValues(typeText(to)) ?? []);
      const lost = before?.filter((value) => !after.has(value)) ?? [];
      if (schema.enumValues(typeText(to)) === undefined || lost.length === 0) return [];
      return hit(`moving ${alter?.table ?? '?'}.${cmd.name ?? '?'} from enum ${typeText(from)} to ${typeText(to)} drops ${quoted(lost)}: the release still running writes ${lost.length === 1 ? 'it' : 'them'} and fails`);
    });
  },
};

function quoted(values: readonly string[]): string {
  return values.map((value) => `'${value}'`).join(', ');
}
