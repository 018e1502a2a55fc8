import type { Db } from '../db/index.js';
import type { Changes, TableChanges } from './moments.js';
import type { Narrator } from './narrator.js';

/** What every step of the story works with: the database, the narrator, and the --db words to print. */
export interface Story {
  readonly db: Db;
  readonly narrator: Narrator;
  /** `--db pglite:<dir>`, as the user types it to open this database. */
  readonly dbFlag: readonly string[];
}

const numberFormat = new Intl.NumberFormat('en-US');

/** `2,000`. */
export function number(n: number): string {
  return numberFormat.format(n);
}

/** A count with its noun: `2,000 candidates`, `1 edit`. */
export function count(n: number, singular: string): string {
  return `${number(n)} ${n === 1 ? singular : `${singular}s`}`;
}

/** `a, b and c`. */
export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/** The product's tables in the order the story names them: parents before children. */
const tableOrder = ['candidate', 'profile', 'application', 'stage'];

/** `20 candidates`, `8 profiles`…: the rows of each table that `kind` of change touched. */
export function rowsChanged(changes: Changes, kind: keyof Omit<TableChanges, 'cells'>): string {
  const found = Object.entries(changes)
    .filter(([, table]) => table[kind] > 0)
    .sort(([a], [b]) => tableOrder.indexOf(a) - tableOrder.indexOf(b))
    .map(([name, table]) => count(table[kind], name));
  return found.length === 0 ? 'nothing' : list(found);
}

/** `profile.linkedin 295, candidate.first_name 284`: cells changed per column, most first. */
export function cellsChanged(changes: Changes): string {
  return Object.entries(changes)
    .flatMap(([table, t]) => Object.entries(t.cells).map(([column, n]) => ({ name: `${table}.${column}`, n })))
    .sort((a, b) => b.n - a.n || a.name.localeCompare(b.name))
    .map(({ name, n }) => `${name} ${number(n)}`)
    .join(', ');
}
