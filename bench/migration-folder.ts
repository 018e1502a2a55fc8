// A migrations folder of any length, for timing verify: the 34-migration realistic folder
// (test/migrate/verify-fixtures/realistic) once as it is, then again in schemas app_2, app_3, … (each
// copy opened by a migration creating its schema), numbered on until `count`. Copies run with
// `set local search_path = app_<k>, public` and leave the extensions to the first copy.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const source = resolve('test/migrate/verify-fixtures/realistic');

interface SourceMigration {
  readonly name: string;
  readonly files: readonly string[];
}

export function writeMigrationFolder(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  const migrations = readSource();
  let number = 0;
  const next = () => String(++number).padStart(4, '0');
  for (let copy = 1; number < count; copy++) {
    const schema = `app_${copy}`;
    if (copy > 1) {
      const id = `${next()}_create_schema_${schema}`;
      writeFileSync(join(dir, `${id}.up.sql`), `create schema ${schema};\n`);
      writeFileSync(join(dir, `${id}.down.sql`), `drop schema ${schema};\n`);
    }
    for (const migration of migrations) {
      if (number >= count) break;
      const id = `${next()}_${migration.name}`;
      for (const file of migration.files) writeCopy(dir, id, file, copy === 1 ? null : schema);
    }
  }
}

function readSource(): SourceMigration[] {
  const byName = new Map<string, string[]>();
  for (const file of readdirSync(source).sort()) {
    const name = /^\d+_(\w+?)(?:\.up\.sql|\.down\.sql|\.ts)$/.exec(file)?.[1];
    if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), file]);
  }
  return [...byName].map(([name, files]) => ({ name, files }));
}

function writeCopy(dir: string, id: string, file: string, schema: string | null): void {
  const suffix = file.slice(file.indexOf('.'));
  const target = join(dir, `${id}${suffix}`);
  if (schema === null) {
    writeFileSync(target, readFileSync(join(source, file)));
    return;
  }
  if (suffix === '.ts') {
    // The module itself, run with the copy's search_path.
    const original = JSON.stringify(join(source, file));
    writeFileSync(
      target,
      [
        `import * as original from ${original};`,
        'type Db = Parameters<typeof original.up>[0];',
        `const inSchema = async (db: Db) => { await db.query("set local search_path = ${schema}, public"); };`,
        'export async function up(db: Db) { await inSchema(db); await original.up(db); }',
        'export async function down(db: Db) { await inSchema(db); await original.down(db); }',
        '',
      ].join('\n'),
    );
    return;
  }
  const text = readFileSync(join(source, file), 'utf8').replace(/^\s*(create|drop) extension .*$/gim, '-- (extension: the first copy has it)');
  writeFileSync(target, `set local search_path = ${schema}, public;\n${text}`);
}
