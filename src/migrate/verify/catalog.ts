import { sqlFile, type Queryable } from '../../db/index.js';
import type { FreshValues } from './seed.js';

/** The user's schema as verify compares it: per object (`column public.users.email`), its attributes. */
export type Catalog = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

/** One difference between the catalog a step should have left and the one it did. */
export interface SchemaDifference {
  readonly kind: 'schema-diff';
  /** Which comparison: after the down (against before the up), or after the up again (against the first up). */
  readonly phase: 'down' | 'up-again';
  /** `table public.users`, `column public.users.email`, `index public.users_email_idx`… */
  readonly object: string;
  readonly change: 'missing' | 'extra' | 'changed';
  /** For `changed`: which attribute, and its expected and actual values. */
  readonly attribute?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
}

interface CatalogRow {
  kind: string;
  name: string;
  attributes: Record<string, unknown>;
}

/**
 * The catalog as seen from an open transaction `tx`. Definitions (views, functions, defaults) print
 * names relative to the search_path, which a migration may have changed with SET LOCAL: the snapshot is
 * taken with search_path = pg_catalog, so every name is qualified alike, and the savepoint rolled back
 * to gives the migration's setting back.
 */
export async function snapshotCatalog(tx: Queryable, options: { columnOrder: boolean }): Promise<Catalog> {
  await tx.query('savepoint wayback_catalog');
  try {
    await tx.query("select set_config('search_path', 'pg_catalog', true)");
    const { rows } = await tx.query<CatalogRow>(sqlFile(import.meta.url, 'sql/catalog.sql'), [options.columnOrder]);
    return new Map(rows.map((row) => [`${row.kind} ${row.name}`, row.attributes]));
  } finally {
    await tx.query('rollback to savepoint wayback_catalog');
  }
}

export function diffCatalogs(expected: Catalog, actual: Catalog, phase: SchemaDifference['phase']): SchemaDifference[] {
  const differences: SchemaDifference[] = [];
  for (const [object, attributes] of expected) {
    const now = actual.get(object);
    if (now === undefined) {
      differences.push({ kind: 'schema-diff', phase, object, change: 'missing' });
      continue;
    }
    for (const attribute of new Set([...Object.keys(attributes), ...Object.keys(now)])) {
      const [before, after] = [attributes[attribute] ?? null, now[attribute] ?? null];
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        differences.push({ kind: 'schema-diff', phase, object, change: 'changed', attribute, expected: before, actual: after });
      }
    }
  }
  for (const object of actual.keys()) {
    if (!expected.has(object)) differences.push({ kind: 'schema-diff', phase, object, change: 'extra' });
  }
  return differences;
}

/** What the up added or retyped, and the tables holding it, for the rows only the new version allows (see Seeder.seedFresh). */
export function freshValues(before: Catalog, after: Catalog): FreshValues {
  const addedColumns = new Set<string>();
  const retypedColumns = new Set<string>();
  const freshLabels = new Map<string, string>();
  for (const [object, attributes] of after) {
    const [kind, name] = splitObject(object);
    const previous = before.get(object);
    if (kind === 'column' && previous === undefined) addedColumns.add(name);
    if (kind === 'column' && previous !== undefined && previous['type'] !== attributes['type']) retypedColumns.add(name);
    if (kind === 'type' && previous !== undefined && Array.isArray(attributes['labels'])) {
      const old = new Set(Array.isArray(previous['labels']) ? (previous['labels'] as string[]) : []);
      const label = (attributes['labels'] as string[]).find((l) => !old.has(l));
      if (label !== undefined) freshLabels.set(name, label);
    }
  }
  const tables = new Set([...addedColumns, ...retypedColumns].map(tableOfColumn));
  for (const [object, attributes] of after) {
    const [kind, name] = splitObject(object);
    if (kind === 'column' && typeof attributes['type'] === 'string' && freshLabels.has(attributes['type'])) tables.add(tableOfColumn(name));
  }
  return { tables, addedColumns, retypedColumns, freshLabels };
}

/** `schema.table` of `schema.table.column`, each part as quote_ident prints it. */
function tableOfColumn(column: string): string {
  return /^(.*)\.(?:"(?:[^"]|"")*"|[^."]+)$/.exec(column)?.[1] ?? column;
}

function splitObject(object: string): [string, string] {
  const space = object.indexOf(' ');
  return [object.slice(0, space), object.slice(space + 1)];
}
