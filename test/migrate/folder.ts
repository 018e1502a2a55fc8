// A migrations folder of a test's own, in a temporary directory: written from a map of file names to
// text, changed as the test goes, and removed with everything in it by `drop`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MigrationFolder {
  /** The folder itself, `<temp>/migrations`; its parent is a fine cwd for the CLI. */
  readonly dir: string;
  readonly root: string;
  write(files: Readonly<Record<string, string>>): void;
  remove(...names: string[]): void;
  drop(): void;
}

export function migrationFolder(files: Readonly<Record<string, string>> = {}): MigrationFolder {
  const root = mkdtempSync(join(tmpdir(), 'wayback-migrations-'));
  const dir = join(root, 'migrations');
  mkdirSync(dir);
  const folder: MigrationFolder = {
    dir,
    root,
    write(more) {
      for (const [name, text] of Object.entries(more)) writeFileSync(join(dir, name), text);
    },
    remove(...names) {
      for (const name of names) rmSync(join(dir, name));
    },
    drop() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  folder.write(files);
  return folder;
}

/** Three plain SQL pairs: a table, a column, and a row of data. */
export const threeMigrations: Readonly<Record<string, string>> = {
  '0001_orders.up.sql': 'create table orders (id int primary key, total numeric not null);\n',
  '0001_orders.down.sql': 'drop table orders;\n',
  '0002_note.up.sql': "-- a column with a default\nalter table orders add column note text default '';\n",
  '0002_note.down.sql': 'alter table orders drop column note;\n',
  '0003_seed.up.sql': "insert into orders (id, total) values (1, 10), (2, 20);\nupdate orders set note = 'seeded';\n",
  '0003_seed.down.sql': 'delete from orders where id in (1, 2);\n',
};
