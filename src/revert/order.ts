import { sqlFile, type Queryable } from '../db/index.js';

/**
 * Tables ordered parents first along the foreign keys between them (re-insert in this order, delete
 * in reverse). Tables in a cycle keep their given order: within one table, one statement per step
 * kind lets PostgreSQL check self-references at the statement's end.
 */
export async function parentsFirst(db: Queryable, tables: readonly number[]): Promise<number[]> {
  const { rows } = await db.query<{ parent: number; child: number }>(sqlFile(import.meta.url, 'sql/table-order.sql'), [tables]);
  const ordered: number[] = [];
  const visiting = new Set<number>();
  const visit = (table: number): void => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const edge of rows) if (edge.child === table) visit(edge.parent);
    visiting.delete(table);
    ordered.push(table);
  };
  for (const table of [...tables].sort((a, b) => a - b)) visit(table);
  return ordered;
}
