import type { Db } from './db.js';

const open = new Set<Db>();

/** Each backend marks a database open when it opens it and closed when it closes it. */
export function markOpen(db: Db): void {
  open.add(db);
}

export function markClosed(db: Db): void {
  open.delete(db);
}

/** How many databases this process has opened and not closed: tests use it to catch leaked handles. */
export function openDatabaseCount(): number {
  return open.size;
}
