import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationExistsError, MigrationFolderError } from './errors.js';

export interface NewMigration {
  readonly kind: 'new-migration';
  readonly id: string;
  /** The files written, as paths under the folder. */
  readonly files: readonly string[];
}

/**
 * Writes the next-numbered SQL pair in `dir` (made if missing). The down is not left empty: it raises
 * "write the down of <id>", so running or verifying it fails until someone writes it.
 */
export function newMigration(dir: string, name: string): NewMigration {
  const slug = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (slug === '') throw new MigrationFolderError(dir, null, `"${name}" is not a usable migration name; use letters, digits and _`);
  mkdirSync(dir, { recursive: true });
  const numbers = readdirSync(dir).flatMap((file) => /^(\d+)_/.exec(file)?.[1] ?? []);
  const newest = numbers.reduce((max, digits) => (BigInt(digits) > max ? BigInt(digits) : max), 0n);
  const width = Math.max(4, ...numbers.map((digits) => digits.length));
  const id = `${String(newest + 1n).padStart(width, '0')}_${slug}`;
  const files = [`${id}.up.sql`, `${id}.down.sql`];
  for (const file of files) if (existsSync(join(dir, file))) throw new MigrationExistsError(join(dir, file));
  writeFileSync(join(dir, files[0] ?? ''), upTemplate(id), { flag: 'wx' });
  writeFileSync(join(dir, files[1] ?? ''), downTemplate(id), { flag: 'wx' });
  return { kind: 'new-migration', id, files: files.map((file) => join(dir, file)) };
}

function upTemplate(id: string): string {
  return `-- ${id}: up.
-- Runs in one transaction, as change set migration:${id}, so the data it changes is journaled.
-- A statement PostgreSQL refuses in a transaction (CREATE INDEX CONCURRENTLY) makes it run outside one.

`;
}

function downTemplate(id: string): string {
  return `-- ${id}: down. Undo exactly what the up does.
-- If the up cannot be undone: delete this file and put "-- wayback:irreversible <why>" in the up.
-- If this down cannot bring the data back: add "-- wayback:lossy <what is lost>".
do $$ begin raise exception 'write the down of ${id}'; end $$;
`;
}
