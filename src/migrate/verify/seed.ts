import { quoteIdent, sqlFile, SqlState, sqlStateOf, type Queryable } from '../../db/index.js';
import { firstLineOf } from '../../errors.js';
import { sampleValue, type ColumnShape, type Flavor } from './sample-values.js';

interface ForeignKey {
  readonly columns: readonly string[];
  /** `schema.table`, quoted. */
  readonly parent: string;
  readonly parentColumns: readonly string[];
}

export interface TableShape {
  /** `schema.table`, quoted. */
  readonly qualified: string;
  readonly is_child: boolean;
  readonly columns: readonly ColumnShape[];
  readonly foreign_keys: readonly ForeignKey[];
}

/** A table that would not take its sample rows (a CHECK, a trigger, a missing parent): reported, never fatal. */
export interface SeedRefusal {
  readonly kind: 'seed-refused';
  readonly table: string;
  readonly error: string;
}

/** What the newest schema added (`schema.table.column`s, new enum labels per type), for rows that only it allows. */
export interface FreshValues {
  /** The tables holding any of them. */
  readonly tables: ReadonlySet<string>;
  readonly addedColumns: ReadonlySet<string>;
  readonly retypedColumns: ReadonlySet<string>;
  readonly freshLabels: ReadonlyMap<string, string>;
}

const rowsPerTable = 3;
const plainAttempts = [
  { flavor: 'plain', edge: false },
  { flavor: 'small', edge: false },
] as const;
const freshAttempts = [
  { flavor: 'plain', edge: true },
  { flavor: 'small', edge: true },
  { flavor: 'small', edge: false },
] as const;

/**
 * Seeds sample rows generated from the schema. Each table gets rows when it is new or its columns
 * changed since it was last seeded, so the rows a down must keep cover every version of the table
 * without growing with the number of migrations. Parents go before children; a foreign key takes an
 * existing parent row.
 */
export class Seeder {
  readonly #seededShape = new Map<string, string>();
  #counter = 0;

  /** Rows of the current schema into every table whose shape is new. */
  async seedChanged(db: Queryable): Promise<SeedRefusal[]> {
    const { rows } = await db.query<{ qualified: string; signature: string }>(sqlFile(import.meta.url, 'sql/table-signatures.sql'));
    const changed = rows.filter((table) => this.#seededShape.get(table.qualified) !== table.signature);
    if (changed.length === 0) return [];
    const refusals = await this.#insert(db, await readTableShapes(db, changed.map((table) => table.qualified)), rowsPerTable, null);
    for (const table of changed) this.#seededShape.set(table.qualified, table.signature);
    return refusals;
  }

  /** One row per changed table using what only the new schema allows (longer strings, wider numbers, new enum labels). */
  async seedFresh(db: Queryable, fresh: FreshValues): Promise<SeedRefusal[]> {
    if (fresh.tables.size === 0) return [];
    const tables = (await readTableShapes(db, [...fresh.tables])).filter((table) => table.columns.some((c) => isFresh(c, fresh)));
    return this.#insert(db, tables, 1, fresh);
  }

  async #insert(db: Queryable, tables: readonly TableShape[], rows: number, fresh: FreshValues | null): Promise<SeedRefusal[]> {
    const refusals: SeedRefusal[] = [];
    for (const table of parentsFirst(tables)) {
      if (table.is_child) continue;
      const refused = await this.#insertTable(db, table, rows, fresh);
      if (refused !== null) refusals.push({ kind: 'seed-refused', table: table.qualified, error: refused });
    }
    return refusals;
  }

  /**
   * Inserts the table's rows: plain values first, small ones when a CHECK or a type refuses; fresh rows
   * keep the new version's edge values in both, and drop them last. The last error when none is taken.
   */
  async #insertTable(db: Queryable, table: TableShape, rows: number, fresh: FreshValues | null): Promise<string | null> {
    let refused: string | null = null;
    const attempts = fresh === null ? plainAttempts : freshAttempts;
    for (const { flavor, edge } of attempts) {
      const statement = insertStatement(table, this.#counter, rows, fresh, flavor, edge);
      this.#counter += rows;
      if (typeof statement !== 'string') return statement.problem;
      await db.query('savepoint wayback_seed');
      try {
        await db.query(statement);
        await db.query('release savepoint wayback_seed');
        return null;
      } catch (error) {
        await db.query('rollback to savepoint wayback_seed');
        refused = firstLineOf(error);
        const code = sqlStateOf(error) ?? '';
        if (code !== SqlState.checkViolation && !code.startsWith('22')) return refused;
      }
    }
    return refused;
  }
}

async function readTableShapes(db: Queryable, tables: readonly string[]): Promise<TableShape[]> {
  return (await db.query<TableShape>(sqlFile(import.meta.url, 'sql/table-shapes.sql'), [tables])).rows;
}

/**
 * `insert into t (…) select … from generate_series(1, rows) as seed(i)`, each foreign key joined to
 * one existing parent row (rows spread over the parent's rows).
 */
function insertStatement(table: TableShape, counter: number, rows: number, fresh: FreshValues | null, flavor: Flavor, useEdge: boolean): string | { problem: string } {
  const n = `(${counter} + seed.i)`;
  const names: string[] = [];
  const values: string[] = [];
  const joins: string[] = [];
  const fromParent = new Map<string, string>();
  table.foreign_keys.forEach((fk, index) => {
    const alias = `parent_${index}`;
    const order = fk.parentColumns.map(quoteIdent).join(', ');
    joins.push(
      `left join lateral (select ${order} from ${fk.parent} order by ${order} limit 1 offset seed.i % greatest((select count(*) from ${fk.parent}), 1)) ${alias} on true`,
    );
    fk.columns.forEach((column, i) => {
      if (!fromParent.has(column)) fromParent.set(column, `${alias}.${quoteIdent(fk.parentColumns[i] ?? '')}`);
    });
  });
  for (const column of table.columns) {
    if (column.generated) continue;
    const parent = fromParent.get(column.name);
    if (parent !== undefined) {
      names.push(quoteIdent(column.name));
      values.push(parent);
      continue;
    }
    const added = fresh?.addedColumns.has(column.object) === true;
    const retyped = fresh?.retypedColumns.has(column.object) === true;
    const freshLabel = column.enumType === null ? null : (fresh?.freshLabels.get(column.enumType) ?? null);
    // Defaults fill what they can, and small rows leave nullable columns empty (for CHECKs such as "b is null or b > a").
    if (column.filled && !added && !retyped && freshLabel === null) continue;
    if (flavor === 'small' && !column.notNull) continue;
    const edge = useEdge && (retyped || freshLabel !== null) ? { freshLabel } : null;
    const value = sampleValue(column, n, edge, flavor);
    if (value === null) {
      if (!column.notNull) continue;
      return { problem: `no sample value for column ${column.name} of type ${column.type}` };
    }
    names.push(quoteIdent(column.name));
    values.push(value);
  }
  // A table with nothing to fill (all defaults) still gets a row.
  if (names.length === 0) return `insert into ${table.qualified} default values`;
  // A key taken by an earlier row (a key that is also a foreign key has few parents to choose from) just makes fewer rows.
  return `insert into ${table.qualified} (${names.join(', ')}) select ${values.join(', ')} from generate_series(1, ${rows}) as seed(i) ${joins.join(' ')} on conflict do nothing`;
}

/** Tables ordered so that a foreign key's parent comes before its child (cycles and self-references keep their order). */
function isFresh(column: ColumnShape, fresh: FreshValues): boolean {
  return fresh.addedColumns.has(column.object) || fresh.retypedColumns.has(column.object) || (column.enumType !== null && fresh.freshLabels.has(column.enumType));
}

function parentsFirst(tables: readonly TableShape[]): TableShape[] {
  const byName = new Map(tables.map((t) => [t.qualified, t]));
  const ordered: TableShape[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: TableShape) => {
    if (state.has(table.qualified)) return;
    state.set(table.qualified, 'visiting');
    for (const fk of table.foreign_keys) {
      const parent = byName.get(fk.parent);
      if (parent !== undefined && parent !== table) visit(parent);
    }
    state.set(table.qualified, 'done');
    ordered.push(table);
  };
  tables.forEach(visit);
  return ordered;
}
