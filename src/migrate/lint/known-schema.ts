// What lint knows of the schema as it reads a folder in order: column types, enum values, and which
// tables the current file created. That is what tells a safe statement from an unsafe one: an index on a
// table this file created blocks nobody, and varchar(20) → varchar(50) rewrites nothing.
import type { Node, TypeName } from 'libpg-query';
import { listName, names, nodeOf, qualified, relationName } from './ast.js';

interface TableState {
  readonly columns: Map<string, TypeName>;
  /** Created by the file being read: nobody reads or writes it yet, and it has no rows. */
  createdHere: boolean;
}

interface EnumState {
  /** Its values, when the folder created it; undefined when it came from elsewhere. */
  readonly values: string[] | undefined;
  createdHere: boolean;
}

/** The schema the migrations read so far describe. One instance follows a folder, file after file. */
export class KnownSchema {
  private readonly tables = new Map<string, TableState>();
  private readonly enums = new Map<string, EnumState>();
  private readonly indexes = new Map<string, { createdHere: boolean }>();
  /** Enums this file renamed away or dropped, with their values when known: a CREATE TYPE of the name recreates them. */
  private readonly replacedEnums = new Map<string, string[] | undefined>();
  private lockTimeout = false;

  /** A new file: what earlier files created now exists in production, with rows and readers. */
  startFile(): void {
    for (const state of [...this.tables.values(), ...this.enums.values(), ...this.indexes.values()]) state.createdHere = false;
    this.replacedEnums.clear();
    this.lockTimeout = false;
  }

  isNewTable(name: string): boolean {
    return this.tables.get(name)?.createdHere === true;
  }

  isNewIndex(name: string): boolean {
    return this.indexes.get(name)?.createdHere === true;
  }

  isNewEnum(name: string): boolean {
    return this.enums.get(name)?.createdHere === true;
  }

  columnType(table: string, column: string): TypeName | undefined {
    return this.tables.get(table)?.columns.get(column);
  }

  enumValues(name: string): string[] | undefined {
    return this.enums.get(name)?.values;
  }

  /** Whether this file renamed away or dropped an enum of this name, and its values then (undefined: not known). */
  replacedEnum(name: string): { readonly values: string[] | undefined } | undefined {
    return this.replacedEnums.has(name) ? { values: this.replacedEnums.get(name) } : undefined;
  }

  /** Whether an earlier statement of this file set a non-zero lock_timeout. */
  hasLockTimeout(): boolean {
    return this.lockTimeout;
  }

  /** Takes in what one statement does to the schema. Statements lint does not model change nothing. */
  apply(node: Node): void {
    const create = nodeOf(node, 'CreateStmt');
    if (create !== undefined) {
      const columns = new Map<string, TypeName>();
      for (const element of create.tableElts ?? []) {
        const column = nodeOf(element, 'ColumnDef');
        if (column?.colname !== undefined && column.typeName !== undefined) columns.set(column.colname, column.typeName);
      }
      this.tables.set(relationName(create.relation), { columns, createdHere: true });
      return;
    }
    const createAs = nodeOf(node, 'CreateTableAsStmt');
    if (createAs !== undefined) {
      this.tables.set(relationName(createAs.into?.rel), { columns: new Map(), createdHere: true });
      return;
    }
    const alter = nodeOf(node, 'AlterTableStmt');
    if (alter !== undefined) {
      const table = this.table(relationName(alter.relation));
      for (const item of alter.cmds ?? []) {
        const cmd = nodeOf(item, 'AlterTableCmd');
        const column = nodeOf(cmd?.def, 'ColumnDef');
        if (cmd?.subtype === 'AT_AddColumn' && column?.colname !== undefined && column.typeName !== undefined) table.columns.set(column.colname, column.typeName);
        if (cmd?.subtype === 'AT_AlterColumnType' && cmd.name !== undefined && column?.typeName !== undefined) table.columns.set(cmd.name, column.typeName);
        if (cmd?.subtype === 'AT_DropColumn' && cmd.name !== undefined) table.columns.delete(cmd.name);
      }
      return;
    }
    const rename = nodeOf(node, 'RenameStmt');
    if (rename?.newname !== undefined) {
      if (rename.renameType === 'OBJECT_TABLE') {
        const name = relationName(rename.relation);
        const state = this.tables.get(name);
        this.tables.delete(name);
        if (state !== undefined) this.tables.set(qualified(rename.relation?.schemaname, rename.newname), state);
      } else if (rename.renameType === 'OBJECT_COLUMN' && rename.subname !== undefined) {
        const columns = this.tables.get(relationName(rename.relation))?.columns;
        const type = columns?.get(rename.subname);
        columns?.delete(rename.subname);
        if (type !== undefined) columns?.set(rename.newname, type);
      } else if (rename.renameType === 'OBJECT_TYPE') {
        const parts = names(nodeOf(rename.object, 'List')?.items);
        const name = listName(parts);
        const state = this.enums.get(name);
        this.enums.delete(name);
        if (state?.createdHere !== true) this.replacedEnums.set(name, state?.values);
        if (state !== undefined) this.enums.set(listName([...parts.slice(0, -1), rename.newname]), state);
      }
      return;
    }
    const drop = nodeOf(node, 'DropStmt');
    if (drop !== undefined) {
      for (const object of drop.objects ?? []) {
        if (drop.removeType === 'OBJECT_TABLE') this.tables.delete(listName(names(nodeOf(object, 'List')?.items)));
        if (drop.removeType === 'OBJECT_INDEX') this.indexes.delete(listName(names(nodeOf(object, 'List')?.items)));
        if (drop.removeType === 'OBJECT_TYPE') {
          const name = listName(names(nodeOf(object, 'TypeName')?.names));
          const state = this.enums.get(name);
          this.enums.delete(name);
          if (state?.createdHere !== true) this.replacedEnums.set(name, state?.values);
        }
      }
      return;
    }
    const createEnum = nodeOf(node, 'CreateEnumStmt');
    if (createEnum !== undefined) {
      const values = (createEnum.vals ?? []).flatMap((value) => nodeOf(value, 'String')?.sval ?? []);
      this.enums.set(listName(names(createEnum.typeName)), { values, createdHere: true });
      return;
    }
    const alterEnum = nodeOf(node, 'AlterEnumStmt');
    if (alterEnum?.newVal !== undefined) {
      const values = this.enums.get(listName(names(alterEnum.typeName)))?.values;
      if (values === undefined) return;
      const at = alterEnum.oldVal === undefined ? -1 : values.indexOf(alterEnum.oldVal);
      if (at >= 0) values[at] = alterEnum.newVal;
      else if (!values.includes(alterEnum.newVal)) values.push(alterEnum.newVal);
      return;
    }
    const index = nodeOf(node, 'IndexStmt');
    if (index?.idxname !== undefined) {
      this.indexes.set(qualified(index.relation?.schemaname, index.idxname), { createdHere: true });
      return;
    }
    const set = nodeOf(node, 'VariableSetStmt');
    if (set?.name === 'lock_timeout') this.lockTimeout = set.kind === 'VAR_SET_VALUE' && !isZero(set.args?.[0]);
  }

  /** A table lint first meets in an ALTER: it exists, created before these migrations. */
  private table(name: string): TableState {
    let state = this.tables.get(name);
    if (state === undefined) {
      state = { columns: new Map(), createdHere: false };
      this.tables.set(name, state);
    }
    return state;
  }
}

/** lock_timeout = 0 (or '0', '0s') turns the timeout off. */
function isZero(value: Node | undefined): boolean {
  const constant = nodeOf(value, 'A_Const');
  if (constant === undefined) return false;
  if (constant.ival !== undefined) return (constant.ival.ival ?? 0) === 0;
  return /^\s*0+\s*[a-z]*\s*$/i.test(constant.sval?.sval ?? '');
}
